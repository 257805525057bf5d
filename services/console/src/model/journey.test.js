import { describe, expect, it } from 'vitest';
import { addNode, connect, layout, newJourney, outlets, removeNode, replaceNode, toGraph, violationsByNode } from './journey.js';

const winBack = {
  key: 'churn-win-back',
  name: 'win-back',
  reentry: { mode: 'after_exit', cooldown: 'P30D' },
  nodes: [
    { id: 'start', type: 'trigger', on: { audienceEnter: 'churn-warning' }, next: 'sms' },
    { id: 'sms', type: 'send', channel: 'sms', template: 'winback_miss_you', next: 'bought' },
    { id: 'bought', type: 'waitForEvent', branches: [{ event: 'Order Completed', next: 'done' }], timeout: 'P7D', timeoutNext: 'valuable' },
    { id: 'valuable', type: 'condition', branches: [{ when: { tag: 'clv_tier', value: 'high' }, next: 'coupon' }], else: 'tag-lost' },
    { id: 'coupon', type: 'send', channel: 'sms', template: 'winback_coupon', next: 'win-back' },
    { id: 'tag-lost', type: 'updateTag', tag: 'win_back', value: 'no_offer', next: 'done' },
    { id: 'win-back', type: 'goal', name: 'won back', event: 'Order Completed', within: 'P14D', next: 'done' },
    { id: 'done', type: 'exit' },
  ],
};

describe('the journey editor model', () => {
  it('draws every link of the JSON as an edge, labelled by its outlet', () => {
    const g = toGraph(winBack);
    expect(g.nodes).toHaveLength(8);
    expect(g.edges.map((e) => `${e.source}.${e.sourceHandle}->${e.target}`)).toEqual([
      'start.next->sms', 'sms.next->bought', 'bought.branches.0->done', 'bought.timeoutNext->valuable',
      'valuable.branches.0->coupon', 'valuable.else->tag-lost', 'coupon.next->win-back', 'tag-lost.next->done', 'win-back.next->done',
    ]);
    expect(g.nodes.find((n) => n.id === 'sms').summary).toBe('sms · winback_miss_you');
  });

  it('lays nodes out by their longest distance from the trigger', () => {
    const p = layout(winBack);
    expect(p.start.x).toBe(0);
    expect(p.sms.x).toBeLessThan(p.bought.x);
    expect(p.done.x).toBeGreaterThan(p['win-back'].x);
    expect(p.coupon.x).toBe(p['tag-lost'].x);
    expect(p.coupon.y).not.toBe(p['tag-lost'].y);
  });

  it('survives a cycle and unreachable nodes', () => {
    const def = { nodes: [{ id: 't', type: 'trigger', next: 'a' }, { id: 'a', type: 'wait', next: 'b' }, { id: 'b', type: 'wait', next: 'a' }, { id: 'lost', type: 'exit' }] };
    const p = layout(def);
    expect(Object.keys(p)).toEqual(['t', 'a', 'b', 'lost']);
    expect(Number.isFinite(p.b.x)).toBe(true);
  });

  it('puts each violation on its node and keeps journey-wide ones apart', () => {
    const by = violationsByNode([
      { field: 'nodes.sms.template', description: 'unknown template' },
      { field: 'nodes.sms', description: 'not reachable' },
      { field: 'key', description: 'too long' },
    ]);
    expect(by.sms).toEqual([{ field: 'template', message: 'unknown template' }, { field: '', message: 'not reachable' }]);
    expect(by['']).toEqual([{ field: 'key', message: 'too long' }]);
    const answer = violationsByNode([{ node: 'wait', field: 'for', message: 'not a duration' }, { field: 'reentry', message: 'unknown mode' }]);
    expect(answer.wait).toEqual([{ field: 'for', message: 'not a duration' }]);
    expect(answer['']).toEqual([{ field: 'reentry', message: 'unknown mode' }]);
    const g = toGraph(winBack, { violations: [{ field: 'nodes.coupon.sender', description: 'required for sms' }], counts: { sms: { entered: 3 } } });
    expect(g.nodes.find((n) => n.id === 'coupon').violations[0].field).toBe('sender');
    expect(g.nodes.find((n) => n.id === 'sms').counts).toEqual({ entered: 3 });
  });

  it('inserts a node on an outlet, carrying on to where it went', () => {
    const { definition, id } = addNode(winBack, 'wait', { node: 'sms', handle: 'next' });
    expect(id).toBe('wait');
    expect(definition.nodes.find((n) => n.id === 'sms').next).toBe('wait');
    expect(definition.nodes.find((n) => n.id === 'wait')).toMatchObject({ type: 'wait', for: 'P1D', next: 'bought' });
    expect(winBack.nodes[1].next).toBe('bought');
    const again = addNode(definition, 'wait', { node: 'valuable', handle: 'else' });
    expect(again.id).toBe('wait-2');
    expect(again.definition.nodes.find((n) => n.id === 'wait-2').next).toBe('tag-lost');
  });

  it('connects outlets of every kind', () => {
    let def = connect(winBack, 'bought', 'timeoutNext', 'done');
    def = connect(def, 'valuable', 'branches.0', 'tag-lost');
    expect(outlets(def.nodes.find((n) => n.id === 'bought')).map((o) => o.target)).toEqual(['done', 'done']);
    expect(def.nodes.find((n) => n.id === 'valuable').branches[0].next).toBe('tag-lost');
    expect(() => connect(winBack, 'nope', 'next', 'done')).toThrow(/no node nope/);
  });

  it('removes a node, joining the links around a one-outlet node', () => {
    const def = removeNode(winBack, 'sms');
    expect(def.nodes.find((n) => n.id === 'start').next).toBe('bought');
    const cut = removeNode(winBack, 'valuable');
    expect(cut.nodes.find((n) => n.id === 'bought').timeoutNext).toBeUndefined();
  });

  it('renames a node and its links follow', () => {
    const def = replaceNode(winBack, 'sms', { ...winBack.nodes[1], id: 'miss-you' });
    expect(def.nodes.find((n) => n.id === 'start').next).toBe('miss-you');
    expect(() => replaceNode(winBack, 'sms', { ...winBack.nodes[1], id: 'done' })).toThrow(/exists already/);
    expect(() => replaceNode(winBack, 'sms', { id: 'x' })).toThrow(/id and a type/);
  });

  it('starts a new journey that is a whole path', () => {
    const g = toGraph(newJourney('k', 'n'));
    expect(g.edges).toHaveLength(2);
  });
});
