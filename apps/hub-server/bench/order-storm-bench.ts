/**
 * Reservation storm (issue 18, run by `npm run bench`): several hub processes on one PostgreSQL database
 * take a burst of mixed online orders (whole pickup orders and orders that must split) against scarce
 * stock. Prints one JSON line: orders/s, how many were placed, split and refused, that every refusal was a
 * 409 (INSUFFICIENT_STOCK), that nothing was oversold, and a same-run baseline: the same processes doing
 * the bare reservation row work (a guarded UPDATE of a balance plus an INSERT per order, one transaction
 * each), with the ratio.
 *
 * Each worker is a hub process (its own HubContext and connection pool) calling the intake as the HTTP
 * route does, without the HTTP layer. BENCH_STORM_WORKERS, BENCH_STORM_ORDERS (per worker) tune it;
 * BENCH_PROFILE_DIR writes each worker's CPU profile.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DomainError } from '@retail/domain';
import { statusOf } from '../src/api/http-errors';
import { createHubContext } from '../src/hub-context';
import { verifyProjections } from '../src/inventory/ledger';
import { receiveStock } from '../src/inventory/stock-operations';
import { createNode } from '../src/nodes/nodes';
import { placeOrder, type OrderIntake } from '../src/orders/intake';
import { openStorage } from '../src/storage/storage';
import { nodeInput, seedWorld } from '../src/test-support/fixtures';
import { startWaitSampler } from './pg-wait-sampler';

const WORKERS = Number(process.env.BENCH_STORM_WORKERS ?? 4);
const ORDERS_PER_WORKER = Number(process.env.BENCH_STORM_ORDERS ?? 250);
const IN_FLIGHT = 8;
const STORES = 4;
const SKUS = 100;
const UNITS_PER_NODE = 3;
const SETTINGS = { offlineAfterMs: 10 * 60_000, pickupPolicy: { holdHours: 48, graceMinutes: 30 } };

interface WorkerResult {
  placed: number;
  split: number;
  units: number;
  refused: number;
  refusedNot409: number;
  failed: number;
  firstFailure?: string;
  seconds: number;
  /** This process's CPU time (user + system) while it placed its orders. */
  cpuSeconds?: number;
}

function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Runs `count` jobs with `inFlight` at a time. */
async function pool(count: number, inFlight: number, job: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        await job(index);
      }
    }),
  );
}

function orderFor(worker: number, index: number): OrderIntake {
  const seed = worker * 7919 + index * 104729;
  const sku = `SKU-${seed % SKUS}`;
  // Every fourth order wants more than one node holds, so it can only be placed as a split.
  const split = index % 4 === 3;
  const orderId = `storm-${worker}-${index}-${randomUUID().slice(0, 8)}`;
  return {
    orderId,
    orderNumber: `S-${worker}-${index}`,
    channel: 'web',
    lines: [{ lineId: 'l1', sku, qty: split ? UNITS_PER_NODE + 1 : 1 + (seed % 2) }],
    customer: { name: 'Storm Customer', email: 'storm@example.com' },
    pickup: { type: 'store', storeId: `s${(seed % STORES) + 1}` },
    splitConsent: split,
    payment: { authorisationRef: `auth-${orderId}`, amount: 1000, currency: 'USD' },
    priority: 0,
  };
}

