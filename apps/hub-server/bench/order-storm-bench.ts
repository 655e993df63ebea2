/**
 * Reservation storm (issue 18, run by `npm run bench`): several hub processes on one PostgreSQL database
 * take a burst of mixed online orders (whole pickup orders, ship-to-home orders and pickup orders that must
 * split) against scarce stock. Prints one JSON line: orders/s, how many were placed, split and refused, that every refusal was a
 * 409 (INSUFFICIENT_STOCK), that nothing was oversold, and a same-run baseline: the same processes doing
 * the bare reservation row work (a guarded UPDATE of a balance plus an INSERT per order, one transaction
 * each), with the ratio.
 *
 * Each worker is a hub process (its own HubContext and connection pool) calling the intake as the HTTP
 * route does (the body validated by the route's schema, inside the measured work), without the HTTP layer,
 * after a warm-up on SKUs of its own that opens every connection of its pool (so module loading,
 * first-call compilation, connecting and each connection's first plans are not counted as order work) and
 * runs long enough for V8 to have optimised the intake's code: BENCH_STORM_WARM_UP_ROUNDS chains of a
 * pickup, a ship and a split order and two refused orders per connection (20, 800 orders per process; with 1, as until 2026-12-07
 * 16:00, a third of the hub's CPU in the storm was V8 compiling, docs/performance.md order storm round 11).
 * BENCH_STORM_WORKERS, BENCH_STORM_ORDERS (per worker) and BENCH_STORM_IN_FLIGHT (orders in flight per
 * worker, 8; 1 places them one at a time) tune it; BENCH_PROFILE_DIR writes each worker's CPU profile of the
 * storm itself;
 * BENCH_STORM_STATEMENTS=1 lists the statement shapes per order on stderr; BENCH_STORM_KEEP_DATABASE=1 keeps
 * the storm's database afterwards.
 *
 * The timed storm only counts its statements (a plain increment per statement). Statements per outcome
 * (whole, split, refused) come from an untimed pass before it: each worker places
 * BENCH_STORM_ATTRIBUTION_ORDERS orders of the storm's mix one at a time, so the statements its process
 * sends meanwhile are that order's, on SKUs the workers share (~10 orders per SKU, 4 orders in flight on 16
 * SKUs, about the storm's 32 on 100, so races and refusals come as in the storm). Until 2026-12-07 the
 * storm attributed them itself with `AsyncLocalStorage`, which cost its processes 3–8 % of the hub CPU it
 * reports, a cost a hub does not pay.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DomainError } from '@retail/domain';
import { statusOf } from '../src/api/http-errors';
import { createHubContext } from '../src/hub-context';
import { verifyProjections } from '../src/inventory/ledger-reads';
import { receiveStock } from '../src/inventory/stock-operations';
import { createNode } from '../src/nodes/nodes';
import { ParsedOrderIntakeSchema, placeOrder, type OrderIntake } from '../src/orders/intake';
import { openStorage } from '../src/storage/storage';
import { nodeInput, seedWorld } from '../src/test-support/fixtures';
import { startBackendCpuMeter, type BackendCpu } from './backend-cpu';
import { emit, freshPostgresDatabase, postgresAdminUrl, reachable, round } from './bench-support';
import { startWaitSampler } from './pg-wait-sampler';
import { countStatements, type StatementCounter } from './statement-counter';

const WORKERS = Number(process.env.BENCH_STORM_WORKERS ?? 4);
const ORDERS_PER_WORKER = Number(process.env.BENCH_STORM_ORDERS ?? 250);
const IN_FLIGHT = Number(process.env.BENCH_STORM_IN_FLIGHT ?? 8);
/** Orders per worker of the untimed pass that measures statements per outcome. */
const ATTRIBUTION_ORDERS = Number(process.env.BENCH_STORM_ATTRIBUTION_ORDERS ?? 40);
/** Warm-up chains (a pickup, a ship and a split order, two refusals) per connection of each worker's pool. */
const WARM_UP_ROUNDS = Number(process.env.BENCH_STORM_WARM_UP_ROUNDS ?? 20);
const STORES = 4;
const SKUS = 100;
const UNITS_PER_NODE = 3;
const SETTINGS = { offlineAfterMs: 10 * 60_000, pickupPolicy: { holdHours: 48, graceMinutes: 30 } };

