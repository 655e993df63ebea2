import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventFactory, saleOf } from '../test-support/fixtures';
import { EVENT_CATALOG, TENDER_TYPES } from './event-catalog';
import { checkDraft, type EventDraft } from './outbound-log';
import { isPlainSaleCompletedData } from './plain-sale-data';
import { storeEventDrafts } from './store-event-drafts';
import type { DraftContext } from './transaction-events';

const schema = EVENT_CATALOG['sale.completed'].data;

// Values near every bound the schema has: empty, 240- and 241-character ids, unsafe and fractional
// numbers, infinities, nulls, and values of the wrong type.
const anyValue = fc.oneof(
  fc.string({ maxLength: 3 }),
  fc.constantFrom(
    '',
    'x'.repeat(240),
    'x'.repeat(241),
    'é'.repeat(241),
    'EUR',
    'eur',
    '2026-12-07',
    '2026-1-7',
  ),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(
    -0,
    0.5,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    -Number.MAX_SAFE_INTEGER - 2,
  ),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, '1', 1n),
  fc.constantFrom('each', 'kg', 'promotion', 'manual_order', 'cash', 'voucher', 'x'.repeat(41)),
  fc.constant([]),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 2 }), { maxKeys: 3 }),
);

/** Records as object literals are (fast-check also makes some without a prototype, which no builder does). */
const record = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T) =>
  fc.record(model, { noNullPrototype: true });

/**
 * Sales whose every field is valid, or with `edges`, now and then a field (at any depth) holding one of
 * `anyValue`: each bound of each field gets crossed somewhere in a few thousand runs.
 */
function sales(edges: boolean) {
  const leaf = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
    edges ? fc.oneof({ weight: 60, arbitrary: valid }, { weight: 1, arbitrary: anyValue }) : valid;
  const idText = leaf(
    fc.oneof(
      { weight: 20, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
      { weight: 1, arbitrary: fc.constantFrom('x'.repeat(240), 'é😀') },
    ),
  );
  const minor = leaf(
    fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: -10_000, max: 10_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -0) },
    ),
  );
  const percent = leaf(
    fc.oneof(fc.constantFrom(0, 7.7, 19, -0, 1e-9), fc.double({ noNaN: true, noDefaultInfinity: true })),
  );
  const name = (maxLength: number) => leaf(fc.string({ maxLength }));
  const nullable = (arbitrary: fc.Arbitrary<unknown>) => fc.option(arbitrary, { nil: null, freq: 3 });

  const lineTax = record({ rateId: idText, name: name(6), percent, amount: minor });
  const line = record({
    lineId: idText,
    sku: idText,
    name: name(8),
    qty: minor,
    unit: leaf(fc.constantFrom('each', 'kg')),
    unitPrice: minor,
    taxInclusive: leaf(fc.boolean()),
    extended: minor,
    discounts: fc.array(
      record({
        kind: leaf(fc.constantFrom('promotion', 'manual_line', 'manual_order')),
        promotionId: nullable(idText),
        amount: minor,
      }),
      { maxLength: 2 },
    ),
    net: minor,
    taxes: fc.array(lineTax, { maxLength: 2 }),
    paid: minor,
  });
  return record({
    saleId: idText,
    receiptNumber: name(12),
    nodeId: idText,
    deviceId: idText,
    shiftId: idText,
    staffId: idText,
    customerId: nullable(idText),
    currency: leaf(fc.constantFrom('EUR', 'CHF', 'JPY')),
    businessDate: leaf(fc.constantFrom('2026-12-07', '1999-01-31')),
    completedAt: leaf(
      fc.oneof(fc.constantFrom('2026-12-07T10:00:00.000Z', 'x'.repeat(40)), fc.string({ minLength: 1 })),
    ),
    lines: fc.array(line, { maxLength: 3 }),
    totals: record({
      subtotal: minor,
      discount: minor,
      tax: minor,
      total: minor,
      cashRounding: minor,
      paid: minor,
    }),
    taxes: fc.array(record({ rateId: idText, name: name(6), percent, taxable: minor, tax: minor }), {
      maxLength: 2,
    }),
    tenders: fc.array(
      record({
        tenderId: idText,
        type: leaf(fc.constantFrom(...TENDER_TYPES)),
        amount: minor,
        reference: nullable(name(8)),
        points: nullable(minor),
      }),
      { maxLength: 2 },
    ),
    promotionIds: fc.array(idText, { maxLength: 2 }),
    priceBookVersion: name(12),
    loyaltyAccountId: nullable(idText),
  });
}

const validSale = sales(false);

type Change = 'replace' | 'drop' | 'move' | 'extra' | 'prototype' | 'symbol' | 'array-prototype' | 'hole';