async function stormWorker(url: string, worker: number, go: Promise<void>): Promise<WorkerResult> {
  const storage = await openStorage(url, { poolSize: IN_FLIGHT });
  const hub = createHubContext(storage);
  const result: WorkerResult = {
    placed: 0,
    split: 0,
    units: 0,
    refused: 0,
    refusedNot409: 0,
    failed: 0,
    seconds: 0,
  };
  process.send?.({ ready: true });
  await go;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await pool(ORDERS_PER_WORKER, IN_FLIGHT, async (index) => {
    const body = orderFor(worker, index);
    try {
      const placed = await placeOrder(hub, body, randomUUID(), 'api-key:storm', { settings: SETTINGS });
      result.placed += 1;
      if ('split' in placed.view) result.split += 1;
      result.units += body.lines.reduce((total, line) => total + line.qty, 0);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'INSUFFICIENT_STOCK') {
        result.refused += 1;
        if (statusOf(error.code) !== 409) result.refusedNot409 += 1;
      } else {
        result.failed += 1;
        result.firstFailure ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  });
  result.seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  result.cpuSeconds = (used.user + used.system) / 1e6;
  await storage.close();
  return result;
}

async function baselineWorker(url: string, worker: number, go: Promise<void>): Promise<WorkerResult> {
  const clients = new pg.Pool({ connectionString: url, max: IN_FLIGHT });
  const result: WorkerResult = {
    placed: 0,
    split: 0,
    units: 0,
    refused: 0,
    refusedNot409: 0,
    failed: 0,
    seconds: 0,
  };
  process.send?.({ ready: true });
  await go;
  const started = performance.now();
  await pool(ORDERS_PER_WORKER, IN_FLIGHT, async (index) => {
    const body = orderFor(worker, index);
    const line = body.lines[0]!;
    const client = await clients.connect();
    try {
      await client.query('begin');
      const updated = await client.query(
        'update bench_balances set committed = committed + $3 where node_id = $1 and sku = $2 and sellable - committed >= $3',
        [`s${(index % STORES) + 1}`, line.sku, Math.min(line.qty, UNITS_PER_NODE)],
      );
      await client.query('insert into bench_orders (order_id) values ($1)', [body.orderId]);
      await client.query('commit');
      if (updated.rowCount === 1) result.placed += 1;
      else result.refused += 1;
    } catch (error) {
      await client.query('rollback');
      result.failed += 1;
      result.firstFailure ??= String(error);
    } finally {
      client.release();
    }
  });
  result.seconds = (performance.now() - started) / 1000;
  await clients.end();
  return result;
}

/** BENCH_PROFILE_DIR=<dir>: each worker process writes a V8 CPU profile there (node --cpu-prof). */
function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

async function runWorkers(
  role: 'storm' | 'baseline',
  url: string,
): Promise<{ results: WorkerResult[]; seconds: number }> {
  const children = Array.from({ length: WORKERS }, (_, worker) =>
    fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, STORM_ROLE: role, STORM_URL: url, STORM_WORKER: String(worker) },
      execArgv: ['--import', 'tsx', ...profileArgs()],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const ready = children.map(
    (child) => new Promise<void>((resolve) => child.once('message', () => resolve())),
  );
  const done = children.map(
    (child) =>
      new Promise<WorkerResult>((resolve, reject) => {
        child.on('message', (message: { result?: WorkerResult }) => {
          if (message.result !== undefined) resolve(message.result);
        });
        child.once('exit', (code) => reject(new Error(`storm worker exited with ${code}`)));
      }),
  );
  await Promise.all(ready);
  const started = performance.now();
  for (const child of children) child.send({ go: true });
  const results = await Promise.all(done);
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null))),
    ),
  );
  return { results, seconds };
}