interface WorkerResult {
  placed: number;
  split: number;
  /** Placed ship-to-home orders (whole ones; a split of one is counted in split). */
  ship: number;
  units: number;
  refused: number;
  refusedNot409: number;
  failed: number;
  firstFailure?: string;
  seconds: number;
  /** This process's CPU time (user + system) while it placed its orders. */
  cpuSeconds?: number;
  /** SQL statements (round trips) this process sent while placing its orders. */
  statements?: number;
  /** Of the untimed pass: statements its orders sent themselves, per outcome, and how many had each. */
  statementsWhole?: number;
  statementsSplit?: number;
  statementsRefused?: number;
  attributedWhole?: number;
  attributedSplit?: number;
  attributedRefused?: number;
  /** Statement shape → count, summed by the parent for BENCH_STORM_STATEMENTS=1. */
  shapes?: [string, number][];
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

/**
 * The SKUs each worker's warm-up orders take (one per connection of its pool), stocked apart so the
 * storm's own stock is untouched.
 */
function warmUpSkus(worker: number): string[] {
  return Array.from({ length: IN_FLIGHT * WARM_UP_ROUNDS }, (_, slot) => `WARM-${worker}-${slot}`);
}

/**
 * The SKUs of the untimed pass (statements per outcome), shared by the workers and stocked as the storm's,
 * as many per order as the storm has.
 */
function attributionSkus(): string[] {
  const count = Math.max(1, Math.round((ATTRIBUTION_ORDERS * SKUS) / ORDERS_PER_WORKER));
  return Array.from({ length: count }, (_, slot) => `ATTR-${slot}`);
}

function orderFor(worker: number, index: number, sku?: string): OrderIntake {
  const seed = worker * 7919 + index * 104729;
  // Every fourth order wants more than one node holds, so it can only be placed as a split; of the others,
  // one in three ships to the customer's home (from the store nearest to it).
  const split = index % 4 === 3;
  const ship = !split && index % 4 === 1;
  const orderId = `storm-${worker}-${index}-${randomUUID().slice(0, 8)}`;
  const store = seed % STORES;
  return {
    orderId,
    orderNumber: `S-${worker}-${index}`,
    channel: 'web',
    lines: [
      { lineId: 'l1', sku: sku ?? `SKU-${seed % SKUS}`, qty: split ? UNITS_PER_NODE + 1 : 1 + (seed % 2) },
    ],
    customer: { name: 'Storm Customer', email: 'storm@example.com' },
    ...(ship
      ? {
          fulfilment: {
            type: 'ship' as const,
            shipTo: {
              name: 'Storm Customer',
              line1: `${index} Rue de Rivoli`,
              city: 'Paris',
              postalCode: '75001',
              country: 'FR',
              location: { lat: 48.85 + store * 0.1, lon: 2.36 },
            },
          },
        }
      : { pickup: { type: 'store' as const, storeId: `s${store + 1}` } }),
    splitConsent: split,
    payment: { authorisationRef: `auth-${orderId}`, amount: 1000, currency: 'USD' },
    priority: 0,
  };
}

/** The body as `POST /api/orders` hands it to placeOrder: validated by the route's schema. */
function intakeBody(body: OrderIntake): OrderIntake {
  return ParsedOrderIntakeSchema.parse(body);
}

type Placed = Awaited<ReturnType<typeof placeOrder>>;

/** Counts one order's outcome into `result` and tells which it was. */
function tally(
  result: WorkerResult,
  body: OrderIntake,
  placed: Placed | undefined,
  error: unknown,
): 'whole' | 'split' | 'refused' | 'failed' {
  if (placed !== undefined) {
    result.placed += 1;
    result.units += body.lines.reduce((total, line) => total + line.qty, 0);
    if ('split' in placed.view) {
      result.split += 1;
      return 'split';
    }
    if (body.fulfilment?.type === 'ship') result.ship += 1;
    return 'whole';
  }
  if (error instanceof DomainError && error.code === 'INSUFFICIENT_STOCK') {
    result.refused += 1;
    if (statusOf(error.code) !== 409) result.refusedNot409 += 1;
    return 'refused';
  }
  result.failed += 1;
  result.firstFailure ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return 'failed';
}

function emptyResult(): WorkerResult {
  return { placed: 0, split: 0, ship: 0, units: 0, refused: 0, refusedNot409: 0, failed: 0, seconds: 0 };
}

/**
 * The untimed pass: the storm's mix of orders on the shared pass SKUs, one at a time, each measured for the
 * statements the process sent meanwhile. Its refusals not 409 and failures count with the storm's.
 */
async function attributeStatements(
  hub: ReturnType<typeof createHubContext>,
  worker: number,
  counter: StatementCounter,
  into: WorkerResult,
): Promise<void> {
  const skus = attributionSkus();
  const pass = emptyResult();
  const statements = { whole: 0, split: 0, refused: 0, failed: 0 };
  await pool(ATTRIBUTION_ORDERS, 1, async (index) => {
    const body = orderFor(worker, index, skus[(index * 7 + worker * 5) % skus.length]);
    const measured = await counter.measure(() =>
      placeOrder(hub, intakeBody(body), randomUUID(), 'api-key:storm', { settings: SETTINGS }),
    );
    statements[tally(pass, body, measured.value, measured.error)] += measured.statements;
  });
  into.statementsWhole = statements.whole;
  into.statementsSplit = statements.split;
  into.statementsRefused = statements.refused;
  into.attributedWhole = pass.placed - pass.split;
  into.attributedSplit = pass.split;
  into.attributedRefused = pass.refused;
  into.refusedNot409 += pass.refusedNot409;
  into.failed += pass.failed;
  if (pass.firstFailure !== undefined) into.firstFailure ??= `untimed pass: ${pass.firstFailure}`;
}

async function stormWorker(
  url: string,
  worker: number,
  next: () => Promise<void>,
  counter: StatementCounter,
): Promise<WorkerResult> {
  const storage = await openStorage(url, { poolSize: IN_FLIGHT });
  const hub = createHubContext(storage);
  const result = emptyResult();
  // Warm-up, so the storm measures a warm process with a warm pool (as a hub that has been serving for a
  // while): IN_FLIGHT chains at once, each a pickup, a ship and a split order on a SKU of its own, so every
  // connection of the pool is opened and has prepared the intake's statements before the storm starts,
  // WARM_UP_ROUNDS chains per connection, refusals too, so V8 has optimised what an order runs.
  const warmSkus = warmUpSkus(worker);
  await pool(warmSkus.length, IN_FLIGHT, async (chain) => {
    const sku = warmSkus[chain]!;
    for (const index of [0, 1, 3]) {
      await placeOrder(hub, intakeBody(orderFor(worker, index, sku)), randomUUID(), 'api-key:storm', {
        settings: SETTINGS,
      });
    }
    // And the refusals the storm's scarce stock brings (no node holds 4 units, all nodes not 13).
    for (const [index, qty] of [
      [4, UNITS_PER_NODE + 1],
      [7, UNITS_PER_NODE * STORES + 1],
    ] as const) {
      const body = orderFor(worker, index, sku);
      const refused = await placeOrder(
        hub,
        intakeBody({ ...body, lines: [{ ...body.lines[0]!, qty }] }),
        randomUUID(),
        'api-key:storm',
        { settings: SETTINGS },
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!(refused instanceof DomainError) || refused.code !== 'INSUFFICIENT_STOCK')
        throw new Error(`warm-up refusal: ${String(refused)}`);
    }
  });
  // The untimed pass, all workers at once (the parent says when), then the timed storm.
  process.send?.({ ready: true });
  await next();
  await attributeStatements(hub, worker, counter, result);
  const profiler = await startProfile();
  process.send?.({ ready: true });
  await next();
  counter.reset();
  const started = performance.now();
  const cpu = process.cpuUsage();
  await pool(ORDERS_PER_WORKER, IN_FLIGHT, async (index) => {
    const body = orderFor(worker, index);
    try {
      tally(
        result,
        body,
        await placeOrder(hub, intakeBody(body), randomUUID(), 'api-key:storm', { settings: SETTINGS }),
        undefined,
      );
    } catch (error) {
      tally(result, body, undefined, error);
    }
  });
  result.seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  result.cpuSeconds = (used.user + used.system) / 1e6;
  const counts = counter.counts();
  result.statements = counts.total;
  result.shapes = counts.byShape;
  await profiler?.stop(`storm-${worker}-${process.pid}`);
  await storage.close();
  return result;
}

async function baselineWorker(url: string, worker: number, next: () => Promise<void>): Promise<WorkerResult> {
  const clients = new pg.Pool({ connectionString: url, max: IN_FLIGHT });
  const result = emptyResult();
  process.send?.({ ready: true });
  await next();
  const started = performance.now();
  const cpu = process.cpuUsage();
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
  const used = process.cpuUsage(cpu);
  result.cpuSeconds = (used.user + used.system) / 1e6;
  await clients.end();
  return result;
}

/** BENCH_STORM_STATEMENTS=1: the statement shapes of the storm, per order, largest first (on stderr). */
function printShapes(results: WorkerResult[], orders: number): void {
  const total = new Map<string, number>();
  for (const result of results) {
    for (const [shape, count] of result.shapes ?? []) total.set(shape, (total.get(shape) ?? 0) + count);
  }
  for (const [shape, count] of [...total].sort((a, b) => b[1] - a[1])) {
    process.stderr.write(`${(count / orders).toFixed(2).padStart(6)}  ${shape}\n`);
  }
}

/**
 * BENCH_PROFILE_DIR=<dir>: each storm worker writes a V8 CPU profile of the storm itself there (from
 * after its warm-up to its last order), `<dir>/storm-<worker>-<pid>.cpuprofile`.
 */
async function startProfile(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (dir === undefined || dir === '') return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      await writeFile(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    },
  };
}

