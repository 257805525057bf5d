import { useMemo, useState } from 'react';
import { get } from '../api.js';
import { Chart } from '../chart.jsx';
import { useT } from '../i18n.js';
import { Async, Card, Table, useApi } from '../ui.jsx';

export function Tags() {
  const t = useT();
  const catalog = useApi(() => Promise.all([get('/tags'), get('/tags/counts')]), []);
  const [category, setCategory] = useState('');
  const [selected, setSelected] = useState(null);
  return (
    <Async state={catalog}>
      {([defs, counts]) => {
        const byKey = Object.fromEntries((counts.tags ?? []).map((c) => [c.key, c]));
        const categories = [...new Set((defs.definitions ?? []).map((d) => d.category).filter(Boolean))].sort();
        const rows = (defs.definitions ?? []).filter((d) => !category || d.category === category);
        const total = Number(counts.profiles ?? 0);
        return (
          <div className="grid two">
            <Card
              title={`${t('Tags')} · ${rows.length}`}
              actions={
                <select value={category} onChange={(e) => setCategory(e.target.value)} aria-label={t('Category')}>
                  <option value="">{t('Category')}: *</option>
                  {categories.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              }
            >
              <Table
                testId="tag-catalog"
                rows={rows}
                rowKey={(d) => d.key}
                onRow={setSelected}
                columns={[
                  { key: 'key', label: t('Key'), render: (d) => <code>{d.key}</code> },
                  { key: 'name', label: t('Name'), render: (d) => (t.lang === 'zh' ? d.nameZh || d.name : d.name) },
                  { key: 'kind', label: t('Kind') },
                  { key: 'category', label: t('Category') },
                  { key: 'std', label: '', render: (d) => <span className="pill">{d.standard ? t('Standard') : t('Own')}</span> },
                  {
                    key: 'profiles',
                    label: t('Profiles_count'),
                    num: true,
                    render: (d) => t.number(byKey[d.key]?.profiles ?? 0),
                  },
                ]}
              />
            </Card>
            {selected ? <TagDetail def={selected} count={byKey[selected.key]} total={total} /> : <Card><p className="muted">← {t('Tags')}</p></Card>}
          </div>
        );
      }}
    </Async>
  );
}

function TagDetail({ def, count, total }) {
  const t = useT();
  const values = Object.entries(count?.values ?? {}).map(([value, n]) => ({ value, n: Number(n) })).sort((a, b) => b.n - a.n);
  const option = useMemo(
    () => ({
      tooltip: {},
      grid: { left: 120, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: values.map((v) => v.value).reverse() },
      series: [{ type: 'bar', data: values.map((v) => v.n).reverse(), itemStyle: { color: '#3b5bdb' } }],
    }),
    [count],
  );
  return (
    <Card title={`${def.nameZh || ''} ${def.name} · ${def.key}`}>
      <p>{def.description}</p>
      <p className="muted">
        {def.kind} · {def.valueType} · {t('Profiles_count')} {t.number(count?.profiles ?? 0)} / {t.number(total)}
        {def.owner ? ` · ${def.owner}` : ''}
      </p>
      {values.length ? <Chart option={option} height={Math.max(160, values.length * 26)} /> : null}
      {def.rule ? <pre className="json">{JSON.stringify(def.rule, null, 2)}</pre> : null}
    </Card>
  );
}
