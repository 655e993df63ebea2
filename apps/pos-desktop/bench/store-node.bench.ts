/**
 * Store node benchmark (issue 3): a store with 100,000 SKUs and 50 active promotions, driven over the real
 * socket command channel of a `pos-store` process. Prints one JSON line per figure with a physical
 * baseline measured in the same run and the ratio, as `npm run bench` expects:
 * - sale-complete (5 lines, split card + cash) p50/p99 next to a bare durable 5-row SQLite transaction;
 * - barcode scan → priced line (sale-add-line by barcode) p50/p99 next to a bare socket.io ack round trip;
 * - product search (prefix, top 20) p50/p99 next to the same round trip;
 * - cold start to ready and resident memory of the node with that database;
 * - the fixture's 361,292 changes through the feed apply path, and again as a first-sync snapshot through
 *   the node's feed store (rows/s), each next to the same number of plain inserts, with their CPU time.
 * `tsx bench/store-node.bench.ts catalog-load` runs only the last two. `BENCH_DB=<path> tsx
 * bench/store-node.bench.ts sales` runs only the sales over the socket (sale-complete and scan figures), on a
 * copy of a database already loaded with the demo chain (sale-cpu.bench.ts makes one), so a build of main and
 * a branch can be alternated in minutes. `BENCH_DB=<path> tsx bench/store-node.bench.ts wal-frames` counts the
 * WAL frames (pages) each sale command commits, in process on a copy of that database, next to the frames
 * of the bare durable 5-row transaction: the completion's page count is the floor of its commit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { io } from 'socket.io-client';
import { openDatabase } from '../src/engine/database';
import { openStoreEngine, type StoreEngine } from '../src/engine/engine';
import { demoFixture, DEMO_STAFF } from '../src/engine/fixture/demo-fixture';
import { loadFixture, parseFixture, type Fixture } from '../src/engine/fixture/fixture';
import { initStoreNode } from '../src/engine/init';
import { SqliteFeedStore } from '../src/engine/sync/sqlite-feed-store';
import { STORE_NODE_V8_FLAGS } from '../src/main/node-launcher';
import { createCommandClient, type CommandClient } from '../src/shared/command-client';
import { bareTransactions, barcodeOf, BENCH_STORE_SETUP, ok, percentile, pieceSku, round } from './bench-kit';

const SKUS = 100_000;
const SALES = 300;
/**
 * BENCH_WARMUP_SALES=<n> rings up n sales first, unmeasured: the node compiles its hot code (TurboFan, on
 * background threads) over its first few hundred sales, which the default (0, a node just started)
 * measures with the sales.
 */
const WARMUP_SALES = Number(process.env.BENCH_WARMUP_SALES ?? 0);
const SEARCHES = 500;
const BASELINE_TXS = 1_000;
const ROUND_TRIPS = 2_000;
const SEARCH_WORDS = [
  'org',
  'cla',
  'fre',
  'pre',
  'eve',
  'cru',
  'smo',
  'spi',
  'lig',
  'fam',
  'app',
  'bre',
  'cof',
  'pas',
  'yog',
  'che',
  'tea',
  'ric',
  'cer',
  'jui',
  'soa',
  'bis',
];

/** The benchmark's queries: a word and a two-letter prefix of another, as a cashier types them. */
const searchQuery = (n: number) =>
  `${SEARCH_WORDS[n % SEARCH_WORDS.length]} ${SEARCH_WORDS[(n * 7) % SEARCH_WORDS.length]?.slice(0, 2)}`;

const APP = fileURLToPath(new URL('..', import.meta.url));
// BENCH_CLI=<path> measures another build of the node (a `dist/` of main kept beside the branch's).
const CLI = process.env.BENCH_CLI ?? join(APP, 'dist', 'cli.js');

/** `extra`: CPU time beside the wall clock (the machine is shared), and anything else the figure needs. */
function report(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  baselineName: string,
  extra: Record<string, number | string> = {},
): void {
  console.log(
    JSON.stringify({
      name,
      value: round(value),
      unit,
      baseline: round(baseline),
      baselineName,
      ratio: round(value / baseline),
      ...extra,
      load: loadavg().map((load) => Math.round(load * 10) / 10),
    }),
  );
}

