import { useMemo, useState } from 'react';
import { get, post, query } from '../api.js';
import { Chart } from '../chart.jsx';
import { useT } from '../i18n.js';
import { Async, Card, ErrorBox, Field, Guarded, Stat, Table, pct, useAction, useApi, useUser } from '../ui.jsx';

const RFM = [
  ['important_value', '重要价值', 'R↑ F↑ M↑'], ['important_development', '重要发展', 'R↑ F↓ M↑'],
  ['important_retention', '重要保持', 'R↓ F↑ M↑'], ['important_win_back', '重要挽留', 'R↓ F↓ M↑'],
  ['general_value', '一般价值', 'R↑ F↑ M↓'], ['general_development', '一般发展', 'R↑ F↓ M↓'],
  ['general_retention', '一般保持', 'R↓ F↑ M↓'], ['general_win_back', '一般挽留', 'R↓ F↓ M↓'],
];
const LIFECYCLE = [['potential', '潜在'], ['new', '新客'], ['active', '活跃'], ['loyal', '忠诚'], ['at_risk', '流失预警'], ['churned', '流失'], ['recalled', '召回']];
const AIPL = [['awareness', 'A 认知'], ['interest', 'I 兴趣'], ['purchase', 'P 购买'], ['loyalty', 'L 忠诚']];
const CLV = [['high', '高'], ['mid', '中'], ['low', '低']];

const n = (x) => Number(x ?? 0);

