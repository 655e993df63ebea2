import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import {
  createTestDatabase,
  familyItems,
  feedHead,
  hubDataFor,
  seedTestHub,
  signedInOperator,
  type BackendKind,
  type Storage,
  type TestDatabase,
} from '@retail/hub-server/testing';
import type { Db } from '../../src/engine/database';
import { readOutbox } from '../../src/engine/outbox/outbox';
import { readReplica } from '../../src/engine/sync/replica';
import { createCommandClient, type CommandClient } from '../../src/shared/command-client';
import type { CommandInput, CommandName, CommandResponse, SyncStatus } from '../../src/shared/commands';
import {
  freePort,
  hubCommand,
  startHub,
  startStore,
  until,
  type RunningHub,
  type RunningStore,
} from './processes';

export const STORE_ID = 'store-sp';
export const STORE_CODE = 'SP1';
const REGION = 'north';
export const MANAGER = { code: 'M1', name: 'Morgan Manager', pin: '1234' };
export const SKU_COUNT = 4_000;

export function skuName(index: number): string {
  return `SKU-${String(index).padStart(5, '0')}`;
}

/** A sale the cashier saw complete: the command channel answered ok. */
export interface AckedSale {
  readonly saleId: string;
  readonly receiptNumber: string;
  readonly lines: number;
}

/** What a driver records: the sales its cashier saw complete and the feed positions the till reported. */
export interface DriverLog {
  readonly acked: AckedSale[];
  readonly positions: { epoch: string | null; cursor: number }[];
}

/**
 * One hub database served by a real `pos-hub serve` (restartable on the same port and database) and one
 * till served by a real `pos-store start` (restartable on the same data folder), plus what the driver
 * observed: acknowledged sales and every feed position it saw.
 */
export class SyncWorld implements DriverLog {
  hub: RunningHub | null = null;
  store: RunningStore | null = null;
  readonly acked: AckedSale[] = [];
  /** Every (epoch, cursor) the till reported or its database held, in the order seen. */
  readonly positions: { epoch: string | null; cursor: number }[] = [];
  private priceRound = 0;
  private adminToken = '';
  private storeStarts = 0;