/** CPU time of this process so far, user + system, in ms. */
function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** CPU time of another process's main thread so far (its first thread's utime + stime), in ms. */
function mainThreadCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time of another process so far (utime + stime from /proc), in ms. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  // Linux reports both in clock ticks of 1/100 s (USER_HZ).
  return ticks * 10;
}

function log(message: string): void {
  process.stderr.write(`# ${message}\n`);
}

function startNode(
  data: string,
): Promise<{ child: ChildProcess; url: string; token: string; readyMs: number; stdout: () => string }> {
  const started = performance.now();
  // BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of the store node there (`node --cpu-prof`).
  const profile = process.env.BENCH_PROFILE_DIR;
  // The node runs with the V8 flags the desktop app launches it with; BENCH_NODE_ARGS="--flag …" runs it
  // with those instead (BENCH_NODE_ARGS=" " with none, to compare GC settings).
  const extra =
    process.env.BENCH_NODE_ARGS === undefined
      ? STORE_NODE_V8_FLAGS
      : process.env.BENCH_NODE_ARGS.split(' ').filter((arg) => arg !== '');
  // BENCH_GC=1 preloads gc-observer.mjs: every collection's start and pause, to attribute the p99 samples.
  const observer = pathToFileURL(join(APP, 'bench', 'gc-observer.mjs')).href;
  const gc = process.env.BENCH_GC === '1' ? ['--import', observer] : [];
  const nodeArgs = [...extra, ...gc, ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [])];
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'start', '--data', data, '--port', '0'], {
    env: { ...process.env, POS_STORE_LOG_LEVEL: 'warn', BENCH_GC_FILE: gcFile(data) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`pos-store exited with ${code}: ${stdout}`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const url = /URL:\s+(\S+)/.exec(stdout)?.[1];
      const token = /Token:\s+(\S+)/.exec(stdout)?.[1];
      if (url && token && stdout.includes('Token file:'))
        resolve({ child, url, token, readyMs: performance.now() - started, stdout: () => stdout });
    });
  });
}

/** Where the node's gc-observer.mjs writes its collections (BENCH_GC=1). */
const gcFile = (data: string) => join(data, 'gc.jsonl');

interface Span {
  readonly at: number;
  readonly ms: number;
}

/**
 * How many of the slowest 1 % of `samples` (each a span on the wall clock, ms since the epoch) overlap a
 * collection of the node, and the collections' count and pauses over the measured sales.
 */
function gcAttribution(samples: readonly Span[], collections: readonly (Span & { kind: string })[]) {
  const from = samples[0]?.at ?? 0;
  const during = collections.filter((gc) => gc.at >= from);
  const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, Math.ceil(samples.length / 100));
  const overlaps = (sample: Span) =>
    during.some((gc) => gc.at < sample.at + sample.ms && gc.at + gc.ms > sample.at);
  return {
    collections: during.length,
    major: during.filter((gc) => gc.kind === 'major').length,
    pauseP50Ms: round(
      percentile(
        during.map((gc) => gc.ms),
        50,
      ),
    ),
    pauseMaxMs: round(Math.max(0, ...during.map((gc) => gc.ms))),
    slowest: slowest.length,
    slowestWithGc: slowest.filter(overlaps).length,
    samplesWithGc: samples.filter(overlaps).length,
  };
}

/**
 * What the node's database files show around one command: the database file is written only by a
 * checkpoint (WAL mode), and the log file shrinks only when it restarts after one and is cut back to
 * `journal_size_limit`. Stat'd before and after each measured command, outside its timing.
 */
interface FileMarks {
  readonly databaseWrittenMs: number;
  readonly logBytes: number;
}

function fileMarks(dir: string): FileMarks {
  const databasePath = join(dir, 'store.db');
  const log = `${databasePath}-wal`;
  return {
    databaseWrittenMs: statSync(databasePath).mtimeMs,
    logBytes: existsSync(log) ? statSync(log).size : 0,
  };
}

/** Whether a command checkpointed the log in its commit, or restarted (and cut back) the log. */
function logEventOf(before: FileMarks, after: FileMarks): 'checkpoint' | 'restart' | undefined {
  if (after.logBytes < before.logBytes) return 'restart';
  if (after.databaseWrittenMs !== before.databaseWrittenMs) return 'checkpoint';
  return undefined;
}

