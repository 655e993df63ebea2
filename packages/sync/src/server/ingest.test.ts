import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPayload, type EventEnvelope } from '../envelope';
import { SaleCompletedV1 } from '../events';
import { assertPushIdentity, ingestPush, type DeviceIngestTransaction, type IngestPort } from './ingest';
import type { PushRequest } from './protocol';

const adjusted = (movementId: string, delta: number) => ({
  adjustmentId: `adj-${movementId}`,
  reason: 'shelf check',
  movements: [{ movementId, sku: 'SKU-1', type: 'ADJUSTMENT', bucket: 'sellable', delta }],
  adjustedAt: '2026-11-23T10:00:00.000Z',
});

function envelope(deviceSeq: number, payload: unknown = adjusted(`m${deviceSeq}`, 1)): EventEnvelope {
  return {
    eventId: `0190f3a0-7b1c-7cc0-8a00-${String(deviceSeq).padStart(12, '0')}`,
    type: 'stock.adjusted',
    schemaVersion: 1,
    storeId: 'S1',
    deviceId: 'D1',
    deviceSeq,
    hlc: `hlc-${deviceSeq}`,
    occurredAt: '2026-11-23T10:00:00.000Z',
    txId: `tx-${deviceSeq}`,
    payload,
  };
}

/** An in-memory hub: a committed state plus copy-on-write transactions, so a failed push leaves no trace. */
class MemoryHub implements IngestPort {
  lastSeq = 0;
  applied = new Map<number, string>();
  stock = 0;
  rejections: { eventId: string; reason: string; advances: boolean }[] = [];
  applyCount = new Map<string, number>();
  failNextFinish = false;

  async withDevice<T>(_deviceId: string, work: (tx: DeviceIngestTransaction) => Promise<T>): Promise<T> {
    const draft = {
      applied: new Map(this.applied),
      stock: this.stock,
      rejections: [...this.rejections],
      applyCount: new Map(this.applyCount),
      lastSeq: this.lastSeq,
    };
    const tx: DeviceIngestTransaction = {
      lastSeq: this.lastSeq,
      appliedEventIds: async (seqs) =>
        new Map(seqs.flatMap((s) => (draft.applied.has(s) ? [[s, draft.applied.get(s)!]] : []))),
      apply: async (event, payload) => {
        if (payload.type !== 'stock.adjusted') return { status: 'rejected', reason: 'unexpected type' };
        const p = payload.payload as { movements: { delta: number }[] };
        if (p.movements.some((m) => m.delta > 100)) return { status: 'rejected', reason: 'too large' };
        for (const m of p.movements) draft.stock += m.delta;
        draft.applied.set(event.deviceSeq, event.eventId);
        draft.applyCount.set(event.eventId, (draft.applyCount.get(event.eventId) ?? 0) + 1);
        return { status: 'applied' };
      },
      rejectionReasons: async (eventIds) =>
        new Map(
          draft.rejections
            .filter((r) => r.advances && eventIds.includes(r.eventId))
            .map((r) => [r.eventId, r.reason] as const),
        ),
      reject: async (event, reason, advances) => {
        draft.rejections.push({ eventId: event.eventId, reason, advances });
        if (advances) draft.applied.set(event.deviceSeq, event.eventId);
      },
      finish: async ({ lastSeq }) => {
        if (this.failNextFinish) {
          this.failNextFinish = false;
          throw new Error('disk full');
        }
        draft.lastSeq = lastSeq;
      },
    };
    const result = await work(tx);
    this.applied = draft.applied;
    this.stock = draft.stock;
    this.rejections = draft.rejections;
    this.applyCount = draft.applyCount;
    this.lastSeq = draft.lastSeq;
    return result;
  }
}

const push = (events: EventEnvelope[]): PushRequest => ({ deviceId: 'D1', storeId: 'S1', events });

