import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { get } from './api.js';
import { useT } from './i18n.js';

export const UserContext = createContext({ name: '', tenant: '', roles: [], can: {} });
export const useUser = () => useContext(UserContext);

/** Calls the API when the inputs change: {data, error, loading, reload}. */
export function useApi(call, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve()
      .then(call)
      .then(
        (data) => mine === seq.current && setState({ data, error: null, loading: false }),
        (error) => mine === seq.current && setState({ data: null, error, loading: false }),
      );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** The ids of the tenant's active audiences, for the pickers of several screens. */
export function useActiveSegmentIds() {
  const list = useApi(() => get('/segments?state=active'), []);
  return (list.data?.items ?? []).map((s) => s.id);
}

/** An action started by a button: {run, busy, error, result}. */
export function useAction(action) {
  const [state, setState] = useState({ busy: false, error: null, result: null });
  const run = async (...args) => {
    setState({ busy: true, error: null, result: null });
    try {
      const result = await action(...args);
      setState({ busy: false, error: null, result });
      return result;
    } catch (error) {
      setState({ busy: false, error, result: null });
      return undefined;
    }
  };
  return { ...state, run };
}

export function Loading() {
  const t = useT();
  return (
    <div className="loading" role="status">
      <span className="spinner" /> {t('Loading')}…
    </div>
  );
}

export function ErrorBox({ error, onRetry }) {
  const t = useT();
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong>{error.status ? `${error.status} ${error.title ?? ''}` : 'Error'}</strong>{' '}
      {error.field ? <code>{error.field}</code> : null} {error.message}
      {onRetry ? (
        <button className="link" onClick={onRetry}>
          {t('Try again')}
        </button>
      ) : null}
    </div>
  );
}

/** Shows the data of a call, or its loading and error states. */
export function Async({ state, children }) {
  if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
  if (state.loading && !state.data) return <Loading />;
  return children(state.data);
}

export function Card({ title, actions, children, className }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {title || actions ? (
        <header>
          <h3>{title}</h3>
          <div className="actions">{actions}</div>
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function Stat({ label, value, hint }) {
  return (
    <div className="stat">
      <div className="value">{value}</div>
      <div className="label">{label}</div>
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}

/** A button that is disabled, with the reason as its title, when the role may not use it. */
export function Guarded({ allowed, children, ...props }) {
  const t = useT();
  return (
    <button {...props} disabled={!allowed || props.disabled} title={allowed ? props.title : t('Your role may not do this')}>
      {children}
    </button>
  );
}

export function Table({ columns, rows, empty, rowKey, onRow, testId }) {
  const t = useT();
  if (!rows?.length) return <p className="muted">{empty ?? t('None')}</p>;
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key ?? c.label} className={c.num ? 'num' : ''}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey ? rowKey(r) : i} onClick={onRow ? () => onRow(r) : undefined} className={onRow ? 'clickable' : ''}>
              {columns.map((c) => (
                <td key={c.key ?? c.label} className={c.num ? 'num' : ''}>
                  {c.render ? c.render(r) : r[c.key]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Tabs({ tabs, value, onChange }) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((tab) => (
        <button key={tab.id} role="tab" aria-selected={value === tab.id} className={value === tab.id ? 'active' : ''} onClick={() => onChange(tab.id)}>
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function Field({ label, children }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A labelled choice among a few fixed values. */
export function Choice({ label, value, options, onChange }) {
  return (
    <Field label={label}>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </Field>
  );
}

export const pct = (x, digits = 1) => (x === undefined || x === null ? '—' : `${(Number(x) * 100).toFixed(digits)}%`);

export function Json({ value }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
