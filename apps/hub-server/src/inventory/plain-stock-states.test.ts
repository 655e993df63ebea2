import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feedEntitySchema } from '../feed/feed-entities';
import { EVENT_CATALOG } from '../integration/event-catalog';
import { isPlainAvailability, isPlainStockLevel } from './plain-stock-states';

const KEYS = [
  'nodeId',
  'sku',
  'sellable',
  'staged',
  'damaged',
  'qualityControl',
  'incoming',
  'reservedUnstaged',
  'safetyStock',
  'atp',
];

// Values near every bound either schema has: empty and 240/241-character ids, negative, zero, unsafe and
// fractional counts, and values of the wrong type.
const anyValue = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom('', 'x'.repeat(240), 'x'.repeat(241), 'é'.repeat(241)),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(
    -0,
    0.5,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    -Number.MAX_SAFE_INTEGER - 2,
  ),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, '1', 1n),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 2 }), { maxKeys: 3 }),
);
const validText = fc.string({ minLength: 1, maxLength: 240 });
const validCount = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.maxSafeInteger(), fc.maxSafeNat());
const seqValues = fc.oneof({ weight: 10, arbitrary: fc.nat() }, fc.constantFrom(-1, 0.5));
const seqs = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), seqValues, { maxKeys: 4, noNullPrototype: true }),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), seqValues, { maxKeys: 4 }) },
);

/** Mostly near-valid states (so both answers are exercised), with keys dropped, added, moved, replaced. */
function states(withSeqs: boolean) {
  const keys = withSeqs ? [...KEYS, 'deviceSeqs'] : KEYS;
  const valid = fc.record(
    Object.fromEntries(
      keys.map((key) => [
        key,
        key === 'nodeId' || key === 'sku' ? validText : key === 'deviceSeqs' ? seqs : validCount,
      ]),
    ),
  );
  return fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.constantFrom(...keys, 'extra'), anyValue), { maxLength: 2 }),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant('none') },
        { weight: 1, arbitrary: fc.constantFrom('drop', 'move', 'prototype', 'symbol') },
      ),
    )
    .map(([base, replaced, change]) => {
      const state: Record<string, unknown> = { ...base };
      for (const [key, value] of replaced) state[key] = value;
      if (change === 'drop') delete state.sku;
      if (change === 'move') {
        const moved = state.nodeId;
        delete state.nodeId;
        state.nodeId = moved;
      }
      if (change === 'prototype') return Object.assign(Object.create({ inherited: 1 }), state) as unknown;
      if (change === 'symbol') return { ...state, [Symbol('s')]: 1 } as unknown;
      return state as unknown;
    });
}

describe('inventory/plain-stock-states', () => {
  it('says a stock level is plain only when StockLevelSchema returns it unchanged', () => {
    let plain = 0;
    fc.assert(
      fc.property(states(true), (state) => {
        if (!isPlainStockLevel(state)) return;
        plain += 1;
        const parsed = feedEntitySchema('stock_level').safeParse(state);
        expect(parsed.success).toBe(true);
        expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(state));
        expect(parsed.data).toStrictEqual(state);
      }),
      { numRuns: 3000 },
    );
    expect(plain).toBeGreaterThan(100);
  });

  it('says availability data is plain only when the catalog schema returns it unchanged', () => {
    let plain = 0;
    fc.assert(
      fc.property(states(false), (state) => {
        if (!isPlainAvailability(state)) return;
        plain += 1;
        const parsed = EVENT_CATALOG['availability.changed'].data.safeParse(state);
        expect(parsed.success).toBe(true);
        expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(state));
        expect(parsed.data).toStrictEqual(state);
      }),
      { numRuns: 3000 },
    );
    expect(plain).toBeGreaterThan(100);
  });

  it('leaves a device named __proto__ to the schema, whose record cannot keep that key', () => {
    const level = {
      nodeId: 'n',
      sku: 's',
      sellable: 1,
      staged: 0,
      damaged: 0,
      qualityControl: 0,
      incoming: 0,
      reservedUnstaged: 0,
      safetyStock: 0,
      atp: 1,
      deviceSeqs: { d1: 3 },
    };
    expect(isPlainStockLevel(level)).toBe(true);
    const proto = { ...level, deviceSeqs: JSON.parse('{"__proto__":3}') as unknown };
    expect(feedEntitySchema('stock_level').parse(proto)).not.toStrictEqual(proto);
    expect(isPlainStockLevel(proto)).toBe(false);
  });

  it('passes every valid state the schemas accept unchanged, so the parse is skipped for them', () => {
    fc.assert(
      fc.property(states(true), (state) => {
        const parsed = feedEntitySchema('stock_level').safeParse(state);
        if (parsed.success && plainData(state) && plainData((state as { deviceSeqs: unknown }).deviceSeqs)) {
          expect(isPlainStockLevel(state)).toBe(
            JSON.stringify(Object.keys(parsed.data)) === JSON.stringify(Object.keys(state as object)),
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});

function plainData(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.getOwnPropertySymbols(value).length === 0
  );
}
