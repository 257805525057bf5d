import { DAY_OPS, FIELD_OPS, FIELDS, FILTER_OPS, NO_VALUE_OPS, TIMES_OPS, append, newEvent, newField, newGroup, newSegmentRef, remove, update } from './model/condition.js';
import { useT } from './i18n.js';

/** The visual condition builder over model/condition.js; `segments` are the ids offered for "member of". */
export function ConditionBuilder({ tree, onChange, segments = [], problems = [], readOnly }) {
  const bad = new Map(problems.map((p) => [p.id, p.message]));
  return (
    <fieldset disabled={readOnly} style={{ border: 'none', padding: 0, margin: 0 }} data-testid="condition-builder">
      <datalist id="condition-fields">
        {FIELDS.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <Node node={tree} root={tree} onChange={onChange} segments={segments} bad={bad} />
    </fieldset>
  );
}

function Node({ node, root, onChange, segments, bad, removable }) {
  const t = useT();
  const set = (change) => onChange(update(root, node.id, change));
  const drop = removable ? (
    <button type="button" className="link bad" onClick={() => onChange(remove(root, node.id))} title={t('Remove')}>
      ✕
    </button>
  ) : null;
  const problem = bad.get(node.id);
  if (node.kind === 'group') {
    return (
      <div className={`builder-group ${node.op}`}>
        <div className="row">
          <select value={node.op} onChange={(e) => set({ op: e.target.value })} data-testid="group-op">
            <option value="all">{t('All of')}</option>
            <option value="any">{t('Any of')}</option>
            <option value="none">{t('None of')}</option>
          </select>
          {drop}
          {problem ? <span className="bad">{problem}</span> : null}
        </div>
        {node.children.map((c) => (
          <Node key={c.id} node={c} root={root} onChange={onChange} segments={segments} bad={bad} removable />
        ))}
        <div className="row">
          <button type="button" onClick={() => onChange(append(root, node.id, newField()))} data-testid="add-field">
            + {t('Add field')}
          </button>
          <button type="button" onClick={() => onChange(append(root, node.id, newEvent()))} data-testid="add-event">
            + {t('Add event')}
          </button>
          <button type="button" onClick={() => onChange(append(root, node.id, newSegmentRef(segments[0] ?? '')))}>
            + {t('Add segment')}
          </button>
          <button type="button" onClick={() => onChange(append(root, node.id, newGroup('any')))}>
            + {t('Add group')}
          </button>
        </div>
      </div>
    );
  }
  if (node.kind === 'field') {
    return (
      <div className={`builder-leaf ${problem ? 'invalid' : ''}`} data-testid="field-condition">
        <input list="condition-fields" value={node.field} onChange={(e) => set({ field: e.target.value })} aria-label="field" data-testid="field-name" style={{ width: 200 }} />
        <select value={node.op} onChange={(e) => set({ op: e.target.value })} aria-label="op" data-testid="field-op">
          {FIELD_OPS.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
        {DAY_OPS.includes(node.op) ? (
          <>
            <input type="number" min="0" value={node.days} onChange={(e) => set({ days: e.target.value })} aria-label="days" style={{ width: 70 }} /> days
          </>
        ) : NO_VALUE_OPS.includes(node.op) ? null : (
          <input value={node.value} onChange={(e) => set({ value: e.target.value })} aria-label="value" data-testid="field-value" placeholder={['in', 'not_in'].includes(node.op) ? 'a, b, c' : node.op === 'between' ? 'low, high' : ''} />
        )}
        {drop}
        {problem ? <span className="bad">{problem}</span> : null}
      </div>
    );
  }
  if (node.kind === 'event') {
    const setWhere = (i, change) => set({ where: node.where.map((w, j) => (j === i ? { ...w, ...change } : w)) });
    return (
      <div className={`builder-leaf ${problem ? 'invalid' : ''}`} data-testid="event-condition">
        <span>event</span>
        <input value={node.event} onChange={(e) => set({ event: e.target.value })} aria-label="event" />
        <select value={node.timesOp} onChange={(e) => set({ timesOp: e.target.value })} aria-label="times">
          {TIMES_OPS.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
        <input type="number" min="0" value={node.times} onChange={(e) => set({ times: e.target.value })} style={{ width: 60 }} aria-label="times value" />×
        <input type="number" min="1" value={node.withinDays} onChange={(e) => set({ withinDays: e.target.value })} style={{ width: 70 }} placeholder="∞" aria-label="within days" />
        {t('within days')}
        {node.where.map((w, i) => (
          <span className="where" key={w.id ?? i}>
            {t('Where')}
            <input value={w.property} onChange={(e) => setWhere(i, { property: e.target.value })} placeholder="category" style={{ width: 100 }} />
            <select value={w.op} onChange={(e) => setWhere(i, { op: e.target.value })}>
              {FILTER_OPS.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
            {NO_VALUE_OPS.includes(w.op) ? null : <input value={w.value} onChange={(e) => setWhere(i, { value: e.target.value })} style={{ width: 100 }} />}
            <button type="button" className="link" onClick={() => set({ where: node.where.filter((_, j) => j !== i) })}>
              ✕
            </button>
          </span>
        ))}
        <button type="button" className="link" onClick={() => set({ where: [...node.where, { id: `w${Date.now()}`, property: '', op: 'eq', value: '' }] })}>
          + {t('Where')}
        </button>
        {drop}
        {problem ? <span className="bad">{problem}</span> : null}
      </div>
    );
  }
  return (
    <div className={`builder-leaf ${problem ? 'invalid' : ''}`}>
      <span>{t('Member of')}</span>
      <input list="condition-segments" value={node.segment} onChange={(e) => set({ segment: e.target.value })} aria-label="segment" />
      <datalist id="condition-segments">
        {segments.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {drop}
      {problem ? <span className="bad">{problem}</span> : null}
    </div>
  );
}