/**
 * How many of the slowest 1 % of `samples` checkpointed or restarted the log, how many did in all, and the
 * p99 of the others.
 */
function logAttribution(samples: readonly (Span & { logEvent?: string })[]) {
  const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, Math.ceil(samples.length / 100));
  const withEvent = samples.filter((sample) => sample.logEvent !== undefined);
  return {
    slowest: slowest.length,
    slowestMs: slowest.map((sample) => round(sample.ms)),
    slowestWithLogEvent: slowest.map((sample) => sample.logEvent ?? '-'),
    samplesWithCheckpoint: withEvent.filter((sample) => sample.logEvent === 'checkpoint').length,
    samplesWithRestart: withEvent.filter((sample) => sample.logEvent === 'restart').length,
    logEventMs: withEvent.map((sample) => `${sample.logEvent}:${round(sample.ms)}`),
    // A diagnostic, not the figure: the p99 of the samples that met neither (what the rest of the tail is).
    p99WithoutLogEventMs: round(
      percentile(
        samples.filter((sample) => sample.logEvent === undefined).map((sample) => sample.ms),
        99,
      ),
    ),
  };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Plain inserts of `rows` rows in one transaction: the floor of loading that many feed changes. */
function bareBulkInsert(dir: string, rows: number): number {
  const db = openDatabase(join(dir, 'bulk.db'));
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, data TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (id, data) VALUES (?, ?)');
  const started = performance.now();
  db.transaction(() => {
    for (let row = 0; row < rows; row += 1)
      insert.run(`key-${row}`, '{"name":"Organic Apples 1 kg","active":true}');
  })();
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
}

interface Channel {
  readonly roundTrips: number[];
  /** Spawn to listening, and resident memory, of a bare Node process serving socket.io. */
  readonly startMs: number;
  readonly rssMiB: number;
}

/** The physical floor of the channel: an ack'd socket.io emit to an echo server in another process. */
async function bareChannel(): Promise<Channel> {
  const spawned = performance.now();
  const server = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { createServer } from 'node:http'; import { Server } from 'socket.io'; const http = createServer(); const io = new Server(http); io.on('connection', (s) => s.on('echo', (m, ack) => ack(m))); http.listen(0, '127.0.0.1', () => console.log(http.address().port));",
    ],
    { cwd: APP, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) =>
    server.stdout?.setEncoding('utf8').once('data', (chunk: string) => resolve(Number(chunk.trim()))),
  );
  const startMs = performance.now() - spawned;
  const rss = rssMiB(server.pid ?? 0);
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const samples: number[] = [];
  for (let n = 0; n < ROUND_TRIPS; n += 1) {
    const started = performance.now();
    await socket.emitWithAck('echo', { name: 'node-info', input: {} });
    samples.push(performance.now() - started);
  }
  socket.close();
  server.kill();
  return { roundTrips: samples, startMs, rssMiB: rss };
}

/**
 * The CPU time of each search in this process (the engine's command path, no socket): what the node spends
 * on one, which the load of a shared machine does not inflate the way it does the wall clock.
 */
function searchInProcess(engine: StoreEngine): number[] {
  const cashier = DEMO_STAFF.find((member) => member.role === 'cashier');
  if (!cashier) throw new Error('the demo chain has no cashier');
  const session = ok(
    engine.execute('staff-sign-in', { staffCode: cashier.staffCode, pin: cashier.pin }),
  ).session;
  const samples: number[] = [];
  for (let search = 0; search < SEARCHES; search += 1) {
    const started = process.cpuUsage();
    ok(engine.execute('catalog-search', { query: searchQuery(search), limit: 20 }, { session }));
    const used = process.cpuUsage(started);
    samples.push((used.user + used.system) / 1000);
  }
  return samples;
}

function reportLoad(
  changes: number,
  loadMs: number,
  bulkMs: number,
  cpuMs: number,
  systemCpuMs: number,
): void {
  report(
    `fixture load through the feed apply path (${changes} changes)`,
    loadMs,
    'ms',
    bulkMs,
    'the same number of plain inserts in one transaction',
    // The kernel's share (file writes, fsyncs) apart: it moves with the disk, not with the code.
    { cpuMs: round(cpuMs), systemCpuMs: round(systemCpuMs) },
  );
}