  private constructor(
    readonly kind: BackendKind,
    readonly database: TestDatabase,
    private openStorage: Storage | null,
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(kind: BackendKind): Promise<SyncWorld> {
    const database = await createTestDatabase(kind);
    const storage = await database.open();
    const dir = mkdtempSync(join(tmpdir(), 'pos-sync-process-'));
    const world = new SyncWorld(kind, database, storage, dir, await freePort());
    await world.seed();
    return world;
  }

  /** The test's own connection to the hub database, beside the hub process. */
  get storage(): Storage {
    if (this.openStorage === null) throw new Error('the test closed its hub database connection');
    return this.openStorage;
  }

  /** Closes the test's own connection, e.g. while `pos-hub restore` needs the database to itself. */
  async closeStorage(): Promise<void> {
    await this.openStorage?.close();
    this.openStorage = null;
  }

  async reopenStorage(): Promise<void> {
    this.openStorage ??= await this.database.open();
  }

  get storeData(): string {
    return join(this.dir, 'till');
  }

  get storeDbPath(): string {
    return join(this.storeData, 'store.db');
  }

  private async seed(): Promise<void> {
    const hub = await seedTestHub(this.storage, {
      stores: [
        {
          nodeId: STORE_ID,
          code: STORE_CODE,
          name: 'Sync process store',
          region: REGION,
          latitude: undefined,
          longitude: undefined,
          pickupEnabled: false,
        },
      ],
      items: familyItems(SKU_COUNT, skuName),
    });
    this.adminToken = await signedInOperator(hub, {
      username: 'pricing',
      password: 'a long pricing password',
      role: 'operator',
    });
  }

  get markerPath(): string {
    return join(this.dir, 'feed-marker.json');
  }

  async startHub(): Promise<RunningHub> {
    this.hub = await startHub({ db: this.database.url, port: this.port, markerPath: this.markerPath });
    return this.hub;
  }

  /** A one-time code from `pos-hub enroll-code`, as HQ hands it to whoever sets up the till. */
  enrollmentCode(): string {
    const answer = JSON.parse(
      hubCommand(['enroll-code', '--store', STORE_CODE, '--db', this.database.url]),
    ) as {
      code: string;
    };
    return answer.code;
  }

  /** Starts the till; the first start enrolls a new data folder with a real code. */
  async startStore(env: Record<string, string> = {}): Promise<RunningStore> {
    this.storeStarts += 1;
    const args =
      this.storeStarts === 1
        ? [
            '--data',
            this.storeData,
            '--hub',
            `http://127.0.0.1:${this.port}`,
            '--device-name',
            'Sync process lane',
            '--manager-code',
            MANAGER.code,
            '--manager-name',
            MANAGER.name,
          ]
        : ['--data', this.storeData];
    // The code and the PIN travel in the environment, as they should in production (never in ps).
    this.store = await startStore(args, {
      POS_STORE_MANAGER_PIN: MANAGER.pin,
      ...(this.storeStarts === 1 ? { POS_STORE_ENROLL_CODE: this.enrollmentCode() } : {}),
      ...env,
    });
    return this.store;
  }

  /** Changes `count` prices at the hub through its HTTP API; false when the hub could not be reached. */
  async changePrices(count: number): Promise<boolean> {
    this.priceRound += 1;
    const round = this.priceRound;
    const start = (round * 997) % SKU_COUNT;
    const entries = Array.from({ length: count }, (_, offset) => {
      const index = (start + offset) % SKU_COUNT;
      return { sku: skuName(index), tiers: [{ minQty: 1, unitPrice: 100 + ((index + round * 13) % 900) }] };
    });
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/api/price-books/pb-chain/prices`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ entries }),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  async hubHead(): Promise<number> {
    return feedHead(this.storage.db);
  }

  /** The till's database read beside the running node (WAL readers never block it). */
  readStore<T>(read: (db: Db) => T): T {
    const db = new Database(this.storeDbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return read(db);
    } finally {
      db.close();
    }
  }

  /** The till's own numbers as its database holds them (after a kill: what survived). */
  storeSyncState(): {
    lastDeviceSeq: number;
    lastAckedSeq: number;
    epoch: string | null;
    cursor: number;
    snapshotInProgress: boolean;
  } {
    return this.readStore((db) => {
      const device = db.prepare('SELECT last_device_seq AS seq FROM device_state').get() as { seq: number };
      const state = db
        .prepare(
          `SELECT last_acked_seq AS acked, feed_epoch AS epoch, feed_cursor AS cursor, refetch_pending AS refetch
           FROM sync_state`,
        )
        .get() as { acked: number; epoch: string | null; cursor: number; refetch: number };
      this.positions.push({ epoch: state.epoch, cursor: state.cursor });
      return {
        lastDeviceSeq: device.seq,
        lastAckedSeq: state.acked,
        epoch: state.epoch,
        cursor: state.cursor,
        // A download is built beside the replica (snapshot-staging.ts) until its last page swaps it in.
        snapshotInProgress: state.epoch === null || state.refetch === 1,
      };
    });
  }

  /** The hub rows the till's replica must equal: the live rows of its scopes, keyed like readReplica. */
  hubData(): Promise<Map<string, unknown>> {
    return hubDataFor(this.storage, STORE_ID, REGION);
  }

  /** Waits until the till sent everything and its replica equals the hub's data for it. */
  async converge(driver: Driver, timeoutMs = 180_000): Promise<void> {
    await driver.send('sync-now', {});
    await until(
      'the till converges with the hub',
      async () => {
        const status = await driver.status();
        if (status.pendingEvents !== 0 || status.state !== 'live') return false;
        if (status.feedCursor < (await this.hubHead())) return false;
        const replica = this.readStore(readReplica);
        const hub = await this.hubData();
        if (replica.size !== hub.size) return false;
        for (const [key, value] of hub) {
          if (JSON.stringify(replica.get(key)) !== JSON.stringify(value)) return false;
        }
        return true;
      },
      timeoutMs,
      200,
    );
  }

  /** Every invariant of docs/sync.md, checked on the real databases of both sides. */
  async verify(): Promise<void> {
    const events = this.readStore((db) => readOutbox(db, 0, 10_000_000));
    const deviceId = events[0]?.deviceId;
    expect(deviceId).toBeDefined();
    expect(events.map((event) => event.deviceSeq)).toEqual(events.map((_, index) => index + 1));

    // Every event the till wrote reached the hub exactly once, in its numbering, none rejected.
    const ingested = await this.storage.db
      .selectFrom('ingested_events')
      .select(['event_id', 'device_seq', 'status'])
      .where('device_id', '=', deviceId!)
      .orderBy('device_seq')
      .execute();
    expect(ingested.map((row) => [row.event_id, Number(row.device_seq), row.status])).toEqual(
      events.map((event) => [event.eventId, event.deviceSeq, 'applied']),
    );
    const device = await this.storage.db
      .selectFrom('devices')
      .select('last_seq')
      .where('device_id', '=', deviceId!)
      .executeTakeFirstOrThrow();
    expect(Number(device.last_seq)).toBe(events.length);

    // Every sale the cashier saw complete is one hub sale with one ledger row per line, no more.
    const saleEvents = new Map(
      events
        .filter((event) => event.type === 'sale.completed')
        .map((event) => [(event.payload as { saleId: string }).saleId, event]),
    );
    const hubSales = await this.storage.db
      .selectFrom('sales')
      .select(['sale_id', 'event_id', 'receipt_number'])
      .where('node_id', '=', STORE_ID)
      .execute();
    expect(hubSales).toHaveLength(saleEvents.size);
    const ledger = await this.storage.db
      .selectFrom('inventory_movements')
      .select(['event_id'])
      .where('node_id', '=', STORE_ID)
      .where('event_id', 'is not', null)
      .execute();
    const ledgerRows = new Map<string, number>();
    for (const row of ledger) ledgerRows.set(row.event_id!, (ledgerRows.get(row.event_id!) ?? 0) + 1);
    for (const sale of this.acked) {
      const event = saleEvents.get(sale.saleId);
      expect(event, `sale ${sale.receiptNumber} in the till's outbox`).toBeDefined();
      const atHub = hubSales.filter((row) => row.sale_id === sale.saleId);
      expect(atHub, `sale ${sale.receiptNumber} at the hub`).toHaveLength(1);
      expect(atHub[0]).toMatchObject({ event_id: event!.eventId, receipt_number: sale.receiptNumber });
      expect(ledgerRows.get(event!.eventId), `ledger rows of ${sale.receiptNumber}`).toBe(sale.lines);
    }

    // The replica is the hub's data for this store, and no feed position ever went backwards.
    const replica = this.readStore(readReplica);
    const hub = await this.hubData();
    expect(new Map([...replica].sort(([a], [b]) => a.localeCompare(b)))).toEqual(
      new Map([...hub].sort(([a], [b]) => a.localeCompare(b))),
    );
    this.expectCursorsForward();
  }

