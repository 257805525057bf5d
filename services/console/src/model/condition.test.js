import { describe, expect, it } from 'vitest';
import {
  append, fromCondition, newEvent, newField, newGroup, newSegmentRef, problems, remove, toCondition, typedValue, update,
} from './condition.js';

describe('the condition builder', () => {
  it('writes the skincare example of docs/segments.md', () => {
    const event = { ...newEvent('Order Completed'), times: '2', withinDays: '30', where: [{ id: 'w', property: 'category', op: 'eq', value: 'skincare' }] };
    const tree = newGroup('all', [newField('traits.city_tier', 'in', '1, 2'), event]);
    expect(toCondition(tree)).toEqual({
      all: [
        { field: 'traits.city_tier', op: 'in', value: ['1', '2'] },
        { event: 'Order Completed', times: { op: 'at_least', value: 2 }, within_days: 30, where: [{ property: 'category', op: 'eq', value: 'skincare' }] },
      ],
    });
  });

  it('writes counts as numbers, relative dates with days, and no value for exists', () => {
    expect(toCondition(newField('orders.count', 'eq', '0'))).toEqual({ field: 'orders.count', op: 'eq', value: 0 });
    expect(toCondition({ ...newField('orders.last_order_at', 'before_last', ''), days: '90' })).toEqual({ field: 'orders.last_order_at', op: 'before_last', days: 90 });
    expect(toCondition(newField('tags.member_level', 'exists', 'ignored'))).toEqual({ field: 'tags.member_level', op: 'exists' });
    expect(toCondition(newField('traits.city', 'eq', '1'))).toEqual({ field: 'traits.city', op: 'eq', value: '1' });
    expect(toCondition(newField('traits.cityTier', 'lte', '3'))).toEqual({ field: 'traits.cityTier', op: 'lte', value: 3 });
  });

  it('writes "none of" as not, and a lone condition without its group', () => {
    expect(toCondition(newGroup('none', [newSegmentRef('vip')]))).toEqual({ not: { segment: 'vip' } });
    expect(toCondition(newGroup('none', [newSegmentRef('a'), newSegmentRef('b')]))).toEqual({ not: { any: [{ segment: 'a' }, { segment: 'b' }] } });
    expect(toCondition(newGroup('all', [newSegmentRef('a')]))).toEqual({ segment: 'a' });
    expect(toCondition(newGroup('any', [newSegmentRef('a')]))).toEqual({ any: [{ segment: 'a' }] });
  });

  it('reads back what it writes, for every example of docs/segments.md', () => {
    const examples = [
      { all: [{ field: 'traits.birthday', op: 'anniversary_within_next', days: 7 }, { field: 'tags.member_level', op: 'exists' }] },
      { all: [{ field: 'orders.revenue', op: 'gte', value: 2000 }, { field: 'orders.last_order_at', op: 'before_last', days: 90 }] },
      { all: [{ field: 'events.Page Viewed.last_30_days', op: 'gte', value: 10 }, { field: 'orders.count', op: 'eq', value: 0 }, { not: { segment: 'vip' } }] },
      { all: [{ field: 'facets.channel', op: 'in', value: ['douyin', 'xiaohongshu'] }, { event: 'Order Completed', where: [{ property: 'revenue', op: 'gte', value: 200 }] }] },
      { any: [{ field: 'orders.revenue', op: 'between', value: [100, 200] }, { event: 'Refund Completed', times: { op: 'at_most', value: 0 } }] },
    ];
    for (const c of examples) expect(toCondition(fromCondition(c))).toEqual(c);
  });

  it('refuses what the language does not have', () => {
    expect(() => fromCondition({ weird: 1 })).toThrow(/unknown condition/);
  });

  it('finds incomplete conditions before the service does', () => {
    const tree = newGroup('all', [newField('orders.count', 'gte', 'many'), newField('traits.city', 'eq', ''), newGroup('any', [])]);
    const messages = problems(tree).map((p) => p.message);
    expect(messages).toEqual(['orders.count is a number', 'enter a value', 'a group needs at least one condition']);
    expect(problems(newGroup('all', [newField('orders.count', 'gte', '2')]))).toEqual([]);
  });

  it('edits the tree by id without touching the original', () => {
    const leaf = newField('orders.count', 'gte', '1');
    const inner = newGroup('any', []);
    const tree = newGroup('all', [leaf, inner]);
    const changed = update(tree, leaf.id, { value: '5' });
    expect(changed.children[0].value).toBe('5');
    expect(tree.children[0].value).toBe('1');
    const added = append(changed, inner.id, newSegmentRef('vip'));
    expect(toCondition(added)).toEqual({ all: [{ field: 'orders.count', op: 'gte', value: 5 }, { any: [{ segment: 'vip' }] }] });
    expect(toCondition(remove(added, inner.id))).toEqual({ field: 'orders.count', op: 'gte', value: 5 });
  });

  it('types values by field and operator', () => {
    expect(typedValue('orders.count', 'in', '1,2，3')).toEqual([1, 2, 3]);
    expect(typedValue('traits.birthday', 'between', '1990-01-01, 1999-12-31')).toEqual(['1990-01-01', '1999-12-31']);
    expect(typedValue('traits.vip', 'eq', 'true')).toBe(true);
    expect(typedValue('tags.vip', 'eq', 'true')).toBe('true');
  });
});