async function runWorkers(
  role: 'storm' | 'baseline',
  database: { name: string; url: string },
): Promise<{ results: WorkerResult[]; seconds: number; postgresCpu: BackendCpu | null }> {
  const url = database.url;
  const children = Array.from({ length: WORKERS }, (_, worker) =>
    fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, STORM_ROLE: role, STORM_URL: url, STORM_WORKER: String(worker) },
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const ready = () =>
    Promise.all(
      children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve()))),
    );
  // Storm workers: warmed up → the untimed pass → ready for the storm.
  let readyNow = ready();
  if (role === 'storm') {
    await readyNow;
    readyNow = ready();
    for (const child of children) child.send({ go: 'pass' });
  }
  const done = children.map(
    (child) =>
      new Promise<WorkerResult>((resolve, reject) => {
        child.on('message', (message: { result?: WorkerResult }) => {
          if (message.result !== undefined) resolve(message.result);
        });
        child.once('exit', (code) => reject(new Error(`storm worker exited with ${code}`)));
      }),
  );
  await readyNow;
  const postgres = startBackendCpuMeter(database.name);
  const started = performance.now();
  for (const child of children) child.send({ go: true });
  const results = await Promise.all(done);
  const seconds = (performance.now() - started) / 1000;
  const postgresCpu = postgres.stop();
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null))),
    ),
  );
  return { results, seconds, postgresCpu };
}

