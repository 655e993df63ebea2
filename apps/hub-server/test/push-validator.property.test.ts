import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURRENT_VERSION,
  type EventEnvelope,
  type EventPayloads,
  type EventType,
  type PushAck,
} from '@retail/sync';
import { buildApp } from '../src/api/app';
import { createHubContext, type HubContext } from '../src/hub-context';
import { verifyProjections } from '../src/inventory/ledger-reads';
import type { Storage } from '../src/storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../src/test-support/backends';
import { readBooks } from '../src/test-support/books';
import {
  adjustment,
  enrollTestDevice,
  ISO,
  movement,
  receiptOf,
  saleOf,
  seedWorld,
} from '../src/test-support/fixtures';

/**
 * The push validator under arbitrary input (DESIGN §5 "Isolation"): whatever a device sends to
 * `POST /sync/push`, the hub answers without a 5xx; a malformed envelope refuses the batch and changes
 * nothing; any event-level problem rejects that event alone, which then applies nothing, while the good
 * event behind it in the same batch applies. 1,000 runs per property in CI, 60 locally.
 */
const RUNS = process.env.CI ? 1_000 : 60;
/**
 * The run count bounds the work; the timeout only catches a hang. A run is an HTTP round trip and two reads
 * of every book: ~0.7 s on PostgreSQL at a load average near 20 on 2 cores (1,000 runs took 712 s), so
 * 1 s a run was too close to an idle machine's pace.
 */
const PROPERTY_TIMEOUT_MS = RUNS * 3_000;
/** Moved only by the sentinel event that follows each mutated one; no mutation names it. */
const SENTINEL_SKU = 'SENTINEL';

const awkwardValues: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    9007199254740991,
    -9007199254740991,
    2 ** 53,
    1e308,
    -1,
    0,
    0.5,
    '',
    'x'.repeat(5_000),
    null,
    true,
    [],
    {},
    'A',
    'B',
    's1',
    's2',
    'USD',
    ISO,
    'not a date',
  ),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Every path to a value inside `value`, objects and arrays included. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

interface Mutation {
  readonly pick: number;
  readonly action: 'replace' | 'delete';
  readonly value: unknown;
}

function mutate(value: unknown, mutations: readonly Mutation[]): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  for (const mutation of mutations) {
    const paths = pathsOf(copy);
    if (paths.length === 0) break;
    const path = paths[mutation.pick % paths.length]!;
    let parent = copy as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (mutation.action === 'delete' && !Array.isArray(parent)) delete parent[last];
    else parent[last] = structuredClone(mutation.value);
  }
  return copy;
}

const mutations = fc.array(
  fc.record({
    pick: fc.nat(),
    action: fc.constantFrom('replace' as const, 'delete' as const),
    value: awkwardValues,
  }),
  { minLength: 1, maxLength: 3 },
);

/** Valid payloads of every kind of store event, which the mutations then break. */
function templates(): { type: EventType; payload: unknown }[] {
  const sale = saleOf([{ sku: 'A', qty: 2 }], { staffId: 'staff-p1' });
  const returnId = randomUUID();
  const withReceipt: EventPayloads['return.completed'] = {
    returnId,
    receiptNumber: `RT-${returnId.slice(0, 8)}`,
    originalSaleId: sale.saleId,
    shiftId: 'shift-p1',
    staffId: 'staff-p1',
    currency: 'USD',
    lines: [
      {
        returnLineId: randomUUID(),
        originalLineId: sale.lines[0]!.lineId,
        sku: 'A',
        qty: 1,
        refund: 100,
        disposition: 'sellable',
      },
    ],
    refunds: [{ tenderId: randomUUID(), type: 'store_credit', amount: 100, reference: `SC-${returnId}` }],
    movements: [movement('A', 1, 'RETURN_RESTOCK')],
    completedAt: ISO,
  };
  return [
    { type: 'sale.completed', payload: { ...sale, shiftId: 'shift-p1' } },
    { type: 'return.completed', payload: withReceipt },
    {
      type: 'sale.voided',
      payload: {
        saleId: sale.saleId,
        receiptNumber: sale.receiptNumber,
        reason: 'test',
        override: { managerId: 'staff-p1', reason: 'void', at: ISO },
        currency: 'USD',
        refunds: [],
        movements: [movement('A', 2, 'POS_VOID')],
        voidedAt: ISO,
      },
    },
    { type: 'stock.received', payload: receiptOf([{ sku: 'B', qty: 5 }]) },
    { type: 'stock.adjusted', payload: adjustment(movement('B', -1)) },
    {
      type: 'stock.counted',
      payload: {
        countId: randomUUID(),
        sku: 'B',
        bucket: 'sellable',
        expectedQty: 3,
        countedQty: 4,
        movements: [movement('B', 1, 'COUNT_ADJUSTMENT')],
        countedAt: ISO,
      },
    },
    {
      type: 'stock.transferred_out',
      payload: {
        transferId: randomUUID(),
        toNodeId: 's2',
        lines: [{ sku: 'B', qty: 1 }],
        movements: [movement('B', -1, 'TRANSFER_OUT')],
        shippedAt: ISO,
      },
    },
    {
      type: 'shift.opened',
      payload: {
        shiftId: `shift-${randomUUID()}`,
        staffId: 'staff-p1',
        currency: 'USD',
        float: 100,
        openedAt: ISO,
      },
    },
    {
      type: 'shift.closed',
      payload: {
        shiftId: 'shift-p1',
        staffId: 'staff-p1',
        currency: 'USD',
        float: 100,
        expectedCash: 100,
        countedCash: 100,
        overShort: 0,
        denominations: [{ value: 100, count: 1 }],
        totals: { sales: 0, returns: 0, cashIn: 0, cashOut: 0, byTender: { cash: 0 } },
        closedAt: ISO,
      },
    },
    {
      type: 'customer.created',
      payload: { customerId: randomUUID(), name: 'Pat', phone: '+15551230000', createdAt: ISO },
    },
    {
      type: 'bopis.accepted',
      payload: {
        orderId: randomUUID(),
        transitionId: randomUUID(),
        basedOn: { version: 1, transitionId: randomUUID() },
        at: ISO,
      },
    },
  ];
}

