import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createFaultTransport,
  createSeededRandom,
  ManualScheduler,
  type FaultTransport,
} from '@retail/sync/testing';
import { compareHlc, parseHlc, type SyncScheduler } from '@retail/sync';
import {
  adjustStock,
  backendKinds,
  createHubWorld,
  enrollTill,
  feedHead,
  HUB_SKUS,
  HUB_STORES,
  hubDataFor,
  inHubTransaction,
  readFeedEpoch,
  readInventoryLevel,
  rotateFeedEpoch,
  savePriceBook,
  savePriceEntries,
  sku,
  verifyProjections,
  writeCatalog,
  type HubWorld,
} from '@retail/hub-server/testing';
import { openStoreEngine, type StoreEngine } from '../../src/engine/engine';
import { initStoreNode } from '../../src/engine/init';
import { localStock } from '../../src/engine/local-stock';
import { readOutbox } from '../../src/engine/outbox/outbox';
import { readReplica } from '../../src/engine/sync/replica';
import { seededRandom, TEST_PIN_COST } from '../../src/engine/testing/test-node';

const DAY_MS = 24 * 60 * 60_000;
/** The entities the replica keeps in the tables readReplica reads (BOPIS orders live elsewhere). */
const COMPARED_ENTITIES = [
  'category',
  'product',
  'sku',
  'tax_rate',
  'price_book',
  'price',
  'promotion',
  'store',
  'config',
  'stock_level',
];

interface Till {
  readonly name: string;
  readonly storeId: string;
  readonly region: string;
  readonly dir: string;
  readonly file: string;
  readonly clock: SyncScheduler;
  readonly seed: number;
  engine: StoreEngine;
  transport: FaultTransport | null;
  session: string;
  shiftOpen: boolean;
}

interface World {
  readonly scheduler: ManualScheduler;
  readonly hub: HubWorld;
  readonly tills: Till[];
  /** Each backup with the feed it holds, to know whether restoring it must start a new epoch. */
  readonly backups: { file: string; epoch: string; head: number }[];
  /** The feed head each epoch reached before the next one started (the current one: when last read). */
  readonly epochHeads: Map<string, number>;
  /** Every fault transport the tills used (each connection gets a new one), for fault coverage. */
  readonly transports: FaultTransport[];
  restored: boolean;
  /** Epoch changes so far: each makes every till re-snapshot, and the agent allows 3 an hour. */
  rotations: number;
}

/**
 * Positions and acks as saved, in order: a TEMP trigger on the engine's own connection logs every change
 * of sync_state, so the test sees each save however briefly it lasted.
 */
