// The journey editor's model: the journey JSON (docs/journeys.md) as a graph to draw, and the
// edits the editor makes to the JSON. Pure functions, no React; the JSON stays the one truth.

export const NODE_TYPES = ['trigger', 'wait', 'waitForEvent', 'condition', 'split', 'send', 'updateTag', 'goal', 'exit'];

/** The outgoing links of a node: [{handle, label, target}] in the order the JSON holds them. */
export function outlets(node) {
  const out = [];
  switch (node.type) {
    case 'split':
      (node.arms ?? []).forEach((arm, i) => out.push({ handle: `arms.${i}`, label: `${arm.name ?? ''} ${arm.weight ?? ''}%`.trim(), target: arm.next }));
      break;
    case 'condition':
      (node.branches ?? []).forEach((b, i) => out.push({ handle: `branches.${i}`, label: `#${i + 1}`, target: b.next }));
      out.push({ handle: 'else', label: 'else', target: node.else });
      break;
    case 'waitForEvent':
      (node.branches ?? []).forEach((b, i) => out.push({ handle: `branches.${i}`, label: b.event ?? `#${i + 1}`, target: b.next }));
      out.push({ handle: 'timeoutNext', label: `timeout ${node.timeout ?? ''}`.trim(), target: node.timeoutNext });
      break;
    case 'exit':
      break;
    default:
      out.push({ handle: 'next', label: '', target: node.next });
  }
  return out;
}

/** Sets the target of one outlet; a new node object (the JSON is never changed in place). */
export function withOutlet(node, handle, target) {
  const copy = structuredClone(node);
  const [list, index] = handle.split('.');
  if (index !== undefined) copy[list][Number(index)].next = target;
  else copy[handle] = target;
  return copy;
}

/** A one-line summary of a node for its box. */
export function summary(node) {
  switch (node.type) {
    case 'trigger': {
      const on = node.on ?? {};
      if (on.event) return `event ${on.event}`;
      if (on.audienceEnter) return `enters ${on.audienceEnter}`;
      if (on.audienceExit) return `leaves ${on.audienceExit}`;
      if (on.date) return `date ${on.date}${on.offsetDays ? ` ${on.offsetDays > 0 ? '+' : ''}${on.offsetDays}d` : ''}`;
      if (on.broadcast) return `broadcast to ${on.broadcast}`;
      return '';
    }
    case 'wait':
      return node.for ? `for ${node.for}` : node.until ? `until ${node.until.at ?? ''}` : node.untilDate ? `until ${node.untilDate.attribute}` : '';
    case 'waitForEvent':
      return `${(node.branches ?? []).map((b) => b.event).join(' / ')} ≤ ${node.timeout ?? ''}`;
    case 'send':
      return `${node.channel ?? '?'} · ${node.template ?? '?'}`;
    case 'split':
      return (node.arms ?? []).map((a) => `${a.name} ${a.weight}`).join(' / ');
    case 'updateTag':
      return `${node.tag} = ${node.value ?? '∅'}`;
    case 'goal':
      return `${node.event ?? ''} ≤ ${node.within ?? ''}`;
    default:
      return '';
  }
}

/** Violations of the validation answer by node id; the rest (journey-wide) under ''. */
export function violationsByNode(violations) {
  const by = {};
  for (const v of violations ?? []) {
    const message = v.message ?? v.description ?? v.reason ?? '';
    if (v.node) {
      // the validation answer: {node, field, message}
      (by[v.node] ??= []).push({ field: v.field ?? '', message });
      continue;
    }
    // a refused save: {field: "nodes.<id>.<field>"}
    const m = /^(?:definition\.)?nodes\.([^.]+)(?:\.(.*))?$/.exec(v.field ?? '');
    const key = m ? m[1] : '';
    (by[key] ??= []).push({ field: m ? m[2] ?? '' : v.field ?? '', message });
  }
  return by;
}

/**
 * Positions for drawing: a node's column is its longest distance from the trigger, its row its
 * order within the column. Nodes not reachable from the trigger go to a last column.
 */
