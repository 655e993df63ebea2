import { MAX_AMOUNT, MAX_LINE_QTY, MAX_STOCK_QTY } from '@retail/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventEnvelopeSchema } from './envelope';
import { SaleCompletedV1 } from './events';
import { isEventEnvelope, isSaleCompletedV1 } from './payload-checks';

/**
 * The hand-written checks must never let through what the schema refuses or would change: true only when
 * zod accepts the value and returns it unchanged (deep, key order included, so the JSON is the same text).
 * On canonical values (every key the till writes, in the schema's order) they must also accept whatever
 * zod accepts, or the fast path would never be taken.
 */

/** Mostly valid values, now and then one the schema refuses: a payload has dozens of fields. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 200, arbitrary: valid }, { weight: 1, arbitrary: invalid });
const text = (max: number) =>
  fc.oneof(
    { weight: 200, arbitrary: fc.string({ minLength: 1, maxLength: Math.min(max, 12) }) },
    { weight: 4, arbitrary: fc.constantFrom('x'.repeat(max), 'é😀') },
    { weight: 2, arbitrary: fc.constantFrom('', 'x'.repeat(max + 1)) },
  );
const id = text(100);
const edgeInts = (min: number, max: number) =>
  fc.oneof(
    { weight: 200, arbitrary: fc.integer({ min: Math.max(min, -1_000), max: Math.min(max, 1_000) }) },
    { weight: 4, arbitrary: fc.constantFrom(min, max, -0) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(min - 1, max + 1, 0.5, Number.NaN, Infinity, 2 ** 53, -(2 ** 53)),
    },
  );
const amount = edgeInts(-MAX_AMOUNT, MAX_AMOUNT);
const isoTime = mostly(
  fc.constantFrom('2026-12-07T05:40:00.123Z', '2026-12-07T05:40:00Z', '2024-02-29T23:59:59+01:00'),
  fc.constantFrom('2026-12-07', '2026-02-30T00:00:00Z', '2026-12-07T05:40:00', 'now', ''),
);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

/** An object with its keys in the given order, leaving out optional ones that came out undefined. */
function ordered(entries: [string, unknown, boolean?][]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [key, field, optionalKey] of entries) {
    if (optionalKey && field === undefined) continue;
    value[key] = field;
  }
  return value;
}

const adjustment = fc
  .record({
    kind: mostly(fc.constantFrom('promotion', 'manual_line', 'manual_order'), fc.constant('price_override')),
    promotionId: optional(id),
    amount,
    reason: text(200),
    givenBy: optional(id),
  })
  .map((a) =>
    ordered([
      ['kind', a.kind],
      ['promotionId', a.promotionId, true],
      ['amount', a.amount],
      ['reason', a.reason],
      ['givenBy', a.givenBy, true],
    ]),
  );
const tax = fc
  .record({
    rateId: id,
    name: text(100),
    percent: mostly(
      fc.oneof(fc.double({ min: 0, max: 30, noNaN: true }), fc.constant(5.5)),
      fc.constantFrom(Infinity, Number.NaN),
    ),
    amount,
  })
  .map((t) =>
    ordered([
      ['rateId', t.rateId],
      ['name', t.name],
      ['percent', t.percent],
      ['amount', t.amount],
    ]),
  );
const line = fc
  .record({
    lineId: id,
    sku: id,
    name: text(200),
    qty: edgeInts(-MAX_LINE_QTY, MAX_LINE_QTY),
    unit: mostly(fc.constantFrom('each', 'kg'), fc.constant('box')),
    taxCategory: id,
    unitPrice: amount,
    taxInclusive: mostly(fc.boolean(), fc.constant(1)),
    priceSource: mostly(fc.constantFrom('price_book', 'label', 'override'), fc.constant('manual')),
    priceBookId: optional(id),
    priceBookVersion: optional(edgeInts(1, Number.MAX_SAFE_INTEGER)),
    originalUnitPrice: optional(amount),
    extended: amount,
    adjustments: fc.array(adjustment, { maxLength: 3 }),
    net: amount,
    taxes: fc.array(tax, { maxLength: 2 }),
    paid: amount,
  })
  .map((l) =>
    ordered(
      Object.entries(l).map(([key, field]) => [
        key,
        field,
        ['priceBookId', 'priceBookVersion', 'originalUnitPrice'].includes(key),
      ]),
    ),
  );