function watchPositions(engine: StoreEngine): void {
  engine.db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS position_log (
      old_epoch TEXT, old_cursor INTEGER, new_epoch TEXT, new_cursor INTEGER, old_acked INTEGER, new_acked INTEGER);
    CREATE TEMP TRIGGER IF NOT EXISTS log_positions AFTER UPDATE ON main.sync_state
    BEGIN
      INSERT INTO position_log VALUES (OLD.feed_epoch, OLD.feed_cursor, NEW.feed_epoch, NEW.feed_cursor,
        OLD.last_acked_seq, NEW.last_acked_seq);
    END;`);
}

function positionLog(engine: StoreEngine) {
  return engine.db.prepare('SELECT * FROM position_log').all() as {
    old_epoch: string | null;
    old_cursor: number;
    new_epoch: string | null;
    new_cursor: number;
    old_acked: number;
    new_acked: number;
  }[];
}

function openTill(world: World, till: Omit<Till, 'engine' | 'transport' | 'session' | 'shiftOpen'>) {
  const random = createSeededRandom(till.seed);
  return openStoreEngine({
    databasePath: till.file,
    clock: { now: () => till.clock.now() },
    randomBytes: seededRandom(till.seed),
    pinCost: TEST_PIN_COST,
    sync: {
      scheduler: till.clock,
      random,
      tuning: { batchSize: 20, pullLimit: 7, snapshotLimit: 5 },
      transport: () => {
        const self = world.tills.find((candidate) => candidate.name === till.name);
        const deviceId = self?.engine.identity.deviceId ?? '';
        const transport = createFaultTransport(
          world.hub.transportFor({ deviceId, storeId: till.storeId }, till.region),
          {
            random,
            scheduler: world.scheduler,
            plan: { maxFaults: 40, timeoutMs: 10_000, maxDelayMs: 3_000, maxRetryAfterMs: 10_000 },
          },
        );
        if (self !== undefined) self.transport = transport;
        world.transports.push(transport);
        return transport;
      },
    },
  });
}

async function createWorld(kind: 'sqlite' | 'postgres', seed: number, skews: readonly number[]) {
  const scheduler = new ManualScheduler();
  const hub = await createHubWorld(kind);
  const world: World = {
    scheduler,
    hub,
    tills: [],
    backups: [],
    transports: [],
    epochHeads: new Map(),
    restored: false,
    rotations: 0,
  };
  for (const [index, skew] of skews.entries()) {
    const store = HUB_STORES[index % HUB_STORES.length]!;
    const dir = mkdtempSync(join(tmpdir(), 'sync-model-'));
    const file = join(dir, 'store.db');
    const clock = scheduler.skewed(skew);
    const init = initStoreNode({
      databasePath: file,
      setup: { storeId: store.nodeId, storeCode: store.code, deviceNo: index + 1, currency: 'USD' },
      firstManager: { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' },
      clock: { now: () => clock.now() },
      randomBytes: seededRandom(seed + index),
      pinCost: TEST_PIN_COST,
    });
    const credential = await enrollTill(hub.hub, {
      deviceId: init.identity.deviceId,
      deviceNo: init.identity.deviceNo,
      storeId: store.nodeId,
    });
    const base = {
      name: `T${index + 1}`,
      storeId: store.nodeId,
      region: store.region,
      dir,
      file,
      clock,
      seed: seed * 7 + index,
    };
    const till: Till = {
      ...base,
      engine: openTill(world, base),
      transport: null,
      session: '',
      shiftOpen: false,
    };
    world.tills.push(till);
    watchPositions(till.engine);
    const signedIn = till.engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' });
    if (!signedIn.ok) throw new Error(signedIn.error.message);
    till.session = signedIn.value.session;
    await till.engine.sync.configure({ hubUrl: 'in-process', credential });
  }
  return world;
}

/** Real database work happens between virtual timer steps (PostgreSQL): wait until the hub is idle. */
async function settle(world: World, ms: number): Promise<void> {
  await world.scheduler.advance(ms);
  if (world.hub.kind === 'postgres') await world.hub.idle();
}

async function replicaMatches(world: World, till: Till): Promise<boolean> {
  const hub = await hubDataFor(world.hub.storage, till.storeId, till.region, COMPARED_ENTITIES);
  const replica = readReplica(till.engine.db);
  if (hub.size !== replica.size) return false;
  for (const [key, value] of hub) {
    if (JSON.stringify(sortKeys(value)) !== JSON.stringify(sortKeys(replica.get(key)))) return false;
  }
  return true;
}

/** The keys where the replica and the hub disagree, with both values, for a failure report. */
async function replicaDifferences(world: World, till: Till): Promise<unknown[]> {
  const hub = await hubDataFor(world.hub.storage, till.storeId, till.region, COMPARED_ENTITIES);
  const replica = readReplica(till.engine.db);
  const keys = new Set([...hub.keys(), ...replica.keys()]);
  const differences: unknown[] = [];
  for (const key of keys) {
    const [a, b] = [JSON.stringify(sortKeys(hub.get(key))), JSON.stringify(sortKeys(replica.get(key)))];
    if (a !== b) differences.push({ key, hub: hub.get(key), replica: replica.get(key) });
  }
  return differences.slice(0, 5);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, inner]) => [key, sortKeys(inner)]),
  );
}

async function converged(world: World): Promise<boolean> {
  const epoch = await readFeedEpoch(world.hub.storage.db);
  for (const till of world.tills) {
    const status = till.engine.sync.status();
    const written = lastSeq(till.engine);
    const acked = till.engine.execute('sync-status', {});
    if (!acked.ok || status?.state !== 'live') return false;
    if (acked.value.lastAckedSeq !== written || acked.value.feedEpoch !== epoch) return false;
    const device = await world.hub.storage.db
      .selectFrom('devices')
      .select('last_seq')
      .where('device_id', '=', till.engine.identity.deviceId)
      .executeTakeFirstOrThrow();
    if (Number(device.last_seq) !== written) return false;
  }
  for (const till of world.tills) if (!(await replicaMatches(world, till))) return false;
  return true;
}

function lastSeq(engine: StoreEngine): number {
  return (engine.db.prepare('SELECT last_device_seq AS seq FROM device_state').get() as { seq: number }).seq;
}

async function quiesceAndCheck(world: World): Promise<void> {
  world.hub.setDown(false);
  for (const till of world.tills) till.transport?.heal();
  let ok = false;
  // Bounded twice: in virtual time (agents back off up to minutes) and in real time (a hang guard
  // only: on PostgreSQL each step waits for the hub's database work, however slow the machine).
  const deadline = Date.now() + 300_000;
  for (let step = 0; step < 2_000 && Date.now() < deadline; step += 1) {
    await settle(world, 5_000);
    if (step % 5 === 0 && (await converged(world))) {
      ok = true;
      break;
    }
  }
  const epoch = await readFeedEpoch(world.hub.storage.db);
  const report = [];
  for (const till of world.tills) {
    const local = till.engine.execute('sync-status', {});
    const device = await world.hub.storage.db
      .selectFrom('devices')
      .select('last_seq')
      .where('device_id', '=', till.engine.identity.deviceId)
      .executeTakeFirstOrThrow();
    report.push({
      till: till.name,
      status: till.engine.sync.status(),
      written: lastSeq(till.engine),
      acked: local.ok ? local.value.lastAckedSeq : local.error,
      hubLastSeq: Number(device.last_seq),
      feedEpoch: local.ok ? local.value.feedEpoch : null,
      hubEpoch: epoch,
      replicaMatches: await replicaMatches(world, till),
      differences: await replicaDifferences(world, till),
    });
  }
  expect(ok, JSON.stringify(report, null, 1)).toBe(true);

  for (const till of world.tills) {
    const { deviceId } = till.engine.identity;
    // The hub applied every event of this till exactly once, in deviceSeq order, and nothing else.
    const outbox = readOutbox(till.engine.db, 0, 1_000_000);
    const log = await world.hub.storage.db
      .selectFrom('ingested_events')
      .select(['device_seq', 'event_id', 'status'])
      .where('device_id', '=', deviceId)
      .orderBy('device_seq')
      .execute();
    expect(log.map((row) => [Number(row.device_seq), row.event_id, row.status])).toEqual(
      outbox.map((event) => [event.deviceSeq, event.eventId, 'applied']),
    );
    // Every stock movement and sale the till recorded is in the hub's ledger exactly once, from the event
    // that carried it: counted at the hub, not inferred from its lastSeq.
    const eventIds = outbox.map((event) => event.eventId);
    const hubMovements = await selectByEventIds(eventIds, (chunk) =>
      world.hub.storage.db
        .selectFrom('inventory_movements')
        .select(['movement_id', 'event_id', 'sku', 'bucket', 'delta'])
        .where('event_id', 'in', chunk)
        .execute(),
    );
    expect(
      hubMovements
        .map((row) => [row.movement_id, row.event_id, row.sku, row.bucket, Number(row.delta)])
        .sort(byFirst),
    ).toEqual(
      outbox
        .flatMap((event) =>
          movementsOf(event.payload).map((m) => [m.movementId, event.eventId, m.sku, m.bucket, m.delta]),
        )
        .sort(byFirst),
    );
    const hubSales = await world.hub.storage.db
      .selectFrom('sales')
      .select(['sale_id', 'receipt_number', 'event_id'])
      .where('device_id', '=', deviceId)
      .execute();
    expect(hubSales.map((row) => [row.sale_id, row.receipt_number, row.event_id]).sort(byFirst)).toEqual(
      outbox
        .filter((event) => event.type === 'sale.completed')
        .map((event) => {
          const sale = event.payload as { saleId: string; receiptNumber: string };
          return [sale.saleId, sale.receiptNumber, event.eventId];
        })
        .sort(byFirst),
    );
    // The replica equals the hub's data for this till's scope.
    expect(await replicaMatches(world, till)).toBe(true);
    // Local stock is exactly the hub's: nothing of this till is left unreflected.
    const skus = [...HUB_SKUS];
    for (const level of localStock(till.engine.db, till.engine.identity, skus)) {
      const hubLevel = await readInventoryLevel(world.hub.storage.db, till.storeId, level.sku);
      expect(level.pendingMovements).toBe(0);
      expect(level.sellable).toBe(hubLevel.sellable);
    }
    // The cursor never moved backwards within an epoch; acks never backwards unless a restore asked.
    for (const row of positionLog(till.engine)) {
      if (row.old_epoch !== null && row.old_epoch === row.new_epoch) {
        expect(row.new_cursor).toBeGreaterThanOrEqual(row.old_cursor);
      }
      if (!world.restored) expect(row.new_acked).toBeGreaterThanOrEqual(row.old_acked);
    }
  }
  expect(await verifyProjections(world.hub.storage.db)).toEqual([]);
}

function movementsOf(payload: unknown): { movementId: string; sku: string; bucket: string; delta: number }[] {
  const movements = (payload as { movements?: unknown }).movements;
  return Array.isArray(movements) ? (movements as ReturnType<typeof movementsOf>) : [];
}

const byFirst = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));

async function selectByEventIds<T>(ids: readonly string[], select: (chunk: string[]) => Promise<T[]>) {
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += 300)
    rows.push(...(await select(ids.slice(start, start + 300))));
  return rows;
}

async function disposeWorld(world: World): Promise<void> {
  for (const till of world.tills) {
    await till.engine.shutdown();
    rmSync(till.dir, { recursive: true, force: true });
  }
  for (const backup of world.backups) rmSync(backup.file, { force: true });
  await world.hub.close();
}

type Cmd = fc.AsyncCommand<object, World>;
const tillOf = (world: World, index: number) => world.tills[index % world.tills.length]!;

/** A real store command on a till: stock moves, cash moves and sales, all written to its outbox. */
class StoreWork implements Cmd {
  constructor(
    readonly till: number,
    readonly kind: 'receive' | 'adjust' | 'sale' | 'cash',
    readonly skuIndex: number,
    readonly qty: number,
    readonly times: number,
  ) {}
  check = () => true;
  async run(_: object, world: World) {
    for (let time = 0; time < this.times; time += 1) {
      // Staff take a moment between commands; the agents work meanwhile.
      await settle(world, 200);
      this.once(world);
    }
  }
  private once(world: World) {
    const till = tillOf(world, this.till);
    const as = { session: till.session };
    const target = HUB_SKUS[this.skuIndex % HUB_SKUS.length]!;
    const { engine } = till;
    const ensureShift = () => {
      if (till.shiftOpen) return;
      const opened = engine.execute('shift-open', { float: 10_000 }, as);
      till.shiftOpen = opened.ok || opened.error.code === 'CONFLICT';
    };
    switch (this.kind) {
      case 'receive':
        engine.execute(
          'stock-receive',
          {
            source: { type: 'supplier', reference: `PO-${this.qty}` },
            lines: [{ sku: target, qty: this.qty }],
          },
          as,
        );
        return;
      case 'adjust':
        engine.execute(
          'stock-adjust',
          { reason: 'shelf check', lines: [{ sku: target, bucket: 'sellable', delta: this.qty }] },
          as,
        );
        return;
      case 'cash':
        ensureShift();
        engine.execute('shift-cash-in', { amount: this.qty * 100, reason: 'coins' }, as);
        return;
      case 'sale': {
        ensureShift();
        // A sale left open (its item was not in the replica yet) is picked up again, as a lane would.
        const current = engine.execute('sale-current', {}, as);
        let saleId: string;
        if (current.ok && current.value.sale !== null) {
          saleId = current.value.sale.saleId;
        } else {
          const started = engine.execute('sale-start', {}, as);
          if (!started.ok) return;
          saleId = started.value.saleId;
        }
        const added = engine.execute(
          'sale-add-line',
          { saleId, sku: target, qty: Math.max(1, this.qty % 4) },
          as,
        );
        if (!added.ok) return;
        const due = added.value.payment.cashDue;
        engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: due } }, as);
        const completed = engine.execute('sale-complete', { saleId }, as);
        if (!completed.ok) throw new Error(`sale-complete failed: ${completed.error.message}`);
        return;
      }
    }
  }
  toString = () =>
    `StoreWork(T${(this.till % 3) + 1}, ${this.kind}, ${this.skuIndex}, ${this.qty}, x${this.times})`;
}

class HubWork implements Cmd {
  constructor(
    readonly kind: 'price' | 'stock' | 'config' | 'rename' | 'import' | 'scope',
    readonly value: number,
  ) {}
  check = () => true;
  async run(_: object, world: World) {
    const { hub } = world.hub;
    const target = HUB_SKUS[this.value % HUB_SKUS.length]!;
    try {
      switch (this.kind) {
        case 'price':
          await savePriceEntries(
            hub,
            'pb-chain',
            { entries: [{ sku: target, tiers: [{ minQty: 1, unitPrice: 50 + this.value }] }] },
            'test',
          );
          return;
        case 'stock':
          await adjustStock(
            hub,
            {
              nodeId: HUB_STORES[this.value % 2]!.nodeId,
              reason: 'found',
              lines: [{ sku: target, bucket: 'sellable', delta: 1 + (this.value % 5) }],
            },
            'test',
          );
          return;
        case 'config':
          await inHubTransaction(hub, async (tx) =>
            tx.publish({
              entity: 'config',
              key: 'pos.discount.maxPercent.cashier',
              op: 'upsert',
              scope: '*',
              data: { key: 'pos.discount.maxPercent.cashier', value: this.value % 100 },
            }),
          );
          return;
        case 'rename':
          await inHubTransaction(hub, (tx) =>
            writeCatalog(tx, [{ kind: 'sku', data: sku(target, { name: `Item ${target} v${this.value}` }) }]),
          );
          return;
        case 'scope': {
          // A price book moving between scopes: the stores that lose it must drop it and its prices,
          // the ones that gain it must get both, snapshot or feed alike.
          const scopes = [
            { type: 'chain' as const },
            { type: 'region' as const, regionId: 'north' },
            { type: 'region' as const, regionId: 'south' },
            { type: 'store' as const, storeId: 's1' },
            { type: 'store' as const, storeId: 's2' },
          ];
          const current = await hub.storage.db
            .selectFrom('price_books')
            .select('version')
            .where('price_book_id', '=', 'pb-moving')
            .executeTakeFirst();
          await savePriceBook(
            hub,
            'pb-moving',
            {
              ...(current === undefined ? {} : { expectedVersion: Number(current.version) }),
              book: {
                name: 'Moving',
                currency: 'USD',
                scope: scopes[this.value % scopes.length]!,
                priority: 5,
                taxInclusive: true,
              },
            },
            'test',
          );
          if (this.value % 3 === 0) {
            await savePriceEntries(
              hub,
              'pb-moving',
              { entries: [{ sku: target, tiers: [{ minQty: 1, unitPrice: 75 + (this.value % 40) }] }] },
              'test',
            );
          }
          return;
        }
        case 'import': {
          // Many rows at once, so pulls and snapshots run over several pages.
          const ids = Array.from({ length: 12 }, (_unused, index) => `IMP-${(this.value + index) % 40}`);
          await inHubTransaction(hub, (tx) =>
            writeCatalog(tx, [
              ...ids.map((id) => ({
                kind: 'product' as const,
                data: { productId: `P-${id}`, name: `Imported ${id}` },
              })),
              ...ids.map((id) => ({
                kind: 'sku' as const,
                data: sku(id, { name: `Imported ${id} ${this.value}` }),
              })),
            ]),
          );
          return;
        }
      }
    } catch (error) {
      // The hub itself being restored right now is the only acceptable failure.
      if (!String(error).includes('closed') && !String(error).includes('destroyed')) throw error;
    }
  }
  toString = () => `HubWork(${this.kind}, ${this.value})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_: object, world: World) {
    await settle(world, this.ms);
  }
  toString = () => `Advance(${this.ms})`;
}

