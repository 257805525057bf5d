import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, Handle, Position, ReactFlow, applyNodeChanges } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { get, post, put } from '../api.js';
import { navigate } from '../app.jsx';
import { useT } from '../i18n.js';
import { NODE_TYPES, addNode, connect, newJourney, outlets, removeNode, replaceNode, toGraph } from '../model/journey.js';
import { Async, Card, ErrorBox, Field, Guarded, Table, pct, useAction, useApi, useUser } from '../ui.jsx';

const n = (x) => Number(x ?? 0);
const status = (s) => (s ?? '').replace('JOURNEY_STATUS_', '').toLowerCase();

export function Journeys({ route }) {
  if (route[0] === 'new') return <JourneyEditor journeyKey={null} />;
  if (route[0]) return <JourneyEditor journeyKey={route[0]} />;
  return <JourneyList />;
}

function JourneyList() {
  const t = useT();
  const { can } = useUser();
  const list = useApi(() => get('/journeys'), []);
  return (
    <Card
      title={t('Journeys')}
      actions={
        <Guarded allowed={can.edit} className="primary" onClick={() => navigate('journeys', 'new')} data-testid="new-journey">
          + {t('New journey')}
        </Guarded>
      }
    >
      <Async state={list}>
        {(d) => (
          <Table
            testId="journeys"
            rows={d.journeys}
            rowKey={(j) => j.key}
            onRow={(j) => navigate('journeys', j.key)}
            columns={[
              { key: 'key', label: t('Key'), render: (j) => <a href={`#/journeys/${encodeURIComponent(j.key)}`}>{j.key}</a> },
              { key: 'name', label: t('Name') },
              { key: 'status', label: t('Status'), render: (j) => <span className="pill">{status(j.status)}</span> },
              { key: 'liveVersion', label: t('Version'), num: true, render: (j) => j.liveVersion ?? '—' },
              { key: 'updatedAt', label: 'updated', render: (j) => `${t.time(j.updatedAt)} · ${j.updatedBy ?? ''}` },
            ]}
          />
        )}
      </Async>
    </Card>
  );
}

/** One journey node on the canvas: its type, id, summary, counts and what validation said of it. */
function JourneyNode({ data, selected }) {
  const invalid = data.violations.length > 0;
  return (
    <div className={`jnode ${data.type} ${selected ? 'selected' : ''} ${invalid ? 'invalid' : ''}`} data-testid={`jnode-${data.id}`}>
      {data.type !== 'trigger' ? <Handle type="target" position={Position.Left} /> : null}
      <div className="type">{data.type}</div>
      <div className="id">{data.id}</div>
      <div>{data.summary}</div>
      {data.counts ? (
        <div className="counts" data-testid={`jcount-${data.id}`}>
          ▶ {n(data.counts.entered)} · … {n(data.counts.waiting)} · ■ {n(data.counts.exited)}
        </div>
      ) : null}
      {data.violations.map((v, i) => (
        <div className="violation" key={i}>
          ⚠ {v.field ? `${v.field}: ` : ''}
          {v.message}
        </div>
      ))}
      {data.outlets.map((o, i) => (
        <Handle
          key={o.handle}
          id={o.handle}
          type="source"
          position={Position.Right}
          style={{ top: `${((i + 1) * 100) / (data.outlets.length + 1)}%` }}
          title={o.label || o.handle}
        />
      ))}
    </div>
  );
}
const nodeTypes = { journey: JourneyNode };

function JourneyEditor({ journeyKey }) {
  const t = useT();
  const loaded = useApi(() => (journeyKey ? get(`/journeys/${encodeURIComponent(journeyKey)}`) : Promise.resolve(null)), [journeyKey]);
  if (journeyKey && !loaded.data) return <Async state={loaded}>{() => null}</Async>;
  const journey = loaded.data?.journey;
  let definition;
  if (journey) {
    const live = (journey.versions ?? []).find((v) => v.version === journey.liveVersion);
    definition = JSON.parse(journey.draft || live?.definition || '{}');
  } else {
    definition = newJourney('', '');
  }
  return <Editor key={journeyKey ?? 'new'} journey={journey} initial={definition} reload={loaded.reload} t={t} />;
}

