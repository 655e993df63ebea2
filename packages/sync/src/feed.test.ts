import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  CONFIG_VALUE_SCHEMAS,
  ConfigEntrySchema,
  FEED_ENTITIES,
  FEED_ENTITY_SCHEMAS,
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