class Break implements Cmd {
  constructor(readonly till: number) {}
  check = () => true;
  async run(_: object, world: World) {
    tillOf(world, this.till).transport?.breakConnection();
  }
  toString = () => `Break(T${(this.till % 3) + 1})`;
}

class RestartAgent implements Cmd {
  constructor(readonly till: number) {}
  check = () => true;
  async run(_: object, world: World) {
    const { engine } = tillOf(world, this.till);
    await engine.sync.stop();
    engine.sync.start();
  }
  toString = () => `RestartAgent(T${(this.till % 3) + 1})`;
}

/** The till process dies and starts again: its engine reopens the same database. */
class RestartTill implements Cmd {
  constructor(readonly till: number) {}
  check = () => true;
  async run(_: object, world: World) {
    const till = tillOf(world, this.till);
    till.engine.close();
    till.transport = null;
    till.engine = openTill(world, till);
    watchPositions(till.engine);
  }
  toString = () => `RestartTill(T${(this.till % 3) + 1})`;
}

class HubDown implements Cmd {
  constructor(readonly down: boolean) {}
  check = () => true;
  async run(_: object, world: World) {
    world.hub.setDown(this.down);
  }
  toString = () => `HubDown(${this.down})`;
}

class RotateEpoch implements Cmd {
  check = () => true;
  async run(_: object, world: World) {
    // The hub's refetch guard allows 3 re-snapshots an hour; more would (rightly) stop the tills.
    if (world.rotations >= 2) return;
    world.rotations += 1;
    const { db } = world.hub.storage;
    world.epochHeads.set(await readFeedEpoch(db), await feedHead(db));
    await rotateFeedEpoch(db);
    world.hub.pokeAll();
  }
  toString = () => 'RotateEpoch';
}

