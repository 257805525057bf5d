// The condition builder's model: a tree of groups and leaves that the screen edits, and its two-way
// translation to the condition language (docs/segments.md). Pure functions, no React.

export const GROUP_OPS = ['all', 'any', 'none'];

export const FIELD_OPS = [
  'eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'in', 'not_in', 'contains', 'starts_with',
  'exists', 'missing', 'within_last', 'within_next', 'before_last', 'anniversary_within_next',
];
export const DAY_OPS = ['within_last', 'within_next', 'before_last', 'anniversary_within_next'];
export const NO_VALUE_OPS = ['exists', 'missing'];
export const LIST_OPS = ['in', 'not_in'];
const ORDER_OPS = ['lt', 'lte', 'gt', 'gte', 'between'];
export const FILTER_OPS = FIELD_OPS.slice(0, FIELD_OPS.indexOf('missing') + 1);
export const TIMES_OPS = ['at_least', 'at_most', 'exactly'];

/** Fields the builder offers (free text is allowed too: traits.<name>, tags.<key>, events.<name>.…). */
export const FIELDS = [
  'orders.count', 'orders.revenue', 'orders.average_order_value', 'orders.purchase_days',
  'orders.first_order_at', 'orders.last_order_at', 'profile.first_seen', 'profile.last_seen',
  'facets.channel', 'facets.platform', 'facets.device', 'facets.category', 'facets.product',
  'facets.content_channel', 'facets.content_topic', 'facets.content_creator',
  'traits.gender', 'traits.birthday', 'traits.city', 'traits.cityTier', 'traits.occupation',
  'traits.incomeLevel', 'tags.rfm_group', 'tags.lifecycle_stage', 'tags.aipl_stage', 'tags.clv_tier',
  'tags.churn_risk',
];

/** Whether a field holds a number (counts and sums), so its values are written as numbers. */
export function isNumberField(field) {
  return /^orders\.(count|revenue|average_order_value|purchase_days)$/.test(field)
    || /^events\..+\.(count|last_(7|30|90|365)_days)$/.test(field);
}

let counter = 0;
const id = () => `c${++counter}`;

export const newGroup = (op = 'all', children = []) => ({ id: id(), kind: 'group', op, children });
export const newField = (field = 'orders.count', op = 'gte', value = '1') => ({ id: id(), kind: 'field', field, op, value, days: '30' });
export const newEvent = (event = 'Order Completed') => ({
  id: id(), kind: 'event', event, timesOp: 'at_least', times: '1', withinDays: '', where: [],
});
export const newSegmentRef = (segment = '') => ({ id: id(), kind: 'segment', segment });

/** A text the user typed, as the value the language wants for this field and operator. */
export function typedValue(field, op, text) {
  const s = String(text ?? '').trim();
  const numeric = s !== '' && !Number.isNaN(Number(s));
  if (LIST_OPS.includes(op)) {
    return s.split(/[,，]/).map((x) => x.trim()).filter(Boolean)
      .map((x) => (isNumberField(field) && !Number.isNaN(Number(x)) ? Number(x) : x));
  }
  if (op === 'between') {
    const [low, high] = s.split(/[,，~]/).map((x) => x.trim());
    return [low, high].map((x) => (x !== undefined && x !== '' && !Number.isNaN(Number(x)) ? Number(x) : x ?? ''));
  }
  if (numeric && (isNumberField(field) || ORDER_OPS.includes(op))) return Number(s);
  // tags are text ("true" stays a text); a trait may be true/false
  if ((s === 'true' || s === 'false') && field.startsWith('traits.')) return s === 'true';
  return s;
}

const valueText = (v) => (Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '' : String(v));

function leafToCondition(node) {
  if (node.kind === 'field') {
    const c = { field: node.field.trim(), op: node.op };
    if (DAY_OPS.includes(node.op)) c.days = Number(node.days);
    else if (!NO_VALUE_OPS.includes(node.op)) c.value = typedValue(c.field, node.op, node.value);
    return c;
  }
  if (node.kind === 'event') {
    const c = { event: node.event.trim() };
    const times = String(node.times ?? '').trim();
    if (times !== '' && !(node.timesOp === 'at_least' && times === '1')) c.times = { op: node.timesOp, value: Number(times) };
    if (String(node.withinDays ?? '').trim() !== '') c.within_days = Number(node.withinDays);
    if (node.where.length) {
      c.where = node.where.map((w) => {
        const f = { property: w.property.trim(), op: w.op };
        if (!NO_VALUE_OPS.includes(w.op)) f.value = typedValue('', w.op, w.value);
        return f;
      });
    }
    return c;
  }
  return { segment: node.segment.trim() };
}

