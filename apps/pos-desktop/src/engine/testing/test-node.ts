import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withGtinCheckDigit, type ErrorCode, type Result } from '@retail/domain';
import { checkPayload, EventEnvelopeSchema, type EventEnvelope, type FeedChange } from '@retail/sync';
import type { EngineClock, RandomBytes } from '../context';
import { openStoreEngine, type StoreEngine } from '../engine';
import { loadFixture, parseFixture, type FixtureInput } from '../fixture/fixture';
import { initStoreNode } from '../init';
import type { NodeSetup } from '../identity';
import { readOutbox } from '../outbox/outbox';
import type { LoyaltyHubClient } from '../loyalty/hub-loyalty-client';
import type { Migration } from '../migrations';
import type { PinHashCost } from '../pin';
import type { StoreSyncOptions } from '../sync/store-sync';
import type { WalCheckpointOptions } from '../wal-checkpoint';

/** Test helpers: a real SQLite file per test, a clock the test moves, deterministic randomness. */

export interface FakeClock extends EngineClock {
  set(ms: number): void;
  advance(ms: number): void;
}

export const TEST_START = Date.UTC(2026, 10, 23, 9, 0, 0);

export function fakeClock(start = TEST_START): FakeClock {
  let now = start;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** xorshift32: reproducible bytes so ids and tokens are the same on every run. */
export function seededRandom(seed = 1): RandomBytes {
  let state = seed >>> 0 || 1;
  return (length) => {
    const bytes = new Uint8Array(length);
    for (let index = 0; index < length; index += 1) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      bytes[index] = state & 0xff;
    }
    return bytes;
  };
}

/** scrypt at a cost that keeps tests fast; real nodes use DEFAULT_PIN_COST. */
export const TEST_PIN_COST: PinHashCost = { n: 16, r: 1, p: 1 };