class HubBackup implements Cmd {
  check = () => true;
  async run(_: object, world: World) {
    if (world.hub.kind !== 'sqlite' || world.backups.length >= 2) return;
    const { db } = world.hub.storage;
    const [epoch, head] = [await readFeedEpoch(db), await feedHead(db)];
    world.backups.push({ file: await world.hub.backup(), epoch, head });
  }
  toString = () => 'HubBackup';
}

class HubRestore implements Cmd {
  check = () => true;
  async run(_: object, world: World) {
    const backup = world.backups.at(-1);
    if (backup === undefined || world.restored) return;
    const { db } = world.hub.storage;
    const [epoch, head] = [await readFeedEpoch(db), await feedHead(db)];
    world.epochHeads.set(epoch, head);
    // Tills may hold hubSeqs (or rows) the backup lacks exactly when the feed moved on within the
    // backup's epoch; a till of a later epoch re-snapshots anyway, its epoch not being the backup's.
    const mustRotate = (world.epochHeads.get(backup.epoch) ?? backup.head) > backup.head;
    const unchanged = epoch === backup.epoch && head === backup.head;
    world.rotations += 1;
    world.restored = true;
    const { restored } = await world.hub.restore(backup.file);
    // The hub finds out by itself from its feed marker, as `pos-hub serve` does when it starts; it may
    // also rotate when not strictly needed (that costs a re-snapshot), but never for an unchanged hub.
    if (mustRotate) expect(restored).toBe(true);
    if (unchanged) expect(restored).toBe(false);
  }
  toString = () => 'HubRestore';
}

