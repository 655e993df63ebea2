import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PUSH_EVENTS, PushRequestSchema } from '@retail/sync';
import { pushRequestAsSent } from './push-request';

/**
 * The hand check must never let through what PushRequestSchema refuses or would return otherwise, and
 * must take every push a till sends (canonical envelopes), or the fast path would never be taken.
 */

const id = fc.oneof(
  { weight: 20, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(100), 'x'.repeat(101), 7, null) },
);

const envelope = (deviceSeq: number) =>
  fc.record(
    {
      eventId: fc.oneof(
        { weight: 20, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constant('not-a-uuid') },
      ),
      type: fc.constant('sale.completed'),
      schemaVersion: fc.constant(1),
      storeId: fc.constant('s1'),
      deviceId: fc.constant('d1'),
      deviceSeq: fc.constant(deviceSeq),
      hlc: fc.constant('000001796634776773:00000:d1'),
      occurredAt: fc.constantFrom('2026-12-07T09:12:56.773Z', '2026-12-07T09:12:56+01:00', '2026-12-07'),
      txId: fc.constant('tx'),
      payload: fc.constant({ saleId: 's' }),
    },
    { noNullPrototype: true },
  );

/** An envelope with a key the envelope schema strips, or one it lacks: only the schema may decide it. */
const twistedEnvelope = envelope(1).chain((base) =>
  fc.constantFrom<unknown>({ ...base, extra: 1 }, { ...base, txId: undefined }, [base]),
);

const events = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .integer({ min: 0, max: 4 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => envelope(i + 1)))),
  },
  { weight: 2, arbitrary: fc.array(twistedEnvelope, { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: envelope(1).map((e) => Array.from({ length: MAX_PUSH_EVENTS + 1 }, () => e)) },
  { weight: 1, arbitrary: envelope(1).map((e) => Array.from({ length: MAX_PUSH_EVENTS }, () => e)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>({ 0: 'x' }, 'events', null) },
);

const outbox = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  {
    weight: 5,
    arbitrary: fc.record({ pending: fc.integer({ min: -1, max: 5 }) }, { noNullPrototype: true }),
  },
  { weight: 3, arbitrary: fc.constant({ pending: 3, oldestPendingAt: '2026-12-07T09:12:56.773Z' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>({ pending: 3, stripped: true }, { pending: 1.5 }, 'none', null),
  },
);

const body = fc
  .record(
    {
      deviceId: id,
      storeId: id,
      events,
      outbox,
      extra: fc.option(fc.constant('stripped by the schema'), { nil: undefined }),
      shape: fc.constantFrom('plain', 'plain', 'plain', 'no-outbox-key', 'undefined-outbox-key', 'array'),
    },
    { noNullPrototype: true },
  )
  .map(({ shape, extra, outbox: report, ...fields }): unknown => {
    const value: Record<string, unknown> = { ...fields };
    if (report !== undefined || shape === 'undefined-outbox-key') value.outbox = report;
    if (extra !== undefined) value.extra = extra;
    return shape === 'array' ? [value] : value;
  });

describe('sync/push-request', () => {
  describe('pushRequestAsSent', () => {
    it('answers only what PushRequestSchema accepts and returns, and takes every push the schema accepts as sent', () => {
      let taken = 0;
      fc.assert(
        fc.property(body, (candidate) => {
          const fast = pushRequestAsSent(candidate);
          const parsed = PushRequestSchema.safeParse(candidate);
          if (fast !== undefined) {
            taken += 1;
            expect(parsed.success).toBe(true);
            expect(fast).toStrictEqual(parsed.data);
            expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
          }
          // What arrives over a socket is JSON: a body the schema accepts and returns as sent takes the
          // fast path, or it would never be taken.
          const wire = JSON.parse(JSON.stringify(candidate)) as unknown;
          const parsedWire = PushRequestSchema.safeParse(wire);
          if (parsedWire.success && JSON.stringify(parsedWire.data) === JSON.stringify(wire)) {
            expect(pushRequestAsSent(wire)).toStrictEqual(parsedWire.data);
          }
        }),
        { numRuns: 2000 },
      );
      expect(taken).toBeGreaterThan(200);
    });

    it('refuses a body the schema refuses, such as one event too many', () => {
      const one = {
        eventId: '01a24fc7-14cd-7270-a88c-06a6ad7848fa',
        type: 'sale.completed',
        schemaVersion: 1,
        storeId: 's1',
        deviceId: 'd1',
        deviceSeq: 1,
        hlc: 'h',
        occurredAt: '2026-12-07T09:12:56.773Z',
        txId: 'tx',
        payload: {},
      };
      const full = {
        deviceId: 'd1',
        storeId: 's1',
        events: Array.from({ length: MAX_PUSH_EVENTS }, () => one),
      };
      expect(pushRequestAsSent(full)).toStrictEqual(PushRequestSchema.parse(full));
      const over = { ...full, events: [...full.events, one] };
      expect(PushRequestSchema.safeParse(over).success).toBe(false);
      expect(pushRequestAsSent(over)).toBeUndefined();
    });
  });
});