  expectCursorsForward(): void {
    let previous: { epoch: string | null; cursor: number } | undefined;
    for (const position of this.positions) {
      if (previous !== undefined && position.epoch !== null && previous.epoch === position.epoch) {
        expect(position.cursor, `cursor in epoch ${position.epoch}`).toBeGreaterThanOrEqual(previous.cursor);
      }
      if (position.epoch !== null) previous = position;
    }
    expect(this.positions.length).toBeGreaterThan(0);
  }

  async dispose(): Promise<void> {
    await this.store?.kill();
    await this.hub?.kill();
    await this.closeStorage();
    await this.database.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The driver: a cashier at the till's command channel, through the typed command client. */
export class Driver {
  private session = '';
  private registerId = '';
  /** Why the last sale did not complete, for failure messages. */
  lastRefusal = '';

  private constructor(
    private readonly world: DriverLog,
    readonly client: CommandClient,
  ) {}

  static async connect(world: DriverLog, store: RunningStore, registerId: string): Promise<Driver> {
    const client = createCommandClient(store.url, store.token, { transports: ['websocket'] });
    await client.ready();
    const driver = new Driver(world, client);
    driver.registerId = registerId;
    const signIn = await client.send('staff-sign-in', { staffCode: MANAGER.code, pin: MANAGER.pin });
    if (!signIn.ok) throw new Error(`sign-in refused: ${signIn.error.message}`);
    driver.session = signIn.value.session;
    return driver;
  }

  async send<N extends CommandName>(
    name: N,
    input: CommandInput<N>,
  ): Promise<
    { ok: true; value: CommandResponse<N> } | { ok: false; error: { code: string; message: string } }
  > {
    return this.client.send(name, input, { session: this.session, timeoutMs: 5_000 });
  }

  async status(): Promise<SyncStatus> {
    const answer = await this.send('sync-status', {});
    if (!answer.ok) throw new Error(answer.error.message);
    this.world.positions.push({ epoch: answer.value.feedEpoch, cursor: answer.value.feedCursor });
    return answer.value;
  }

  /** Opens a shift on this driver's register once the catalog arrived (a new till snapshots first). */
  async openShift(): Promise<void> {
    // ~8,000 rows in pages, again after a kill mid-download: a busy machine needs well over 30 s.
    await until(
      'the till has its catalog (snapshot done)',
      async () => {
        const status = await this.status();
        return status.feedEpoch !== null && (status.snapshot ?? null) === null;
      },
      120_000,
    );
    const opened = await this.send('shift-open', { registerId: this.registerId, float: 10_000 });
    if (!opened.ok) throw new Error(`shift-open refused: ${opened.error.message}`);
  }

  /** Rings up one sale; records it only when sale-complete answered ok. Returns false on any refusal. */
  async sell(seed: number): Promise<boolean> {
    const refused = (step: string, error: { code: string; message: string }) => {
      this.lastRefusal = `${step}: ${error.code} ${error.message}`;
      return false;
    };
    const started = await this.send('sale-start', { registerId: this.registerId });
    if (!started.ok) return refused('sale-start', started.error);
    const saleId = started.value.saleId;
    const lines = 1 + (seed % 3);
    for (let line = 0; line < lines; line += 1) {
      const added = await this.send('sale-add-line', {
        saleId,
        sku: skuName((seed * 31 + line * 7) % SKU_COUNT),
      });
      if (!added.ok) return refused('sale-add-line', added.error);
    }
    return this.finish(saleId, seed, lines);
  }

  /**
   * Completes the sale left open on this register (a refusal or a dead till interrupted it), as a cashier
   * would after a restart; true when there was none or it completed.
   */
  async recover(seed: number): Promise<boolean> {
    const current = await this.send('sale-current', { registerId: this.registerId });
    if (!current.ok) {
      this.lastRefusal = `sale-current: ${current.error.code} ${current.error.message}`;
      return false;
    }
    const sale = current.value.sale;
    if (sale === null) return true;
    let lines = sale.lines.length;
    if (lines === 0) {
      const added = await this.send('sale-add-line', { saleId: sale.saleId, sku: skuName(seed % SKU_COUNT) });
      if (!added.ok) return false;
      lines = 1;
    }
    return this.finish(sale.saleId, seed, lines);
  }

  private async finish(saleId: string, seed: number, lines: number): Promise<boolean> {
    const refused = (step: string, error: { code: string; message: string }) => {
      this.lastRefusal = `${step}: ${error.code} ${error.message}`;
      return false;
    };
    // Pay by card (cash rounds to the store's increment) what is still owed, again if a price change
    // that arrived from the hub meanwhile re-priced the open sale, as a cashier would.
    let completed: Awaited<ReturnType<Driver['send']>> | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const view = await this.send('sale-get', { saleId });
      if (!view.ok) return refused('sale-get', view.error);
      const remaining = view.value.payment.remaining;
      if (remaining > 0) {
        const paid = await this.send('sale-add-tender', {
          saleId,
          tender: { type: 'card', amount: remaining, reference: `AUTH-${seed}-${attempt}` },
        });
        if (!paid.ok) return refused('sale-add-tender', paid.error);
      }
      completed = await this.send('sale-complete', { saleId });
      if (completed.ok || completed.error.code !== 'INSUFFICIENT_TENDER') break;
    }
    if (completed === undefined || !completed.ok) {
      return refused('sale-complete', completed?.ok === false ? completed.error : { code: '?', message: '' });
    }
    const receiptNumber = (completed.value as { receiptNumber: string | null }).receiptNumber ?? '';
    this.world.acked.push({ saleId, receiptNumber, lines });
    return true;
  }

  close(): void {
    this.client.close();
  }
}
