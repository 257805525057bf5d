import { useMemo, useState } from 'react';
import { get, post, query } from '../api.js';
import { Chart } from '../chart.jsx';
import { useT } from '../i18n.js';
import { Async, Card, Choice, ErrorBox, Field, Guarded, Loading, Stat, Table, Tabs, pct, useAction, useActiveSegmentIds, useApi, useUser } from '../ui.jsx';

const n = (x) => (x === 'NaN' ? NaN : Number(x ?? 0));
const TIERS = { core: 'Core crowd', high_potential: 'High-potential crowd', broad: 'Broad crowd' };

export function Crowds() {
  const t = useT();
  const [tab, setTab] = useState('funnel');
  return (
    <>
      <Tabs
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'funnel', label: t('Reverse funnel') },
          { id: 'custom', label: t('Custom crowds') },
          { id: 'trends', label: 'Trends' },
        ]}
      />
      {tab === 'funnel' ? <ReverseFunnel /> : null}
      {tab === 'custom' ? <CustomCrowds /> : null}
      {tab === 'trends' ? <Trends /> : null}
    </>
  );
}

function ReverseFunnel() {
  const t = useT();
  const { can } = useUser();
  const [saveAs, setSaveAs] = useState('');
  const [method, setMethod] = useState('positive_unlabeled');
  const run = useAction(() => post('/reverse-funnel', { method, ...(saveAs ? { saveAs } : {}) }));
  const r = run.result;
  const option = useMemo(
    () =>
      r && {
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'funnel',
            sort: 'ascending',
            gap: 3,
            label: { formatter: (p) => `${p.name}\n${t.number(p.value)}` },
            data: (r.tiers ?? []).map((x) => ({ name: t(TIERS[x.tier] ?? x.tier), value: n(x.size) })),
          },
        ],
      },
    [r, t.lang],
  );
  return (
    <Card title={`${t('Reverse funnel')} · ${t('Core crowd')} → ${t('High-potential crowd')} → ${t('Broad crowd')}`}>
      <div className="row">
        <Choice label="method" value={method} options={['positive_unlabeled', 'centroid']} onChange={setMethod} />
        <Field label="saveAs">
          <input value={saveAs} onChange={(e) => setSaveAs(e.target.value)} disabled={!can.edit} placeholder={can.edit ? 'tiers' : t('Read only')} />
        </Field>
        <Guarded allowed={can.analyze} className="primary" onClick={() => run.run()} disabled={run.busy} data-testid="run-funnel">
          {t('Run')}
        </Guarded>
      </div>
      <ErrorBox error={run.error} />
      {run.busy ? <Loading /> : null}
      {r ? (
        <>
          <div className="grid two">
            <Chart option={option} height={300} testId="reverse-funnel" />
            <Table
              testId="tiers"
              rows={r.tiers}
              columns={[
                { key: 'tier', label: '', render: (x) => t(TIERS[x.tier] ?? x.tier) },
                { key: 'size', label: t('Size'), num: true, render: (x) => t.number(n(x.size)) },
                { key: 'penetration', label: t('Penetration'), num: true, render: (x) => pct(x.penetration) },
                { key: 'conversion', label: t('Conversion'), num: true, render: (x) => pct(x.conversion) },
                { key: 'revenue', label: t('Revenue'), num: true, render: (x) => t.number(x.revenue ?? 0, 0) },
                { key: 'segmentId', label: 'segment', render: (x) => (x.segmentId ? <a href={`#/segments/${x.segmentId}`}>{x.segmentId}</a> : '') },
              ]}
            />
          </div>
          <div className="stats">
            <Stat label="recall@k" value={pct(r.quality?.recallAtK ?? 0)} />
            <Stat label="lift@k" value={(r.quality?.liftAtK ?? 0).toFixed(2)} />
            <Stat label="referred" value={t.number(n(r.referrals?.referred))} />
            <Stat label="max depth" value={r.referrals?.maxDepth ?? 0} />
          </div>
          <Table
            rows={r.referrals?.cohorts}
            columns={[
              { key: 'cohort', label: 'cohort', render: (x) => t(TIERS[x.cohort] ?? x.cohort) },
              { key: 'users', label: 'users', num: true, render: (x) => t.number(n(x.users)) },
              { key: 'invites', label: 'invites', num: true, render: (x) => t.number(n(x.invites)) },
              { key: 'converted', label: 'converted', num: true, render: (x) => t.number(n(x.converted)) },
              { key: 'k', label: 'K', num: true, render: (x) => `${(x.k ?? 0).toFixed(2)} [${(x.kLow ?? 0).toFixed(2)}, ${(x.kHigh ?? 0).toFixed(2)}]` },
            ]}
          />
        </>
      ) : null}
    </Card>
  );
}