describe.each(backendKinds())('push validator under arbitrary input on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let baseUrl: string;
  let device: { deviceId: string; storeId: string; credential: string };
  let lastSeq = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B', SENTINEL_SKU] });
    ({ app } = await buildApp({ hub, rateLimit: { perSecond: 100_000, burst: 100_000 } }));
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    device = await enrollTestDevice(hub, 's1');
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  function envelope(type: string, payload: unknown, deviceSeq: number): EventEnvelope {
    return {
      eventId: randomUUID(),
      type,
      schemaVersion: CURRENT_VERSION[type as EventType] ?? 1,
      storeId: device.storeId,
      deviceId: device.deviceId,
      deviceSeq,
      hlc: `${String(deviceSeq).padStart(15, '0')}:00000:${device.deviceId}`,
      occurredAt: ISO,
      txId: randomUUID(),
      payload,
    };
  }

  async function post(body: string): Promise<{ status: number; ack?: PushAck }> {
    const response = await fetch(`${baseUrl}/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${device.credential}` },
      body,
    });
    const answer = (await response.json()) as { value?: PushAck };
    if (answer.value !== undefined) lastSeq = answer.value.lastSeq;
    return { status: response.status, ...(answer.value === undefined ? {} : { ack: answer.value }) };
  }

  it(
    'answers an arbitrary body without a 5xx and applies nothing unless it is a valid push',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.jsonValue({ maxDepth: 4 }),
            fc.record({ deviceId: awkwardValues, storeId: awkwardValues, events: fc.array(awkwardValues) }),
          ),
          async (body) => {
            const before = await readBooks(storage.db);
            const { status } = await post(JSON.stringify(body));
            expect(status).toBeLessThan(500);
            expect(await readBooks(storage.db)).toEqual(before);
          },
        ),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'rejects a mutated event alone, with nothing of it applied, and applies the good event behind it',
    async () => {
      const kinds = templates();
      await fc.assert(
        fc.asyncProperty(fc.nat(kinds.length - 1), mutations, async (index, applied) => {
          const template = templates()[index]!;
          const before = await readBooks(storage.db, { skipSkus: [SENTINEL_SKU] });
          const mutated = envelope(template.type, mutate(template.payload, applied), lastSeq + 1);
          const sentinel = envelope('stock.adjusted', adjustment(movement(SENTINEL_SKU, 1)), lastSeq + 2);
          const { status, ack } = await post(
            JSON.stringify({
              deviceId: device.deviceId,
              storeId: device.storeId,
              events: [mutated, sentinel],
            }),
          );
          expect(status).toBe(200);
          expect(ack!.results.map((result) => result.status)).toEqual([
            expect.stringMatching(/^(accepted|rejected)$/),
            'accepted',
          ]);
          if (ack!.results[0]!.status === 'rejected') {
            expect(ack!.results[0]!.reason).toEqual(expect.any(String));
            expect(await readBooks(storage.db, { skipSkus: [SENTINEL_SKU] })).toEqual(before);
          }
        }),
        { numRuns: RUNS },
      );
      // Whatever was accepted on the way, every balance is still the sum of its movements.
      expect(await verifyProjections(storage.db)).toEqual([]);
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'refuses a malformed envelope with the whole batch and changes nothing',
    async () => {
      const fields = [
        'eventId',
        'type',
        'schemaVersion',
        'storeId',
        'deviceId',
        'deviceSeq',
        'hlc',
        'occurredAt',
        'txId',
      ];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), awkwardValues, async (field, value) => {
          const before = await readBooks(storage.db);
          const seqBefore = lastSeq;
          const good = envelope('stock.adjusted', adjustment(movement('B', 1)), lastSeq + 1);
          const broken = { ...good, [field]: value };
          const { status, ack } = await post(
            JSON.stringify({ deviceId: device.deviceId, storeId: device.storeId, events: [broken] }),
          );
          expect(status).toBeLessThan(500);
          if (status !== 200) {
            expect(await readBooks(storage.db)).toEqual(before);
            expect(lastSeq).toBe(seqBefore);
          } else {
            // The field held a valid value after all (or one the hub deals with per event).
            expect(ack!.results).toHaveLength(1);
          }
        }),
        { numRuns: RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