export function tempDir(prefix = 'pos-store-test-', parent = tmpdir()): { path: string; remove(): void } {
  const path = mkdtempSync(join(parent, prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const TEST_SETUP: NodeSetup = {
  storeId: 'store-1',
  storeCode: 'S001',
  deviceNo: 3,
  currency: 'EUR',
  locale: 'en-GB',
  timezone: 'Europe/Paris',
  cashRoundingIncrement: 1,
};

export const TEST_STAFF = {
  manager: { staffCode: 'M1', name: 'Maria Manager', role: 'manager', pin: '1234' },
  supervisor: { staffCode: 'S1', name: 'Sam Supervisor', role: 'supervisor', pin: '2222' },
  cashier: { staffCode: 'C1', name: 'Chris Cashier', role: 'cashier', pin: '1111' },
  cashier2: { staffCode: 'C2', name: 'Casey Cashier', role: 'cashier', pin: '3333' },
} as const;

export const TEST_SKUS = {
  apple: { sku: 'APPLE-1', barcode: withGtinCheckDigit('400000000001'), unit: 'each' as const },
  milk: { sku: 'MILK-1', barcode: withGtinCheckDigit('400000000002'), unit: 'each' as const },
  cheese: { sku: 'CHEESE-KG', barcode: withGtinCheckDigit('400000000003'), unit: 'kg' as const },
};

/** A small but complete hub dataset: categories, products, SKUs, a price book, tax, stores, stock. */
export function smallCatalogChanges(
  options: { deviceId?: string; stock?: Record<string, number> } = {},
): FeedChange[] {
  const changes: Omit<FeedChange, 'hubSeq'>[] = [
    { entity: 'category', key: 'food', op: 'upsert', data: { categoryId: 'food', name: 'Food' } },
    {
      entity: 'category',
      key: 'dairy',
      op: 'upsert',
      data: { categoryId: 'dairy', name: 'Dairy', parentId: 'food' },
    },
    { entity: 'tax_rate', key: 'fr-reduced', op: 'upsert', data: taxRate('fr-reduced', 'food', 5.5) },
    {
      entity: 'store',
      key: 'store-1',
      op: 'upsert',
      data: storeNode('store-1', 'S001', 'Paris Bastille'),
    },
    {
      entity: 'store',
      key: 'store-2',
      op: 'upsert',
      data: storeNode('store-2', 'S002', 'Lyon Part-Dieu'),
    },
    {
      entity: 'price_book',
      key: 'pb-chain',
      op: 'upsert',
      data: {
        priceBookId: 'pb-chain',
        version: 1,
        name: 'Chain prices',
        currency: 'EUR',
        scope: { type: 'chain' },
        priority: 0,
        taxInclusive: true,
      },
    },
  ];
  const prices: Record<string, number> = { 'APPLE-1': 45, 'MILK-1': 129, 'CHEESE-KG': 2490 };
  for (const item of Object.values(TEST_SKUS)) {
    changes.push(
      {
        entity: 'product',
        key: `p-${item.sku}`,
        op: 'upsert',
        data: { productId: `p-${item.sku}`, name: item.sku },
      },
      {
        entity: 'sku',
        key: item.sku,
        op: 'upsert',
        data: {
          sku: item.sku,
          productId: `p-${item.sku}`,
          name: `${item.sku} name`,
          unit: item.unit,
          taxCategory: 'food',
          categoryIds: item.sku === 'MILK-1' ? ['dairy', 'food'] : ['food'],
          barcodes: [item.barcode],
          active: true,
        },
      },
      {
        entity: 'price',
        key: `pb-chain:${item.sku}`,
        op: 'upsert',
        data: {
          priceBookId: 'pb-chain',
          sku: item.sku,
          tiers: [{ minQty: 1, unitPrice: prices[item.sku] ?? 100 }],
        },
      },
    );
    const sellable = options.stock?.[item.sku];
    if (sellable !== undefined) {
      changes.push({
        entity: 'stock_level',
        key: `store-1:${item.sku}`,
        op: 'upsert',
        data: stockLevel('store-1', item.sku, sellable, options.deviceId ? { [options.deviceId]: 0 } : {}),
      });
    }
  }
  return changes.map((change, index) => ({ ...change, hubSeq: index + 1 }));
}

/** A node as the hub's feed publishes it (`store` entity). */
export function storeNode(nodeId: string, code: string, name: string) {
  return {
    nodeId,
    code,
    name,
    kind: 'store',
    region: 'idf',
    pickupEnabled: true,
    pickCapacity: 10,
    shipEnabled: false,
    shipPickCapacity: 0,
    jurisdiction: 'FR',
    currency: 'EUR',
    timezone: 'Europe/Paris',
    active: true,
    version: 1,
  };
}

export function taxRate(rateId: string, taxCategory: string, percent: number) {
  return { rateId, name: `VAT ${percent}%`, jurisdictionId: 'FR', taxCategory, percent };
}

export function stockLevel(
  nodeId: string,
  sku: string,
  sellable: number,
  deviceSeqs: Record<string, number> = {},
) {
  return {
    nodeId,
    sku,
    sellable,
    staged: 0,
    damaged: 0,
    qualityControl: 0,
    incoming: 0,
    reservedUnstaged: 0,
    safetyStock: 0,
    atp: Math.max(0, sellable),
    deviceSeqs,
  };
}

export interface TestNode {
  readonly engine: StoreEngine;
  readonly clock: FakeClock;
  readonly dir: string;
  readonly databasePath: string;
  readonly sessions: { manager: string; supervisor: string; cashier: string; cashier2: string };
  /** Closes the engine and reopens the same file, as a restart does. */
  reopen(): StoreEngine;
  close(): void;
}

export interface TestNodeOptions {
  /** Overrides of the node identity (e.g. a cash rounding increment). */
  readonly setup?: Partial<NodeSetup>;
  /** Run only these migrations (migration tests fill a database at an older version). */
  readonly migrations?: readonly Migration[];
  readonly clock?: FakeClock;
  readonly stock?: Record<string, number>;
  readonly seed?: number;
  /** The hub's loyalty endpoints as the engine sees them (a fake, or the real hub in-process). */
  readonly loyaltyHub?: LoyaltyHubClient;
  /** The desktop shell's drawer key (drawer-open signs grants with it). */
  readonly drawerKey?: Uint8Array;
  /** How the sync agent reaches a hub once one is configured (a transport of the sync package's testing). */
  readonly sync?: StoreSyncOptions;
  /** Where the node's folder is made (a size-limited file system in the full-disk tests). */
  readonly parentDir?: string;
  readonly minFreeDiskBytes?: number;
  /** When the engine checkpoints its log (tests drive the idle timer themselves). */
  readonly checkpoint?: WalCheckpointOptions;
}

export function createTestNode(options: TestNodeOptions = {}): TestNode {
  const clock = options.clock ?? fakeClock();
  const dir = tempDir('pos-store-test-', options.parentDir);
  const databasePath = join(dir.path, 'store.db');
  const randomBytes = seededRandom(options.seed ?? 7);
  const init = initStoreNode({
    databasePath,
    setup: { ...TEST_SETUP, ...options.setup },
    firstManager: {
      staffCode: TEST_STAFF.manager.staffCode,
      name: TEST_STAFF.manager.name,
      pin: TEST_STAFF.manager.pin,
    },
    clock,
    randomBytes,
    pinCost: TEST_PIN_COST,
    ...(options.migrations ? { migrations: options.migrations } : {}),
  });
  const open = () =>
    openStoreEngine({
      databasePath,
      clock,
      randomBytes,
      pinCost: TEST_PIN_COST,
      ...(options.migrations ? { migrations: options.migrations } : {}),
      ...(options.loyaltyHub ? { loyaltyHub: options.loyaltyHub } : {}),
      ...(options.drawerKey ? { drawerKey: options.drawerKey } : {}),
      ...(options.sync ? { sync: options.sync } : {}),
      ...(options.minFreeDiskBytes === undefined ? {} : { minFreeDiskBytes: options.minFreeDiskBytes }),
      ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    });
  let engine = open();
  const fixture: FixtureInput = {
    format: 'pos-store-fixture',
    version: 1,
    epoch: 'test-epoch',
    changes: smallCatalogChanges({
      deviceId: init.identity.deviceId,
      stock: options.stock ?? { 'APPLE-1': 20, 'MILK-1': 10 },
    }),
    staff: [TEST_STAFF.supervisor, TEST_STAFF.cashier, TEST_STAFF.cashier2],
  };
  loadFixture(engine, parseFixture(fixture));
  const signIn = (staff: { staffCode: string; pin: string }) =>
    expectOk(engine.execute('staff-sign-in', { staffCode: staff.staffCode, pin: staff.pin })).session;
  const sessions = {
    manager: signIn(TEST_STAFF.manager),
    supervisor: signIn(TEST_STAFF.supervisor),
    cashier: signIn(TEST_STAFF.cashier),
    cashier2: signIn(TEST_STAFF.cashier2),
  };
  return {
    get engine() {
      return engine;
    },
    clock,
    dir: dir.path,
    databasePath,
    sessions,
    reopen() {
      engine.close();
      engine = open();
      return engine;
    },
    close() {
      engine.close();
      dir.remove();
    },
  };
}

export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export function expectError<T>(
  result: Result<T>,
  code: ErrorCode,
): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
  if (result.ok) throw new Error(`expected ${code}, got ok: ${JSON.stringify(result.value)}`);
  if (result.error.code !== code)
    throw new Error(`expected ${code}, got ${result.error.code}: ${result.error.message}`);
  return result.error;
}

/** Every outbox event, each checked against the envelope schema and its payload schema. */
export function checkedOutbox(engine: StoreEngine): EventEnvelope[] {
  const events = readOutbox(engine.db, 0, 1_000_000);
  for (const event of events) {
    const envelope = EventEnvelopeSchema.safeParse(event);
    if (!envelope.success) throw new Error(`event ${event.deviceSeq} has a bad envelope`);
    const payload = checkPayload(event.type, event.schemaVersion, event.payload);
    if (!payload.ok)
      throw new Error(`event ${event.deviceSeq} (${event.type}) fails checkPayload: ${payload.reason}`);
  }
  return events;
}

export function countRows(engine: StoreEngine, table: string): number {
  return (engine.db.prepare(`SELECT COUNT(*) AS count FROM ${table}`).get() as { count: number }).count;
}

/** A snapshot of every table's rows, to prove a failed command wrote nothing. */
export function databaseSnapshot(engine: StoreEngine): Record<string, unknown[]> {
  const tables = engine.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [name, engine.db.prepare(`SELECT * FROM ${name}`).all()]),
  );
}
