import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  findPostgresBinaries,
  startThrowawayPostgres,
  verifyProjections,
  type ThrowawayPostgres,
} from '@retail/hub-server/testing';
import { readOutbox } from '../../src/engine/outbox/outbox';
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
import { faultSpread, planFaults } from './fault-schedule';
import { judgeGrowth, SOAK_GROWTH_POLICY, type MemorySample } from './memory-growth';

/**
 * The soak (issue 20 item 6; `npm run soak -- --minutes 30`, 2 minutes in `npm test`): three real
 * `pos-store` tills sell continuously against a real `pos-hub serve` on a PostgreSQL cluster of its own,
 * each through an in-process TCP fault proxy, while faults are injected one at a time: proxy delays,
 * drops, resets and half-open connections, SIGKILLs of a till and of the hub, and PostgreSQL restarts.
 * Counted and bounded: FAULTS_PER_MINUTE faults a minute of selling, planned before the first one, one
 * per slot evenly over the whole run with jitter (fault-schedule.ts), each lasting seconds, and the run
 * ends at its deadline. Some processes are kept alive to be watched for leaks: till-1 is never killed, no
 * hub is killed in the middle stretch of the run (12 minutes of a 30-minute run), and the soak's own
 * process holds the fault proxies; their memory is judged by memory-growth.ts. Then every fault is healed and the soak waits (bounded) for each till to send
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
/** Hub SIGKILLs stay out of a middle stretch this long (at most half the run) so one hub lives through it. */
const HUB_WATCH_MS = 12 * 60_000;
/** Runs this long must prove each watched process bounded; shorter ones report "too short to judge". */
const JUDGED_RUN_MINUTES = 20;
const SAMPLE_EVERY_MS = 5_000;

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
  /** Undefined: the soak's own process (the harness and the fault proxies), sampled from inside. */
  readonly pid: number | undefined;
  readonly startedAtMs: number;
  readonly samples: { atMs: number; mb: number; heapMb?: number }[];
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
    const incarnations: Incarnation[] = [
      { role: 'soak-harness', pid: undefined, startedAtMs: Date.now(), samples: [] },
    ];
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

    const load: { atS: number; oneMinute: number }[] = [];
    const sample = () => {
      const now = Date.now();
      for (const incarnation of incarnations) {
        if (incarnation.pid === undefined) {
          const usage = process.memoryUsage();
          incarnation.samples.push({
            atMs: now,
            mb: usage.rss / 1_048_576,
            heapMb: usage.heapUsed / 1_048_576,
          });
          continue;
        }
        const mb = rssMb(incarnation.pid);
        if (mb !== undefined) incarnation.samples.push({ atMs: now, mb });
      }
      load.push({ atS: Math.round((now - startedAt) / 1000), oneMinute: loadavg()[0]! });
    };
    sample();
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);

    type Kind = 'delay' | 'drop' | 'reset' | 'half-open' | 'kill-till' | 'kill-hub' | 'restart-db';
    const kinds: Kind[] = ['delay', 'drop', 'reset', 'half-open', 'kill-till', 'kill-hub', 'restart-db'];
    const faults: { plannedS: number; atS: number; kind: string; target: string; ms?: number }[] = [];
    let skipped = 0;
    // till-1 is watched for growth: only the others are SIGKILLed.
    const killable = tills.slice(1);
    try {
      // Let every till sell a little before the first fault.
      await until('a sale on every till', () => tills.every((till) => till.acked.length > 0), 120_000, 100);
      const fromMs = Date.now() - startedAt;
      const toMs = MINUTES * 60_000;
      const count = Math.max(1, Math.floor(MINUTES * FAULTS_PER_MINUTE));
      const slotMs = Math.max(1, (toMs - fromMs) / count);
      const watchMs = Math.min(HUB_WATCH_MS, (toMs - fromMs) / 2);
      const watchFromMs = fromMs + (toMs - fromMs - watchMs) / 2;
      const plan = planFaults({
        fromMs,
        toMs,
        count,
        kinds: kinds.filter((kind) => kind !== 'restart-db' || pg !== null),
        random: next,
        quiet: { kind: 'kill-hub', fromMs: watchFromMs, toMs: watchFromMs + watchMs },
      });
      for (const planned of plan) {
        const dueAt = startedAt + planned.atMs;
        if (dueAt >= deadline) break;
        // Waiting for the slot is the schedule itself, not a wait for a condition.
        if (dueAt > Date.now()) await sleep(dueAt - Date.now());
        // A fault more than a slot late (the one before it, a restart, took that long on a busy machine) is
        // skipped rather than run back to back with the next: the plan's spread is the point.
        if (Date.now() - dueAt > slotMs) {
          skipped += 1;
          continue;
        }
        const kind = planned.kind;
        const till = tills[Math.floor(next() * tills.length)]!;
        // Each network fault ends well within its slot so faults never overlap.
        const ms = Math.min(1_000 + Math.floor(next() * 4_000), Math.max(500, Math.floor(slotMs * 0.6)));
        const atS = Math.round((Date.now() - startedAt) / 1000);
        const plannedS = Math.round(planned.atMs / 1000);
        if (kind === 'kill-till') {
          const victim = killable[Math.floor(next() * killable.length)]!;
          faults.push({ plannedS, atS, kind, target: victim.name });
          await victim.kill();
          track(victim.name, await victim.start(world));
        } else if (kind === 'kill-hub') {
          faults.push({ plannedS, atS, kind, target: 'hub' });
          await world.hub!.kill();
          track('hub', await world.startHub());
        } else if (kind === 'restart-db') {
          const mode = next() < 0.5 ? 'fast' : 'immediate';
          faults.push({ plannedS, atS, kind: `${kind}-${mode}`, target: 'postgres' });
          await pg!.restart(mode);
        } else {
          const fault: ProxyFault =
            kind === 'delay' ? { kind, ms: 20 + Math.floor(next() * 300) } : ({ kind } as ProxyFault);
          faults.push({ plannedS, atS, kind, target: till.name, ms });
          till.proxy.inject(fault);
          // The fault lasts `ms`, then the network heals: a duration of the scenario, not a wait.
          await sleep(ms);
          till.proxy.heal();
        }
      }
      // Sales go on after the last fault until the deadline.
      if (deadline > Date.now()) await sleep(deadline - Date.now());
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

    // Memory: no process above the cap, and each process life long enough to judge holds its memory
    // (memory-growth.ts: a late window against an early one after warm-up). The watched processes must
    // each have one judged life in a run long enough; in a short run they are "too short to judge".
    const memory = incarnations.map((incarnation) => {
      const relative = (pick: (sample: Incarnation['samples'][number]) => number | undefined) =>
        incarnation.samples.flatMap((sample): MemorySample[] => {
          const mb = pick(sample);
          return mb === undefined ? [] : [{ atMs: sample.atMs - incarnation.startedAtMs, mb }];
        });
      const rss = relative((sample) => sample.mb);
      const heap = relative((sample) => sample.heapMb);
      const figures = (series: MemorySample[]) => ({
        startMb: Math.round(series[0]?.mb ?? 0),
        peakMb: Math.round(Math.max(0, ...series.map((sample) => sample.mb))),
        endMb: Math.round(series.at(-1)?.mb ?? 0),
      });
      return {
        role: incarnation.role,
        pid: incarnation.pid ?? process.pid,
        startedAtS: Math.round((incarnation.startedAtMs - startedAt) / 1000),
        samples: rss.length,
        rss: { ...figures(rss), growth: judgeGrowth(rss) },
        ...(heap.length === 0 ? {} : { heap: { ...figures(heap), growth: judgeGrowth(heap) } }),
      };
    });
    const memoryVerdicts = memory.flatMap((life) => [
      { life, of: 'rss', judgement: life.rss.growth },
      ...(life.heap === undefined ? [] : [{ life, of: 'heap', judgement: life.heap.growth }]),
    ]);
    const watched = ['soak-harness', 'till-1', 'hub'].map((role) => {
      const lives = memory.filter((life) => life.role === role);
      const longest = lives.reduce<(typeof memory)[number] | undefined>(
        (best, life) => (best === undefined || life.rss.growth.lifeS > best.rss.growth.lifeS ? life : best),
        undefined,
      );
      const judged = lives.filter((life) => life.rss.growth.verdict !== 'too-short');
      return {
        role,
        judgedLives: judged.length,
        longestLifeS: longest?.rss.growth.lifeS ?? 0,
        verdict:
          judged.length === 0
            ? `too short to judge: the longest ${role} life was sampled for ${longest?.rss.growth.lifeS ?? 0} s, growth is judged after ${SOAK_GROWTH_POLICY.minLifeMs / 1000} s`
            : judged.some(
                  (life) => life.rss.growth.verdict === 'grew' || life.heap?.growth.verdict === 'grew',
                )
              ? 'grew'
              : 'bounded',
      };
    });
    console.log(
      [
        `soak memory (growth judged after ${SOAK_GROWTH_POLICY.minLifeMs / 60_000} min of life):`,
        ...watched.map((entry) => `  ${entry.role}: ${entry.verdict}`),
        ...memoryVerdicts
          .filter((entry) => entry.judgement.verdict !== 'too-short')
          .map(
            (entry) => `  ${entry.life.role} pid ${entry.life.pid} ${entry.of}: ${entry.judgement.reason}`,
          ),
      ].join('\n'),
    );

    const faultCounts: Record<string, number> = {};
    for (const fault of faults) faultCounts[fault.kind] = (faultCounts[fault.kind] ?? 0) + 1;
    const oneMinuteLoad = load.map((entry) => entry.oneMinute);
    const report = {
      minutes: MINUTES,
      seed: SEED,
      backend: world.kind,
      soldForS,
      settledInS,
      salesConfirmed: tills.reduce((sum, till) => sum + till.acked.length, 0),
      salesAtHub: perTill.reduce((sum, till) => sum + till.salesAtHub, 0),
      faults: faults.length,
      faultsSkippedLate: skipped,
      faultCounts,
      faultSpread: faultSpread(faults, soldForS),
      loadAverage: {
        min: Math.min(...oneMinuteLoad),
        median: [...oneMinuteLoad].sort((x, y) => x - y)[Math.floor(oneMinuteLoad.length / 2)],
        max: Math.max(...oneMinuteLoad),
      },
      tills: perTill,
      exceptionsByType,
      memoryWatched: watched,
      memory,
      faultLog: faults,
    };
    const text = JSON.stringify(report, null, 2);
    if (REPORT !== undefined && REPORT !== '') writeFileSync(REPORT, `${text}\n`);
    console.log(`soak report\n${text}`);
    expect(faults.length).toBeGreaterThan(0);
    for (const life of memory) {
      expect(life.rss.peakMb, `${life.role} pid ${life.pid} memory`).toBeLessThan(RSS_CAP_MB);
    }
    for (const entry of memoryVerdicts) {
      expect(
        entry.judgement.verdict,
        `${entry.life.role} pid ${entry.life.pid} ${entry.of}: ${entry.judgement.reason}`,
      ).not.toBe('grew');
    }
    if (MINUTES >= JUDGED_RUN_MINUTES) {
      for (const entry of watched) expect(entry.verdict, `${entry.role} memory`).toBe('bounded');
    }
  },
  (MINUTES + 25) * 60_000,
);
