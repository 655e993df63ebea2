import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  areFeedChanges,
  CONFIG_KEYS,
  CONFIG_VALUE_SCHEMAS,
  ConfigEntrySchema,
  FEED_ENTITIES,
  FEED_ENTITY_SCHEMAS,
  FeedChangeSchema,
  isFeedChange,
  StoreNodeSchema,
  feedEntitySchema,
  isFeedEntity,
} from './feed';

const node = {
  nodeId: 'store-1',
  code: 'S001',
  name: 'Main St',
  kind: 'store',
  region: 'north',
  pickupEnabled: true,
  pickCapacity: 10,
  shipEnabled: true,
  shipPickCapacity: 4,
  jurisdiction: 'US-NY',
  currency: 'USD',
  timezone: 'America/New_York',
  active: true,
  version: 1,
};

describe('feed', () => {
  describe('FEED_ENTITY_SCHEMAS', () => {
    it('has exactly one schema for every feed entity', () => {
      expect(Object.keys(FEED_ENTITY_SCHEMAS).sort()).toEqual([...FEED_ENTITIES].sort());
      for (const entity of FEED_ENTITIES) expect(feedEntitySchema(entity)).toBe(FEED_ENTITY_SCHEMAS[entity]);
    });

    it('tells feed entities from other names, including inherited object keys', () => {
      expect(isFeedEntity('sku')).toBe(true);
      expect(isFeedEntity('bopis_order_unknown')).toBe(false);
      expect(isFeedEntity('toString')).toBe(false);
    });
  });

  describe('StoreNodeSchema', () => {
    it('accepts a node as the hub publishes it and refuses one without its region or currency', () => {
      expect(StoreNodeSchema.parse(node)).toEqual(node);
      const { shipEnabled: _ship, shipPickCapacity: _capacity, ...fromOlderHub } = node;
      expect(StoreNodeSchema.parse(fromOlderHub)).toEqual({
        ...node,
        shipEnabled: false,
        shipPickCapacity: 0,
      });
      expect(StoreNodeSchema.safeParse({ ...node, region: undefined }).success).toBe(false);
      expect(StoreNodeSchema.safeParse({ ...node, currency: 'usd' }).success).toBe(false);
    });
  });

  describe('ConfigEntrySchema', () => {
    it('validates the value of every key it knows with that key’s schema', () => {
      expect(ConfigEntrySchema.safeParse({ key: CONFIG_KEYS.lockoutAttempts, value: 3 }).success).toBe(true);
      const bad = ConfigEntrySchema.safeParse({ key: CONFIG_KEYS.lockoutAttempts, value: 0 });
      expect(bad.success).toBe(false);
      expect(bad.error?.issues[0]?.path).toEqual(['value']);
      expect(
        ConfigEntrySchema.safeParse({ key: CONFIG_KEYS.discountMaxPercentCashier, value: 101 }).success,
      ).toBe(false);
      expect(ConfigEntrySchema.safeParse({ key: CONFIG_KEYS.labelRules, value: 'not rules' }).success).toBe(
        false,
      );
    });

    it('carries keys it does not know unvalidated, so a newer hub’s settings reach older tills', () => {
      expect(ConfigEntrySchema.parse({ key: 'pos.future.setting', value: { any: 'shape' } })).toEqual({
        key: 'pos.future.setting',
        value: { any: 'shape' },
      });
    });

    it('has a value schema for every listed key', () => {
      for (const key of Object.values(CONFIG_KEYS)) expect(CONFIG_VALUE_SCHEMAS[key]).toBeDefined();
    });
  });
});

describe('isFeedChange / areFeedChanges', () => {
  const text = fc.oneof(
    fc.constantFrom(
      'a',
      'sku',
      'pb-chain:SKU-1',
      'x'.repeat(40),
      'x'.repeat(41),
      'y'.repeat(200),
      'y'.repeat(201),
      '',
    ),
    fc.string({ maxLength: 12 }),
  );
  const integer = fc.oneof(
    fc.constantFrom(0, 1, 2, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER, 2 ** 53, Infinity),
    fc.integer({ min: -5, max: 5 }),
  );
  const field = fc.oneof(text, integer, fc.boolean(), fc.constant(null), fc.constant(undefined));
  /** A change, sometimes with a key dropped, a key zod would strip, or a field of the wrong type. */
  const change = fc
    .tuple(
      fc.record(
        {
          hubSeq: fc.oneof(integer, field),
          entity: fc.oneof(text, field),
          key: fc.oneof(text, field),
          op: fc.constantFrom('upsert', 'delete', 'merge', 1),
          data: fc.oneof(field, fc.dictionary(fc.string({ maxLength: 3 }), field, { maxKeys: 2 })),
        },
        { requiredKeys: ['hubSeq', 'entity', 'key', 'op'] },
      ),
      fc.nat(6),
    )
    .map(([base, twist]) => {
      const copy: Record<string, unknown> = { ...base };
      if (twist === 1) copy.extra = 'stripped by the schema';
      if (twist === 2) delete copy.key;
      if (twist === 3) return [copy];
      return copy;
    });

  it('accepts only a change the schema accepts and returns unchanged', () => {
    fc.assert(
      fc.property(change, (candidate) => {
        const parsed = FeedChangeSchema.safeParse(candidate);
        if (isFeedChange(candidate)) {
          expect(parsed.success).toBe(true);
          expect(parsed.data).toStrictEqual(candidate);
        } else if (parsed.success) {
          // Refused only for a key the schema strips or a `data: undefined` it keeps as a key.
          expect(Object.keys(candidate as object).some((key) => key === 'extra' || key === 'data')).toBe(
            true,
          );
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('checks every change of an array', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 4 }), (changes) => {
        expect(areFeedChanges(changes)).toBe(changes.every(isFeedChange));
      }),
    );
    expect(areFeedChanges({})).toBe(false);
    expect(areFeedChanges([{ hubSeq: 1, entity: 'sku', key: 'k', op: 'delete' }])).toBe(true);
    expect(areFeedChanges([{ hubSeq: 1, entity: 'sku', key: 'k', op: 'delete', more: 1 }])).toBe(false);
    expect(areFeedChanges([Object.create({ hubSeq: 1, entity: 'sku', key: 'k', op: 'delete' })])).toBe(false);
  });
});