const tender = fc
  .record({
    tenderId: id,
    type: mostly(
      fc.constantFrom('cash', 'card', 'store_credit', 'gift_card', 'loyalty_points'),
      fc.constant('cheque'),
    ),
    amount,
    tendered: optional(amount),
    change: optional(amount),
    reference: optional(text(100)),
    points: optional(edgeInts(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  })
  .map((t) =>
    ordered(
      Object.entries(t).map(([key, field]) => [key, field, !['tenderId', 'type', 'amount'].includes(key)]),
    ),
  );
const giftCard = fc
  .record({
    lineId: id,
    kind: mostly(fc.constantFrom('activate', 'reload'), fc.constant('refund')),
    numberDigest: mostly(
      fc.constantFrom('a'.repeat(64), '0123456789abcdef'.repeat(4)),
      fc.constantFrom('A'.repeat(64), 'a'.repeat(63)),
    ),
    maskedNumber: text(40),
    amount: mostly(fc.integer({ min: 1, max: MAX_AMOUNT }), fc.oneof(amount, fc.constant(0))),
  })
  .map((g) => ordered(Object.entries(g).map(([key, field]) => [key, field])));
const override = fc
  .record({
    managerId: id,
    reason: text(200),
    at: isoTime,
    auditRef: optional(id),
    action: optional(text(60)),
  })
  .map((o) =>
    ordered(Object.entries(o).map(([key, field]) => [key, field, key === 'auditRef' || key === 'action'])),
  );
const movement = fc
  .record({
    movementId: id,
    sku: id,
    type: mostly(fc.constantFrom('POS_SALE', 'RECEIPT'), fc.constant('SOLD')),
    bucket: mostly(fc.constantFrom('sellable', 'damaged'), fc.constant('shelf')),
    delta: edgeInts(-MAX_STOCK_QTY, MAX_STOCK_QTY),
    reason: optional(text(200)),
  })
  .map((m) => ordered(Object.entries(m).map(([key, field]) => [key, field, key === 'reason'])));

const sale = fc
  .record({
    saleId: id,
    receiptNumber: fc.oneof(fc.constant('S001-3-000001'), text(60)),
    shiftId: id,
    staffId: id,
    customerId: optional(id),
    currency: mostly(fc.constantFrom('EUR', 'JPY'), fc.constantFrom('eur', 'EURO')),
    priceBookVersion: fc.oneof(fc.constant('pb-chain@7'), text(2000)),
    promotionIds: fc.array(id, { maxLength: 2 }),
    promotions: fc.array(
      fc.record({ promotionId: id, version: edgeInts(1, Number.MAX_SAFE_INTEGER) }).map((p) =>
        ordered([
          ['promotionId', p.promotionId],
          ['version', p.version],
        ]),
      ),
      { maxLength: 2 },
    ),
    lines: fc.array(line, { minLength: 1, maxLength: 4 }),
    giftCards: optional(fc.array(giftCard, { maxLength: 2 })),
    totals: fc
      .record({
        subtotal: amount,
        discount: amount,
        tax: amount,
        total: amount,
        cashRounding: amount,
        paid: amount,
        change: amount,
      })
      .map((t) => ordered(Object.entries(t).map(([key, field]) => [key, field]))),
    tenders: fc.array(tender, { minLength: 1, maxLength: 3 }),
    loyalty: optional(
      fc
        .record({
          accountId: id,
          pointsEarned: edgeInts(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
          pointsRedeemed: edgeInts(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
          holdId: optional(id),
        })
        .map((l) => ordered(Object.entries(l).map(([key, field]) => [key, field, key === 'holdId']))),
    ),
    overrides: fc.array(override, { maxLength: 2 }),
    settingsVersion: optional(edgeInts(0, Number.MAX_SAFE_INTEGER)),
    staffRoles: optional(
      fc
        .dictionary(
          mostly(id, fc.constant('')),
          mostly(fc.constantFrom('cashier', 'manager'), fc.constant('owner')),
          { maxKeys: 2 },
          // fast-check's dictionaries have no prototype; the till's objects (and zod's output) do.
        )
        .map((roles) => ({ ...roles })),
    ),
    movements: fc.array(movement, { maxLength: 3 }),
    completedAt: isoTime,
  })
  .map((s) =>
    ordered(
      Object.entries(s).map(([key, field]) => [
        key,
        field,
        ['customerId', 'giftCards', 'loyalty', 'settingsVersion', 'staffRoles'].includes(key),
      ]),
    ),
  );

/** A twist zod might take but return changed (or refuse): a key dropped, added, moved, or made undefined. */
type Twist = { kind: 'none' } | { kind: 'drop' | 'extra' | 'undefine' | 'first' | 'wrap'; path: number[] };

function twisted(value: unknown, twist: Twist): unknown {
  if (twist.kind === 'none') return value;
  const copy = structuredClone(value) as Record<string, unknown>;
  // Walk down to one nested object by indexes into its object or array children.
  let target: Record<string, unknown> = copy;
  for (const step of twist.path) {
    const children = Object.values(target).filter(
      (child): child is Record<string, unknown> => typeof child === 'object' && child !== null,
    );
    if (children.length === 0) break;
    const next = children[step % children.length]!;
    if (Array.isArray(next)) {
      if (next.length === 0) break;
      const item = next[step % next.length];
      if (typeof item !== 'object' || item === null) break;
      target = item as Record<string, unknown>;
    } else target = next;
  }
  const keys = Object.keys(target);
  const key = keys[(twist.path[0] ?? 0) % Math.max(keys.length, 1)];
  switch (twist.kind) {
    case 'drop':
      if (key !== undefined) delete target[key];
      break;
    case 'extra':
      target.extraKey = 'stripped by the schema';
      break;
    case 'undefine':
      if (key !== undefined) target[key] = undefined;
      break;
    case 'first':
      if (key !== undefined) {
        const moved = target[key];
        delete target[key];
        const rest = { ...target };
        for (const other of Object.keys(target)) delete target[other];
        Object.assign(target, { [key]: moved }, rest);
      }
      break;
    case 'wrap':
      if (key !== undefined) target[key] = [target[key]];
      break;
  }
  return copy;
}

const twist: fc.Arbitrary<Twist> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'drop' as const,
        'extra' as const,
        'undefine' as const,
        'first' as const,
        'wrap' as const,
      ),
      path: fc.array(fc.nat(7), { maxLength: 3 }),
    }),
  },
);