describe('server/ingest', () => {
  describe('ingestPush', () => {
    it('accepts new events, then acknowledges the same batch again as duplicates', async () => {
      const hub = new MemoryHub();
      const batch = push([envelope(1), envelope(2)]);
      const first = await ingestPush(batch, hub);
      expect(first.lastSeq).toBe(2);
      expect(first.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
      const again = await ingestPush(batch, hub);
      expect(again.lastSeq).toBe(2);
      expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect(hub.stock).toBe(2);
    });

    it('refuses events after a gap and tells the device where to resume', async () => {
      const hub = new MemoryHub();
      const ack = await ingestPush(push([envelope(1), envelope(3)]), hub);
      expect(ack).toMatchObject({ lastSeq: 1, resumeFrom: 2 });
      expect(ack.results[1]).toMatchObject({
        status: 'refused',
        reason: expect.stringMatching(/missing event 2/),
      });
      expect(hub.stock).toBe(1);
    });

    it('rejects an invalid payload, records it, and advances lastSeq past it', async () => {
      const hub = new MemoryHub();
      const ack = await ingestPush(
        push([envelope(1, { nonsense: true }), envelope(2, adjusted('big', 500))]),
        hub,
      );
      expect(ack.lastSeq).toBe(2);
      expect(ack.results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(ack.results[0]!.reason).toMatch(/Invalid stock.adjusted v1 payload/);
      expect(ack.results[1]!.reason).toBe('too large');
      expect(hub.rejections.map((r) => r.advances)).toEqual([true, true]);
    });

    it('reports a rejected event pushed again as rejected with its reason, not as a duplicate', async () => {
      const hub = new MemoryHub();
      const batch = push([envelope(1), envelope(2, adjusted('big', 500)), envelope(3)]);
      await ingestPush(batch, hub);
      const again = await ingestPush(batch, hub);
      expect(again.lastSeq).toBe(3);
      expect(again.results.map((r) => [r.status, r.reason])).toEqual([
        ['duplicate', undefined],
        ['rejected', 'too large'],
        ['duplicate', undefined],
      ]);
      expect(hub.rejections).toHaveLength(1);
      expect(hub.stock).toBe(2);
    });

    it('answers an empty push with the device’s lastSeq and changes nothing', async () => {
      const hub = new MemoryHub();
      await ingestPush(push([envelope(1), envelope(2)]), hub);
      expect(await ingestPush(push([]), hub)).toEqual({ deviceId: 'D1', lastSeq: 2, results: [] });
      expect(hub.stock).toBe(2);
    });

    it('rejects a reused sequence number without moving lastSeq', async () => {
      const hub = new MemoryHub();
      await ingestPush(push([envelope(1)]), hub);
      const impostor = { ...envelope(1), eventId: '0190f3a0-7b1c-7cc0-8a00-999999999999' };
      const ack = await ingestPush(push([impostor]), hub);
      expect(ack.results[0]).toMatchObject({
        status: 'rejected',
        reason: expect.stringMatching(/already used/),
      });
      expect(hub.rejections).toEqual([expect.objectContaining({ advances: false })]);
      expect(ack.lastSeq).toBe(1);
    });

    it('names the event it holds for a reused number and applies nothing after it in the batch', async () => {
      const hub = new MemoryHub();
      await ingestPush(push([envelope(1), envelope(2)]), hub);
      // A till restored from a backup holding event 1 wrote a different event 2, then event 3.
      const restored = { ...envelope(2), eventId: '0190f3a0-7b1c-7cc0-8a00-999999999999' };
      const ack = await ingestPush(push([envelope(1), restored, envelope(3)]), hub);
      expect(ack.results.map((r) => [r.status, r.conflictsWith])).toEqual([
        ['duplicate', undefined],
        ['rejected', envelope(2).eventId],
        ['refused', undefined],
      ]);
      expect(ack).toMatchObject({ lastSeq: 2, resumeFrom: 3 });
      expect(hub.stock).toBe(2);
      expect(hub.applyCount.has(envelope(3).eventId)).toBe(false);
    });

    it('leaves nothing behind when the transaction fails', async () => {
      const hub = new MemoryHub();
      hub.failNextFinish = true;
      await expect(ingestPush(push([envelope(1)]), hub)).rejects.toThrow(/disk full/);
      expect(hub.lastSeq).toBe(0);
      expect(hub.stock).toBe(0);
      const ack = await ingestPush(push([envelope(1)]), hub);
      expect(ack.results[0]!.status).toBe('accepted');
    });

    it('applies every event exactly once whatever the network does to the batches', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 25 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 }), fc.boolean()), { maxLength: 60 }),
          async (total, deliveries) => {
            const hub = new MemoryHub();
            const outbox = Array.from({ length: total }, (_, i) => envelope(i + 1));
            let deviceAcked = 0;
            for (const [start, size, loseAck] of deliveries) {
              // The device sends from an arbitrary point (stale retries, reordering) a run of its outbox.
              const from = start % total;
              const ack = await ingestPush(push(outbox.slice(from, from + size)), hub);
              if (!loseAck) deviceAcked = Math.max(deviceAcked, ack.lastSeq);
            }
            // Then the device drains its outbox from its ack point until the hub has everything.
            while (hub.lastSeq < total) {
              const ack = await ingestPush(push(outbox.slice(deviceAcked, deviceAcked + 5)), hub);
              deviceAcked = ack.lastSeq;
            }
            expect(hub.stock).toBe(total);
            expect([...hub.applyCount.values()].every((count) => count === 1)).toBe(true);
            expect(hub.applyCount.size).toBe(total);
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe('assertPushIdentity', () => {
    it('refuses a push for another device or store, and an event naming another device', () => {
      const principal = { deviceId: 'D1', storeId: 'S1' };
      expect(() => assertPushIdentity(push([envelope(1)]), principal)).not.toThrow();
      expect(() => assertPushIdentity({ ...push([]), deviceId: 'D2' }, principal)).toThrow(
        /only push events/,
      );
      expect(() => assertPushIdentity(push([{ ...envelope(1), storeId: 'S2' }]), principal)).toThrow(
        /names store S2/,
      );
    });
  });
});

describe('sync/server/ingest sale payloads', () => {
  const sale = () => ({
    saleId: 'sale-1',
    receiptNumber: 'S1-01-000001',
    shiftId: 'shift-1',
    staffId: 'staff-1',
    currency: 'USD',
    priceBookVersion: 'pb@1',
    promotionIds: [],
    promotions: [],
    lines: [
      {
        lineId: 'l1',
        sku: 'SKU-1',
        name: 'Tea',
        qty: 2,
        unit: 'each',
        taxCategory: 'standard',
        unitPrice: 250,
        taxInclusive: false,
        priceSource: 'price_book',
        priceBookId: 'pb',
        priceBookVersion: 1,
        extended: 500,
        adjustments: [],
        net: 500,
        taxes: [{ rateId: 'ny', name: 'NY', percent: 8.875, amount: 44 }],
        paid: 544,
      },
    ],
    totals: { subtotal: 500, discount: 0, tax: 44, total: 544, cashRounding: 0, paid: 544, change: 0 },
    tenders: [{ tenderId: 't1', type: 'card', amount: 544, reference: 'T-1' }],
    overrides: [],
    movements: [{ movementId: 'm1', sku: 'SKU-1', type: 'POS_SALE', bucket: 'sellable', delta: -2 }],
    completedAt: '2026-12-07T06:00:00.000Z',
  });

  /** What each event's applier was handed, for one push of `payloads` as sales. */
  async function handed(payloads: unknown[]) {
    const given: unknown[] = [];
    const rejected: string[] = [];
    const port: IngestPort = {
      withDevice: async (_deviceId, work) =>
        work({
          lastSeq: 0,
          appliedEventIds: async () => new Map(),
          rejectionReasons: async () => new Map(),
          apply: async (_event, payload) => {
            given.push(payload.payload);
            return { status: 'applied' };
          },
          reject: async (_event, reason) => {
            rejected.push(reason);
          },
          finish: async () => undefined,
        }),
    };
    const events = payloads.map((payload, index) => ({
      ...envelope(index + 1, payload),
      type: 'sale.completed' as const,
    }));
    await ingestPush({ deviceId: 'D1', storeId: 'S1', events }, port);
    return { given, rejected };
  }

  it('hands a sale the schema returns unchanged to its applier as sent, and any other as the schema has it', async () => {
    const plain = sale();
    const extra = { ...sale(), note: 'a key the schema strips' };
    const { saleId: _missing, ...invalid } = sale();
    const { given, rejected } = await handed([plain, extra, invalid]);
    // Not copied: the hand check (payload-checks.ts) proved the schema's output would equal it.
    expect(given[0]).toBe(plain);
    expect(given[0]).toStrictEqual(SaleCompletedV1.parse(plain));
    expect(given[1]).toStrictEqual(SaleCompletedV1.parse(extra));
    expect(given[1]).not.toHaveProperty('note');
    const check = checkPayload('sale.completed', 1, invalid);
    expect(check.ok).toBe(false);
    expect(rejected).toEqual([(check as { reason: string }).reason]);
  });
});
