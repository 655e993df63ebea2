import { randomUUID } from 'node:crypto';
import { LoyaltyEntrySchema, LoyaltyProgrammeSchema, type TaxRate } from '@retail/domain';
import type { EventPayloads, PushAck } from '@retail/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCatalog } from '../catalog/catalog-store';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { customerAnswer, recordNewCustomer } from '../loyalty/customers';
import { saveProgramme } from '../loyalty/loyalty-config';
import { referenceStats } from '../storage/reference-versions';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  EventFactory,
  enrollTestDevice,
  loadTillPricing,
  pricedSaleOf,
  saleOf,
  seedPricing,
  seedWorld,
  type TillPricing,
} from '../test-support/fixtures';
import { pushEvents } from './hub-ingest';

/**
 * Tax rates and the loyalty programme's history are kept by each hub process between pushes
 * (storage/reference-versions.ts). Two storages on one database stand for two hub processes: process A
 * changes the data the way HQ does, and process B's next push must use the change, never what it kept.
 */
const SALE_AT = Date.parse('2026-11-23T10:00:00.000Z');
const DAY = 86_400_000;
const TAX: TaxRate = {
  rateId: 'ny',
  name: 'NY sales tax',
  jurisdictionId: 'US-NY',
  taxCategory: 'standard',
  percent: 8.875,
};

function programme(earnPoints: number) {
  return LoyaltyProgrammeSchema.parse({
    programmeId: 'rewards',
    currency: 'USD',
    returnWindowDays: 30,
    pointsExpiryDays: 365,
    pointValue: { points: 100, value: { amount: 100, currency: 'USD' } },
    holdTtlMs: 5 * 60_000,
    offline: { maxSnapshotAgeMs: 2 * DAY, perTransactionCapPoints: 1_000, perDeviceDayCapPoints: 3_000 },
    tiers: [{ tierId: 'base', name: 'Member', earnPoints, earnPerMinor: 100, qualifyingPoints: 0 }],
  });
}

interface Processes {
  readonly database: TestDatabase;
  readonly a: { storage: Storage; hub: HubContext };
  readonly b: { storage: Storage; hub: HubContext };
  readonly device: EventFactory;
}

async function twoProcesses(kind: 'sqlite' | 'postgres', skus: string[]): Promise<Processes> {
  const database = await createTestDatabase(kind);
  const open = async () => {
    const storage = await database.open();
    return { storage, hub: createHubContext(storage) };
  };
  const a = await open();
  await seedWorld(a.hub, { nodes: ['s1'], skus });
  const b = await open();
  const enrolled = await enrollTestDevice(a.hub, 's1');
  return { database, a, b, device: new EventFactory({ deviceId: enrolled.deviceId, storeId: 's1' }) };
}

async function closeProcesses(processes: Processes | undefined): Promise<void> {
  await processes?.a.storage.close();
  await processes?.b.storage.close();
  await processes?.database.dispose();
}

function pushSale(processes: Processes, sale: EventPayloads['sale.completed']): Promise<PushAck> {
  const { device } = processes;
  return pushEvents(processes.b.hub, device.device, {
    ...device.device,
    events: [device.next('sale.completed', { ...sale, staffId: 'staff-s1' })],
  });
}

async function pricingAudits(storage: Storage): Promise<number> {
  const rows = await storage.db
    .selectFrom('exceptions')
    .select('exception_id')
    .where('type', '=', 'PRICING_AUDIT')
    .execute();
  return rows.length;
}

