import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyProjections } from '@retail/hub-server/src/inventory/ledger';
import {
  findPostgresBinaries,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '@retail/hub-server/src/test-support/throwaway-postgres';
import { readOutbox } from '../../src/engine/outbox';
import {
  buildCliBundles,
  removeCliBundles,
  sleep,
  startStore,
  until,
  type RunningProcess,
  type RunningStore,
} from '../sync-process/processes';
import { Driver, MANAGER, SyncWorld, type AckedSale, type DriverLog } from '../sync-process/sync-world';
import { startFaultProxy, type FaultProxy, type ProxyFault } from './fault-proxy';

/**
 * The soak (issue 20 item 6; `npm run soak -- --minutes 30`, 2 minutes in `npm test`): three real
 * `pos-store` tills sell continuously against a real `pos-hub serve` on a PostgreSQL cluster of its own,
 * each through an in-process TCP fault proxy, while faults are injected one at a time: proxy delays,
 * drops, resets and half-open connections, SIGKILLs of a till and of the hub, and PostgreSQL restarts.
 * Counted and bounded: at most FAULTS_PER_MINUTE faults a minute, each lasting seconds, and the run ends
 * at its deadline. Then every fault is healed and the soak waits (bounded) for each till to send
 * everything, and checks end to end: every event each till wrote is at the hub exactly once in its
 * numbering, every sale a cashier saw complete is one hub sale with its ledger rows, the stock projections
 * equal the ledger, and no process's memory kept growing. The figures go to SOAK_REPORT as JSON.
 */

const MINUTES = Number(process.env['SOAK_MINUTES'] ?? '2');
const SEED = Number(process.env['SOAK_SEED'] ?? String(Date.now() % 2_147_483_647));
const REPORT = process.env['SOAK_REPORT'];
const TILLS = 3;
const FAULTS_PER_MINUTE = 6;
/** A process above this is a leak whatever the run's length. */
const RSS_CAP_MB = 1_536;

/** mulberry32: the fault schedule replays from SOAK_SEED. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Resident memory of a live process in MB, from /proc. */
function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

interface Incarnation {
  readonly role: string;
  readonly pid: number;
  readonly startedAtMs: number;
  readonly samples: { atMs: number; mb: number }[];
}

class Till implements DriverLog {
  readonly acked: AckedSale[] = [];
  readonly positions: { epoch: string | null; cursor: number }[] = [];
  store: RunningStore | null = null;
  lane: Driver | null = null;
  ready = deferred();
  starts = 0;
  kills = 0;
  refusals = 0;

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly proxy: FaultProxy,
  ) {}

  get dbPath(): string {
    return join(this.dir, 'store.db');
  }

  /** Starts the till (enrolling it the first time) and a cashier on a fresh register of it. */
  async start(world: SyncWorld): Promise<RunningStore> {
    this.starts += 1;
    const first = this.starts === 1;
    this.store = await startStore(
      first
        ? [
            '--data',
            this.dir,
            '--hub',
            `http://127.0.0.1:${this.proxy.port}`,
            '--device-name',
            this.name,
            '--manager-code',
            MANAGER.code,
            '--manager-name',
            MANAGER.name,
          ]
        : ['--data', this.dir],
      {
        POS_STORE_MANAGER_PIN: MANAGER.pin,
        ...(first ? { POS_STORE_ENROLL_CODE: world.enrollmentCode() } : {}),
      },
    );
    // A register per start: the sale open on the old one when the till died stays there, as at a real till.
    this.lane = await Driver.connect(this, this.store, `${this.name}-r${this.starts}`);
    await this.lane.openShift();
    this.ready.resolve();
    return this.store;
  }

  async kill(): Promise<void> {
    this.ready = deferred();
    this.kills += 1;
    this.lane?.close();
    this.lane = null;
    await this.store?.kill();
  }
}

let pg: ThrowawayPostgres | null = null;
let world: SyncWorld;
const tills: Till[] = [];

beforeAll(async () => {
  await buildCliBundles();
  const binaries = findPostgresBinaries();
  if ('bin' in binaries) {
    pg = await startThrowawayPostgres(binaries.bin);
    // SyncWorld creates its database in the cluster PG_URL names: ours, never the shared one.
    process.env['PG_URL'] = pg.adminUrl;
  }
  world = await SyncWorld.create(pg === null ? 'sqlite' : 'postgres');
  await world.startHub();
}, 300_000);

afterAll(async () => {
  for (const till of tills) {
    till.lane?.close();
    await till.store?.kill();
    await till.proxy.close();
  }
  await world?.dispose();
  await pg?.dispose();
  removeCliBundles();
}, 120_000);