const till = fc.nat({ max: 2 });
const storeWork = fc
  .tuple(
    till,
    fc.constantFrom<StoreWork['kind']>('receive', 'adjust', 'sale', 'sale', 'cash'),
    fc.nat({ max: 2 }),
    fc.integer({ min: 1, max: 9 }),
    fc.integer({ min: 1, max: 6 }),
  )
  .map(([t, kind, skuIndex, qty, times]) => new StoreWork(t, kind, skuIndex, qty, times));
const hubWork = fc
  .tuple(
    fc.constantFrom<HubWork['kind']>('price', 'stock', 'config', 'rename', 'import', 'scope'),
    fc.nat({ max: 1000 }),
  )
  .map(([kind, value]) => new HubWork(kind, value));
const commands = [
  storeWork,
  storeWork,
  storeWork,
  hubWork,
  hubWork,
  fc.integer({ min: 0, max: 20_000 }).map((ms) => new Advance(ms)),
  fc.integer({ min: 0, max: 90_000 }).map((ms) => new Advance(ms)),
  till.map((t) => new Break(t)),
  till.map((t) => new RestartAgent(t)),
  till.map((t) => new RestartTill(t)),
  fc.boolean().map((down) => new HubDown(down)),
  fc.constant(new RotateEpoch()),
  fc.constant(new HubBackup()),
  fc.constant(new HubRestore()),
];

