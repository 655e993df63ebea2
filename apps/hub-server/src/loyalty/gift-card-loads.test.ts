import { createHash, randomUUID } from 'node:crypto';
import { StoredValueSettingsSchema } from '@retail/domain';
import type { EventPayloads } from '@retail/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, enrollTestDevice, saleOf, seedWorld } from '../test-support/fixtures';
import { saveStoredValueSettings } from './loyalty-config';
import { issueStoredCredit, storedValueByNumber } from './loyalty-service';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-23T10:00:00.000Z');

function digest(number: string): string {
  return createHash('sha256').update(number, 'utf8').digest('hex');
}

describe.each(backendKinds())('loyalty/gift card loads on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let till: EventFactory;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => T0);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    await saveStoredValueSettings(
      storage.db,
      StoredValueSettingsSchema.parse({
        currency: 'USD',
        holdTtlMs: 300_000,
        offline: {
          maxSnapshotAgeMs: DAY,
          perTransactionCap: { amount: 1_000, currency: 'USD' },
          perDeviceDayCap: { amount: 1_000, currency: 'USD' },
        },
      }),
      'test',
      T0,
    );
    const device = await enrollTestDevice(hub, 's1');
    till = new EventFactory({ deviceId: device.deviceId, storeId: 's1' });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function push(payload: EventPayloads['sale.completed']) {
    const ack = await pushEvents(hub, till.device, {
      ...till.device,
      events: [till.next('sale.completed', payload as unknown as Record<string, unknown>)],
    });
    expect(ack.results.map((result) => result.status)).toEqual(['accepted']);
  }

  function newNumber(): string {
    return `GC${randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase()}`;
  }

  /** A sale of gift cards alone, paid by `tenders` (cash for the whole amount unless given). */
  function cardSale(
    loads: { number: string; kind: 'activate' | 'reload'; amount: number; lineId?: string }[],
    tenders?: EventPayloads['sale.completed']['tenders'],
  ): EventPayloads['sale.completed'] {
    const total = loads.reduce((sum, load) => sum + load.amount, 0);
    return {
      ...saleOf([]),
      lines: [],
      movements: [],
      giftCards: loads.map((load) => ({
        lineId: load.lineId ?? randomUUID(),
        kind: load.kind,
        numberDigest: digest(load.number),
        maskedNumber: `****${load.number.slice(-4)}`,
        amount: load.amount,
      })),
      totals: { subtotal: total, discount: 0, tax: 0, total, cashRounding: 0, paid: total, change: 0 },
      tenders: tenders ?? [{ tenderId: randomUUID(), type: 'cash', amount: total }],
    };
  }

  async function reviews(saleId: string) {
    return (
      await storage.db
        .selectFrom('exceptions')
        .select('details')
        .where('type', '=', 'GIFT_CARD_LOAD_REVIEW')
        .execute()
    )
      .filter((row) => row.details.includes(saleId))
      .map((row) => JSON.parse(row.details) as { message: string });
  }

  it('activates a card sold at a till with what was paid, once per load however often it arrives', async () => {
    const number = newNumber();
    const lineId = randomUUID();
    await expect(storedValueByNumber(hub, { number })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const sale = cardSale([{ number, kind: 'activate', amount: 2_500, lineId }]);
    await push(sale);
    const card = await storedValueByNumber(hub, { number });
    expect(card.account).toMatchObject({ kind: 'gift_card', maskedNumber: `****${number.slice(-4)}` });
    expect(card.snapshot.available.amount).toBe(2_500);
    // The same load again (a till that resent its sale under another id) loads nothing more.
    await push({ ...cardSale([{ number, kind: 'activate', amount: 2_500, lineId }]) });
    expect((await storedValueByNumber(hub, { number })).snapshot.available.amount).toBe(2_500);
    expect(await reviews(sale.saleId)).toEqual([]);
  });

  it('reloads a card, next to items, and not with the card’s own value', async () => {
    const number = newNumber();
    const accountId = await inHubTransaction(hub, (tx) =>
      issueStoredCredit(tx, {
        number,
        issueId: randomUUID(),
        amount: 1_000,
        currency: 'USD',
        kind: 'gift_card',
      }),
    );
    const items = saleOf([{ sku: 'A', qty: 2 }]);
    await push({
      ...items,
      giftCards: cardSale([{ number, kind: 'reload', amount: 500 }]).giftCards!,
      totals: { ...items.totals, subtotal: 700, total: 700, paid: 700 },
      tenders: [{ tenderId: randomUUID(), type: 'card', amount: 700, reference: 'T-1' }],
    });
    expect((await storedValueByNumber(hub, { number })).snapshot.available.amount).toBe(1_500);
    const ownValue = cardSale(
      [{ number, kind: 'reload', amount: 500 }],
      [{ tenderId: randomUUID(), type: 'gift_card', amount: 500, reference: accountId }],
    );
    await push(ownValue);
    // The payment from the card is booked (the till took it); the load it was to pay for is not.
    expect((await storedValueByNumber(hub, { number })).snapshot.available.amount).toBe(1_000);
    expect(await reviews(ownValue.saleId)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/do not cover its items and gift cards/) }),
    ]);
  });

  it('loads nothing a sale did not pay for, and raises it for review', async () => {
    const number = newNumber();
    const unpaid = cardSale(
      [{ number, kind: 'activate', amount: 10_000 }],
      [{ tenderId: randomUUID(), type: 'cash', amount: 100 }],
    );
    await push(unpaid);
    await expect(storedValueByNumber(hub, { number })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await reviews(unpaid.saleId)).toHaveLength(1);
  });

  it('does not activate a card that already has value, nor load store credit', async () => {
    const number = newNumber();
    await inHubTransaction(hub, (tx) =>
      issueStoredCredit(tx, {
        number,
        issueId: randomUUID(),
        amount: 800,
        currency: 'USD',
        kind: 'gift_card',
      }),
    );
    const twice = cardSale([{ number, kind: 'activate', amount: 2_000 }]);
    await push(twice);
    expect((await storedValueByNumber(hub, { number })).snapshot.available.amount).toBe(800);
    expect(await reviews(twice.saleId)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/already had value/) }),
    ]);
    const slip = `SC${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    await inHubTransaction(hub, (tx) =>
      issueStoredCredit(tx, { number: slip, issueId: randomUUID(), amount: 300, currency: 'USD' }),
    );
    const ontoCredit = cardSale([{ number: slip, kind: 'reload', amount: 1_000 }]);
    await push(ontoCredit);
    expect((await storedValueByNumber(hub, { number: slip })).snapshot.available.amount).toBe(300);
    expect(await reviews(ontoCredit.saleId)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/store credit slip/) }),
    ]);
  });
});
