import { useEffect, useMemo, useState } from 'react';
import { get, post, put } from '../api.js';
import { navigate } from '../app.jsx';
import { ConditionBuilder } from '../builder.jsx';
import { Chart } from '../chart.jsx';
import { useT } from '../i18n.js';
import { fromCondition, newField, newGroup, problems, toCondition } from '../model/condition.js';
import { Async, Card, ErrorBox, Field, Guarded, Json, Table, pct, useAction, useActiveSegmentIds, useApi, useUser } from '../ui.jsx';

export function Segments({ route }) {
  if (route[0] === 'new') return <SegmentEditor />;
  if (route[0]) return <SegmentDetail id={route[0]} />;
  return <SegmentList />;
}

function SegmentList() {
  const t = useT();
  const { can } = useUser();
  const list = useApi(() => get('/segments'), []);
  const [picked, setPicked] = useState([]);
  const toggle = (id) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length < 3 ? [...p, id] : p));
  return (
    <>
      <Card
        title={t('Segments')}
        actions={
          <Guarded allowed={can.edit} className="primary" onClick={() => navigate('segments', 'new')} data-testid="new-segment">
            + {t('New segment')}
          </Guarded>
        }
      >
        <Async state={list}>
          {(data) => (
            <Table
              testId="segments"
              rows={data.items}
              rowKey={(s) => s.id}
              columns={[
                {
                  key: 'pick',
                  label: t('Overlap'),
                  render: (s) =>
                    s.state === 'active' ? (
                      <input type="checkbox" checked={picked.includes(s.id)} onChange={() => toggle(s.id)} aria-label={`overlap ${s.id}`} />
                    ) : null,
                },
                { key: 'id', label: 'id', render: (s) => <a href={`#/segments/${encodeURIComponent(s.id)}`}>{s.id}</a> },
                { key: 'name', label: t('Name') },
                { key: 'kind', label: t('Kind') },
                { key: 'state', label: t('State') },
                { key: 'size', label: t('Size'), num: true, render: (s) => t.number(s.size ?? 0) },
                { key: 'version', label: t('Version'), num: true },
                { key: 'fresh', label: t('Freshness'), render: (s) => t.time(s.freshness?.lastChangeAt ?? s.updatedAt) },
              ]}
            />
          )}
        </Async>
      </Card>
      <Card title={`${t('Overlap')} · ${t('Pick up to three segments')}`}>{picked.length ? <Overlap ids={picked} /> : <p className="muted">☐ → {t('Overlap')}</p>}</Card>
    </>
  );
}

/** The Venn regions of up to three audiences (circles of equal size; the counts are exact). */
export function Overlap({ ids }) {
  const t = useT();
  const overlap = useApi(() => get(`/segments/overlap?ids=${ids.map(encodeURIComponent).join(',')}`), [ids.join(',')]);
  return (
    <Async state={overlap}>
      {(o) => {
        const region = (...members) => {
          const r = (o.regions ?? []).find((x) => x.segmentIds.length === members.length && members.every((m) => x.segmentIds.includes(m)));
          return t.number(r?.size ?? 0);
        };
        const [a, b, c] = ids;
        const colors = ['#3b5bdb', '#f08c00', '#2b8a3e'];
        const layouts = {
          1: { circles: [[200, 150]], labels: [[[a], 200, 150]] },
          2: { circles: [[160, 150], [260, 150]], labels: [[[a], 110, 150], [[b], 310, 150], [[a, b], 210, 150]] },
          3: {
            circles: [[160, 125], [250, 125], [205, 205]],
            labels: [[[a], 115, 105], [[b], 295, 105], [[c], 205, 265], [[a, b], 205, 95], [[a, c], 160, 190], [[b, c], 250, 190], [[a, b, c], 205, 155]],
          },
        }[ids.length];
        return (
          <div className="row" style={{ alignItems: 'flex-start' }}>
            <svg className="venn" viewBox="0 0 420 320" width="420" height="320" data-testid="venn">
              {layouts.circles.map(([x, y], i) => (
                <circle key={i} cx={x} cy={y} r={ids.length === 1 ? 110 : 95} fill={colors[i]} fillOpacity="0.18" stroke={colors[i]} strokeWidth="2" />
              ))}
              {layouts.labels.map(([members, x, y]) => (
                <text key={members.join('+')} x={x} y={y} textAnchor="middle" fontWeight={members.length > 1 ? 600 : 400}>
                  {region(...members)}
                </text>
              ))}
            </svg>
            <Table
              rows={ids.map((id, i) => ({ id, color: colors[i], size: o.sizes?.[id] ?? 0 }))}
              columns={[
                { key: 'id', label: 'id', render: (r) => <span style={{ color: r.color, fontWeight: 600 }}>● {r.id}</span> },
                { key: 'size', label: t('Size'), num: true, render: (r) => t.number(r.size) },
              ]}
            />
          </div>
        );
      }}
    </Async>
  );
}

