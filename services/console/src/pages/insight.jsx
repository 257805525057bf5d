import { useMemo, useState } from 'react';
import { post } from '../api.js';
import { Chart } from '../chart.jsx';
import { useT } from '../i18n.js';
import { Card, Choice, ErrorBox, Field, Guarded, Loading, Table, Tabs, pct, useAction, useActiveSegmentIds, useUser } from '../ui.jsx';

const DIMENSIONS = ['channel', 'topic', 'creator', 'category', 'product', 'city', 'city_tier', 'device', 'acquisition'];
const n = (x) => (x === 'NaN' ? NaN : Number(x ?? 0));

export function Insight({ route }) {
  const t = useT();
  const [tab, setTab] = useState(route[0] ?? 'tgi');
  const { can } = useUser();
  const ids = useActiveSegmentIds();
  const tabs = [
    { id: 'tgi', label: t('TGI heatmap') },
    { id: 'rules', label: t('Association rules') },
    { id: 'funnel', label: t('Funnel') },
    { id: 'retention', label: t('Retention') },
    { id: 'grow', label: t('GROW') },
  ];
  return (
    <>
      <Tabs tabs={tabs} value={tab} onChange={(x) => ((window.location.hash = `#/insight/${x}`), setTab(x))} />
      {!can.analyze ? <p className="notice">{t('Your role may not do this')} (strata-analyst)</p> : null}
      {tab === 'tgi' ? <Tgi segments={ids} initial={route[1]} /> : null}
      {tab === 'rules' ? <Rules segments={ids} /> : null}
      {tab === 'funnel' ? <Funnel segments={ids} /> : null}
      {tab === 'retention' ? <Retention segments={ids} /> : null}
      {tab === 'grow' ? <Grow segments={ids} /> : null}
    </>
  );
}