function expectUnchangedBySchema(
  schema: { safeParse(value: unknown): { success: boolean; data?: unknown } },
  value: unknown,
) {
  const parsed = schema.safeParse(value);
  expect(parsed.success).toBe(true);
  expect(parsed.data).toStrictEqual(value);
  expect(JSON.stringify(parsed.data)).toBe(JSON.stringify(value));
}

describe('isSaleCompletedV1', () => {
  it('accepts only what SaleCompletedV1 accepts and returns unchanged, and accepts every canonical payload it accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(sale, twist, (base, change) => {
        const candidate = twisted(base, change);
        const fast = isSaleCompletedV1(candidate);
        if (fast) {
          accepted += 1;
          expectUnchangedBySchema(SaleCompletedV1, candidate);
        }
        if (change.kind === 'none') expect(fast).toBe(SaleCompletedV1.safeParse(candidate).success);
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('leaves to the schema what only the schema may fill in or refuse', () => {
    const valid = {
      saleId: 's',
      receiptNumber: 'S001-3-000001',
      shiftId: 'sh',
      staffId: 'st',
      currency: 'EUR',
      priceBookVersion: 'pb@1',
      promotionIds: [],
      promotions: [],
      lines: [],
      giftCards: [
        { lineId: 'g', kind: 'activate', numberDigest: 'a'.repeat(64), maskedNumber: '****1', amount: 5 },
      ],
      totals: { subtotal: 5, discount: 0, tax: 0, total: 5, cashRounding: 0, paid: 5, change: 0 },
      tenders: [{ tenderId: 't', type: 'cash', amount: 5, tendered: 5, change: 0 }],
      overrides: [],
      movements: [],
      completedAt: '2026-12-07T05:40:00.000Z',
    };
    expect(isSaleCompletedV1(valid)).toBe(true);
    expectUnchangedBySchema(SaleCompletedV1, valid);
    // The schema's defaults: accepted by zod, but changed by it, so not by the hand check.
    const { promotions: _promotions, ...noPromotions } = valid;
    expect(SaleCompletedV1.safeParse(noPromotions).success).toBe(true);
    expect(isSaleCompletedV1(noPromotions)).toBe(false);
    // The refinement: a sale of nothing.
    expect(isSaleCompletedV1({ ...valid, giftCards: [] })).toBe(false);
    expect(SaleCompletedV1.safeParse({ ...valid, giftCards: [] }).success).toBe(false);
    expect(isSaleCompletedV1({ ...valid, tenders: [] })).toBe(false);
    expect(isSaleCompletedV1(Object.assign(Object.create(null), valid))).toBe(false);
    // A device's JSON may name a staff member `__proto__`: zod's record output cannot keep that key.
    const { movements, completedAt, ...head } = valid;
    const roles = { ...head, staffRoles: { st: 'cashier' }, movements, completedAt };
    expect(isSaleCompletedV1(roles)).toBe(true);
    const protoRoles = { ...roles, staffRoles: JSON.parse('{"__proto__":"cashier"}') as unknown };
    expect(SaleCompletedV1.parse(protoRoles)).not.toStrictEqual(protoRoles);
    expect(isSaleCompletedV1(protoRoles)).toBe(false);
  });
});

describe('isEventEnvelope', () => {
  const envelope = fc
    .record({
      eventId: mostly(fc.uuid(), fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-000000000000', '')),
      type: text(60),
      schemaVersion: edgeInts(1, 2_147_483_647),
      storeId: id,
      deviceId: id,
      deviceSeq: edgeInts(1, Number.MAX_SAFE_INTEGER),
      hlc: text(120),
      occurredAt: isoTime,
      txId: id,
      causes: optional(fc.array(id, { maxLength: 3 })),
      payload: fc.oneof(fc.constant({ saleId: 's' }), fc.constant(null), fc.constant(undefined)),
    })
    .map((e) => ordered(Object.entries(e).map(([key, field]) => [key, field, key === 'causes'])));

  it('accepts only what EventEnvelopeSchema accepts and returns unchanged, and every canonical one it accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(envelope, twist, (base, change) => {
        const candidate = twisted(base, change);
        const fast = isEventEnvelope(candidate);
        if (fast) {
          accepted += 1;
          expectUnchangedBySchema(EventEnvelopeSchema, candidate);
        }
        if (change.kind === 'none') expect(fast).toBe(EventEnvelopeSchema.safeParse(candidate).success);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});