function CustomCrowds() {
  const t = useT();
  const { can } = useUser();
  const [dimensions, setDimensions] = useState('traits.gender, traits.cityTier, traits.occupation, traits.incomeLevel');
  const [saveAs, setSaveAs] = useState('');
  const run = useAction(() =>
    post('/crowds/custom', {
      dimensions: dimensions.split(',').map((d) => d.trim()).filter(Boolean),
      events: ['Product Viewed', 'Product Added'],
      withinDays: 36500,
      ...(saveAs ? { saveAs } : {}),
    }),
  );
  const r = run.result;
  const heat = useMemo(() => {
    if (!r) return null;
    const cats = r.categories ?? [];
    const data = [];
    (r.crowds ?? []).forEach((c, y) => (c.index ?? []).forEach((v, x) => data.push([x, y, Math.round(v)])));
    return {
      tooltip: {},
      grid: { left: 90, right: 20, top: 10, bottom: 80 },
      xAxis: { type: 'category', data: cats, axisLabel: { rotate: 30 } },
      yAxis: { type: 'category', data: (r.crowds ?? []).map((c) => `#${c.number} · ${n(c.members)}`) },
      visualMap: { min: 0, max: 250, inRange: { color: ['#2f6fd6', '#f7f7f7', '#d6452f'] }, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 140 },
      series: [{ type: 'heatmap', data, label: { show: true } }],
    };
  }, [r]);
  const scores = useMemo(
    () =>
      r && {
        tooltip: { trigger: 'axis' },
        legend: {},
        grid: { left: 50, right: 50, top: 30, bottom: 30 },
        xAxis: { type: 'category', data: (r.scores ?? []).map((s) => s.k) },
        yAxis: [{ type: 'value', name: 'silhouette' }, { type: 'value', name: 'gap' }],
        series: [
          { name: 'silhouette', type: 'line', data: (r.scores ?? []).map((s) => (s.silhouette === 'NaN' ? null : s.silhouette ?? 0)) },
          { name: 'gap', type: 'line', yAxisIndex: 1, data: (r.scores ?? []).map((s) => s.gap ?? 0) },
        ],
      },
    [r],
  );
  return (
    <Card title={t('Custom crowds')}>
      <div className="row">
        <Field label={t('Dimensions')}>
          <input value={dimensions} onChange={(e) => setDimensions(e.target.value)} style={{ width: 420 }} />
        </Field>
        <Field label="saveAs">
          <input value={saveAs} onChange={(e) => setSaveAs(e.target.value)} disabled={!can.edit} placeholder={can.edit ? '' : t('Read only')} />
        </Field>
        <Guarded allowed={can.analyze} className="primary" onClick={() => run.run()} disabled={run.busy}>
          {t('Run')}
        </Guarded>
      </div>
      <ErrorBox error={run.error} />
      {run.busy ? <Loading /> : null}
      {r ? (
        <>
          <p className="muted">
            {t.number(n(r.consumers))} consumers · {t.number(n(r.microGroups))} micro-groups · {t('Clusters')}: {r.chosen}
          </p>
          <div className="grid two">
            <Chart option={heat} height={Math.max(220, (r.crowds ?? []).length * 40 + 100)} testId="crowd-index" />
            <Chart option={scores} height={260} />
          </div>
          <Table
            rows={r.crowds}
            columns={[
              { key: 'number', label: '#' },
              { key: 'members', label: t('Members'), num: true, render: (c) => t.number(n(c.members)) },
              { key: 'penetration', label: t('Penetration'), num: true, render: (c) => pct(c.penetration) },
              { key: 'top', label: 'top', render: (c) => (c.topCategories ?? []).join(', ') },
              { key: 'micro', label: 'micro-groups', render: (c) => (c.microGroups ?? []).slice(0, 3).join(' · ') },
              { key: 'segmentId', label: 'segment', render: (c) => c.segmentId ?? '' },
            ]}
          />
        </>
      ) : null}
    </Card>
  );
}

function Trends() {
  const t = useT();
  const [period, setPeriod] = useState('month');
  // the trends take 30 audiences at most
  const ids = useActiveSegmentIds().slice(0, 30);
  const trends = useApi(() => (ids.length ? get(`/crowds/trends${query({ segments: ids.join(','), period })}`) : Promise.resolve(null)), [ids.join(','), period]);
  const option = useMemo(() => {
    const d = trends.data;
    if (!d) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.periods },
      yAxis: { type: 'value' },
      series: (d.crowds ?? []).map((c) => ({ name: c.name || c.segmentId, type: 'line', data: c.points.map((p) => (n(p.size) < 0 ? null : n(p.size))) })),
    };
  }, [trends.data]);
  return (
    <Card title="Trends" actions={<Tabs value={period} onChange={setPeriod} tabs={['day', 'week', 'month'].map((p) => ({ id: p, label: p }))} />}>
      <Async state={trends}>{(d) => (d && option ? <Chart option={option} height={360} testId="crowd-trends" /> : <p className="muted">{t('None')}</p>)}</Async>
    </Card>
  );
}