describe('sync between real store engines and the real hub (found by the model)', () => {
  it('converges after the hub is restored from a backup that lacks a till’s events, right after an epoch change', async () => {
    const world = await createWorld('sqlite', 14, [-DAY_MS, -DAY_MS, -DAY_MS]);
    try {
      await fc.asyncModelRun(
        () => ({ model: {}, real: world }),
        [
          new StoreWork(2, 'receive', 0, 1, 6),
          new HubBackup(),
          new Advance(5889),
          new RotateEpoch(),
          new HubRestore(),
          new StoreWork(2, 'receive', 0, 1, 1),
          new StoreWork(0, 'sale', 0, 1, 1),
        ],
      );
      await quiesceAndCheck(world);
    } finally {
      await disposeWorld(world);
    }
  }, 120_000);

  it('converges after the hub is restored from a backup taken before a catalog import and a till’s receipts', async () => {
    const world = await createWorld('sqlite', 1, [-DAY_MS, -DAY_MS, -DAY_MS]);
    try {
      await fc.asyncModelRun(
        () => ({ model: {}, real: world }),
        [
          new HubBackup(),
          new HubWork('import', 0),
          new StoreWork(0, 'receive', 0, 1, 6),
          new HubRestore(),
          new Break(0),
        ],
      );
      await quiesceAndCheck(world);
    } finally {
      await disposeWorld(world);
    }
  }, 120_000);

  it('converges after the hub is restored from a backup taken between two epoch changes', async () => {
    const world = await createWorld('sqlite', 1, [-DAY_MS, -DAY_MS, -DAY_MS]);
    try {
      await fc.asyncModelRun(
        () => ({ model: {}, real: world }),
        [new RotateEpoch(), new HubBackup(), new RotateEpoch(), new HubRestore()],
      );
      await quiesceAndCheck(world);
    } finally {
      await disposeWorld(world);
    }
  }, 120_000);

  it('starts a new epoch on a restore of a backup from an epoch that saw more feed rows and then ended', async () => {
    const world = await createWorld('sqlite', 83410137, [-DAY_MS, -DAY_MS, -DAY_MS]);
    try {
      await fc.asyncModelRun(
        () => ({ model: {}, real: world }),
        [
          new RotateEpoch(),
          new HubBackup(),
          new StoreWork(0, 'receive', 0, 1, 1),
          new RotateEpoch(),
          new HubRestore(),
        ],
      );
      await quiesceAndCheck(world);
    } finally {
      await disposeWorld(world);
    }
  }, 120_000);
});