/** Creates an audience (no id yet) or edits one (a new version); the size is previewed as it is built. */
function SegmentEditor({ existing, onSaved, onCancel }) {
  const t = useT();
  const { can } = useUser();
  const segmentIds = useActiveSegmentIds();
  const [id, setId] = useState(existing?.id ?? '');
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [tree, setTree] = useState(() => {
    if (existing?.definition) {
      try {
        const parsed = fromCondition(existing.definition);
        return parsed.kind === 'group' ? parsed : newGroup('all', [parsed]);
      } catch {
        /* shown as JSON below */
      }
    }
    return newGroup('all', [newField('orders.count', 'gte', '1')]);
  });
  const issues = problems(tree);
  const definition = useMemo(() => toCondition(tree), [tree]);
  const [preview, setPreview] = useState({ loading: false });
  useEffect(() => {
    if (issues.length) return undefined;
    setPreview((p) => ({ ...p, loading: true }));
    const timer = setTimeout(() => {
      post('/segments/preview', { definition }).then(
        (r) => setPreview({ loading: false, size: Number(r.size ?? 0), profiles: Number(r.profiles ?? 0) }),
        (error) => setPreview({ loading: false, error }),
      );
    }, 400);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(definition), issues.length]);
  const save = useAction(async (state) => {
    if (existing) {
      const s = await put(`/segments/${encodeURIComponent(existing.id)}`, { name, description, definition, expectedVersion: Number(existing.version) });
      onSaved?.(s);
      return s;
    }
    const s = await post('/segments', { id, name, description, kind: 'rule', definition, state });
    navigate('segments', s.id);
    return s;
  });
  return (
    <Card title={existing ? `${t('Edit')} · ${existing.id}` : t('New segment')}>
      <div className="row">
        {!existing ? (
          <Field label="id">
            <input value={id} onChange={(e) => setId(e.target.value)} placeholder="high-value-mums" data-testid="segment-id" />
          </Field>
        ) : null}
        <Field label={t('Name')}>
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="segment-name" />
        </Field>
        <Field label={t('Description')}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} style={{ width: 320 }} />
        </Field>
      </div>
      <h4>{t('Condition builder')}</h4>
      <ConditionBuilder tree={tree} onChange={setTree} segments={segmentIds} problems={issues} />
      <div className="row" style={{ marginTop: 12 }}>
        <div className="stat" data-testid="live-size">
          <div className="value">{issues.length ? '—' : preview.loading ? '…' : preview.error ? '!' : t.number(preview.size)}</div>
          <div className="label">
            {t('Live size')}
            {preview.profiles ? ` · ${pct(preview.size / preview.profiles)} / ${t.number(preview.profiles)}` : ''}
          </div>
        </div>
        {!existing ? (
          <>
            <Guarded allowed={can.edit} onClick={() => save.run('draft')} disabled={save.busy || issues.length > 0}>
              {t('Save as draft')}
            </Guarded>
            <Guarded allowed={can.edit} className="primary" onClick={() => save.run('active')} disabled={save.busy || issues.length > 0} data-testid="save-segment">
              {t('Activate')}
            </Guarded>
          </>
        ) : (
          <>
            <Guarded allowed={can.edit} className="primary" onClick={() => save.run()} disabled={save.busy || issues.length > 0}>
              {t('Save')}
            </Guarded>
            <button onClick={onCancel}>{t('Cancel')}</button>
          </>
        )}
      </div>
      {preview.error ? <ErrorBox error={preview.error} /> : null}
      <ErrorBox error={save.error} />
      <details open>
        <summary>{t('Condition language')}</summary>
        <Json value={definition} />
      </details>
    </Card>
  );
}

function SegmentDetail({ id }) {
  const t = useT();
  const { can } = useUser();
  const segment = useApi(() => get(`/segments/${encodeURIComponent(id)}`), [id]);
  const sizes = useApi(() => get(`/segments/${encodeURIComponent(id)}/sizes?days=90`), [id]);
  const [editing, setEditing] = useState(false);
  const state = useAction(async (s) => {
    await post(`/segments/${encodeURIComponent(id)}/state`, { state: s });
    segment.reload();
  });
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 20, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: (sizes.data?.items ?? []).map((p) => p.day) },
      yAxis: { type: 'value' },
      series: [{ type: 'line', areaStyle: { opacity: 0.15 }, data: (sizes.data?.items ?? []).map((p) => Number(p.size ?? 0)) }],
    }),
    [sizes.data],
  );
  return (
    <Async state={segment}>
      {(s) =>
        editing ? (
          <SegmentEditor existing={s} onSaved={() => (setEditing(false), segment.reload())} onCancel={() => setEditing(false)} />
        ) : (
          <>
            <div className="row">
              <a href="#/segments">← {t('Segments')}</a>
            </div>
            <Card
              title={`${s.name} · ${s.id}`}
              actions={
                <>
                  <Guarded allowed={can.edit && s.kind === 'rule' && s.state !== 'archived'} onClick={() => setEditing(true)}>
                    {t('Edit')}
                  </Guarded>
                  {s.state === 'draft' ? (
                    <Guarded allowed={can.edit} onClick={() => state.run('active')}>
                      {t('Activate')}
                    </Guarded>
                  ) : null}
                  {s.state !== 'archived' ? (
                    <Guarded allowed={can.edit} onClick={() => state.run('archived')}>
                      {t('Archive')}
                    </Guarded>
                  ) : null}
                </>
              }
            >
              <ErrorBox error={state.error} />
              <div className="stats">
                <div className="stat" data-testid="segment-size">
                  <div className="value">{t.number(s.size ?? 0)}</div>
                  <div className="label">{t('Size')}</div>
                </div>
                <div className="stat">
                  <div className="value">{s.state}</div>
                  <div className="label">
                    {t('State')} · v{s.version}
                  </div>
                </div>
                <div className="stat">
                  <div className="value">
                    <small>{t.time(s.freshness?.lastChangeAt)}</small>
                  </div>
                  <div className="label">
                    {t('Freshness')} · lag {t.number(s.freshness?.feedLagRecords ?? 0)}
                  </div>
                </div>
              </div>
              {s.description ? <p>{s.description}</p> : null}
              {s.definition ? <Json value={s.definition} /> : <p className="muted">static</p>}
            </Card>
            <Card title={t('Size history')}>
              <Async state={sizes}>{(d) => (d.items?.length ? <Chart option={option} height={260} testId="size-history" /> : <p className="muted">{t('None')}</p>)}</Async>
            </Card>
          </>
        )
      }
    </Async>
  );
}
