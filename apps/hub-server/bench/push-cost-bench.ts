/**
 * What one `POST /sync/push` costs the hub (issue 19, `npm run bench -- push-cost`): a real `pos-hub serve`
 * process on PostgreSQL, warmed up, takes pushes of 1, 10 and 100 priced sales from tills in stores of
 * their own (a few at a time, as tills push right after a sale), rounds alternating the sizes. The hub
 * process's CPU time (from /proc) per push, fitted by least squares to a + b·events, gives the fixed cost
 * of a push (a) and the cost of each event in it (b). Same-run baselines: the same process's CPU per
 * `GET /healthz` (Fastify's floor for a request) and its idle CPU per second (its background runtimes).
 * Optional listeners (BENCH_PUSH_LISTENERS, default 1): idle `pos-hub serve` processes on the same
 * database, whose CPU during the pushes is what hearing another process's feed notifications costs.
 *
 * The sales are completed as they are pushed (BENCH_SALE_TIME=fixture: the fixtures' fixed instant, a store
 * day long over, which makes the leader re-publish that day's journal after every push).
 *
 * It also counts the statements a push of each size sends (in this process, one push at a time:
 * `inProcess.statementsPerPush`), which unlike CPU time does not move with the machine's load.
 *
 * Knobs: BENCH_PUSH_ROUNDS (3), BENCH_PUSH_CONCURRENCY (8 tills, each in a store of its own),
 * BENCH_PUSH_WARM_UP (pushes, 600), BENCH_PUSH_SIZES ("1,10,100"), BENCH_PUSH_LISTENERS (1),
 * BENCH_PUSH_PROFILE_DIR (the measured hub runs with --cpu-prof into it; the profile spans its whole life),
 * BENCH_PUSH_PERF_FILE (`perf record -g` of the measured hub over the rounds: on-CPU samples, which a
 * V8 profile is not; add BENCH_HUB_NODE_ARGS=--perf-basic-prof for JavaScript names), BENCH_HUB_APP (run
 * another checkout's hub, for before/after pairs).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import type { EventEnvelope } from '@retail/sync';
import { createHubContext } from '../src/hub-context';
import { pushEvents } from '../src/ingest/hub-ingest';
import { openStorage } from '../src/storage/storage';
import {
  benchSale,
  emit,
  enrollBenchTill,
  freshPostgresDatabase,
  journalRevisions,
  postgresAdminUrl,
  reachable,
  round,
  SALE_TIME,
  seedStockedChain,
  type BenchTill,
} from './bench-support';
import { countStatements } from './statement-counter';
import {
  processCpuSeconds,
  pushBatch,
  pushRetries,
  startHub,
  stopHub,
  type HubProcess,
} from './hub-processes';

const ROUNDS = Number(process.env.BENCH_PUSH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_PUSH_CONCURRENCY ?? 8);
const WARM_UP_PUSHES = Number(process.env.BENCH_PUSH_WARM_UP ?? 600);
const LISTENERS = Number(process.env.BENCH_PUSH_LISTENERS ?? 1);
const SIZES = (process.env.BENCH_PUSH_SIZES ?? '1,10,100').split(',').map(Number);
const PROFILE_DIR = process.env.BENCH_PUSH_PROFILE_DIR;
const PERF_FILE = process.env.BENCH_PUSH_PERF_FILE;
const SKUS = 500;
/** Pushes of each size per round: about the same number of events for the larger sizes. */
const pushesOf = (size: number): number => (size <= 1 ? 240 : size <= 10 ? 120 : 24);

/** Least squares of y = a + b·x. */
export function fitLine(points: readonly { x: number; y: number }[]): { a: number; b: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { a: my - b * mx, b };
}