/**
 * Waits (bounded) until every till has the catalog, so a scripted sale never depends on how fast the
 * first snapshot happened to be: the skew test compares two runs event by event.
 */
class UntilTillsHaveCatalog implements Cmd {
  check = () => true;
  async run(_: object, world: World) {
    const ready = () =>
      world.tills.every((till) => {
        const replica = readReplica(till.engine.db);
        return HUB_SKUS.every((id) => replica.has(`sku:${id}`));
      });
    for (let step = 0; step < 500 && !ready(); step += 1) await settle(world, 1_000);
    expect(ready()).toBe(true);
  }
  toString = () => 'UntilTillsHaveCatalog';
}

/** A fixed day of work for the skew test: stock, sales online and offline, hub changes, broken links. */
function skewScript(): Cmd[] {
  return [
    new UntilTillsHaveCatalog(),
    new StoreWork(0, 'receive', 0, 6, 2),
    new StoreWork(1, 'receive', 1, 5, 2),
    new StoreWork(2, 'receive', 2, 4, 1),
    new HubWork('stock', 3),
    new Advance(15_000),
    new StoreWork(0, 'sale', 0, 1, 3),
    new Break(0),
    new HubWork('rename', 7),
    new StoreWork(2, 'sale', 1, 2, 2),
    new RestartAgent(1),
    new StoreWork(1, 'cash', 0, 4, 1),
    new HubDown(true),
    new StoreWork(0, 'sale', 1, 1, 2),
    new StoreWork(1, 'sale', 1, 1, 2),
    new StoreWork(2, 'adjust', 2, 2, 1),
    new Advance(30_000),
    new HubDown(false),
    new HubWork('import', 11),
    new RestartTill(2),
    new StoreWork(2, 'sale', 2, 1, 2),
    new Advance(60_000),
  ];
}

/** What must not depend on the tills' clocks: each till's events, how the hub took them, receipts, stock. */
async function clockFreeOutcome(world: World) {
  const tills = [];
  for (const till of world.tills) {
    const outbox = readOutbox(till.engine.db, 0, 1_000_000);
    const hubLog = await world.hub.storage.db
      .selectFrom('ingested_events')
      .select(['device_seq', 'type', 'status'])
      .where('device_id', '=', till.engine.identity.deviceId)
      .orderBy('device_seq')
      .execute();
    const device = await world.hub.storage.db
      .selectFrom('devices')
      .select('last_seq')
      .where('device_id', '=', till.engine.identity.deviceId)
      .executeTakeFirstOrThrow();
    tills.push({
      events: outbox.map((event) => [event.deviceSeq, event.type]),
      hubLog: hubLog.map((row) => [Number(row.device_seq), row.type, row.status]),
      hubLastSeq: Number(device.last_seq),
      receipts: outbox
        .filter((event) => event.type === 'sale.completed')
        .map((event) => (event.payload as { receiptNumber: string }).receiptNumber),
    });
  }
  const stock: Record<string, number> = {};
  for (const store of HUB_STORES) {
    for (const id of HUB_SKUS) {
      stock[`${store.nodeId}:${id}`] = (
        await readInventoryLevel(world.hub.storage.db, store.nodeId, id)
      ).sellable;
    }
  }
  return { tills, stock };
}