export function Models() {
  const t = useT();
  const { can } = useUser();
  const dist = useApi(() => get('/models/distributions'), []);
  const runs = useApi(() => get('/models/runs?limit=10'), []);
  const [asOf, setAsOf] = useState('');
  const run = useAction(async () => {
    const r = await post('/models/runs', asOf ? { asOf: new Date(asOf).toISOString() } : {});
    runs.reload();
    return r;
  });
  // Chinese: the domain's names; English: the code written out (important_win_back → Important win back)
  const label = (pairs, code) => {
    const p = pairs.find(([c]) => c === code || c.replace('_', '-') === code);
    if (p && t.lang === 'zh') return p[1];
    const words = String(code).replaceAll(/[_-]/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
  };
  return (
    <>
      <Card
        title={t('Latest run')}
        actions={
          <>
            <input type="datetime-local" value={asOf} onChange={(e) => setAsOf(e.target.value)} aria-label="asOf" />
            <Guarded allowed={can.edit} className="primary" onClick={run.run} disabled={run.busy} data-testid="run-models">
              {t('Run models now')}
            </Guarded>
            <button className="link" onClick={() => (runs.reload(), dist.reload())}>
              ↻
            </button>
          </>
        }
      >
        <ErrorBox error={run.error} />
        <Async state={runs}>
          {(r) => (
            <Table
              testId="model-runs"
              rows={r.items}
              rowKey={(x) => x.id}
              columns={[
                { key: 'status', label: t('Status') },
                { key: 'asOf', label: 'asOf', render: (x) => t.time(x.asOf) },
                { key: 'profiles', label: t('Profiles_count'), num: true, render: (x) => t.number(n(x.profiles)) },
                { key: 'durationMs', label: 'ms', num: true, render: (x) => t.number(n(x.durationMs)) },
                { key: 'clv', label: 'CLV', render: (x) => (x.clv?.fitted ? `BG/NBD r=${x.clv.r?.toFixed(3)} α=${x.clv.alpha?.toFixed(2)} · Γ-Γ p=${x.clv.p?.toFixed(2)}` : x.clv?.reason ?? '') },
                { key: 'createdBy', label: 'by' },
                { key: 'error', label: '', render: (x) => <span className="bad">{x.error}</span> },
              ]}
            />
          )}
        </Async>
      </Card>
      <Async state={dist}>
        {(d) => {
          const counts = (tag) => d.distributions?.[tag]?.counts ?? {};
          return (
            <>
              <div className="grid two">
                <Card title={t('RFM groups')}>
                  <RfmGrid counts={counts('rfm_group')} label={(c) => label(RFM, c)} />
                </Card>
                <Card title={t('Lifecycle')}>
                  <Bars pairs={LIFECYCLE.map(([c]) => [label(LIFECYCLE, c), n(counts('lifecycle_stage')[c] ?? counts('lifecycle_stage')[c.replace('_', '-')])])} testId="lifecycle-chart" />
                </Card>
                <Card title={t('CLV tiers')}>
                  <Bars pairs={CLV.map(([c]) => [label(CLV, c), n(counts('clv_tier')[c])])} testId="clv-chart" />
                </Card>
                <Card title={t('Churn risk')}>
                  <Stat label="churn_risk = true" value={t.number(n(counts('churn_risk').true))} />
                </Card>
              </div>
              <AiplFlows asOf={d.asOf} label={(c) => label(AIPL, c)} />
            </>
          );
        }}
      </Async>
    </>
  );
}

function RfmGrid({ counts, label }) {
  const option = useMemo(() => {
    const xs = ['R↑ F↑', 'R↑ F↓', 'R↓ F↑', 'R↓ F↓'];
    const data = RFM.map(([code], i) => [i % 4, i < 4 ? 1 : 0, n(counts[code])]);
    return {
      tooltip: { formatter: (p) => `${label(RFM[(1 - p.value[1]) * 4 + p.value[0]][0])}: ${p.value[2]}` },
      grid: { left: 60, right: 20, top: 10, bottom: 60 },
      xAxis: { type: 'category', data: xs },
      yAxis: { type: 'category', data: ['M↓', 'M↑'] },
      visualMap: { min: 0, max: Math.max(1, ...data.map((x) => x[2])), calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
      series: [
        {
          type: 'heatmap',
          data,
          label: { show: true, lineHeight: 18, formatter: (p) => `${label(RFM[(1 - p.value[1]) * 4 + p.value[0]][0])}\n${p.value[2]}` },
        },
      ],
    };
  }, [counts, label]);
  return <Chart option={option} height={260} testId="rfm-grid" />;
}

function Bars({ pairs, testId }) {
  const option = useMemo(
    () => ({
      tooltip: {},
      grid: { left: 110, right: 30, top: 10, bottom: 20 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: pairs.map((p) => p[0]).reverse() },
      series: [{ type: 'bar', data: pairs.map((p) => p[1]).reverse(), label: { show: true, position: 'right' } }],
    }),
    [JSON.stringify(pairs)],
  );
  return <Chart option={option} height={Math.max(140, pairs.length * 34)} testId={testId} />;
}

function AiplFlows({ asOf, label }) {
  const t = useT();
  const end = asOf ? new Date(asOf) : new Date();
  const [range, setRange] = useState({ from: new Date(end - 30 * 86400000).toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) });
  const flows = useApi(() => {
    const to = new Date(`${range.to}T00:00:00Z`);
    const capped = to > new Date() ? new Date() : to;
    return get(`/models/aipl/flows${query({ from: `${range.from}T00:00:00Z`, to: capped.toISOString() })}`);
  }, [range.from, range.to]);
  const option = useMemo(() => {
    const f = flows.data?.flows ?? [];
    const node = (stage, side) => `${stage ? label(stage) : '∅'}${side}`;
    const names = new Set();
    const links = f.map((x) => {
      const s = node(x.from, ' ·');
      const d = node(x.to, '· ');
      names.add(s);
      names.add(d);
      return { source: s, target: d, value: n(x.count) };
    });
    return {
      tooltip: { trigger: 'item' },
      series: [{ type: 'sankey', data: [...names].map((name) => ({ name })), links, emphasis: { focus: 'adjacency' }, nodeAlign: 'justify', lineStyle: { color: 'gradient', opacity: 0.4 } }],
    };
  }, [flows.data, label]);
  return (
    <Card
      title={`${t('AIPL flows')} · FAST`}
      actions={
        <>
          <Field label={t('From')}>
            <input type="date" value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} />
          </Field>
          <Field label={t('To')}>
            <input type="date" value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} />
          </Field>
        </>
      }
    >
      <Async state={flows}>
        {(d) => (
          <div className="grid two">
            <Chart option={option} height={360} testId="aipl-sankey" />
            <div className="stats" data-testid="fast">
              <Stat label="F · Fertility" value={t.number(n(d.fertility))} />
              <Stat label="A · Advancing" value={pct(d.advancing ?? 0)} />
              <Stat label="S · Superiority" value={t.number(n(d.superiority))} />
              <Stat label="T · Thriving" value={pct(d.thriving ?? 0)} />
            </div>
          </div>
        )}
      </Async>
    </Card>
  );
}
