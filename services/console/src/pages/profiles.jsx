import { useState } from 'react';
import { get, query } from '../api.js';
import { navigate } from '../app.jsx';
import { useT } from '../i18n.js';
import { Async, Card, ErrorBox, Json, Loading, Table, useApi } from '../ui.jsx';

const IDENTIFIERS = ['userId', 'email', 'phone', 'memberId', 'anonymousId', 'deviceId', 'wechatUnionId', 'wechatOpenId'];

export function Profiles({ route }) {
  return route[0] ? <ProfilePage id={route[0]} /> : <ProfileSearch />;
}

function ProfileSearch() {
  const t = useT();
  const [type, setType] = useState('userId');
  const [value, setValue] = useState('');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState({ page: '' });
  const result = useApi(() => {
    if (search.type) return get(`/profiles${query({ [search.type]: search.value })}`);
    return get(`/profiles${query({ tag: search.tag || undefined, pageSize: 25, pageToken: search.page })}`);
  }, [search]);
  const open = (p) => navigate('profiles', p.id);
  return (
    <>
      <Card title={t('Search')}>
        <form className="row" onSubmit={(e) => (e.preventDefault(), setSearch(value.trim() ? { type, value: value.trim() } : { tag, page: '' }))}>
          <select value={type} onChange={(e) => setType(e.target.value)} aria-label={t('Identifier')}>
            {IDENTIFIERS.map((i) => (
              <option key={i}>{i}</option>
            ))}
          </select>
          <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="u-1001 / a@b.cn / 13800000000" data-testid="profile-search" />
          <input value={tag} onChange={(e) => setTag(e.target.value)} placeholder="tag: clv_tier=high" />
          <button className="primary">{t('Search')}</button>
        </form>
      </Card>
      <Card title={search.type ? `${search.type} = ${search.value}` : t('Browse profiles')}>
        <Async state={result}>
          {(r) =>
            search.type && !r.items?.length ? (
              <p className="muted">{t('No profile owns this identifier')}</p>
            ) : (
              <>
                <Table
                  testId="profiles"
                  rows={r.items}
                  rowKey={(p) => p.id}
                  onRow={open}
                  columns={[
                    { key: 'id', label: 'id', render: (p) => <code>{p.id.slice(0, 8)}…</code> },
                    { key: 'name', label: t('Name'), render: (p) => p.traits?.name ?? '—' },
                    { key: 'ids', label: t('Identities'), render: (p) => (p.identities ?? []).map((i) => `${i.type}:${i.value}`).slice(0, 2).join(' · ') },
                    { key: 'orders', label: 'orders', num: true, render: (p) => p.behaviour?.orders?.orders ?? 0 },
                    { key: 'revenue', label: t('Revenue'), num: true, render: (p) => t.number(p.behaviour?.orders?.revenue ?? 0) },
                    { key: 'last', label: t('Last seen'), render: (p) => t.time(p.lastSeen) },
                  ]}
                />
                {r.nextPageToken ? (
                  <button onClick={() => setSearch({ ...search, page: r.nextPageToken })}>{t('Next')} →</button>
                ) : null}
              </>
            )
          }
        </Async>
      </Card>
    </>
  );
}