async function freshDatabase(
  adminUrl: string,
): Promise<{ name: string; url: string; dispose(): Promise<void> }> {
  const name = `hub_storm_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    dispose: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const adminUrl = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:54329/postgres';
  if (!(await reachable(adminUrl))) {
    emit({ name: 'hub.order-storm', backend: 'postgres', skipped: 'no PostgreSQL reachable (set PG_URL)' });
    return;
  }
  const database = await freshDatabase(adminUrl);
  try {
    const storage = await openStorage(database.url, { poolSize: 4 });
    const hub = createHubContext(storage);
    const stores = Array.from({ length: STORES }, (_, i) => `s${i + 1}`);
    const skus = Array.from({ length: SKUS }, (_, i) => `SKU-${i}`);
    await seedWorld(hub, { nodes: [], skus });
    for (const [index, nodeId] of stores.entries()) {
      await createNode(
        hub,
        nodeInput(nodeId, { pickCapacity: 0, latitude: 48.85 + index * 0.1, longitude: 2.35 }),
      );
      await receiveStock(
        hub,
        {
          nodeId,
          reference: 'storm stock',
          lines: skus.map((sku) => ({ sku, qty: UNITS_PER_NODE, bucket: 'sellable' as const })),
        },
        'bench',
      );
    }
    await storage.db.schema
      .createTable('bench_orders')
      .addColumn('order_id', 'text', (c) => c.primaryKey())
      .execute();
    await storage.db.schema
      .createTable('bench_balances')
      .addColumn('node_id', 'text')
      .addColumn('sku', 'text')
      .addColumn('sellable', 'integer')
      .addColumn('committed', 'integer')
      .addPrimaryKeyConstraint('bench_balances_pk', ['node_id', 'sku'])
      .execute();
    await storage.db
      .insertInto('bench_balances' as never)
      .values(
        stores.flatMap((node_id) =>
          skus.map((sku) => ({ node_id, sku, sellable: UNITS_PER_NODE, committed: 0 })),
        ) as never,
      )
      .execute();

    const sampler = await startWaitSampler(adminUrl, database.name);
    const storm = await runWorkers('storm', database.url);
    const waits = await sampler.stop();
    const baseline = await runWorkers('baseline', database.url);

    const sum = (results: WorkerResult[], key: keyof WorkerResult) =>
      results.reduce((total, result) => total + Number(result[key] ?? 0), 0);
    const balances = await storage.db
      .selectFrom('stock_balances')
      .select(['node_id', 'sku', 'sellable', 'committed'])
      .execute();
    const oversold = balances.filter((row) => Number(row.committed) > Number(row.sellable)).length;
    const committed = balances.reduce((total, row) => total + Number(row.committed), 0);
    const projections = await verifyProjections(storage.db);
    const orders = WORKERS * ORDERS_PER_WORKER;
    const rate = orders / storm.seconds;
    const baselineRate = orders / baseline.seconds;
    emit({
      name: 'hub.order-storm',
      backend: 'postgres',
      processes: WORKERS,
      inFlightPerProcess: IN_FLIGHT,
      orders,
      stock: { nodes: STORES, skus: SKUS, unitsPerNodeAndSku: UNITS_PER_NODE },
      ordersPerSecond: round(rate),
      target: 1000,
      // The hub processes' own CPU per order: steadier than the wall clock on a shared machine.
      hubCpuMsPerOrder: round((sum(storm.results, 'cpuSeconds') * 1000) / orders),
      placed: sum(storm.results, 'placed'),
      split: sum(storm.results, 'split'),
      refused: sum(storm.results, 'refused'),
      refusedNot409: sum(storm.results, 'refusedNot409'),
      failed: sum(storm.results, 'failed'),
      firstFailure: storm.results.find((result) => result.firstFailure !== undefined)?.firstFailure ?? null,
      oversoldBalances: oversold,
      unitsPromised: sum(storm.results, 'units'),
      unitsCommitted: committed,
      projectionMismatches: projections.length,
      postgresWaits: waits,
      load: loadavg().map((value) => Math.round(value * 10) / 10),
      baseline: {
        what: 'bare reservation rows: guarded UPDATE of a balance + INSERT per order, one transaction each, same processes',
        ordersPerSecond: round(baselineRate),
      },
      ratio: round(rate / baselineRate),
    });
    await storage.close();
  } finally {
    await database.dispose();
  }
}

if (process.env.STORM_ROLE !== undefined) {
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  const worker = Number(process.env.STORM_WORKER);
  const run = process.env.STORM_ROLE === 'storm' ? stormWorker : baselineWorker;
  const result = await run(process.env.STORM_URL!, worker, go);
  process.send?.({ result }, () => process.exit(0));
} else {
  await main();
}