describe.each(backendKinds())('reference data kept across pushes on %s', (kind) => {
  describe('tax rates', () => {
    let processes: Processes;
    let before: TillPricing;

    beforeAll(async () => {
      processes = await twoProcesses(kind, ['A', 'B']);
      before = await seedPricing(processes.a.hub, { skus: ['A', 'B'], taxRate: TAX });
    });
    afterAll(() => closeProcesses(processes));

    it("uses another process's new rate on its next push, and reads the rates only when they changed", async () => {
      const sale = () => pricedSaleOf(before, [{ sku: 'A', qty: 2 }], { at: SALE_AT });
      expect((await pushSale(processes, sale())).results[0]?.status).toBe('accepted');
      const reads = referenceStats.reads;
      expect((await pushSale(processes, sale())).results[0]?.status).toBe('accepted');
      // Process B kept the rates of its first push: its second read none.
      expect(referenceStats.reads).toBe(reads);
      expect(await pricingAudits(processes.a.storage)).toBe(0);

      // Process A raises the rate, as HQ's catalog import does.
      await inHubTransaction(processes.a.hub, (tx) =>
        writeCatalog(tx, [{ kind: 'tax_rate', data: { ...TAX, percent: 10 } }]),
      );
      const after = await loadTillPricing(processes.a.storage.db);
      // A till that priced with the old rate is caught by process B's very next push...
      expect((await pushSale(processes, sale())).results[0]?.status).toBe('accepted');
      expect(await pricingAudits(processes.a.storage)).toBe(1);
      // ...and one that priced with the new rate passes.
      const current = pricedSaleOf(after, [{ sku: 'A', qty: 2 }], { at: SALE_AT });
      expect(current.totals.tax).not.toBe(sale().totals.tax);
      expect((await pushSale(processes, current)).results[0]?.status).toBe('accepted');
      expect(await pricingAudits(processes.a.storage)).toBe(1);
    });
  });

  describe('the loyalty programme', () => {
    let processes: Processes;

    beforeAll(async () => {
      processes = await twoProcesses(kind, ['A']);
      await saveProgramme(processes.a.storage.db, programme(1), 'hq', SALE_AT - 2 * DAY);
    });
    afterAll(() => closeProcesses(processes));

    /** A label-priced sale of `paid` cents to `customerId` (no tax rate here: the audit passes it). */
    function memberSale(customerId: string, paid: number): EventPayloads['sale.completed'] {
      const sale = saleOf([{ sku: 'A', qty: 1 }]);
      return {
        ...sale,
        customerId,
        priceBookVersion: '',
        lines: [
          { ...sale.lines[0]!, priceSource: 'label', unitPrice: paid, extended: paid, net: paid, paid },
        ],
        totals: { subtotal: paid, discount: 0, tax: 0, total: paid, cashRounding: 0, paid, change: 0 },
        tenders: [{ tenderId: randomUUID(), type: 'cash', amount: paid }],
        completedAt: new Date(SALE_AT).toISOString(),
      };
    }

    async function earned(saleId: string): Promise<number> {
      const rows = await processes.a.storage.db.selectFrom('loyalty_entries').select('entry').execute();
      return rows
        .map((row) => LoyaltyEntrySchema.parse(JSON.parse(row.entry)))
        .filter((entry) => entry.type === 'EARN_PENDING' && entry.sourceDoc === saleId)
        .reduce((sum, entry) => sum + entry.points, 0);
    }

    it("earns by another process's new programme on its next push", async () => {
      const customerId = randomUUID();
      await inHubTransaction(processes.a.hub, (tx) =>
        recordNewCustomer(tx, { customerId, phone: '+15550000042' }, { createdAt: tx.at }),
      );
      expect((await customerAnswer(processes.a.storage.db, customerId, SALE_AT))?.account).toBeDefined();

      const first = memberSale(customerId, 1_000);
      expect((await pushSale(processes, first)).results[0]?.status).toBe('accepted');
      expect(await earned(first.saleId)).toBe(10);

      await saveProgramme(processes.a.storage.db, programme(5), 'hq', SALE_AT - DAY);
      const second = memberSale(customerId, 1_000);
      expect((await pushSale(processes, second)).results[0]?.status).toBe('accepted');
      expect(await earned(second.saleId)).toBe(50);
    });
  });
});

/**
 * What a push of one sale sends to PostgreSQL on a device nobody else is pushing from: the device's row,
 * its store's row and the reference versions in one statement, no lock_timeout of its own, and neither
 * reference table while nothing changed it (the earlier code sent all of these on every push).
 */
describe.skipIf(!process.env.PG_URL)('the statements of a one-sale push on postgres', () => {
  let processes: Processes;
  let pricing: TillPricing;
  const sent: string[] = [];
  const original = pg.Client.prototype.query;

  beforeAll(async () => {
    processes = await twoProcesses('postgres', ['A']);
    pricing = await seedPricing(processes.a.hub, { skus: ['A'], taxRate: TAX });
    pg.Client.prototype.query = function recorded(this: pg.Client, ...args: unknown[]) {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : String((first as { text?: unknown } | null)?.text ?? ''));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
  });
  afterAll(async () => {
    pg.Client.prototype.query = original;
    await closeProcesses(processes);
  });

  it('reads the device, its store and the reference versions once, with no lock_timeout', async () => {
    const sale = () => pricedSaleOf(pricing, [{ sku: 'A', qty: 1 }], { at: SALE_AT });
    expect((await pushSale(processes, sale())).results[0]?.status).toBe('accepted');
    sent.length = 0;
    expect((await pushSale(processes, sale())).results[0]?.status).toBe('accepted');
    expect(sent.filter((text) => /lock_timeout/.test(text))).toEqual([]);
    expect(sent.filter((text) => /from "nodes"/.test(text))).toEqual([]);
    expect(sent.filter((text) => /from "(tax_rates|loyalty_programme_history)"/.test(text))).toEqual([]);
    expect(sent.filter((text) => /from "devices" as "d"/.test(text))).toHaveLength(1);
    expect(await pricingAudits(processes.a.storage)).toBe(0);
  });
});