async function main(): Promise<void> {
  const adminUrl = postgresAdminUrl();
  if (!(await reachable(adminUrl))) {
    emit({ name: 'hub.push-cost', backend: 'postgres', skipped: 'no PostgreSQL reachable (set PG_URL)' });
    return;
  }
  const database = await freshPostgresDatabase(adminUrl, 'hub_push');
  // This process's statements (the in-process pushes below): one increment per statement.
  const statements = countStatements({ shapes: false });
  const storage = await openStorage(database.url, { poolSize: 4 });
  const hubs: HubProcess[] = [];
  try {
    const hub = createHubContext(storage);
    const stores = Array.from({ length: CONCURRENCY }, (_, i) => `s${i + 1}`);
    const skus = Array.from({ length: SKUS }, (_, i) => `SKU-${i}`);
    const pricing = await seedStockedChain(hub, stores, skus);
    const tills: BenchTill[] = [];
    for (const [d, storeId] of stores.entries()) tills.push(await enrollBenchTill(hub, storeId, `push-${d}`));
    let counter = 0;
    const batchOf = (till: BenchTill, size: number): EventEnvelope[] =>
      Array.from({ length: size }, () => {
        counter += 1;
        return benchSale(till, pricing, skus, (counter * 7919) % SKUS);
      });

    const measured = await startHub(
      database.url,
      PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`],
    );
    hubs.push(measured);
    for (let l = 0; l < LISTENERS; l += 1) hubs.push(await startHub(database.url));
    const listeners = hubs.slice(1);

    /** `pushes` pushes of `size` events, each till one at a time, all tills at once. */
    const pushMany = async (pushes: number, size: number): Promise<void> => {
      let left = pushes;
      await Promise.all(
        tills.map(async (till) => {
          while (left > 0) {
            left -= 1;
            await pushBatch(measured, till, batchOf(till, size));
          }
        }),
      );
    };
    const healthMany = async (requests: number): Promise<void> => {
      let left = requests;
      await Promise.all(
        tills.map(async () => {
          while (left > 0) {
            left -= 1;
            const response = await fetch(`${measured.url}/healthz`);
            await response.arrayBuffer();
          }
        }),
      );
    };
    const cpuOf = (h: HubProcess) => processCpuSeconds(h.child.pid) ?? Number.NaN;

    // Warm-up: JIT, pool connections, lazily built statements, for every size.
    const warmUpStarted = performance.now();
    const warmCpu = cpuOf(measured);
    for (const size of [1, 10, 100, 1, 10])
      await pushMany(Math.ceil(WARM_UP_PUSHES / 5 / Math.sqrt(size)), size);
    await healthMany(500);
    const warmUp = {
      seconds: round((performance.now() - warmUpStarted) / 1000),
      cpuSeconds: round(cpuOf(measured) - warmCpu),
    };

    // Idle: what the background runtimes burn with nothing to do.
    const idleSeconds = 5;
    const idleBefore = hubs.map(cpuOf);
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const idleCpuMsPerSecond = hubs.map((h, i) => round(((cpuOf(h) - idleBefore[i]!) * 1000) / idleSeconds));

    // On-CPU samples of the measured process over the rounds (perf; run the hub with --perf-basic-prof).
    const perf =
      PERF_FILE === undefined
        ? undefined
        : spawn('perf', ['record', '-F', '499', '-g', '-p', String(measured.child.pid), '-o', PERF_FILE], {
            stdio: 'ignore',
          });
    const totals = new Map<number, { pushes: number; cpu: number; seconds: number; listenerCpu: number }>();
    const health = { requests: 0, cpu: 0 };
    pushRetries.count = 0;
    const loadBefore = loadavg();
    const revisionsBefore = await journalRevisions(storage);
    for (let r = 0; r < ROUNDS; r += 1) {
      const order = r % 2 === 0 ? SIZES : [...SIZES].reverse();
      for (const size of order) {
        const pushes = pushesOf(size);
        const before = cpuOf(measured);
        const listenersBefore = listeners.map(cpuOf);
        const started = performance.now();
        await pushMany(pushes, size);
        const seconds = (performance.now() - started) / 1000;
        const total = totals.get(size) ?? { pushes: 0, cpu: 0, seconds: 0, listenerCpu: 0 };
        total.pushes += pushes;
        total.cpu += cpuOf(measured) - before;
        total.seconds += seconds;
        total.listenerCpu += listeners.reduce((s, h, i) => s + cpuOf(h) - listenersBefore[i]!, 0);
        totals.set(size, total);
      }
      const before = cpuOf(measured);
      await healthMany(400);
      health.requests += 400;
      health.cpu += cpuOf(measured) - before;
    }
    const revisions = (await journalRevisions(storage)) - revisionsBefore;
    if (perf !== undefined) {
      const exited = new Promise((resolve) => perf.once('exit', resolve));
      perf.kill('SIGINT');
      await exited;
    }
    const sizes = SIZES.map((size) => {
      const t = totals.get(size)!;
      return {
        eventsPerPush: size,
        pushes: t.pushes,
        hubCpuMsPerPush: round((t.cpu * 1000) / t.pushes),
        hubCpuMsPerEvent: round((t.cpu * 1000) / (t.pushes * size)),
        pushesPerSecond: Math.round(t.pushes / t.seconds),
        eventsPerSecond: Math.round((t.pushes * size) / t.seconds),
        listenerCpuMsPerPush: LISTENERS === 0 ? null : round((t.listenerCpu * 1000) / t.pushes / LISTENERS),
      };
    });
    // The same pushes through `pushEvents` in this process (no HTTP, no background runtimes): what the
    // ingest itself costs, so that a − inProcess.a is the request's plumbing and what follows a commit.
    const inProcessTotals = new Map<number, { pushes: number; cpu: number }>();
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const size of r % 2 === 0 ? SIZES : [...SIZES].reverse()) {
        const pushes = pushesOf(size);
        const work: { till: BenchTill; events: EventEnvelope[] }[] = [];
        for (let i = 0; i < pushes; i += 1) {
          const till = tills[i % tills.length]!;
          work.push({ till, events: batchOf(till, size) });
        }
        const byTill = tills.map((till) => work.filter((w) => w.till === till));
        const before = process.cpuUsage();
        await Promise.all(
          byTill.map(async (mine) => {
            for (const { till, events } of mine) {
              await pushEvents(
                hub,
                { deviceId: till.deviceId, storeId: till.storeId },
                { deviceId: till.deviceId, storeId: till.storeId, events },
              );
            }
          }),
        );
        const used = process.cpuUsage(before);
        const total = inProcessTotals.get(size) ?? { pushes: 0, cpu: 0 };
        total.pushes += pushes;
        total.cpu += (used.user + used.system) / 1e6;
        inProcessTotals.set(size, total);
      }
    }
    // Statements per push, one push at a time (nothing else of this process sends any meanwhile).
    const statementsPerPush: Record<string, number> = {};
    for (const size of SIZES) {
      let sent = 0;
      const pushes = 10;
      for (let i = 0; i < pushes; i += 1) {
        const till = tills[i % tills.length]!;
        const events = batchOf(till, size);
        const counted = await statements.measure(() =>
          pushEvents(
            hub,
            { deviceId: till.deviceId, storeId: till.storeId },
            { deviceId: till.deviceId, storeId: till.storeId, events },
          ),
        );
        if (counted.error !== undefined) throw counted.error;
        sent += counted.statements;
      }
      statementsPerPush[String(size)] = round(sent / pushes);
    }
    const inProcess = SIZES.map((size) => {
      const t = inProcessTotals.get(size)!;
      return { eventsPerPush: size, pushes: t.pushes, cpuMsPerPush: round((t.cpu * 1000) / t.pushes) };
    });
    const inProcessFit = fitLine(inProcess.map((s) => ({ x: s.eventsPerPush, y: s.cpuMsPerPush })));
    const fit = fitLine(sizes.map((s) => ({ x: s.eventsPerPush, y: s.hubCpuMsPerPush })));
    const healthMs = (health.cpu * 1000) / health.requests;
    emit({
      name: 'hub.push-cost',
      backend: 'postgres',
      tills: CONCURRENCY,
      saleTime: SALE_TIME,
      rounds: ROUNDS,
      figure: {
        fixedCpuMsPerPush: round(fit.a),
        cpuMsPerEvent: round(fit.b),
        what: 'hub process CPU per push = a + b·events (least squares over the sizes)',
      },
      sizes,
      baseline: {
        name: 'the same process, GET /healthz at the same concurrency',
        hubCpuMsPerRequest: round(healthMs),
      },
      ratio: round(fit.a / healthMs),
      inProcess: {
        name: 'the same pushes through pushEvents in the benchmark process (no HTTP, no runtimes)',
        fixedCpuMsPerPush: round(inProcessFit.a),
        cpuMsPerEvent: round(inProcessFit.b),
        sizes: inProcess,
        statementsPerPush,
      },
      idleCpuMsPerSecond: { measured: idleCpuMsPerSecond[0], listeners: idleCpuMsPerSecond.slice(1) },
      warmUp,
      retriedPushes: pushRetries.count,
      journalRevisions: {
        what: 'journal.daily_summary events the leader published during the HTTP rounds',
        published: revisions,
        perPush: round(revisions / sizes.reduce((total, size) => total + size.pushes, 0)),
      },
      load: { before: loadBefore.map((v) => round(v)), after: loadavg().map((v) => round(v)) },
    });
  } finally {
    await Promise.all(hubs.map(stopHub));
    await storage.close();
    await database.dispose();
  }
}

await main();
