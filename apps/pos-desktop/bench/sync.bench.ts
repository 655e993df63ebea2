/**
 * Sync benchmark (issue 5): the real client (packages/sync agent over socket.io) against the real hub
 * (apps/hub-server, SQLite, listening on 127.0.0.1), each figure next to a physical baseline measured in
 * the same run. One JSON line per figure: {name, value, unit, baseline, baselineUnit, ratio, ...}.
 * - catch-up of 10,000 offline events from one store node's SQLite outbox (seconds and events/s) vs a bare
 *   batched insert of the same rows into a database file: `sync.catch-up` with sales priced from the hub's published
 *   book exactly as a till would (the pricing audit passes), `sync.catch-up.audit-failing` with sales naming
 *   a book the hub never published (every sale raises a PRICING_AUDIT exception), the worst case;
 * - initial snapshot of 100,000 SKUs with prices and stock into a new store node's SQLite (rows/s) vs a
 *   bare SQLite insert of the same rows;
 * - price change at the hub → committed in the local database of 200 connected replicas (p50/p99 ms) vs
 *   a bare socket.io ack'd round trip on this machine.
 */
import { randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';
import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Server } from 'socket.io';
import {
  familyItems,
  loadTillPricing,
  pricedSaleOf,
  receiveStock,
  saleOf,
  savePriceEntries,
  startTestHub,
  type TestHub,
} from '@retail/hub-server/testing';
import { createSocketIoTransport, createSyncAgent } from '@retail/sync';
import { createUuidV7Generator } from '@retail/domain';
import { createTxContext, hasLanesSchema } from '../src/engine/context';
import { openDatabase } from '../src/engine/database';
import { openStoreEngine } from '../src/engine/engine';
import { requireIdentity } from '../src/engine/identity';
import { initStoreNode } from '../src/engine/init';
import { readOutbox, SqliteOutboxStore } from '../src/engine/outbox/outbox';
import { SqliteFeedStore } from '../src/engine/sync/sqlite-feed-store';
import { STORE_SYNC_PUSH_WINDOW } from '../src/engine/sync/store-sync';
import { startProfile } from './bench-profile';
import { startLatencyProxy } from './latency-proxy';
import type { CatchUpOutput } from './catch-up-node';
import type { SnapshotOutput } from './snapshot-node';

const OFFLINE_EVENTS = Number(process.env.BENCH_SYNC_EVENTS ?? 10_000);
/** Events another till catches up with first, untimed, so the hub is warm (0: a cold hub, as before). */
const WARM_UP_EVENTS = Number(process.env.BENCH_SYNC_WARM_UP_EVENTS ?? 2_000);
const CATCH_UP_BATCH =
  process.env.BENCH_SYNC_BATCH === undefined ? undefined : Number(process.env.BENCH_SYNC_BATCH);
const SNAPSHOT_SKUS = Number(process.env.BENCH_SYNC_SKUS ?? 100_000);
/** BENCH_SYNC_SNAPSHOT_RTT_MS=20: the snapshot's node reaches the hub over a link with that round trip. */
const SNAPSHOT_RTT_MS = Number(process.env.BENCH_SYNC_SNAPSHOT_RTT_MS ?? 0);
const DEVICES = Number(process.env.BENCH_SYNC_DEVICES ?? 200);
const FAN_OUT_PROCESSES = Number(process.env.BENCH_SYNC_FAN_OUT_PROCESSES ?? 8);
const PRICE_CHANGES = 20;
const ROUND_TRIPS = 2_000;

const round = (value: number) => Math.round(value * 1000) / 1000;

function report(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  baselineUnit: string,
  extra: Record<string, unknown> = {},
  higherIsBetter = false,
): void {
  console.log(
    JSON.stringify({
      name,
      value: round(value),
      unit,
      baseline: round(baseline),
      baselineUnit,
      // Always "how many times the physical floor": >1 means slower than the bare operation.
      ratio: round(higherIsBetter ? baseline / value : value / baseline),
      ...extra,
    }),
  );
}