function ProfilePage({ id }) {
  const t = useT();
  const profile = useApi(() => get(`/profiles/${encodeURIComponent(id)}`), [id]);
  const consents = useApi(() => get(`/consents?profileId=${encodeURIComponent(id)}`), [id]);
  const merges = useApi(() => get(`/profiles/${encodeURIComponent(id)}/merges`), [id]);
  const segments = useApi(() => get(`/profiles/${encodeURIComponent(id)}/segments`), [id]);
  // a profile no journey has seen is unknown to campaign-service (404): no journeys
  const journeys = useApi(
    () => get(`/profiles/${encodeURIComponent(id)}/journeys`).catch((e) => (e.status === 404 ? { instances: [], steps: [] } : Promise.reject(e))),
    [id],
  );
  if (profile.error) return <ErrorBox error={profile.error} onRetry={profile.reload} />;
  if (!profile.data) return <Loading />;
  const p = profile.data;
  const orders = p.behaviour?.orders;
  return (
    <>
      <div className="row">
        <a href="#/profiles">← {t('Profiles')}</a>
        <h2 style={{ margin: 0 }} data-testid="profile-name">
          {p.traits?.name ?? p.id}
        </h2>
        <code className="muted">{p.id}</code>
      </div>
      <div className="grid">
        <Card title={t('Identities')}>
          <Table rows={p.identities} columns={[{ key: 'type', label: 'type' }, { key: 'value', label: 'value' }]} />
        </Card>
        <Card title={t('Traits')}>
          <Table rows={Object.entries(p.traits ?? {}).map(([k, v]) => ({ k, v }))} columns={[{ key: 'k', label: t('Key') }, { key: 'v', label: 'value', render: (r) => (r.v !== null && typeof r.v === 'object' ? <code>{JSON.stringify(r.v)}</code> : String(r.v)) }]} />
        </Card>
        <Card title={t('Tags')}>
          <Table
            testId="profile-tags"
            rows={Object.entries(p.tags ?? {}).map(([k, v]) => ({ k, ...v }))}
            columns={[
              { key: 'k', label: t('Key'), render: (r) => <code>{r.k}</code> },
              { key: 'value', label: 'value', render: (r) => String(r.value) },
              { key: 'source', label: 'source' },
            ]}
          />
        </Card>
        <Card title={t('Aggregates')}>
          {orders ? (
            <p>
              {t.number(orders.orders)} orders · {t('Revenue')} {t.number(orders.revenue)} · AOV {t.number(orders.averageOrderValue)} · {t.time(orders.lastOrderAt)}
            </p>
          ) : (
            <p className="muted">0 orders</p>
          )}
          <Table
            rows={Object.entries(p.behaviour?.events ?? {}).map(([name, s]) => ({ name, ...s }))}
            columns={[
              { key: 'name', label: t('Name') },
              { key: 'count', label: 'all', num: true },
              { key: 'last30Days', label: '30d', num: true },
              { key: 'last365Days', label: '365d', num: true },
              { key: 'lastAt', label: t('Last seen'), render: (r) => t.time(r.lastAt) },
            ]}
          />
        </Card>
        <Card title={t('Consent')}>
          <Async state={consents}>
            {(c) => (
              <Table
                rows={c.consents}
                columns={[
                  { key: 'channel', label: 'channel' },
                  { key: 'purpose', label: 'purpose' },
                  { key: 'sender', label: 'sender', render: (r) => r.sender ?? '*' },
                  { key: 'granted', label: '', render: (r) => (r.granted ? <span className="good">✓</span> : <span className="bad">✗</span>) },
                  { key: 'source', label: 'source' },
                  { key: 'at', label: 'at', render: (r) => t.time(r.at) },
                ]}
              />
            )}
          </Async>
        </Card>
        <Card title={t('Segments')}>
          <Async state={segments}>
            {(s) => (
              <div className="row" data-testid="profile-segments">
                {(s.segmentIds ?? []).map((sid) => (
                  <a key={sid} className="pill" href={`#/segments/${encodeURIComponent(sid)}`}>
                    {sid}
                  </a>
                ))}
                {!(s.segmentIds ?? []).length ? <span className="muted">{t('None')}</span> : null}
              </div>
            )}
          </Async>
        </Card>
        <Card title={t('Merge history')}>
          <Async state={merges}>
            {(m) => (
              <Table
                rows={m.merges}
                columns={[
                  { key: 'mergedProfileId', label: 'merged', render: (r) => <code>{r.mergedProfileId?.slice(0, 8)}</code> },
                  { key: 'identities', label: t('Identities'), render: (r) => (r.identities ?? []).map((i) => i.value).join(', ') },
                  { key: 'mergedAt', label: 'at', render: (r) => t.time(r.mergedAt) },
                  { key: 'unmergedAt', label: 'unmerged', render: (r) => (r.unmergedAt ? `${t.time(r.unmergedAt)} · ${r.unmergedBy}` : '') },
                ]}
              />
            )}
          </Async>
        </Card>
        <Card title={t('Journey history')}>
          <Async state={journeys}>
            {(j) => (
              <>
                <Table
                  rows={j.instances}
                  columns={[
                    { key: 'journeyKey', label: t('Journey') },
                    { key: 'version', label: 'v', num: true },
                    { key: 'status', label: t('Status') },
                    { key: 'node', label: 'node' },
                    { key: 'arm', label: t('Arm') },
                    { key: 'enteredAt', label: 'entered', render: (r) => t.time(r.enteredAt) },
                  ]}
                />
                <details>
                  <summary>steps ({(j.steps ?? []).length})</summary>
                  <Table
                    rows={j.steps}
                    columns={[
                      { key: 'at', label: 'at', render: (r) => t.time(r.at) },
                      { key: 'journeyKey', label: t('Journey') },
                      { key: 'node', label: 'node' },
                      { key: 'kind', label: 'kind' },
                      { key: 'detail', label: 'detail' },
                    ]}
                  />
                </details>
              </>
            )}
          </Async>
        </Card>
      </div>
      <details>
        <summary>JSON</summary>
        <Json value={p} />
      </details>
    </>
  );
}