it(
  `sells on ${TILLS} tills for ${MINUTES} min under faults and loses nothing`,
  async () => {
    const next = random(SEED);
    const incarnations: Incarnation[] = [];
    const track = (role: string, process: RunningProcess) => {
      const pid = process.child.pid;
      if (pid !== undefined) incarnations.push({ role, pid, startedAtMs: Date.now(), samples: [] });
    };
    track('hub', world.hub!);
    for (let index = 1; index <= TILLS; index += 1) {
      const proxy = await startFaultProxy(() => world.port);
      const till = new Till(`till-${index}`, join(world.dir, `till-${index}`), proxy);
      tills.push(till);
      track(till.name, await till.start(world));
    }

    const startedAt = Date.now();
    const deadline = startedAt + MINUTES * 60_000;
    let selling = true;
    const cashiers = tills.map(async (till, index) => {
      let seed = index * 10_000_000;
      while (selling) {
        await till.ready.promise;
        const lane = till.lane;
        if (lane === null || !selling) continue;
        seed += 1;
        if (await lane.sell(seed)) continue;
        till.refusals += 1;
        // A refusal mid-sale (the till or its command channel went away, or the machine is slow): finish
        // what is open on the register before the next sale, as a cashier would.
        seed += 1;
        await lane.recover(seed);
      }
    });

    const sampler = setInterval(() => {
      for (const incarnation of incarnations) {
        const mb = rssMb(incarnation.pid);
        if (mb !== undefined) incarnation.samples.push({ atMs: Date.now(), mb });
      }
    }, 5_000);

    const faults: { atS: number; kind: string; target: string; ms?: number }[] = [];
    const maxFaults = Math.max(1, Math.floor(MINUTES * FAULTS_PER_MINUTE));
    const kinds = ['delay', 'drop', 'reset', 'half-open', 'kill-till', 'kill-hub', 'restart-db'].filter(
      (kind) => kind !== 'restart-db' || pg !== null,
    );
    try {
      // Let every till sell a little before the first fault.
      await until('a sale on every till', () => tills.every((till) => till.acked.length > 0), 120_000, 100);
      while (Date.now() < deadline && faults.length < maxFaults) {
        const kind = kinds[Math.floor(next() * kinds.length)]!;
        const till = tills[Math.floor(next() * tills.length)]!;
        const ms = 1_000 + Math.floor(next() * 4_000);
        const atS = Math.round((Date.now() - startedAt) / 1000);
        if (kind === 'kill-till') {
          faults.push({ atS, kind, target: till.name });
          await till.kill();
          track(till.name, await till.start(world));
        } else if (kind === 'kill-hub') {
          faults.push({ atS, kind, target: 'hub' });
          await world.hub!.kill();
          track('hub', await world.startHub());
        } else if (kind === 'restart-db') {
          const mode = next() < 0.5 ? 'fast' : 'immediate';
          faults.push({ atS, kind: `${kind}-${mode}`, target: 'postgres' });
          await pg!.restart(mode);
        } else {
          const fault: ProxyFault =
            kind === 'delay' ? { kind, ms: 20 + Math.floor(next() * 300) } : ({ kind } as ProxyFault);
          faults.push({ atS, kind, target: till.name, ms });
          till.proxy.inject(fault);
          // The fault lasts `ms`, then the network heals: a duration of the scenario, not a wait.
          await sleep(ms);
          till.proxy.heal();
        }
        // Sales go on between faults.
        await sleep(1_000 + Math.floor(next() * 4_000));
      }
    } finally {
      selling = false;
      for (const till of tills) till.proxy.heal();
    }
    await Promise.all(cashiers);
    clearInterval(sampler);
    const soldForS = Math.round((Date.now() - startedAt) / 1000);

    // Every till sends everything it wrote (a half-open connection lasts until its own timeouts end it).
    const settleStarted = Date.now();
    for (const till of tills) {
      await till.lane!.send('sync-now', {});
      await until(
        `${till.name} sent everything and is live`,
        async () => {
          const status = await till.lane!.status();
          return status.pendingEvents === 0 && status.state === 'live';
        },
        600_000,
        500,
      );
    }
    const settledInS = Math.round((Date.now() - settleStarted) / 1000);

    const perTill = [];
    for (const till of tills) {
      const db = new Database(till.dbPath, { readonly: true, fileMustExist: true });
      const events = (() => {
        try {
          db.pragma('busy_timeout = 5000');
          return readOutbox(db, 0, 100_000_000);
        } finally {
          db.close();
        }
      })();
      const deviceId = events[0]!.deviceId;
      expect(events.map((event) => event.deviceSeq)).toEqual(events.map((_, index) => index + 1));
      const ingested = await world.storage.db
        .selectFrom('ingested_events')
        .select(['event_id', 'device_seq', 'status'])
        .where('device_id', '=', deviceId)
        .orderBy('device_seq')
        .execute();
      expect(
        ingested.map((row) => [row.event_id, Number(row.device_seq), row.status]),
        `${till.name}: every event at the hub once, in its numbering`,
      ).toEqual(events.map((event) => [event.eventId, event.deviceSeq, 'applied']));
      const saleEvents = new Map(
        events
          .filter((event) => event.type === 'sale.completed')
          .map((event) => [(event.payload as { saleId: string }).saleId, event.eventId]),
      );
      const hubSales = await world.storage.db
        .selectFrom('sales')
        .select(['sale_id', 'event_id', 'receipt_number'])
        .where('device_id', '=', deviceId)
        .execute();
      expect(hubSales).toHaveLength(saleEvents.size);
      expect(new Set(hubSales.map((row) => row.sale_id)).size).toBe(hubSales.length);
      const bySale = new Map(hubSales.map((row) => [row.sale_id, row]));
      const ledger = await world.storage.db
        .selectFrom('inventory_movements')
        .select('event_id')
        .where('event_id', 'in', [...new Set(till.acked.map((sale) => saleEvents.get(sale.saleId) ?? ''))])
        .execute();
      const ledgerRows = new Map<string, number>();
      for (const row of ledger) ledgerRows.set(row.event_id!, (ledgerRows.get(row.event_id!) ?? 0) + 1);
      for (const sale of till.acked) {
        const atHub = bySale.get(sale.saleId);
        expect(atHub, `${till.name} sale ${sale.receiptNumber} at the hub`).toBeDefined();
        expect(atHub).toMatchObject({
          event_id: saleEvents.get(sale.saleId),
          receipt_number: sale.receiptNumber,
        });
        expect(ledgerRows.get(atHub!.event_id), `ledger rows of ${sale.receiptNumber}`).toBe(sale.lines);
      }
      perTill.push({
        till: till.name,
        salesConfirmed: till.acked.length,
        salesAtHub: hubSales.length,
        events: events.length,
        starts: till.starts,
        refusals: till.refusals,
        proxy: till.proxy.stats,
      });
    }
    // Every ledger balances: the stock projections equal the sum of the movements.
    expect(await verifyProjections(world.storage.db)).toEqual([]);
    const exceptions = await world.storage.db.selectFrom('exceptions').select('type').execute();
    const exceptionsByType: Record<string, number> = {};
    for (const row of exceptions) exceptionsByType[row.type] = (exceptionsByType[row.type] ?? 0) + 1;
    // The tills sell SKUs the hub holds no stock of, so each SKU sold is short: one open NEGATIVE_SELLABLE per
    // SKU below zero (merged by condition key), never one per sale or per batch.
    const openShort = await world.storage.db
      .selectFrom('exceptions')
      .select('sku')
      .where('type', '=', 'NEGATIVE_SELLABLE')
      .where('status', '=', 'open')
      .execute();
    const shortSkus = await world.storage.db
      .selectFrom('stock_balances')
      .select('sku')
      .where('sellable', '<', 0)
      .execute();
    expect(openShort.map((row) => row.sku).sort()).toEqual(shortSkus.map((row) => row.sku).sort());
    // Faults are no reason for HQ to act: no till was taken for a restored copy, no push refused.
    for (const type of ['DEVICE_RESTORED', 'SEQUENCE_CONFLICT', 'PUSH_REFUSED', 'REJECTED_EVENT']) {
      expect(exceptionsByType[type] ?? 0, type).toBe(0);
    }

    // Memory: no process above the cap; for any that lived 10 minutes or more, the last quarter of its life
    // is no higher than the second quarter by more than half again (plus noise).
    const memory = incarnations.map((incarnation) => {
      const samples = incarnation.samples;
      const maxMb = Math.max(0, ...samples.map((sample) => sample.mb));
      const lifeMs = (samples.at(-1)?.atMs ?? incarnation.startedAtMs) - incarnation.startedAtMs;
      const quarter = (from: number, to: number) =>
        Math.max(
          0,
          ...samples
            .filter((sample) => {
              const at = (sample.atMs - incarnation.startedAtMs) / Math.max(1, lifeMs);
              return at >= from && at <= to;
            })
            .map((sample) => sample.mb),
        );
      return {
        role: incarnation.role,
        lifeS: Math.round(lifeMs / 1000),
        firstMb: Math.round(samples[0]?.mb ?? 0),
        maxMb: Math.round(maxMb),
        lastMb: Math.round(samples.at(-1)?.mb ?? 0),
        secondQuarterMaxMb: Math.round(quarter(0.25, 0.5)),
        lastQuarterMaxMb: Math.round(quarter(0.75, 1)),
      };
    });
    for (const process of memory) {
      expect(process.maxMb, `${process.role} memory`).toBeLessThan(RSS_CAP_MB);
      if (process.lifeS >= 600) {
        expect(process.lastQuarterMaxMb, `${process.role} kept growing`).toBeLessThan(
          process.secondQuarterMaxMb * 1.5 + 64,
        );
      }
    }

    const faultCounts: Record<string, number> = {};
    for (const fault of faults) faultCounts[fault.kind] = (faultCounts[fault.kind] ?? 0) + 1;
    const report = {
      minutes: MINUTES,
      seed: SEED,
      backend: world.kind,
      soldForS,
      settledInS,
      salesConfirmed: tills.reduce((sum, till) => sum + till.acked.length, 0),
      salesAtHub: perTill.reduce((sum, till) => sum + till.salesAtHub, 0),
      faults: faults.length,
      faultCounts,
      tills: perTill,
      exceptionsByType,
      memory,
      faultLog: faults,
    };
    const text = JSON.stringify(report, null, 2);
    if (REPORT !== undefined && REPORT !== '') writeFileSync(REPORT, `${text}\n`);
    console.log(`soak report\n${text}`);
    expect(faults.length).toBeGreaterThan(0);
  },
  (MINUTES + 25) * 60_000,
);