const STORE_SETUP = BENCH_STORE_SETUP;

/** The page size the node's feed puller asks the hub for (packages/sync DEFAULT_PULL_LIMIT). */
const SNAPSHOT_PAGE = 500;

/**
 * A till's first sync: the fixture's changes as the hub's snapshot pages, through the node's own feed store
 * (each page staged in the snapshot database beside the replica, the last one swapping it in and indexing
 * the catalog for search), into a new node's database.
 */
async function snapshotLoad(
  dir: string,
  fixture: Fixture,
): Promise<{ ms: number; cpuMs: number; swapMs: number; swapCpuMs: number }> {
  const databasePath = join(dir, 'snapshot-node.db');
  initStoreNode({ databasePath, setup: STORE_SETUP });
  const engine = openStoreEngine({ databasePath });
  const store = new SqliteFeedStore({ db: engine.db, identity: engine.identity, now: Date.now });
  const changes = [...fixture.changes].sort((a, b) => a.hubSeq - b.hubSeq);
  const upTo = changes.at(-1)?.hubSeq ?? 0;
  const started = performance.now();
  const cpuStarted = ownCpuMs();
  let lastPage = { at: 0, cpu: 0 };
  for (let start = 0; start < changes.length; start += SNAPSHOT_PAGE) {
    const page = changes.slice(start, start + SNAPSHOT_PAGE);
    lastPage = { at: performance.now(), cpu: ownCpuMs() };
    await store.applySnapshotPage({
      epoch: fixture.epoch,
      upTo,
      changes: page,
      after: page.at(-1)?.hubSeq ?? upTo,
      total: changes.length,
      done: start + SNAPSHOT_PAGE >= changes.length,
    });
  }
  const ended = { at: performance.now(), cpu: ownCpuMs() };
  const result = {
    ms: ended.at - started,
    cpuMs: ended.cpu - cpuStarted,
    // The last page stages its rows and swaps the whole copy in (and indexes it for search).
    swapMs: ended.at - lastPage.at,
    swapCpuMs: ended.cpu - lastPage.cpu,
  };
  store.close();
  engine.close();
  return result;
}

/**
 * The node started on `dir`'s database, a cashier signed in, and the benchmark's sales rung up over the
 * socket: each scan's and completion's wall time and the node's CPU around them, beside the same run's bare
 * durable transactions and socket round trips.
 */
