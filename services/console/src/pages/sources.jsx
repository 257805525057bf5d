import { useState } from 'react';
import { get, post, del, ApiError } from '../api.js';
import { accessToken } from '../auth.js';
import { useT } from '../i18n.js';
import { Async, Card, ErrorBox, Field, Guarded, Table, useAction, useApi, useUser } from '../ui.jsx';

/** Sends a history file to a source with the upload's progress: {bytes, rows, accepted, …}. */
function upload(source, file, format, zone, onProgress) {
  return accessToken().then(
    (token) =>
      new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        const q = new URLSearchParams({ format });
        if (zone) q.set('zone', zone);
        xhr.open('POST', `api/v1/sources/${encodeURIComponent(source)}/imports?${q}`);
        xhr.setRequestHeader('Authorization', `Bearer ${token}`);
        xhr.setRequestHeader('Content-Type', format === 'csv' ? 'text/csv' : 'application/x-ndjson');
        xhr.upload.onprogress = (e) => e.lengthComputable && onProgress({ sent: e.loaded, total: e.total });
        xhr.upload.onload = () => onProgress({ sent: file.size, total: file.size, storing: true });
        xhr.onload = () => {
          let body = {};
          try {
            body = JSON.parse(xhr.responseText || '{}');
          } catch {
            body = { detail: xhr.responseText };
          }
          if (xhr.status >= 200 && xhr.status < 300) resolve(body);
          else reject(new ApiError(xhr.status, body));
        };
        xhr.onerror = () => reject(new Error('the upload was interrupted'));
        xhr.send(file);
      }),
  );
}

export function Sources() {
  const t = useT();
  const { can } = useUser();
  const sources = useApi(() => (can.admin ? get('/sources?pageSize=200') : Promise.resolve(null)), [can.admin]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState(null);
  const create = useAction(async () => {
    const s = await post('/sources', { name });
    setShown(s);
    setName('');
    sources.reload();
  });
  const rotate = useAction(async (id) => {
    setShown(await post(`/sources/${id}/rotate`));
  });
  const revoke = useAction(async (id) => {
    if (!window.confirm('Revoke? Its write key stops working at once.')) return;
    await del(`/sources/${id}`);
    sources.reload();
  });
  if (!can.admin) {
    return (
      <Card title={t('Sources')}>
        <p className="notice" data-testid="admin-only">
          {t('Your role may not do this')} — {t('Sources')}: strata-admin
        </p>
      </Card>
    );
  }
  return (
    <>
      <Card
        title={t('Sources')}
        actions={
          <form className="row" onSubmit={(e) => (e.preventDefault(), create.run())}>
            <input placeholder={t('Name')} value={name} onChange={(e) => setName(e.target.value)} data-testid="source-name" />
            <Guarded allowed={can.admin} className="primary" disabled={!name.trim() || create.busy}>
              {t('New source')}
            </Guarded>
          </form>
        }
      >
        <ErrorBox error={create.error || rotate.error || revoke.error} />
        {shown?.writeKey ? (
          <div className="notice" data-testid="write-key">
            {t('Write key (shown once)')} — <b>{shown.name}</b>: <code>{shown.writeKey}</code>{' '}
            <button className="link" onClick={() => setShown(null)}>
              {t('Close')}
            </button>
          </div>
        ) : null}
        <Async state={sources}>
          {(data) => (
            <Table
              testId="sources"
              rows={data?.items}
              rowKey={(s) => s.id}
              columns={[
                { key: 'name', label: t('Name') },
                { key: 'id', label: 'id', render: (s) => <code>{s.id}</code> },
                { key: 'createdAt', label: t('First seen'), render: (s) => t.time(s.createdAt) },
                { key: 'rate', label: 'events/s', num: true, render: (s) => s.rateLimitPerSecond || 'default' },
                { key: 'state', label: t('State'), render: (s) => (s.revokedAt ? <span className="bad">revoked {t.time(s.revokedAt)}</span> : <span className="good">active</span>) },
                {
                  key: 'actions',
                  label: '',
                  render: (s) =>
                    s.revokedAt ? null : (
                      <span className="row">
                        <button onClick={() => rotate.run(s.id)}>{t('Rotate')}</button>
                        <button onClick={() => revoke.run(s.id)}>{t('Revoke')}</button>
                      </span>
                    ),
                },
              ]}
            />
          )}
        </Async>
      </Card>
      <Async state={sources}>{(data) => <Imports sources={(data?.items ?? []).filter((s) => !s.revokedAt)} />}</Async>
    </>
  );
}

function Imports({ sources }) {
  const t = useT();
  const [source, setSource] = useState(sources[0]?.id ?? '');
  const [format, setFormat] = useState('csv');
  const [zone, setZone] = useState('+08:00');
  const [file, setFile] = useState(null);
  const [progress, setProgress] = useState(null);
  const run = useAction(() => upload(source, file, format, zone, setProgress));
  const percent = progress ? Math.round((100 * progress.sent) / Math.max(1, progress.total)) : 0;
  return (
    <Card title={t('Import history')}>
      <div className="row">
        <Field label={t('Sources')}>
          <select value={source} onChange={(e) => setSource(e.target.value)}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="format">
          <select value={format} onChange={(e) => setFormat(e.target.value)}>
            <option value="csv">orders CSV</option>
            <option value="jsonl">Segment JSONL</option>
          </select>
        </Field>
        <Field label="zone">
          <input value={zone} onChange={(e) => setZone(e.target.value)} style={{ width: 80 }} />
        </Field>
        <Field label="file">
          <input type="file" accept=".csv,.jsonl,.gz,.ndjson" onChange={(e) => setFile(e.target.files[0] ?? null)} />
        </Field>
        <button className="primary" disabled={!file || !source || run.busy} onClick={() => run.run()}>
          {t('Import')}
        </button>
      </div>
      {progress && run.busy ? (
        <div className="row" style={{ marginTop: 10 }} data-testid="import-progress">
          <progress max="100" value={percent} /> {percent}% · {t.number(progress.sent)} / {t.number(progress.total)} {t('Bytes')}
          {progress.storing ? ` · ${t('Uploading')}…` : ''}
        </div>
      ) : null}
      <ErrorBox error={run.error} />
      {run.result ? (
        <div style={{ marginTop: 10 }}>
          <div className="stats">
            {['bytes', 'rows', 'accepted', 'duplicates', 'rejectedRows'].map((k) => (
              <div className="stat" key={k}>
                <div className="value">{t.number(run.result[k] ?? 0)}</div>
                <div className="label">{k}</div>
              </div>
            ))}
          </div>
          <Table
            rows={run.result.rejections}
            columns={[
              { key: 'line', label: 'line', num: true },
              { key: 'field', label: 'field' },
              { key: 'reason', label: 'reason' },
            ]}
          />
        </div>
      ) : null}
    </Card>
  );
}
