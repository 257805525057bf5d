import { useMemo, useState } from 'react';
import { get, query } from '../api.js';
import { Chart } from '../chart.jsx';
import { useT } from '../i18n.js';
import { Async, Card, Stat, Table, Tabs, useApi } from '../ui.jsx';

export function Overview() {
  const t = useT();
  const summary = useApi(() => get('/profiles/summary?topEvents=10'), []);
  const status = useApi(() => get('/insight/status'), []);
  return (
    <>
      <Async state={summary}>
        {(s) => (
          <div className="stats" data-testid="overview-stats">
            <Stat label={t('Profiles (people)')} value={t.number(s.profiles ?? 0)} />
            <Stat label={t('Known profiles')} value={t.number(s.knownProfiles ?? 0)} />
            <Stat label={t('Anonymous profiles')} value={t.number(s.anonymousProfiles ?? 0)} />
            <Stat label={t('Events')} value={t.number(s.events ?? 0)} />
            <Stat label={t('Merges')} value={t.number(s.merges ?? 0)} />
            <Stat label={t('First seen')} value={<small>{t.time(s.firstSeen)}</small>} />
            <Stat label={t('Last seen')} value={<small>{t.time(s.lastSeen)}</small>} />
          </div>
        )}
      </Async>
      <div className="grid two">
        <Activity />
        <Card title={t('Change feed')}>
          <Async state={status}>
            {(st) => (
              <div className="stats" data-testid="feed-status">
                <Stat
                  label={t('Feed lag')}
                  value={t.number(st.lag ?? 0)}
                  hint={st.caughtUp ? <span className="good">● {t('Caught up')}</span> : <span className="bad">● {t('Behind')}</span>}
                />
                <Stat label={t('Events')} value={t.number(st.events ?? 0)} hint="insight-service" />
                <Stat label={t('Profiles (people)')} value={t.number(st.profiles ?? 0)} hint="insight-service" />
                <Stat label="flush" value={<small>{t.time(st.lastFlush)}</small>} />
              </div>
            )}
          </Async>
          <p className="muted">
            strata.profile-events.v1 · strata.profile-changes.v1 → insight, segmentation, campaign{' '}
            <button className="link" onClick={status.reload}>
              ↻
            </button>
          </p>
        </Card>
      </div>
      <Async state={summary}>
        {(s) => (
          <div className="grid two">
            <Card title={t('Top events')}>
              <Table
                testId="top-events"
                rows={s.topEvents}
                columns={[
                  { key: 'name', label: t('Name') },
                  { key: 'events', label: t('Events'), num: true, render: (r) => t.number(r.events ?? 0) },
                  { key: 'profiles', label: t('Profiles_count'), num: true, render: (r) => t.number(r.profiles ?? 0) },
                ]}
              />
            </Card>
            <Card title={t('Identities')}>
              <Table
                rows={Object.entries(s.identities ?? {}).map(([type, n]) => ({ type, n }))}
                columns={[
                  { key: 'type', label: t('Identifier') },
                  { key: 'n', label: t('Profiles_count'), num: true, render: (r) => t.number(r.n) },
                ]}
              />
            </Card>
          </div>
        )}
      </Async>
    </>
  );
}

function Activity() {
  const t = useT();
  const [period, setPeriod] = useState('week');
  const activity = useApi(() => get(`/insight/activity${query({ period, topEvents: 5, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone })}`), [period]);
  const option = useMemo(() => {
    const periods = activity.data?.periods ?? [];
    const names = activity.data?.topEvents ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: periods.map((p) => p.start) },
      yAxis: [{ type: 'value', name: t('Events') }, { type: 'value', name: t('Profiles_count') }],
      series: [
        ...names.map((name) => ({
          name,
          type: 'bar',
          stack: 'events',
          data: periods.map((p) => Number((p.byEvent ?? []).find((e) => e.name === name)?.events ?? 0)),
        })),
        {
          name: t('Profiles_count'),
          type: 'line',
          yAxisIndex: 1,
          smooth: true,
          data: periods.map((p) => Number(p.profiles ?? 0)),
        },
      ],
    };
  }, [activity.data, t.lang]);
  return (
    <Card
      title={t('Events over time')}
      actions={<Tabs value={period} onChange={setPeriod} tabs={['day', 'week', 'month'].map((p) => ({ id: p, label: p }))} />}
    >
      <Async state={activity}>{() => <Chart option={option} testId="activity-chart" />}</Async>
    </Card>
  );
}