function AudienceSelect({ segments, value, onChange, allowAll, label, testId }) {
  const t = useT();
  return (
    <Field label={label ?? t('Audience')}>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {allowAll ? <option value="">{t('All profiles')}</option> : <option value="">—</option>}
        {segments.map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
    </Field>
  );
}

function RunButton({ run, disabled }) {
  const t = useT();
  const { can } = useUser();
  return (
    <Guarded allowed={can.analyze} className="primary" onClick={() => run.run()} disabled={disabled || run.busy} data-testid="run-analysis">
      {run.busy ? '…' : t('Run')}
    </Guarded>
  );
}

function Tgi({ segments, initial }) {
  const t = useT();
  const [audiences, setAudiences] = useState(initial ? [initial] : []);
  const [base, setBase] = useState('all');
  const [dims, setDims] = useState(['channel', 'topic', 'creator']);
  const [top, setTop] = useState(15);
  const run = useAction(() =>
    Promise.all(audiences.map((a) => post('/insight/tgi', { audience: a, base, dimensions: dims, limit: 1000 }).then((r) => ({ audience: a, ...r })))),
  );
  const results = run.result ?? [];
  const features = useMemo(() => {
    // the top rows of each audience by the interval's lower bound, in the first audience's order
    const seen = [];
    for (const r of results) for (const row of (r.rows ?? []).filter((x) => x.lower !== undefined).slice(0, top)) {
      const key = `${row.dimension}:${row.value}`;
      if (!seen.includes(key)) seen.push(key);
    }
    return seen;
  }, [run.result, top]);
  const option = useMemo(() => {
    const cells = [];
    results.forEach((r, x) => {
      for (const row of r.rows ?? []) {
        const y = features.indexOf(`${row.dimension}:${row.value}`);
        if (y >= 0 && row.index !== undefined) cells.push({ value: [x, y, Math.round(row.index)], row });
      }
    });
    return {
      tooltip: {
        formatter: (p) => {
          const r = p.data.row;
          return `${r.dimension}: ${r.value}<br/>TGI ${r.index?.toFixed(1)} [${r.lower?.toFixed(1)}, ${r.upper?.toFixed(1)}]<br/>${pct(r.audienceShare)} vs ${pct(r.baseShare)}<br/>q = ${r.q ?? 0}`;
        },
      },
      grid: { left: 200, right: 20, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: results.map((r) => r.audience), axisLabel: { interval: 0 } },
      yAxis: { type: 'category', data: features, inverse: true },
      visualMap: { min: 0, max: 300, inRange: { color: ['#2f6fd6', '#f7f7f7', '#d6452f'] }, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, text: ['300', '0'] },
      series: [{ type: 'heatmap', data: cells, label: { show: true, formatter: (p) => `${p.value[2]}${p.data.row.lower > 100 && (p.data.row.q ?? 0) < 0.05 ? '★' : ''}` } }],
    };
  }, [run.result, features]);
  return (
    <Card title={t('TGI heatmap')}>
      <div className="row">
        <Field label={`${t('Audience')} (≤ 4)`}>
          <select multiple value={audiences} onChange={(e) => setAudiences([...e.target.selectedOptions].map((o) => o.value).slice(0, 4))} size={4} data-testid="tgi-audiences" style={{ minWidth: 200 }}>
            {segments.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label={t('Base')}>
          <select value={base} onChange={(e) => setBase(e.target.value)}>
            <option value="all">{t('All profiles')}</option>
            {segments.map((s) => (
              <option key={s} value={`segment:${s}`}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('Dimensions')}>
          <select multiple value={dims} onChange={(e) => setDims([...e.target.selectedOptions].map((o) => o.value))} size={4}>
            {DIMENSIONS.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </Field>
        <Field label="top">
          <input type="number" min="3" max="50" value={top} onChange={(e) => setTop(Number(e.target.value))} style={{ width: 60 }} />
        </Field>
        <RunButton run={run} disabled={!audiences.length} />
      </div>
      <ErrorBox error={run.error} />
      {run.busy ? <Loading /> : null}
      {results.length ? (
        <>
          <Chart option={option} height={Math.max(260, features.length * 26 + 90)} testId="tgi-heatmap" />
          <p className="muted">★ {t('Significant at 95%')} (q &lt; 0.05, {t('Interval')} &gt; 100)</p>
          {results.map((r) => (
            <div key={r.audience}>
              <h4>
                {r.audience}: {t.number(n(r.audienceSize))} / {t.number(n(r.baseSize))}
              </h4>
              <Table
                testId={`tgi-rows-${r.audience}`}
                rows={(r.rows ?? []).slice(0, top)}
                columns={[
                  { key: 'dimension', label: 'dimension' },
                  { key: 'value', label: 'value' },
                  { key: 'index', label: 'TGI', num: true, render: (x) => (x.index === undefined ? '—' : x.index.toFixed(1)) },
                  { key: 'ci', label: t('Interval'), num: true, render: (x) => (x.lower === undefined ? '—' : `${x.lower.toFixed(1)} – ${x.upper.toFixed(1)}`) },
                  { key: 'share', label: '%', num: true, render: (x) => `${pct(x.audienceShare)} / ${pct(x.baseShare)}` },
                  { key: 'q', label: 'q', num: true, render: (x) => Number(x.q ?? 0).toExponential(1) },
                  { key: 'flag', label: '', render: (x) => (x.flag && x.flag !== 'none' ? <span className="muted">{x.flag}</span> : '') },
                ]}
              />
            </div>
          ))}
        </>
      ) : null}
    </Card>
  );
}

function Rules({ segments }) {
  const t = useT();
  const [form, setForm] = useState({ level: 'category', basket: 'order', minSupport: 0.01, minConfidence: 0.1, maxLength: 3, audience: '' });
  const run = useAction(() => post('/insight/association-rules', { ...form, limit: 200 }));
  const r = run.result;
  return (
    <Card title={t('Association rules')}>
      <div className="row">
        <Choice label="level" value={form.level} options={['category', 'product']} onChange={(v) => setForm({ ...form, level: v })} />
        <Choice label="basket" value={form.basket} options={['order', 'consumer']} onChange={(v) => setForm({ ...form, basket: v })} />
        {['minSupport', 'minConfidence', 'maxLength'].map((k) => (
          <Field key={k} label={k}>
            <input type="number" step="0.01" value={form[k]} onChange={(e) => setForm({ ...form, [k]: Number(e.target.value) })} style={{ width: 80 }} />
          </Field>
        ))}
        <AudienceSelect segments={segments} value={form.audience} onChange={(audience) => setForm({ ...form, audience })} allowAll />
        <RunButton run={run} />
      </div>
      <ErrorBox error={run.error} />
      {r ? (
        <>
          <p className="muted">
            {t.number(n(r.baskets))} baskets · {t.number(n(r.rulesTotal))} rules
          </p>
          <Table
            testId="rules"
            rows={r.rules}
            columns={[
              { key: 'rule', label: '', render: (x) => `${x.antecedent.join(' + ')} → ${x.consequent.join(' + ')}` },
              { key: 'support', label: t('Support'), num: true, render: (x) => pct(x.support, 2) },
              { key: 'confidence', label: t('Confidence'), num: true, render: (x) => pct(x.confidence) },
              { key: 'lift', label: t('Lift'), num: true, render: (x) => x.lift?.toFixed(2) },
              { key: 'count', label: '#', num: true, render: (x) => t.number(n(x.count)) },
            ]}
          />
        </>
      ) : null}
    </Card>
  );
}

function Funnel({ segments }) {
  const t = useT();
  const [preset, setPreset] = useState('aarrr');
  const [steps, setSteps] = useState('Product Viewed, Product Added, Order Completed');
  const [windowDays, setWindowDays] = useState(14);
  const [breakdown, setBreakdown] = useState('');
  const run = useAction(() =>
    post('/insight/funnel', {
      ...(preset ? { preset } : { steps: steps.split(',').map((s) => ({ event: s.trim() })).filter((s) => s.event) }),
      windowDays,
      breakdownAudiences: breakdown ? [breakdown] : [],
    }),
  );
  const groups = run.result?.groups ?? [];
  const option = (g) => ({
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${p.value} (${pct(p.data.fromFirst)})` },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        gap: 2,
        min: 0,
        label: { formatter: (p) => `${p.name}  ${p.value}  ${pct(p.data.fromFirst)}` },
        data: g.steps.map((s) => ({ name: s.label, value: n(s.people), fromFirst: s.fromFirst ?? 0 })),
      },
    ],
  });
  return (
    <Card title={t('Funnel')}>
      <div className="row">
        <Field label="preset">
          <select value={preset} onChange={(e) => setPreset(e.target.value)}>
            <option value="">{t('Steps')} …</option>
            {['aarrr', 'douyin-5a', 'traffic-lead-conversion', 'cart-to-payment'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </Field>
        {!preset ? (
          <Field label={t('Steps')}>
            <input value={steps} onChange={(e) => setSteps(e.target.value)} style={{ width: 360 }} />
          </Field>
        ) : null}
        <Field label="window days">
          <input type="number" value={windowDays} onChange={(e) => setWindowDays(Number(e.target.value))} style={{ width: 70 }} />
        </Field>
        <AudienceSelect segments={segments} value={breakdown} onChange={setBreakdown} label="breakdown" allowAll />
        <RunButton run={run} />
      </div>
      <ErrorBox error={run.error} />
      <div className="grid two">
        {groups.map((g) => (
          <div key={g.group ?? 'all'}>
            <h4>{g.group ?? t('All profiles')}</h4>
            <Chart option={option(g)} height={300} testId="funnel-chart" />
            <Table
              rows={g.steps}
              columns={[
                { key: 'label', label: t('Steps') },
                { key: 'people', label: t('Profiles_count'), num: true, render: (s) => t.number(n(s.people)) },
                { key: 'fromPrevious', label: '→', num: true, render: (s) => pct(s.fromPrevious ?? 0) },
                { key: 'dropOff', label: t('Drop-off'), num: true, render: (s) => t.number(n(s.dropOff)) },
                { key: 'median', label: 'median', num: true, render: (s) => (s.medianSecondsFromPrevious ? `${(n(s.medianSecondsFromPrevious) / 3600).toFixed(1)} h` : '') },
              ]}
            />
          </div>
        ))}
      </div>
    </Card>
  );
}

function Retention({ segments }) {
  const t = useT();
  const [form, setForm] = useState({ startEvent: 'Order Completed', returnEvent: '', period: 'month', periods: 6, mode: 'first_time' });
  const [audience, setAudience] = useState('');
  const run = useAction(() => post('/insight/retention', { ...form, returnEvent: form.returnEvent || form.startEvent, audience }));
  const table = run.result?.tables?.[0];
  return (
    <Card title={t('Retention')}>
      <div className="row">
        {['startEvent', 'returnEvent'].map((k) => (
          <Field key={k} label={k}>
            <input value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} placeholder={k === 'returnEvent' ? form.startEvent : ''} />
          </Field>
        ))}
        <Choice label="period" value={form.period} options={['day', 'week', 'month']} onChange={(v) => setForm({ ...form, period: v })} />
        <Field label="periods">
          <input type="number" value={form.periods} onChange={(e) => setForm({ ...form, periods: Number(e.target.value) })} style={{ width: 60 }} />
        </Field>
        <Choice label="mode" value={form.mode} options={['first_time', 'recurring']} onChange={(v) => setForm({ ...form, mode: v })} />
        <AudienceSelect segments={segments} value={audience} onChange={setAudience} allowAll />
        <RunButton run={run} />
      </div>
      <ErrorBox error={run.error} />
      {table ? <RetentionTriangle table={table} periods={form.periods} /> : null}
    </Card>
  );
}

/** The retention triangle: a cohort per row, the share returned in period N per column, shaded by it. */
function RetentionTriangle({ table, periods }) {
  const t = useT();
  const rows = [...(table.cohorts ?? []), { ...table.overall, start: 'all' }];
  const cols = Array.from({ length: periods + 1 }, (_, i) => i);
  return (
    <div className="table-wrap">
      <table data-testid="retention-triangle">
        <thead>
          <tr>
            <th>{t('Cohort')}</th>
            <th className="num">{t('Size')}</th>
            {cols.map((c) => (
              <th key={c} className="num">
                +{c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.start}>
              <td>{r.start}</td>
              <td className="num">{t.number(n(r.size))}</td>
              {cols.map((c) => {
                const v = r.returnedOn?.[c];
                if (v === undefined) return <td key={c} />;
                const share = n(v) / Math.max(1, n(r.size));
                return (
                  <td key={c} className="num heat-cell" style={{ background: `rgba(59, 91, 219, ${Math.min(0.85, share)})`, color: share > 0.5 ? '#fff' : undefined }}>
                    {pct(share)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Grow({ segments }) {
  const t = useT();
  const [form, setForm] = useState({ beforeFrom: '2026-04-01', beforeTo: '2026-07-01', afterFrom: '2026-07-01', afterTo: '2026-10-01', level: 'category' });
  const [audience, setAudience] = useState('');
  const iso = (d) => `${d}T00:00:00Z`;
  const run = useAction(() =>
    post('/insight/grow', { beforeFrom: iso(form.beforeFrom), beforeTo: iso(form.beforeTo), afterFrom: iso(form.afterFrom), afterTo: iso(form.afterTo), level: form.level, audience }),
  );
  const total = run.result?.total;
  const option = useMemo(() => {
    if (!total) return null;
    // a waterfall: before, then each driver up or down, then after
    const parts = [['before', total.before], ['gain', total.gain], ['retain', total.retain], ['boost', total.boost], ['widen', total.widen]];
    let level = 0;
    const base = [];
    const up = [];
    const down = [];
    parts.forEach(([name, v], i) => {
      const value = n(v);
      if (i === 0) {
        base.push(0);
        up.push(value);
        down.push('-');
        level = value;
        return;
      }
      base.push(value >= 0 ? level : level + value);
      up.push(value >= 0 ? value : '-');
      down.push(value < 0 ? -value : '-');
      level += value;
    });
    base.push(0);
    up.push(n(total.after));
    down.push('-');
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 80, right: 20, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: [...parts.map((p) => p[0]), 'after'] },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', stack: 'w', itemStyle: { color: 'transparent' }, data: base },
        { type: 'bar', stack: 'w', name: '+', itemStyle: { color: '#2b8a3e' }, data: up, label: { show: true, position: 'top', formatter: (p) => t.number(p.value, 0) } },
        { type: 'bar', stack: 'w', name: '−', itemStyle: { color: '#c92a2a' }, data: down, label: { show: true, position: 'bottom', formatter: (p) => `-${t.number(p.value, 0)}` } },
      ],
    };
  }, [total]);
  return (
    <Card title={t('GROW')}>
      <div className="row">
        {['beforeFrom', 'beforeTo', 'afterFrom', 'afterTo'].map((k) => (
          <Field key={k} label={k}>
            <input type="date" value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
          </Field>
        ))}
        <Choice label="level" value={form.level} options={['category', 'product']} onChange={(v) => setForm({ ...form, level: v })} />
        <AudienceSelect segments={segments} value={audience} onChange={setAudience} allowAll />
        <RunButton run={run} />
      </div>
      <ErrorBox error={run.error} />
      {option ? <Chart option={option} height={300} testId="grow-waterfall" /> : null}
      {run.result ? (
        <Table
          rows={run.result.categories}
          columns={['category', 'before', 'after', 'change', 'gain', 'retain', 'boost', 'widen'].map((k) => ({
            key: k,
            label: k,
            num: k !== 'category',
            render: (r) => (k === 'category' ? r.category : t.number(n(r[k]), 0)),
          }))}
        />
      ) : null}
    </Card>
  );
}