async function main(): Promise<void> {
  const adminUrl = postgresAdminUrl();
  if (!(await reachable(adminUrl))) {
    emit({ name: 'hub.order-storm', backend: 'postgres', skipped: 'no PostgreSQL reachable (set PG_URL)' });
    return;
  }
  const database = await freshPostgresDatabase(adminUrl, 'hub_storm');
  try {
    const storage = await openStorage(database.url, { poolSize: 4 });
    const hub = createHubContext(storage);
    const stores = Array.from({ length: STORES }, (_, i) => `s${i + 1}`);
    const skus = Array.from({ length: SKUS }, (_, i) => `SKU-${i}`);
    const warmUp = [
      ...Array.from({ length: WORKERS }, (_, worker) => warmUpSkus(worker)).flat(),
      ...attributionSkus(),
    ];
    await seedWorld(hub, { nodes: [], skus: [...skus, ...warmUp] });
    for (const [index, nodeId] of stores.entries()) {
      await createNode(
        hub,
        nodeInput(nodeId, {
          pickCapacity: 0,
          shipEnabled: true,
          latitude: 48.85 + index * 0.1,
          longitude: 2.35,
        }),
      );
      await receiveStock(
        hub,
        {
          nodeId,
          reference: 'storm stock',
          lines: [...skus, ...warmUp].map((sku) => ({
            sku,
            qty: UNITS_PER_NODE,
            bucket: 'sellable' as const,
          })),
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
    const storm = await runWorkers('storm', database);
    const waits = await sampler.stop();
    if (process.env.BENCH_STORM_STATEMENTS === '1') printShapes(storm.results, WORKERS * ORDERS_PER_WORKER);
    const baseline = await runWorkers('baseline', database);

    const sum = (results: WorkerResult[], key: keyof WorkerResult) =>
      results.reduce((total, result) => total + Number(result[key] ?? 0), 0);
    const balances = await storage.db
      .selectFrom('stock_balances')
      .select(['node_id', 'sku', 'sellable', 'committed'])
      .execute();
    const oversold = balances.filter((row) => Number(row.committed) > Number(row.sellable)).length;
    // The warm-up's and the untimed pass's units are not the storm's.
    const committed = balances
      .filter((row) => !row.sku.startsWith('WARM-') && !row.sku.startsWith('ATTR-'))
      .reduce((total, row) => total + Number(row.committed), 0);
    const projections = await verifyProjections(storage.db);
    const orders = WORKERS * ORDERS_PER_WORKER;
    const rate = orders / storm.seconds;
    const baselineRate = orders / baseline.seconds;
    const cores = availableParallelism();
    /**
     * CPU per order of the benchmark's own processes and of its database's backends, and the orders per
     * second the machine's cores could serve if nothing else ran: what bounds a CPU-bound storm here.
     */
    const cpuOf = (run: typeof storm) => {
      const hubMs = (sum(run.results, 'cpuSeconds') * 1000) / orders;
      const postgresMs = run.postgresCpu === null ? null : (run.postgresCpu.seconds * 1000) / orders;
      return {
        hubCpuMsPerOrder: round(hubMs),
        postgresCpuMsPerOrder: postgresMs === null ? null : round(postgresMs),
        cpuCeilingOrdersPerSecond: postgresMs === null ? null : round((cores * 1000) / (hubMs + postgresMs)),
      };
    };
    emit({
      name: 'hub.order-storm',
      backend: 'postgres',
      processes: WORKERS,
      inFlightPerProcess: IN_FLIGHT,
      warmUpOrdersPerProcess: IN_FLIGHT * WARM_UP_ROUNDS * 5,
      orders,
      stock: { nodes: STORES, skus: SKUS, unitsPerNodeAndSku: UNITS_PER_NODE },
      ordersPerSecond: round(rate),
      target: 1000,
      // The hub processes' own CPU per order (steadier than the wall clock on a shared machine), the
      // database backends' (PostgreSQL runs on this machine), and the rate these cores could serve at most.
      ...cpuOf(storm),
      cores,
      // Round trips to PostgreSQL per order, all of the hub processes' statements (BEGIN/COMMIT included),
      // then per outcome: only the statements each intake sent itself, from the untimed pass.
      statementsPerOrder: round(sum(storm.results, 'statements') / orders),
      statementsPerOutcome: {
        whole: round(
          sum(storm.results, 'statementsWhole') / Math.max(1, sum(storm.results, 'attributedWhole')),
        ),
        split: round(
          sum(storm.results, 'statementsSplit') / Math.max(1, sum(storm.results, 'attributedSplit')),
        ),
        refused: round(
          sum(storm.results, 'statementsRefused') / Math.max(1, sum(storm.results, 'attributedRefused')),
        ),
      },
      statementsPerOutcomeFrom: `untimed pass before the storm, ${ATTRIBUTION_ORDERS} orders per process one at a time on ${attributionSkus().length} SKUs of the pass (${sum(storm.results, 'attributedWhole')} whole, ${sum(storm.results, 'attributedSplit')} split, ${sum(storm.results, 'attributedRefused')} refused); the timed storm only counts statements`,
      placed: sum(storm.results, 'placed'),
      split: sum(storm.results, 'split'),
      ship: sum(storm.results, 'ship'),
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
        ...cpuOf(baseline),
      },
      ratio: round(rate / baselineRate),
    });
    await storage.close();
  } finally {
    // BENCH_STORM_KEEP_DATABASE=1 leaves the storm's database for inspection (its name goes to stderr).
    if (process.env.BENCH_STORM_KEEP_DATABASE === '1')
      process.stderr.write(`kept database ${database.name}\n`);
    else await database.dispose();
  }
}

if (process.env.STORM_ROLE !== undefined) {
  const next = () => new Promise<void>((resolve) => process.once('message', () => resolve()));
  const worker = Number(process.env.STORM_WORKER);
  // Started before the storage opens its pool, so every statement of the storm is seen.
  const counter = countStatements({ shapes: process.env.BENCH_STORM_STATEMENTS === '1' });
  const result =
    process.env.STORM_ROLE === 'storm'
      ? await stormWorker(process.env.STORM_URL!, worker, next, counter)
      : await baselineWorker(process.env.STORM_URL!, worker, next);
  process.send?.({ result }, () => process.exit(0));
} else {
  await main();
}