function Editor({ journey, initial, reload, t }) {
  const { can } = useUser();
  const [def, setDef] = useState(initial);
  // the definition as the service holds it: publishing saves the editor's first when they differ
  const [saved, setSaved] = useState(() => (journey ? JSON.stringify(initial) : null));
  const [violations, setViolations] = useState([]);
  const [validated, setValidated] = useState(null);
  const [selected, setSelected] = useState(null);
  // where each node is drawn and the size React Flow measured it at (it shows a node once measured)
  const [view, setView] = useState({});
  const key = journey?.key;
  const stats = useApi(() => (key ? get(`/journeys/${encodeURIComponent(key)}/stats`) : Promise.resolve(null)), [key]);
  const counts = useMemo(() => {
    const live = (stats.data?.versions ?? []).find((v) => v.version === journey?.liveVersion) ?? stats.data?.versions?.[0];
    return Object.fromEntries((live?.nodes ?? []).map((x) => [x.node, x]));
  }, [stats.data]);
  const graph = useMemo(() => toGraph(def, { violations, counts }), [def, violations, counts]);
  const nodes = graph.nodes.map((g) => ({
    id: g.id,
    type: 'journey',
    position: view[g.id]?.position ?? g.position,
    measured: view[g.id]?.measured,
    data: g,
    selected: g.id === selected,
  }));
  const edges = graph.edges.map((e) => ({ ...e, label: e.label || undefined, animated: false }));
  const change = (next) => {
    setDef(next);
    setValidated(null);
  };
  const validate = useAction(async () => {
    const r = await post('/journeys/validate', def);
    setViolations(r.violations ?? []);
    setValidated(r.valid === true);
    return r;
  });
  // revalidate a moment after each change, so the messages follow the edit
  useEffect(() => {
    const timer = setTimeout(() => validate.run(), 600);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(def)]);
  const save = useAction(async () => {
    const r = journey ? await put(`/journeys/${encodeURIComponent(key)}`, def) : await post('/journeys', def);
    setSaved(JSON.stringify(def));
    if (!journey) navigate('journeys', r.journey.key);
    else reload();
    return r;
  });
  const lifecycle = useAction(async (action) => {
    if (action === 'publish' && JSON.stringify(def) !== saved) {
      await put(`/journeys/${encodeURIComponent(key)}`, def);
      setSaved(JSON.stringify(def));
    }
    const r = await post(`/journeys/${encodeURIComponent(key)}/${action}`);
    reload();
    stats.reload();
    return r;
  });
  const node = def.nodes?.find((x) => x.id === selected);
  const st = status(journey?.status);
  return (
    <>
      <div className="row">
        <a href="#/journeys">← {t('Journeys')}</a>
        <h2 style={{ margin: 0 }}>{def.name || def.key || t('New journey')}</h2>
        {journey ? <span className="pill" data-testid="journey-status">{st}{journey.liveVersion ? ` · v${journey.liveVersion}` : ''}</span> : null}
      </div>
      <Card
        title={t('Journey')}
        actions={
          <>
            <button onClick={() => validate.run()} data-testid="validate">
              {t('Validate')}
            </button>
            <Guarded allowed={can.edit} onClick={() => save.run()} disabled={save.busy} data-testid="save-journey">
              {t('Save as draft')}
            </Guarded>
            {journey ? (
              <>
                <Guarded allowed={can.edit} className="primary" onClick={() => lifecycle.run('publish')} disabled={lifecycle.busy || validated === false} data-testid="publish">
                  {t('Publish')}
                </Guarded>
                {st === 'published' ? (
                  <Guarded allowed={can.edit} onClick={() => lifecycle.run('pause')} data-testid="pause">
                    {t('Pause')}
                  </Guarded>
                ) : null}
                {st === 'paused' ? (
                  <Guarded allowed={can.edit} onClick={() => lifecycle.run('resume')}>
                    {t('Resume')}
                  </Guarded>
                ) : null}
                <Guarded allowed={can.edit && st !== 'archived'} onClick={() => window.confirm(`${t('Archive')}?`) && lifecycle.run('archive')}>
                  {t('Archive')}
                </Guarded>
              </>
            ) : null}
          </>
        }
      >
        <div className="row">
          <Field label={t('Key')}>
            <input value={def.key ?? ''} onChange={(e) => change({ ...def, key: e.target.value })} disabled={!!journey} data-testid="journey-key" />
          </Field>
          <Field label={t('Name')}>
            <input value={def.name ?? ''} onChange={(e) => change({ ...def, name: e.target.value })} style={{ width: 320 }} data-testid="journey-name" />
          </Field>
          <Field label="reentry">
            <select value={def.reentry?.mode ?? 'never'} onChange={(e) => change({ ...def, reentry: { ...def.reentry, mode: e.target.value } })}>
              <option>never</option>
              <option>after_exit</option>
              <option>every_entry</option>
            </select>
          </Field>
          <span data-testid="validation" className={validated ? 'good' : validated === false ? 'bad' : 'muted'}>
            {validated ? `✓ ${t('No problems found')}` : validated === false ? `⚠ ${violations.length}` : ''}
          </span>
        </div>
        <ErrorBox error={save.error || lifecycle.error || validate.error} />
        {lifecycle.result?.version ? <p className="good" data-testid="published">v{lifecycle.result.version} ✓</p> : null}
        {graph.journeyProblems.map((v, i) => (
          <div className="bad" key={i}>
            ⚠ {v.field}: {v.message}
          </div>
        ))}
        <div className="journey-editor" style={{ marginTop: 10 }}>
          <div className="journey-canvas" data-testid="journey-canvas">
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              fitView
              nodesConnectable={can.edit}
              onNodesChange={(changes) => {
                const next = applyNodeChanges(changes, nodes);
                setView(Object.fromEntries(next.map((m) => [m.id, { position: m.position, measured: m.measured }])));
              }}
              onNodeClick={(_, x) => setSelected(x.id)}
              onPaneClick={() => setSelected(null)}
              onConnect={(c) => can.edit && change(connect(def, c.source, c.sourceHandle ?? 'next', c.target))}
              onEdgesDelete={(gone) => can.edit && change(gone.reduce((d, e) => connect(d, e.source, e.sourceHandle, undefined), def))}
            >
              <Background />
              <Controls />
            </ReactFlow>
          </div>
          <NodePanel def={def} node={node} change={change} select={setSelected} can={can} t={t} />
        </div>
      </Card>
      {journey ? <Results journeyKey={key} stats={stats} t={t} /> : null}
    </>
  );
}