/**
 * CPU seconds of each thread of this process by thread name (Linux `/proc/self/task`; empty elsewhere):
 * `process.cpuUsage()` adds the hub's main thread, where every push is applied, to V8's garbage-collection
 * helpers and libuv's pool, and only the main thread's share is the catch-up's critical path.
 */
function threadCpuSeconds(): Map<string, number> {
  const byName = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return byName;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const name =
        task === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // After the name: state is field 3, utime and stime fields 14 and 15, in clock ticks (100 a second).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byName;
}

function threadCpuSince(before: Map<string, number>): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [name, seconds] of threadCpuSeconds()) {
    const used = seconds - (before.get(name) ?? 0);
    if (used >= 0.01) spent[name] = round(used);
  }
  return spent;
}

/** Runs a bench helper (`bench/<file>`) in a process of its own and resolves with the one message it sends. */
function runChild<T>(file: string, input: unknown, execArgv: readonly string[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(fileURLToPath(new URL(file, import.meta.url)), [JSON.stringify(input)], {
      execArgv: ['--import', 'tsx', ...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let answer: { value: T } | undefined;
    child.once('message', (message) => (answer = { value: message as T }));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && answer !== undefined) resolve(answer.value);
      else reject(new Error(`bench: ${file} exited with ${code}`));
    });
  });
}