async function ringUpSales(dir: string) {
  // Only the node's own figures need the built CLI (the catalog load runs in this process).
  if (!existsSync(CLI)) {
    const build = spawnSync(process.execPath, [join(APP, 'scripts', 'build-cli.mjs')], {
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('building the pos-store CLI failed');
  }
  const baselineTx = bareTransactions(dir, BASELINE_TXS);
  const channel = await bareChannel();

  const node = await startNode(dir);
  const client: CommandClient = createCommandClient(node.url, node.token, { transports: ['websocket'] });
  await client.ready();
  const cashier = DEMO_STAFF.find((member) => member.role === 'cashier');
  if (!cashier) throw new Error('the demo chain has no cashier');
  const session = ok(
    await client.send('staff-sign-in', { staffCode: cashier.staffCode, pin: cashier.pin }),
  ).session;
  const as = { session, timeoutMs: 30_000 };
  ok(await client.send('shift-open', { registerId: 'bench', float: 100_000_000 }, as));

  log(`${SALES} sales of 5 scanned lines, split card + cash (after ${WARMUP_SALES} unmeasured)`);
  const scans: number[] = [];
  const completes: number[] = [];
  // Each measured sample on the wall clock (ms since the epoch), to set beside the node's collections.
  const scanSpans: (Span & { logEvent?: string })[] = [];
  const completeSpans: (Span & { logEvent?: string })[] = [];
  const epochMs = (at: number) => performance.timeOrigin + at;
  // The node's CPU around each measured command, summed (/proc counts in 10 ms ticks: only the sum means
  // anything, per command it is an unbiased estimate).
  const nodePid = node.child.pid ?? 0;
  let scanCpuMs = 0;
  let completeCpuMs = 0;
  // The whole of the sales, start to complete: it also counts what the node does after an answer left.
  let salesCpuStarted = processCpuMs(nodePid);
  // The node's CPU per sale over each stretch of 50 sales, from its start: how long its warm-up lasts.
  let stretch = { cpuMs: salesCpuStarted, mainMs: mainThreadCpuMs(nodePid), at: performance.now() };
  for (let sale = -WARMUP_SALES; sale < SALES; sale += 1) {
    if (sale === 0) salesCpuStarted = processCpuMs(nodePid);
    const measured = sale >= 0;
    const saleId = ok(await client.send('sale-start', { registerId: 'bench' }, as)).saleId;
    let total = 0;
    for (let line = 0; line < 5; line += 1) {
      const marks = fileMarks(dir);
      const cpuBefore = processCpuMs(nodePid);
      const started = performance.now();
      const view = ok(
        await client.send(
          'sale-add-line',
          { saleId, code: barcodeOf(pieceSku((sale + WARMUP_SALES) * 5 + line + 1, SKUS)) },
          as,
        ),
      );
      if (measured) {
        const ms = performance.now() - started;
        scans.push(ms);
        const logEvent = logEventOf(marks, fileMarks(dir));
        scanSpans.push({ at: epochMs(started), ms, ...(logEvent === undefined ? {} : { logEvent }) });
        scanCpuMs += processCpuMs(nodePid) - cpuBefore;
      }
      total = view.totals.total;
    }
    const card = Math.floor(total / 2);
    ok(
      await client.send(
        'sale-add-tender',
        { saleId, tender: { type: 'card', amount: card, reference: `AUTH-${sale + WARMUP_SALES}` } },
        as,
      ),
    );
    ok(
      await client.send(
        'sale-add-tender',
        { saleId, tender: { type: 'cash', amount: total - card + 500 } },
        as,
      ),
    );
    const marks = fileMarks(dir);
    const cpuBefore = processCpuMs(nodePid);
    const started = performance.now();
    ok(await client.send('sale-complete', { saleId }, as));
    if (measured) {
      const ms = performance.now() - started;
      completes.push(ms);
      const logEvent = logEventOf(marks, fileMarks(dir));
      completeSpans.push({ at: epochMs(started), ms, ...(logEvent === undefined ? {} : { logEvent }) });
      if (sale === 0) {
        log(
          `first measured sale: scans ${scans.map((ms) => round(ms)).join(', ')} ms, completion ${round(completes[0] ?? 0)} ms`,
        );
      }
      completeCpuMs += processCpuMs(nodePid) - cpuBefore;
    }
    const rung = sale + WARMUP_SALES + 1;
    if (rung % 50 === 0) {
      const now = { cpuMs: processCpuMs(nodePid), mainMs: mainThreadCpuMs(nodePid), at: performance.now() };
      const perSale = (from: number, to: number) => round((to - from) / 50);
      const others = perSale(stretch.cpuMs - stretch.mainMs, now.cpuMs - now.mainMs);
      log(
        `sales ${rung - 50}-${rung - 1}: node CPU ${perSale(stretch.cpuMs, now.cpuMs)} ms/sale (main thread ${perSale(stretch.mainMs, now.mainMs)}, other threads, V8's compiler and GC, ${others}), wall ${perSale(stretch.at, now.at)} ms/sale`,
      );
      stretch = now;
    }
  }

  const saleCpuMs = (processCpuMs(nodePid) - salesCpuStarted) / SALES;
  // With BENCH_NODE_ARGS=--trace-gc the node prints a line per collection: the scavenges so far, and
  // their pauses (ms).
  const pauses = node
    .stdout()
    .split('\n')
    .filter((line) => line.includes('Scavenge'))
    .map((line) => Number(/MB, ([\d.]+) \//.exec(line)?.[1] ?? Number.NaN));
  if (pauses.length > 0) {
    log(
      `${pauses.length} scavenges from start to the end of the sales, pause p50 ${percentile(pauses, 50)} ms, max ${Math.max(...pauses)} ms`,
    );
  }
  log(`log checkpoints and restarts during the measured scans: ${JSON.stringify(logAttribution(scanSpans))}`);
  log(
    `log checkpoints and restarts during the measured completions: ${JSON.stringify(logAttribution(completeSpans))}`,
  );
  if (process.env.BENCH_GC === '1' && existsSync(gcFile(dir))) {
    const collections = readFileSync(gcFile(dir), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Span & { kind: string });
    log(`GC during the measured scans: ${JSON.stringify(gcAttribution(scanSpans, collections))}`);
    log(`GC during the measured completions: ${JSON.stringify(gcAttribution(completeSpans, collections))}`);
  }
  return {
    node,
    client,
    as,
    scans,
    completes,
    scanCpuMs,
    completeCpuMs,
    saleCpuMs,
    baselineTx,
    channel,
  };
}

/** The sale-complete and scan figures of ringUpSales, with their same-run baselines. */
function reportSales(sales: Awaited<ReturnType<typeof ringUpSales>>): void {
  const { scans, completes, scanCpuMs, completeCpuMs, saleCpuMs, baselineTx, channel } = sales;
  const baselineTrip = channel.roundTrips;
  const tx50 = percentile(baselineTx, 50);
  const tx99 = percentile(baselineTx, 99);
  const trip50 = percentile(baselineTrip, 50);
  const trip99 = percentile(baselineTrip, 99);
  const bareTx = 'bare durable 5-row SQLite transaction (WAL, synchronous=FULL)';
  const bareTrip = "bare socket.io ack'd emit to another process";
  const completeDetails = {
    nodeCpuMsPerComplete: round(completeCpuMs / completes.length),
    nodeCpuMsPerSale: round(saleCpuMs),
    warmupSales: WARMUP_SALES,
  };
  const scanDetails = { nodeCpuMsPerScan: round(scanCpuMs / scans.length), warmupSales: WARMUP_SALES };
  report(
    'sale-complete over the socket (5 lines, split tender) p50',
    percentile(completes, 50),
    'ms',
    tx50,
    `${bareTx} p50`,
    completeDetails,
  );
  report(
    'sale-complete over the socket (5 lines, split tender) p99',
    percentile(completes, 99),
    'ms',
    tx99,
    `${bareTx} p99`,
    completeDetails,
  );
  report(
    'barcode scan to priced line (sale-add-line) p50',
    percentile(scans, 50),
    'ms',
    trip50,
    `${bareTrip} p50`,
    scanDetails,
  );
  report(
    'barcode scan to priced line (sale-add-line) p99',
    percentile(scans, 99),
    'ms',
    trip99,
    `${bareTrip} p99`,
    scanDetails,
  );
}

const WAL_FRAME_SALES = 40;
/**
 * BENCH_WAL_HISTORY_SALES=<n> rings up n sales first, uncounted: a till's indexes span more pages after
 * months of sales, and where a commit lands in them decides how many it writes.
 */
const WAL_HISTORY_SALES = Number(process.env.BENCH_WAL_HISTORY_SALES ?? 0);
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;

/**
 * The WAL frames one commit appends, from the -wal file's size before and after (a frame is a page plus
 * its header); `undefined` when the log restarted from its start in between (a checkpoint), which the
 * size cannot count.
 */
function walFrameCounter(
  databasePath: string,
  pageSize: number,
): <T>(commit: () => T) => [T, number | undefined] {
  const size = () => (existsSync(`${databasePath}-wal`) ? statSync(`${databasePath}-wal`).size : 0);
  return (commit) => {
    const before = size();
    const value = commit();
    const grown = size() - Math.max(before, WAL_HEADER_BYTES);
    return [value, grown > 0 ? grown / (pageSize + WAL_FRAME_HEADER_BYTES) : undefined];
  };
}

/**
 * WAL frames per commit of each sale command (`wal-frames`, with BENCH_DB), in process: sale-start, five
 * scans, a card and a cash tender, sale-complete, 40 sales; beside the bare 5-row transaction's frames.
 */
function walFrameFigures(dir: string): void {
  const baselinePath = join(dir, 'baseline-frames.db');
  const bare = openDatabase(baselinePath);
  bare.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INTEGER NOT NULL)');
  const insert = bare.prepare('INSERT INTO t (a, b) VALUES (?, ?)');
  const bareTx = bare.transaction((n: number) => {
    for (let row = 0; row < 5; row += 1) insert.run(`row-${n}-${row}`, n);
  });
  const bareCount = walFrameCounter(baselinePath, bare.pragma('page_size', { simple: true }) as number);
  const bareFrames: number[] = [];
  for (let n = 0; n < 200; n += 1) {
    const [, frames] = bareCount(() => bareTx.immediate(n));
    if (frames !== undefined) bareFrames.push(frames);
  }
  bare.close();

  const databasePath = join(dir, 'store.db');
  const engine = openStoreEngine({ databasePath });
  const count = walFrameCounter(databasePath, engine.db.pragma('page_size', { simple: true }) as number);
  const cashier = DEMO_STAFF.find((member) => member.role === 'cashier');
  if (!cashier) throw new Error('the demo chain has no cashier');
  const session = ok(
    engine.execute('staff-sign-in', { staffCode: cashier.staffCode, pin: cashier.pin }),
  ).session;
  ok(engine.execute('shift-open', { registerId: 'bench', float: 100_000_000 }, { session }));
  const frames: Record<string, number[]> = { 'sale-start': [], scan: [], tender: [], 'sale-complete': [] };
  let counting = false;
  const counted = <T>(command: string, run: () => T): T => {
    const [value, n] = count(run);
    if (counting && n !== undefined) frames[command]!.push(n);
    return value;
  };
  log(
    `${WAL_FRAME_SALES} sales of 5 scanned lines, split card + cash, in process, after ${WAL_HISTORY_SALES} uncounted: WAL frames per commit`,
  );
  for (let sale = 0; sale < WAL_HISTORY_SALES + WAL_FRAME_SALES; sale += 1) {
    counting = sale >= WAL_HISTORY_SALES;
    const { saleId } = counted('sale-start', () =>
      ok(engine.execute('sale-start', { registerId: 'bench' }, { session })),
    );
    let total = 0;
    for (let line = 0; line < 5; line += 1) {
      const code = barcodeOf(pieceSku(sale * 5 + line + 1, SKUS));
      total = counted('scan', () => ok(engine.execute('sale-add-line', { saleId, code }, { session }))).totals
        .total;
    }
    const card = Math.floor(total / 2);
    const tenders = [
      { type: 'card', amount: card, reference: `AUTH-${sale}` },
      { type: 'cash', amount: total - card + 500 },
    ] as const;
    for (const tender of tenders) {
      counted('tender', () => ok(engine.execute('sale-add-tender', { saleId, tender }, { session })));
    }
    counted('sale-complete', () => ok(engine.execute('sale-complete', { saleId }, { session })));
  }
  engine.close();
  const bareP50 = percentile(bareFrames, 50);
  for (const [command, samples] of Object.entries(frames)) {
    report(
      `${command}: WAL frames per commit (p50)`,
      percentile(samples, 50),
      'frames',
      bareP50,
      'frames of a bare durable 5-row transaction',
      {
        mean: round(samples.reduce((sum, n) => sum + n, 0) / samples.length),
        max: Math.max(...samples),
        commits: samples.length,
        historySales: WAL_HISTORY_SALES,
      },
    );
  }
}

/** Only the sales (`sales`, with BENCH_DB): the sale-complete and scan figures, then the node stops. */
async function saleFigures(dir: string): Promise<void> {
  const sales = await ringUpSales(dir);
  sales.client.close();
  sales.node.child.kill('SIGTERM');
  await new Promise((resolve) => sales.node.child.once('exit', resolve));
  reportSales(sales);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pos-store-bench-'));
  try {
    const loaded = process.env.BENCH_DB;
    if (process.argv.includes('sales')) {
      if (loaded === undefined) throw new Error('`sales` runs on a loaded database: set BENCH_DB');
      copyFileSync(loaded, join(dir, 'store.db'));
      await saleFigures(dir);
      return;
    }
    if (process.argv.includes('wal-frames')) {
      if (loaded === undefined) throw new Error('`wal-frames` runs on a loaded database: set BENCH_DB');
      copyFileSync(loaded, join(dir, 'store.db'));
      walFrameFigures(dir);
      return;
    }
    const databasePath = join(dir, 'store.db');
    const now = Date.now();
    initStoreNode({ databasePath, setup: STORE_SETUP });
    log(`generating a demo chain with ${SKUS} SKUs`);
    const fixture = parseFixture(demoFixture({ skus: SKUS, promotions: 50, now }));
    const engine = openStoreEngine({ databasePath });
    const loadStarted = performance.now();
    const loadCpuStarted = ownCpuMs();
    const loadSystemStarted = process.cpuUsage().system;
    loadFixture(engine, fixture);
    const loadMs = performance.now() - loadStarted;
    const loadCpuMs = ownCpuMs() - loadCpuStarted;
    const loadSystemMs = (process.cpuUsage().system - loadSystemStarted) / 1000;
    const searchCpu = searchInProcess(engine);
    engine.close();
    log(`fixture of ${fixture.changes.length} feed changes loaded in ${Math.round(loadMs)} ms`);

    const bulkMs = bareBulkInsert(dir, fixture.changes.length);
    log(`the same changes as a first-sync snapshot, in pages of ${SNAPSHOT_PAGE}`);
    const snapshot = await snapshotLoad(dir, fixture);
    const rowsPerSecond = (ms: number) => fixture.changes.length / (ms / 1000);
    report(
      `initial snapshot through the node's feed store (${fixture.changes.length} rows: 100k SKUs, prices, stock)`,
      rowsPerSecond(snapshot.ms),
      'rows/s',
      rowsPerSecond(bulkMs),
      'the same number of plain inserts in one transaction',
      {
        ms: round(snapshot.ms),
        cpuMs: round(snapshot.cpuMs),
        lastPageMs: round(snapshot.swapMs),
        lastPageCpuMs: round(snapshot.swapCpuMs),
      },
    );
    if (process.argv.includes('catalog-load')) {
      reportLoad(fixture.changes.length, loadMs, bulkMs, loadCpuMs, loadSystemMs);
      return;
    }
    const sales = await ringUpSales(dir);
    const { node, client, as, channel } = sales;
    const baselineTrip = channel.roundTrips;
    log(`${SEARCHES} product searches`);
    const searches: number[] = [];
    const searchCpuStarted = processCpuMs(node.child.pid ?? 0);
    for (let search = 0; search < SEARCHES; search += 1) {
      const query = searchQuery(search);
      const started = performance.now();
      ok(await client.send('catalog-search', { query, limit: 20 }, as));
      searches.push(performance.now() - started);
    }
    const searchCpuMs = (processCpuMs(node.child.pid ?? 0) - searchCpuStarted) / SEARCHES;
    client.close();
    node.child.kill('SIGTERM');
    await new Promise((resolve) => node.child.once('exit', resolve));

    const cold = await startNode(dir);
    const coldRss = rssMiB(cold.child.pid ?? 0);
    cold.child.kill('SIGTERM');
    await new Promise((resolve) => cold.child.once('exit', resolve));

    reportSales(sales);
    const trip50 = percentile(baselineTrip, 50);
    const trip99 = percentile(baselineTrip, 99);
    const bareTrip = "bare socket.io ack'd emit to another process";
    const searchCpuFields = {
      nodeCpuMsPerSearch: round(searchCpuMs),
      inProcessCpuMsP50: round(percentile(searchCpu, 50)),
      inProcessCpuMsP99: round(percentile(searchCpu, 99)),
    };
    report(
      'product search (prefix, top 20) p50',
      percentile(searches, 50),
      'ms',
      trip50,
      `${bareTrip} p50`,
      searchCpuFields,
    );
    report(
      'product search (prefix, top 20) p99',
      percentile(searches, 99),
      'ms',
      trip99,
      `${bareTrip} p99`,
      searchCpuFields,
    );
    const bareNode = 'bare Node process serving socket.io';
    report(
      'cold start to ready (100k SKUs, 50 promotions, after 300 sales)',
      cold.readyMs,
      'ms',
      channel.startMs,
      `${bareNode}: spawn to listening`,
    );
    report('resident memory when ready', coldRss, 'MiB', channel.rssMiB, `${bareNode}: resident memory`);
    reportLoad(fixture.changes.length, loadMs, bulkMs, loadCpuMs, loadSystemMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