/** The selected node's JSON, edited in place; adding and removing nodes. */
function NodePanel({ def, node, change, select, can, t }) {
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const [type, setType] = useState('wait');
  const [outlet, setOutlet] = useState('next');
  useEffect(() => {
    setText(node ? JSON.stringify(node, null, 2) : '');
    setError(null);
    setOutlet(node ? outlets(node)[0]?.handle ?? '' : '');
  }, [node?.id, JSON.stringify(node)]);
  if (!node) {
    return (
      <div>
        <p className="muted">Click a node to edit it. Drag from a node's right edge to another node to link them; select a link and press Delete to cut it.</p>
        <Field label="exitWhen (JSON)">
          <textarea rows={6} defaultValue={JSON.stringify(def.exitWhen ?? [], null, 2)} disabled={!can.edit} onBlur={(e) => {
            try {
              change({ ...def, exitWhen: JSON.parse(e.target.value) });
            } catch {
              /* kept as typed until valid */
            }
          }} />
        </Field>
      </div>
    );
  }
  const apply = () => {
    try {
      const edited = JSON.parse(text);
      change(replaceNode(def, node.id, edited));
      select(edited.id);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="row" style={{ flexDirection: 'column', alignItems: 'stretch' }}>
      <Field label={`${node.type} · ${node.id}`}>
        <textarea rows={16} value={text} onChange={(e) => setText(e.target.value)} disabled={!can.edit} data-testid="node-json" />
      </Field>
      {error ? <div className="error">{error.message}</div> : null}
      <div className="row">
        <Guarded allowed={can.edit} className="primary" onClick={apply} data-testid="apply-node">
          {t('Apply')}
        </Guarded>
        <Guarded allowed={can.edit && node.type !== 'trigger'} onClick={() => (change(removeNode(def, node.id)), select(null))}>
          {t('Remove')}
        </Guarded>
      </div>
      {outlets(node).length ? (
        <div className="row">
          <select value={type} onChange={(e) => setType(e.target.value)} aria-label="node type">
            {NODE_TYPES.filter((x) => x !== 'trigger').map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
          <select value={outlet} onChange={(e) => setOutlet(e.target.value)} aria-label="outlet">
            {outlets(node).map((o) => (
              <option key={o.handle} value={o.handle}>
                {o.handle} {o.label}
              </option>
            ))}
          </select>
          <Guarded
            allowed={can.edit}
            onClick={() => {
              const r = addNode(def, type, { node: node.id, handle: outlet });
              change(r.definition);
              select(r.id);
            }}
          >
            + {t('Add node')}
          </Guarded>
        </div>
      ) : null}
    </div>
  );
}

function Results({ journeyKey, stats, t }) {
  const experiment = useApi(() => get(`/experiments/${encodeURIComponent(journeyKey)}`).catch((e) => (e.status === 404 || e.status === 400 ? { splits: [] } : Promise.reject(e))), [journeyKey]);
  return (
    <div className="grid two">
      <Card title={t('Per-node counts')} actions={<button className="link" onClick={stats.reload}>↻</button>}>
        <Async state={stats}>
          {(s) =>
            (s?.versions ?? []).map((v) => (
              <div key={v.version}>
                <h4>
                  v{v.version} · active {t.number(n(v.instancesActive))} · completed {t.number(n(v.instancesCompleted))} · exited {t.number(n(v.instancesExited))} · {t('Sent')}{' '}
                  <span data-testid={`sent-v${v.version}`}>{t.number(n(v.messages?.sent))}</span>
                </h4>
                <Table
                  testId={`node-counts-v${v.version}`}
                  rows={v.nodes}
                  columns={[
                    { key: 'node', label: 'node' },
                    { key: 'type', label: 'type' },
                    { key: 'entered', label: 'entered', num: true, render: (x) => t.number(n(x.entered)) },
                    { key: 'waiting', label: 'waiting', num: true, render: (x) => t.number(n(x.waiting)) },
                    { key: 'exited', label: 'exited', num: true, render: (x) => t.number(n(x.exited)) },
                  ]}
                />
                <p className="muted">
                  {Object.entries(v.suppressions ?? {}).map(([k, x]) => `${k} ${x}`).join(' · ')}
                  {Object.entries(v.conversions ?? {}).map(([k, x]) => ` · ${k}: ${x}`).join('')}
                </p>
              </div>
            ))
          }
        </Async>
      </Card>
      <Card title={t('Experiment results')}>
        <Async state={experiment}>
          {(e) =>
            (e.splits ?? []).length ? (
              e.splits.map((s) => (
                <div key={s.node}>
                  <h4>
                    {s.node} · goal {s.goal} · SRM p {Number(s.sampleRatioP ?? 0).toFixed(3)}
                    {s.sampleRatioMismatch ? <span className="bad"> mismatch</span> : null}
                  </h4>
                  <Table
                    testId="experiment-arms"
                    rows={s.arms}
                    columns={[
                      { key: 'name', label: t('Arm'), render: (a) => `${a.name}${a.control ? ' (control)' : ''}` },
                      { key: 'exposures', label: 'exposures', num: true, render: (a) => t.number(n(a.exposures)) },
                      { key: 'conversions', label: t('Conversions'), num: true, render: (a) => t.number(n(a.conversions)) },
                      { key: 'rate', label: t('Conversion rate'), num: true, render: (a) => pct(a.rate ?? 0, 2) },
                      { key: 'lift', label: t('Lift'), num: true, render: (a) => (a.lift === undefined ? '' : `${pct(a.lift, 2)} [${pct(a.ciLow ?? 0, 2)}, ${pct(a.ciHigh ?? 0, 2)}]`) },
                      { key: 'p', label: t('p-value'), num: true, render: (a) => (a.adjustedP === undefined ? '' : Number(a.adjustedP).toFixed(3)) },
                      { key: 'verdict', label: '', render: (a) => (a.verdict ?? '').toLowerCase().replaceAll('_', ' ') },
                    ]}
                  />
                </div>
              ))
            ) : (
              <p className="muted">{t('None')}</p>
            )
          }
        </Async>
      </Card>
    </div>
  );
}