function log(message: string): void {
  process.stderr.write(`# ${message}\n`);
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The bench's store: New York, dollars, UTC (the NY sales tax applies to its sales). */
const BENCH_STORE = {
  nodeId: 's1',
  name: 'Node s1',
  region: 'north',
  latitude: undefined,
  longitude: undefined,
  pickCapacity: 20,
  jurisdiction: 'US-NY',
  currency: 'USD',
  timezone: 'UTC',
};

/**
 * A real hub listening on 127.0.0.1 with limits raised for load, knowing store s1 and `skuCount` SKUs
 * (`SKU-000000`, ...) with chain prices in dollars.
 */
async function startHub(skuCount: number): Promise<{ target: TestHub; skus: string[] }> {
  const items = familyItems(skuCount, (index) => `SKU-${String(index).padStart(6, '0')}`);
  const target = await startTestHub({
    stores: [BENCH_STORE],
    items,
    taxRate: { rateId: 'ny', name: 'NY', jurisdictionId: 'US-NY', taxCategory: 'standard', percent: 8 },
    currency: 'USD',
    priceBookActor: 'bench',
    app: {
      rateLimit: { perSecond: 100_000, burst: 100_000 },
      sync: { admission: { maxConcurrent: 1_000, baseRetryAfterMs: 50, maxRetryAfterMs: 500 } },
    },
  });
  return { target, skus: items.map((item) => item.sku) };
}

/**
 * Catch-up: a store node that was offline pushes its 10,000 events through the real agent, reading them
 * from the node's own SQLite outbox (SqliteOutboxStore, as the till's sync does) into a real hub.
 * `priced`: sales as the till priced them from the hub's published book (the audit passes); `unpriced`:
 * every sale names a book the hub never published, so each raises a PRICING_AUDIT exception.
 */
let catchUpRuns = 0;

async function benchCatchUp(dir: string, workload: 'priced' | 'unpriced', pushWindow: number): Promise<void> {
  const { target, skus } = await startHub(200);
  try {
    // The store starts stocked, as it would be: its sales draw stock down without tripping stock exceptions,
    // so the two workloads differ only in what the pricing audit finds.
    await receiveStock(
      target.hub,
      {
        nodeId: 's1',
        reference: 'bench opening stock',
        lines: skus.map((sku) => ({ sku, qty: 1_000_000, bucket: 'sellable' as const })),
      },
      'bench',
    );
    const pricing = await loadTillPricing(target.storage.db);
    catchUpRuns += 1;
    // The hub has been serving the chain all day when a store comes back: another till catches up
    // first, untimed, so the figure does not include the hub process compiling its code for the first time.
    if (WARM_UP_EVENTS > 0) {
      const warm = await offlineTill(target, skus, pricing, workload, {
        databasePath: join(dir, `catch-up-warm-${workload}-${catchUpRuns}.db`),
        deviceNo: 2,
        events: WARM_UP_EVENTS,
      });
      const warmRun = await runChild<CatchUpOutput>('catch-up-node.ts', {
        databasePath: warm.databasePath,
        hubUrl: target.url,
        credential: warm.credential,
        pushWindow,
      });
      if (warmRun.pending !== 0) throw new Error(`bench: the warm-up left ${warmRun.pending} events`);
    }
    const { databasePath, credential, events } = await offlineTill(target, skus, pricing, workload, {
      databasePath: join(dir, `catch-up-store-${workload}-${catchUpRuns}.db`),
      deviceNo: 1,
      events: OFFLINE_EVENTS,
    });
    // The till is a process of its own, as in a store: its reads, JSON and socket framing overlap the
    // hub's work only where the push window lets them.
    log(`catch-up of ${OFFLINE_EVENTS} offline events (${workload} sales, push window ${pushWindow})`);
    // BENCH_PROFILE_DIR=<dir>: a CPU profile of each side of the catch-up (the hub's is this process's).
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const hubProfile = await startProfile(profileDir, `catch-up-hub-${workload}-${catchUpRuns}`);
    const checkpointsBefore = target.storage.walCheckpoints();
    const hubCpu = process.cpuUsage();
    const hubThreads = threadCpuSeconds();
    const tillRun = await runChild<CatchUpOutput>(
      'catch-up-node.ts',
      {
        databasePath,
        hubUrl: target.url,
        credential,
        pushWindow,
        ...(CATCH_UP_BATCH === undefined ? {} : { batchSize: CATCH_UP_BATCH }),
      },
      profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    );
    const hubUsed = process.cpuUsage(hubCpu);
    const hubThreadCpu = threadCpuSince(hubThreads);
    await hubProfile?.stop();
    const checkpointsAfter = target.storage.walCheckpoints();
    const seconds = tillRun.seconds;
    if (tillRun.pending !== 0) throw new Error(`bench: ${tillRun.pending} events left in the outbox`);
    const ingested = await target.storage.db
      .selectFrom('ingested_events')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(ingested.count) !== OFFLINE_EVENTS + WARM_UP_EVENTS)
      throw new Error('bench: not every event was ingested');
    // The figure means what its name says only if the audit did what the workload intends.
    const raised = await target.storage.db
      .selectFrom('exceptions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('type', '=', 'PRICING_AUDIT')
      .executeTakeFirstOrThrow();
    if (Number(raised.count) !== (workload === 'priced' ? 0 : OFFLINE_EVENTS + WARM_UP_EVENTS))
      throw new Error(`bench: ${raised.count} pricing exceptions for ${workload} sales`);

    // The floor: the same envelopes and ledger rows inserted in batches of 500, one transaction each.
    const bare = new Database(join(dir, `catch-up-bare-${workload}-${catchUpRuns}.db`));
    bare.pragma('journal_mode = WAL');
    bare.pragma('synchronous = FULL');
    bare.exec(`CREATE TABLE events (event_id TEXT PRIMARY KEY, device_id TEXT, device_seq INTEGER, envelope TEXT);
      CREATE TABLE movements (movement_id TEXT PRIMARY KEY, node_id TEXT, sku TEXT, delta INTEGER, event_id TEXT)`);
    const insertEvent = bare.prepare('INSERT INTO events VALUES (?, ?, ?, ?)');
    const insertMovement = bare.prepare('INSERT INTO movements VALUES (?, ?, ?, ?, ?)');
    const batch = bare.transaction((slice: typeof events) => {
      for (const event of slice) {
        insertEvent.run(event.eventId, event.deviceId, event.deviceSeq, JSON.stringify(event));
        for (const line of (event.payload as { lines: { sku: string; qty: number }[] }).lines)
          insertMovement.run(randomUUID(), 's1', line.sku, -line.qty, event.eventId);
      }
    });
    const bareStarted = performance.now();
    for (let from = 0; from < events.length; from += 500) batch.immediate(events.slice(from, from + 500));
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    bare.close();
    report(
      `${workload === 'priced' ? 'sync.catch-up' : 'sync.catch-up.audit-failing'}${pushWindow === STORE_SYNC_PUSH_WINDOW ? '' : `.window-${pushWindow}`}`,
      seconds,
      's',
      bareSeconds,
      's',
      {
        sales:
          workload === 'priced'
            ? 'priced as a till would: the pricing audit passes'
            : 'naming an unpublished price book: every sale raises a PRICING_AUDIT exception',
        events: OFFLINE_EVENTS,
        eventsPerSecond: Math.round(OFFLINE_EVENTS / seconds),
        baselineEventsPerSecond: Math.round(OFFLINE_EVENTS / bareSeconds),
        baselineName: 'bare batched insert of the same events and ledger rows (500 per transaction)',
        outbox: "the store node's SQLite outbox (SqliteOutboxStore), in a process of its own",
        pushWindow,
        batchSize: CATCH_UP_BATCH ?? 500,
        hubWarmedBy: `${WARM_UP_EVENTS} events from another till, untimed`,
        tillCpuSeconds: round(tillRun.cpuSeconds),
        hubCpuSeconds: round((hubUsed.user + hubUsed.system) / 1e6),
        hubThreadCpuSeconds: hubThreadCpu,
        // The hub's WAL checkpoint worker during the catch-up (apps/hub-server/src/storage/wal-checkpointer.ts).
        hubWalCheckpoints:
          checkpointsAfter === undefined
            ? 'in commits (SQLite automatic)'
            : {
                checkpoints: checkpointsAfter.checkpoints - (checkpointsBefore?.checkpoints ?? 0),
                complete: checkpointsAfter.complete - (checkpointsBefore?.complete ?? 0),
                workerMs: Math.round(checkpointsAfter.milliseconds - (checkpointsBefore?.milliseconds ?? 0)),
              },
        loadAverage: loadavg().map(round),
      },
    );
  } finally {
    await target.close();
  }
}

/**
 * A till that was in step with the hub and then recorded `events` sales offline: its database holds
 * them in the outbox, written the way every command writes (engine/context.ts), with the ids a till makes.
 */
async function offlineTill(
  target: TestHub,
  skus: readonly string[],
  pricing: Awaited<ReturnType<typeof loadTillPricing>>,
  workload: 'priced' | 'unpriced',
  till: { databasePath: string; deviceNo: number; events: number },
): Promise<{ databasePath: string; credential: string; events: ReturnType<typeof readOutbox> }> {
  const { databasePath, deviceNo } = till;
  initStoreNode({
    databasePath,
    setup: { storeId: 's1', storeCode: 'S1', deviceNo, currency: 'USD', timezone: 'UTC' },
  });
  const node = openDatabase(databasePath);
  try {
    const identity = requireIdentity(node);
    const credential = await target.enrollTill({
      storeId: 's1',
      deviceId: identity.deviceId,
      deviceNo,
      deviceName: `bench lane ${deviceNo}`,
    });
    // The node was in step with the hub before it went offline: its replica holds the catalog.
    const before = createSyncAgent({
      transport: createSocketIoTransport({ url: target.url, credential }),
      outbox: new SqliteOutboxStore(node),
      feed: new SqliteFeedStore({ db: node, identity, now: Date.now }),
      identity: { deviceId: identity.deviceId, storeId: 's1' },
    });
    before.start();
    await waitFor('the node is in step with the hub', () => before.status().state === 'live', 300_000, 20);
    await before.stop();

    // Offline: the till records its sales in the outbox the way every command does (engine/context.ts).
    const ids = createUuidV7Generator({ now: Date.now, randomBytes: (length) => nodeRandomBytes(length) });
    const sources = {
      db: node,
      identity,
      clock: { now: () => Date.now() },
      ids,
      randomBytes: (length: number) => nodeRandomBytes(length),
      lastHlc: undefined,
      lanesSchema: hasLanesSchema(node),
    };
    for (let from = 0; from < till.events; from += 500) {
      node
        .transaction(() => {
          for (let index = from; index < Math.min(till.events, from + 500); index += 1) {
            const lines = [
              { sku: skus[index % skus.length]!, qty: 1 },
              { sku: skus[(index * 7 + 3) % skus.length]!, qty: 2 },
            ];
            const ctx = createTxContext(sources, 'bench-sale');
            ctx.appendEvent(
              'sale.completed',
              workload === 'priced'
                ? pricedSaleOf(pricing, lines, { ids })
                : saleOf(lines, { staffId: 'staff-s1', ids }),
            );
          }
        })
        .immediate();
    }
    const events = readOutbox(node, 0, till.events);
    if (events.length !== till.events) throw new Error(`bench: the outbox holds ${events.length} events`);
    return { databasePath, credential, events };
  } finally {
    node.close();
  }
}

/**
 * Initial snapshot: a new store node downloads 100,000 SKUs with prices and stock. The node runs in a
 * process of its own (bench/snapshot-node.ts), as a till does, so the hub's reading and sending overlaps
 * the node's writing only as far as the protocol lets it; CPU is given per side. BENCH_SYNC_SNAPSHOT_NODE=
 * inline runs the node in this process instead (one event loop for both, as this benchmark did before).
 * BENCH_PROFILE_DIR=<dir> writes a CPU profile of each side's download there. BENCH_SYNC_SNAPSHOT_RTT_MS
 * puts a link with that round trip between the node and the hub (a proxy in this process: its CPU counts
 * as the hub's).
 */
async function benchSnapshot(dir: string): Promise<void> {
  const inline = process.env.BENCH_SYNC_SNAPSHOT_NODE === 'inline';
  const profileDir = process.env.BENCH_PROFILE_DIR;
  log(`seeding a hub with ${SNAPSHOT_SKUS} SKUs, prices and stock`);
  const { target, skus } = await startHub(SNAPSHOT_SKUS);
  try {
    for (let from = 0; from < skus.length; from += 5_000) {
      await receiveStock(
        target.hub,
        {
          nodeId: 's1',
          reference: `DN-${from}`,
          lines: skus.slice(from, from + 5_000).map((sku) => ({ sku, qty: 10, bucket: 'sellable' as const })),
        },
        'bench',
      );
    }
    const databasePath = join(dir, 'snapshot-store.db');
    const init = initStoreNode({
      databasePath,
      setup: { storeId: 's1', storeCode: 'S1', deviceNo: 1, currency: 'USD', timezone: 'UTC' },
    });
    const credential = await target.enrollTill({
      storeId: 's1',
      deviceId: init.identity.deviceId,
      deviceNo: 1,
      deviceName: 'bench lane',
    });
    log(`initial snapshot into a new store node (${inline ? 'in this process' : 'a process of its own'})`);
    const [host, port] = new URL(target.url).host.split(':');
    const link =
      SNAPSHOT_RTT_MS > 0
        ? await startLatencyProxy({ host: host!, port: Number(port) }, SNAPSHOT_RTT_MS / 2)
        : undefined;
    const hubUrl = link?.url ?? target.url;
    const profiler = await startProfile(profileDir, inline ? 'sync-snapshot' : 'sync-snapshot-hub');
    const hubCpu = process.cpuUsage();
    let node: SnapshotOutput;
    if (inline) {
      const engine = openStoreEngine({ databasePath });
      const started = performance.now();
      await engine.sync.configure({ hubUrl, credential });
      let rows = 0;
      await waitFor(
        'the snapshot completes',
        () => {
          const status = engine.sync.status();
          if (status?.snapshot) rows = status.snapshot.total;
          return status !== null && status.snapshot === null && status.state === 'live';
        },
        900_000,
        20,
      );
      node = { seconds: (performance.now() - started) / 1000, cpuSeconds: Number.NaN, rows };
      await engine.shutdown();
    } else {
      node = await runChild<SnapshotOutput>('snapshot-node.ts', {
        databasePath,
        hubUrl,
        credential,
        ...(profileDir === undefined ? {} : { profileDir }),
      });
    }
    const hubUsed = process.cpuUsage(hubCpu);
    await profiler?.stop();
    await link?.close();
    const { seconds, rows } = node;
    const check = openDatabase(databasePath);
    const prices = (check.prepare('SELECT COUNT(*) AS count FROM prices').get() as { count: number }).count;
    check.close();
    if (prices !== SNAPSHOT_SKUS) throw new Error(`bench: the store holds ${prices} prices`);

    // The floor: the same hub rows (key + JSON data) inserted into a fresh SQLite file in one transaction.
    const feedRows = await target.storage.db
      .selectFrom('feed_changes')
      .select(['entity', 'entity_key', 'data'])
      .where('op', '=', 'upsert')
      .execute();
    const bare = openDatabase(join(dir, 'snapshot-bare.db'));
    bare.exec('CREATE TABLE t (key TEXT PRIMARY KEY, data TEXT NOT NULL)');
    const insert = bare.prepare('INSERT INTO t (key, data) VALUES (?, ?)');
    const bareStarted = performance.now();
    bare.transaction(() => {
      for (const row of feedRows) insert.run(`${row.entity}:${row.entity_key}`, row.data ?? 'null');
    })();
    const bareSeconds = (performance.now() - bareStarted) / 1000;
    bare.close();
    const rowsPerSecond = rows / seconds;
    const bareRowsPerSecond = feedRows.length / bareSeconds;
    report(
      'sync.initial-snapshot',
      rowsPerSecond,
      'rows/s',
      bareRowsPerSecond,
      'rows/s',
      {
        skus: SNAPSHOT_SKUS,
        rows,
        seconds: round(seconds),
        node: inline ? 'in the hub process' : 'a process of its own',
        linkRoundTripMs: SNAPSHOT_RTT_MS,
        ...(inline
          ? { cpuSeconds: round((hubUsed.user + hubUsed.system) / 1e6), cpu: 'hub and node together' }
          : {
              hubCpuSeconds: round((hubUsed.user + hubUsed.system) / 1e6),
              nodeCpuSeconds: round(node.cpuSeconds),
            }),
        baselineName: 'bare SQLite insert of the same rows',
        loadAverage: loadavg().map(round),
      },
      true,
    );
  } finally {
    await target.close();
  }
}

/** A process of replicas (bench/fan-out-replicas.ts) and the messages it sent that nobody took yet. */
class ReplicaProcess {
  private readonly inbox: { type: string; [key: string]: unknown }[] = [];
  private readonly waiters: (() => void)[] = [];
  private exited: Error | null = null;
  readonly child: ChildProcess;

  constructor(input: { dir: string; first: number; count: number; hubUrl: string }) {
    this.child = fork(
      fileURLToPath(new URL('fan-out-replicas.ts', import.meta.url)),
      [JSON.stringify(input)],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.child.on('message', (message) => {
      this.inbox.push(message as { type: string });
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.once('exit', (code) => {
      this.exited = new Error(`bench: a replica process exited with ${code}`);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(message: unknown): void {
    this.child.send(message as Serializable);
  }

  /** The next message of this type. */
  async next<T>(type: string, timeoutMs = 300_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((message) => message.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as T;
      if (this.exited !== null && type !== 'stopped') throw this.exited;
      if (Date.now() > deadline) throw new Error(`bench: no ${type} from a replica process`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1_000);
      });
    }
  }
}

/**
 * Price change → committed in the local database of 200 replicas, each a real sync client (socket.io over
 * loopback, its own SQLite feed store, its own connection) as a till would be, spread over
 * FAN_OUT_PROCESSES processes (8 × 25 by default) so the clients do not share one event loop. The figure is
 * from HQ's save (`savePriceEntries` in the hub process) to each replica having committed the price
 * (timestamps on one clock: performance.timeOrigin + now()). Baseline: an ack'd socket.io round trip
 * between a replica process and a bare socket.io server in the hub's process, measured in the same run.
 */
async function benchFanOut(dir: string): Promise<void> {
  const { target, skus } = await startHub(50);
  const processes: ReplicaProcess[] = [];
  try {
    const perProcess = Math.ceil(DEVICES / FAN_OUT_PROCESSES);
    log(
      `${DEVICES} replicas (real client + SQLite feed store) in ${FAN_OUT_PROCESSES} processes connect and snapshot`,
    );
    for (let first = 0; first < DEVICES; first += perProcess) {
      processes.push(
        new ReplicaProcess({ dir, first, count: Math.min(perProcess, DEVICES - first), hubUrl: target.url }),
      );
    }
    let deviceNo = 0;
    for (const replicas of processes) {
      const { deviceIds } = await replicas.next<{ deviceIds: string[] }>('devices');
      const credentials: string[] = [];
      for (const deviceId of deviceIds) {
        deviceNo += 1;
        credentials.push(
          await target.enrollTill({ storeId: 's1', deviceId, deviceNo, deviceName: `replica ${deviceNo}` }),
        );
      }
      replicas.send({ type: 'credentials', credentials });
    }
    for (const replicas of processes) await replicas.next('live');

    const samples: number[] = [];
    const clock = () => performance.timeOrigin + performance.now();
    const hubCpu = process.cpuUsage();
    for (let change = 0; change < PRICE_CHANGES; change += 1) {
      const sku = skus[change % skus.length]!;
      const unitPrice = 5_000 + change;
      for (const replicas of processes) replicas.send({ type: 'expect', sku, unitPrice });
      for (const replicas of processes) await replicas.next('armed');
      const started = clock();
      await savePriceEntries(
        target.hub,
        'pb-chain',
        { entries: [{ sku, tiers: [{ minQty: 1, unitPrice }] }] },
        'bench',
      );
      for (const replicas of processes) {
        const { at } = await replicas.next<{ at: number[] }>('applied', 60_000);
        for (const appliedAt of at) samples.push(appliedAt - started);
      }
    }
    const hubUsed = process.cpuUsage(hubCpu);
    if (samples.length !== DEVICES * PRICE_CHANGES) throw new Error(`bench: ${samples.length} samples`);

    // The floor: an ack'd socket.io round trip from a replica process to a bare server in this process.
    const http = createServer();
    const server = new Server(http);
    server.on('connection', (socket) =>
      socket.on('echo', (message: unknown, ack: (m: unknown) => void) => ack(message)),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    processes[0]!.send({ type: 'echo', url: `http://127.0.0.1:${port}`, trips: ROUND_TRIPS });
    const { trips } = await processes[0]!.next<{ trips: number[] }>('echoed');
    await server.close();

    let replicaCpuSeconds = 0;
    for (const replicas of processes) replicas.send({ type: 'stop' });
    for (const replicas of processes) {
      replicaCpuSeconds += (await replicas.next<{ cpuSeconds: number }>('stopped')).cpuSeconds;
    }
    for (const p of [50, 99]) {
      report(`sync.price-fan-out.p${p}`, percentile(samples, p), 'ms', percentile(trips, p), 'ms', {
        devices: DEVICES,
        processes: processes.length,
        changes: PRICE_CHANGES,
        samples: samples.length,
        baselineName: 'bare socket.io ack round trip (a replica process to a server in the hub process)',
        hubCpuMsPerChange: round((hubUsed.user + hubUsed.system) / 1e3 / PRICE_CHANGES),
        replicaCpuMsPerChange: round((replicaCpuSeconds * 1e3) / PRICE_CHANGES),
        loadAverage: loadavg().map(round),
      });
    }
  } finally {
    for (const replicas of processes) replicas.child.kill();
    await target.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-sync-bench-'));
  try {
    // Profiling: BENCH_SYNC_ONLY=catch-up|snapshot|fan-out runs only those figures, BENCH_SYNC_WORKLOAD=priced|unpriced
    // only one of them.
    const only = process.env.BENCH_SYNC_ONLY;
    if (only === 'fan-out') {
      await benchFanOut(dir);
      return;
    }
    if (only === 'snapshot') {
      await benchSnapshot(dir);
      return;
    }
    const workload = process.env.BENCH_SYNC_WORKLOAD;
    // BENCH_SYNC_PUSH_WINDOWS=1,4 compares push windows in one run; the default is the store node's own.
    const windows = (process.env.BENCH_SYNC_PUSH_WINDOWS ?? String(STORE_SYNC_PUSH_WINDOW))
      .split(',')
      .map(Number);
    for (const pushWindow of windows) {
      if (workload !== 'unpriced') await benchCatchUp(dir, 'priced', pushWindow);
      if (workload !== 'priced') await benchCatchUp(dir, 'unpriced', pushWindow);
    }
    if (only === 'catch-up') return;
    await benchSnapshot(dir);
    await benchFanOut(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