describe.each(backendKinds())(
  'sync between real store engines and the real hub on %s (clock skew)',
  (kind) => {
    it('changes nothing about sync when till clocks are a day behind and a day ahead', async () => {
      const outcomes = [];
      for (const skews of [
        [0, 0, 0],
        [-DAY_MS, 0, DAY_MS],
      ]) {
        const world = await createWorld(kind, 4242, skews);
        const startedAt = world.scheduler.now();
        try {
          await fc.asyncModelRun(() => ({ model: {}, real: world }), skewScript());
          await quiesceAndCheck(world);
          // Under the same faults as the model, not on a quiet network.
          expect(world.transports.reduce((sum, t) => sum + t.injected.length, 0)).toBeGreaterThan(0);
          for (const [index, till] of world.tills.entries()) {
            const outbox = readOutbox(till.engine.db, 0, 1_000_000);
            const skew = skews[index]!;
            const clocks = outbox.map((event) => parseHlc(event.hlc));
            for (const [position, event] of outbox.entries()) {
              const hlc = clocks[position]!;
              // The till's own clock really was off by its skew: its events carry that time...
              expect(hlc.wallMs - skew).toBeGreaterThanOrEqual(startedAt);
              expect(hlc.wallMs - skew).toBeLessThanOrEqual(world.scheduler.now());
              expect(Date.parse(event.occurredAt) - skew).toBeGreaterThanOrEqual(startedAt);
              // ...and its HLC still orders its events exactly as deviceSeq does.
              if (position > 0) expect(compareHlc(clocks[position - 1]!, hlc)).toBe(-1);
            }
          }
          outcomes.push(await clockFreeOutcome(world));
        } finally {
          await disposeWorld(world);
        }
      }
      const [onTime, skewed] = outcomes;
      // The script did real work on every till, sales included, or the comparison would prove nothing.
      for (const till of onTime!.tills) expect(till.events.length).toBeGreaterThan(2);
      expect(onTime!.tills.flatMap((till) => till.receipts).length).toBeGreaterThan(3);
      expect(skewed).toEqual(onTime);
      // Bounds a hang only: on PostgreSQL every virtual step waits for the hub's real work.
    }, 600_000);
  },
);

/** The faults the issue names: every default run of the model must have injected each at least once. */
const REQUIRED_FAULTS = ['drop', 'duplicate', 'reorder', 'delay', 'disconnect', 'lostAck'] as const;

describe.each(backendKinds())('sync between real store engines and the real hub on %s (model)', (kind) => {
  it('applies every store event exactly once and converges every replica to the hub under faults', async () => {
    const injected = new Set<string>();
    const replaying = process.env.SYNC_MODEL_SEED !== undefined;
    const runs = Number(process.env.SYNC_MODEL_RUNS ?? (kind === 'sqlite' ? 10 : 4));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.constantFrom(-DAY_MS, 0, DAY_MS), { minLength: 3, maxLength: 3 }),
        fc.commands(commands, {
          maxCommands: Number(process.env.SYNC_MODEL_COMMANDS ?? (kind === 'sqlite' ? 40 : 25)),
          size: 'large',
        }),
        async (seed, skews, cmds) => {
          const world = await createWorld(kind, seed, skews);
          try {
            await fc.asyncModelRun(() => ({ model: {}, real: world }), cmds);
            await quiesceAndCheck(world);
            for (const transport of world.transports) {
              for (const record of transport.injected) injected.add(record.fault);
            }
            if (process.env.SYNC_MODEL_STATS) {
              console.log(
                JSON.stringify({
                  written: world.tills.map((t) => lastSeq(t.engine)),
                  faults: world.transports.reduce((sum, t) => sum + t.injected.length, 0),
                  head: await feedHead(world.hub.storage.db),
                  restored: world.restored,
                  rotations: world.rotations,
                }),
              );
            }
          } finally {
            await disposeWorld(world);
          }
        },
      ),
      {
        numRuns: runs,
        // Replays a failure fast-check reported.
        ...(replaying
          ? {
              seed: Number(process.env.SYNC_MODEL_SEED),
              path: process.env.SYNC_MODEL_PATH,
              endOnFailure: true,
            }
          : {}),
      },
    );
    // A model that never injected a fault would prove nothing about it. Counted on SQLite, whose 10 runs
    // inject well over a hundred call faults; PostgreSQL's 4 shorter runs use the same commands and
    // fault plan but could miss one kind by chance, and a test that fails by chance proves nothing.
    if (!replaying && kind === 'sqlite' && runs >= 10) {
      expect(REQUIRED_FAULTS.filter((fault) => !injected.has(fault))).toEqual([]);
    }
  }, 600_000);
});