/** Every object and array inside `value` (itself included), so a change can land at any depth. */
function containers(value: unknown, found: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return found;
  found.push(value);
  for (const child of Object.values(value)) containers(child, found);
  return found;
}

/** A copy of `value` with `change` made to its `at`-th container (replacing its `key`-th entry). */
function changed(value: unknown, change: Change, at: number, key: number, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  const all = containers(copy);
  const target = all[at % all.length] as Record<string, unknown>;
  const keys = Object.keys(target);
  const name = keys.length === 0 ? 'extra' : keys[key % keys.length]!;
  const swap = (next: object) => {
    if (target === copy) return next;
    for (const parent of all) {
      for (const [entry, child] of Object.entries(parent)) {
        if (child === target) (parent as Record<string, unknown>)[entry] = next;
      }
    }
    return copy;
  };
  switch (change) {
    case 'replace':
      target[name] = replacement;
      return copy;
    case 'drop':
      if (Array.isArray(target)) target.length = Math.max(0, target.length - 1);
      else delete target[name];
      return copy;
    case 'move': {
      if (Array.isArray(target)) return copy;
      const moved = target[name];
      delete target[name];
      target[name] = moved;
      return copy;
    }
    case 'extra':
      target[Array.isArray(target) ? 'extra' : `${name}Extra`] = replacement;
      return copy;
    case 'prototype':
      return Array.isArray(target)
        ? copy
        : swap(Object.assign(Object.create({ inherited: 1 }) as object, target));
    case 'symbol':
      return Array.isArray(target) ? copy : swap({ ...target, [Symbol('s')]: 1 });
    case 'array-prototype': {
      if (!Array.isArray(target)) return copy;
      class Items extends Array<unknown> {}
      return swap(Items.from(target));
    }
    case 'hole':
      if (Array.isArray(target)) target.length += 1;
      return copy;
  }
}

const nearValidSales = fc
  .tuple(
    sales(true),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<Change | 'none'>('none') },
      {
        weight: 6,
        arbitrary: fc.constantFrom<Change>(
          'replace',
          'drop',
          'move',
          'extra',
          'prototype',
          'symbol',
          'array-prototype',
          'hole',
        ),
      },
    ),
    fc.nat(),
    fc.nat(),
    anyValue,
  )
  .map(([sale, change, at, key, replacement]) =>
    change === 'none' ? (sale as unknown) : changed(sale, change, at, key, replacement),
  );

describe('integration/plain-sale-data', () => {
  describe('isPlainSaleCompletedData', () => {
    it('is true only for data the catalog schema accepts and returns unchanged', () => {
      let plain = 0;
      let refused = 0;
      fc.assert(
        fc.property(nearValidSales, (data) => {
          const parsed = schema.safeParse(data);
          if (!isPlainSaleCompletedData(data)) {
            if (!parsed.success) refused += 1;
            return;
          }
          plain += 1;
          expect(parsed.success).toBe(true);
          expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(data));
          expect(parsed.data).toStrictEqual(data);
        }),
        { numRuns: 4000 },
      );
      // Both answers were exercised, and among the refusals some the schema refuses too.
      expect(plain).toBeGreaterThan(500);
      expect(refused).toBeGreaterThan(200);
    });

    it('is true for every valid sale in the schema order, so the hub skips the parse for them', () => {
      fc.assert(
        fc.property(validSale, (data) => {
          expect(schema.safeParse(data).success).toBe(true);
          expect(isPlainSaleCompletedData(data)).toBe(true);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('checkDraft', () => {
    it('keeps the sale draft the hub built as it is, without a parse that copies it', async () => {
      const events = new EventFactory({ deviceId: 'device-1', storeId: 's1' });
      const event = events.next('sale.completed', saleOf([{ sku: 'A', qty: 2 }]));
      const context = { businessDate: () => Promise.resolve('2026-12-07') } as unknown as DraftContext;
      const [draft] = await storeEventDrafts(context, event);
      expect(draft?.type).toBe('sale.completed');
      const checked = checkDraft(draft!);
      expect(checked.ok).toBe(true);
      // The schema's parse would have returned a copy of the data (and a new draft around it).
      expect((checked as { draft: EventDraft }).draft).toBe(draft);
      expect((checked as { draft: EventDraft }).draft.data).toStrictEqual(schema.parse(draft!.data));
    });

    it('still refuses sale data the schema refuses, with the schema’s reason', () => {
      const draft: EventDraft = {
        type: 'sale.completed',
        key: 'k',
        aggregateId: 'sale-1',
        occurredAt: 0,
        data: { saleId: '' } as never,
      };
      expect(checkDraft(draft)).toMatchObject({ ok: false, problem: expect.stringContaining('saleId') });
    });
  });
});