export function layout(definition, { dx = 260, dy = 120 } = {}) {
  const nodes = definition.nodes ?? [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map();
  const trigger = nodes.find((n) => n.type === 'trigger');
  if (trigger) {
    // longest path by relaxation over at most |nodes| rounds (a cycle stops there; validation names it)
    depth.set(trigger.id, 0);
    for (let round = 0; round < nodes.length; round++) {
      let changed = false;
      for (const [id, d] of [...depth]) {
        for (const o of outlets(byId.get(id))) {
          if (byId.has(o.target) && (depth.get(o.target) ?? -1) < d + 1 && d + 1 <= nodes.length) {
            depth.set(o.target, d + 1);
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
  }
  const last = Math.max(0, ...depth.values()) + 1;
  const rows = new Map();
  const positions = {};
  for (const n of nodes) {
    const column = depth.get(n.id) ?? last;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    positions[n.id] = { x: column * dx, y: row * dy };
  }
  return positions;
}

/** The graph to draw: nodes with their summary, violations and counts; edges labelled by outlet. */
export function toGraph(definition, { violations = [], counts = {} } = {}) {
  const positions = layout(definition);
  const problems = violationsByNode(violations);
  const ids = new Set((definition.nodes ?? []).map((n) => n.id));
  const nodes = (definition.nodes ?? []).map((n) => ({
    id: n.id,
    type: n.type,
    summary: summary(n),
    position: positions[n.id],
    violations: problems[n.id] ?? [],
    counts: counts[n.id] ?? null,
    outlets: outlets(n).map((o) => ({ handle: o.handle, label: o.label })),
  }));
  const edges = [];
  for (const n of definition.nodes ?? []) {
    for (const o of outlets(n)) {
      if (o.target && ids.has(o.target)) edges.push({ id: `${n.id}:${o.handle}`, source: n.id, sourceHandle: o.handle, target: o.target, label: o.label });
    }
  }
  return { nodes, edges, journeyProblems: problems[''] ?? [] };
}

const TEMPLATES = {
  trigger: { on: { event: 'Order Completed' } },
  wait: { for: 'P1D' },
  waitForEvent: { branches: [{ event: 'Order Completed' }], timeout: 'P7D' },
  condition: { branches: [{ when: { tag: 'clv_tier', value: 'high' } }] },
  split: { salt: 'salt', arms: [{ name: 'a', weight: 50 }, { name: 'control', weight: 50, control: true }] },
  send: { channel: 'sms', template: '', sender: '', purpose: 'marketing', onSuppressed: 'skip' },
  updateTag: { tag: '', value: '' },
  goal: { name: 'goal', event: 'Order Completed', within: 'P14D' },
  exit: {},
};

/** An id not used yet: the type, then -2, -3… */
export function freshId(definition, type) {
  const used = new Set((definition.nodes ?? []).map((n) => n.id));
  if (!used.has(type)) return type;
  for (let i = 2; ; i++) if (!used.has(`${type}-${i}`)) return `${type}-${i}`;
}

/**
 * Adds a node of a type. After a node's outlet it takes that outlet's place and carries on to
 * where the outlet went (its first outlet, or nothing for an exit).
 */
export function addNode(definition, type, after) {
  const def = structuredClone(definition);
  const node = { id: freshId(def, type), type, ...structuredClone(TEMPLATES[type] ?? {}) };
  if (after) {
    const source = def.nodes.find((n) => n.id === after.node);
    const previous = outlets(source).find((o) => o.handle === after.handle)?.target;
    const first = outlets(node)[0];
    if (first && previous) Object.assign(node, withOutlet(node, first.handle, previous));
    def.nodes[def.nodes.indexOf(source)] = withOutlet(source, after.handle, node.id);
  }
  def.nodes.push(node);
  return { definition: def, id: node.id };
}

/** Points an outlet of a node at another node. */
export function connect(definition, source, handle, target) {
  const def = structuredClone(definition);
  const i = def.nodes.findIndex((n) => n.id === source);
  if (i < 0) throw new Error(`no node ${source}`);
  def.nodes[i] = withOutlet(def.nodes[i], handle, target);
  return def;
}

/**
 * Removes a node. Links that went to it go where its only outlet went (none when it had several):
 * removing a wait between two steps joins them.
 */
export function removeNode(definition, id) {
  const def = structuredClone(definition);
  const node = def.nodes.find((n) => n.id === id);
  if (!node) return def;
  const outs = outlets(node);
  const heir = outs.length === 1 ? outs[0].target : undefined;
  def.nodes = def.nodes.filter((n) => n.id !== id).map((n) => {
    let copy = n;
    for (const o of outlets(n)) if (o.target === id) copy = withOutlet(copy, o.handle, heir);
    return copy;
  });
  return def;
}

/** Replaces a node with an edited one; a changed id is followed by every link to it. */
export function replaceNode(definition, id, edited) {
  if (!edited || typeof edited !== 'object' || !edited.id || !edited.type) throw new Error('a node needs an id and a type');
  const def = structuredClone(definition);
  if (edited.id !== id && def.nodes.some((n) => n.id === edited.id)) throw new Error(`a node ${edited.id} exists already`);
  def.nodes = def.nodes.map((n) => {
    if (n.id === id) return edited;
    let copy = n;
    if (edited.id !== id) for (const o of outlets(n)) if (o.target === id) copy = withOutlet(copy, o.handle, edited.id);
    return copy;
  });
  return def;
}

/** A new journey: a trigger, one send and an exit. */
export function newJourney(key, name) {
  return {
    key,
    name,
    reentry: { mode: 'never' },
    exitWhen: [],
    nodes: [
      { id: 'start', type: 'trigger', on: { event: 'Order Completed' }, next: 'send' },
      { id: 'send', type: 'send', channel: 'sms', template: '', sender: '', purpose: 'marketing', onSuppressed: 'skip', next: 'done' },
      { id: 'done', type: 'exit' },
    ],
  };
}