/** The builder's tree as the condition language. A one-condition `all` is written as its condition. */
export function toCondition(node) {
  if (node.kind !== 'group') return leafToCondition(node);
  const children = node.children.map(toCondition);
  if (node.op === 'none') {
    const inner = children.length === 1 ? children[0] : { any: children };
    return { not: inner };
  }
  if (children.length === 1 && node.op === 'all') return children[0];
  return { [node.op]: children };
}

/** The condition language as the builder's tree; a definition the builder cannot show throws. */
export function fromCondition(c) {
  if (c === null || typeof c !== 'object') throw new Error('a condition is an object');
  if (Array.isArray(c.all)) return newGroup('all', c.all.map(fromCondition));
  if (Array.isArray(c.any)) return newGroup('any', c.any.map(fromCondition));
  if (c.not !== undefined) {
    if (Array.isArray(c.not.any)) return newGroup('none', c.not.any.map(fromCondition));
    return newGroup('none', [fromCondition(c.not)]);
  }
  if (typeof c.field === 'string') {
    const n = newField(c.field, c.op, valueText(c.value));
    if (c.days !== undefined) n.days = String(c.days);
    return n;
  }
  if (typeof c.event === 'string') {
    const n = newEvent(c.event);
    if (c.times) {
      n.timesOp = c.times.op;
      n.times = String(c.times.value);
    }
    if (c.within_days !== undefined) n.withinDays = String(c.within_days);
    n.where = (c.where ?? []).map((w) => ({ id: id(), property: w.property, op: w.op, value: valueText(w.value) }));
    return n;
  }
  if (typeof c.segment === 'string') return newSegmentRef(c.segment);
  throw new Error(`unknown condition: ${JSON.stringify(c)}`);
}

/** The builder's own checks, before the service's: [{id, message}] for what is plainly incomplete. */
export function problems(node, out = []) {
  if (node.kind === 'group') {
    if (!node.children.length) out.push({ id: node.id, message: 'a group needs at least one condition' });
    node.children.forEach((c) => problems(c, out));
  } else if (node.kind === 'field') {
    if (!node.field.trim()) out.push({ id: node.id, message: 'choose a field' });
    if (DAY_OPS.includes(node.op) && !(Number(node.days) >= 0 && String(node.days).trim() !== '')) {
      out.push({ id: node.id, message: 'days must be a number' });
    } else if (!DAY_OPS.includes(node.op) && !NO_VALUE_OPS.includes(node.op) && String(node.value).trim() === '') {
      out.push({ id: node.id, message: 'enter a value' });
    }
    if (isNumberField(node.field) && ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'].includes(node.op) && Number.isNaN(Number(node.value))) {
      out.push({ id: node.id, message: `${node.field} is a number` });
    }
  } else if (node.kind === 'event') {
    if (!node.event.trim()) out.push({ id: node.id, message: 'name the event' });
  } else if (!node.segment.trim()) {
    out.push({ id: node.id, message: 'choose a segment' });
  }
  return out;
}

// Edits return a new tree; the node to change is found by id.
export function update(tree, nodeId, change) {
  if (tree.id === nodeId) return { ...tree, ...change };
  if (tree.kind !== 'group') return tree;
  return { ...tree, children: tree.children.map((c) => update(c, nodeId, change)) };
}

export function append(tree, groupId, child) {
  if (tree.id === groupId && tree.kind === 'group') return { ...tree, children: [...tree.children, child] };
  if (tree.kind !== 'group') return tree;
  return { ...tree, children: tree.children.map((c) => append(c, groupId, child)) };
}

export function remove(tree, nodeId) {
  if (tree.kind !== 'group') return tree;
  return { ...tree, children: tree.children.filter((c) => c.id !== nodeId).map((c) => remove(c, nodeId)) };
}
