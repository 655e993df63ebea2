/**
 * Store node CPU per sale command, in-process (issue 19): the same 100k-SKU, 50-promotion demo store as
 * store-node.bench.ts, driven through `engine.execute` so each command's CPU time (`process.cpuUsage`,
 * user + system) is measured next to its wall time. The machine the benchmarks run on is shared: the wall
 * clock moves with the load, CPU time much less. Prints one JSON line per figure, with the bare durable
 * 5-row commit of the same run as the baseline.
 *
 * A subscriber encodes every notification, as the socket server does for a till's screen; what follows a
 * command's commit (engine.ts `afterAnswer`) is measured apart, as "<command> after the answer".
 *
 * BENCH_DB=<path> reuses (or creates once) a loaded database and runs on a copy of it, so a checkout of
 * `main` and a branch can be measured back to back on the same data.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStoreEngine } from '../src/engine/engine';
import { demoFixture, DEMO_STAFF } from '../src/engine/fixture/demo-fixture';
import { loadFixture, parseFixture } from '../src/engine/fixture/fixture';
import { initStoreNode } from '../src/engine/init';
import { bareTransactions, barcodeOf, BENCH_STORE_SETUP, ok, percentile, pieceSku, round } from './bench-kit';

const SKUS = Number(process.env.BENCH_SKUS ?? 100_000);
const SALES = Number(process.env.BENCH_SALES ?? 200);
const WARMUP = 20;

function prepareDatabase(path: string): void {
  initStoreNode({
    databasePath: path,
    setup: BENCH_STORE_SETUP,
  });
  const fixture = parseFixture(demoFixture({ skus: SKUS, promotions: 50, now: Date.now() }));
  const engine = openStoreEngine({ databasePath: path });
  loadFixture(engine, fixture);
  engine.close();
}

interface Samples {
  wall: number[];
  cpu: number[];
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'pos-sale-cpu-'));
  try {
    const source = process.env.BENCH_DB ?? join(dir, 'source.db');
    if (!existsSync(source)) {
      process.stderr.write(`# loading a demo chain of ${SKUS} SKUs into ${source}\n`);
      prepareDatabase(source);
    }
    const databasePath = join(dir, 'store.db');
    copyFileSync(source, databasePath);
    const engine = openStoreEngine({ databasePath });
    // BENCH_NODE_WARMUP=<n>: the node's own start-up warm-up (engine.warmUp, n rolled-back sales) first.
    const warmUp = engine.warmUp(Number(process.env.BENCH_NODE_WARMUP ?? 0), Number.POSITIVE_INFINITY);
    process.stderr.write(`# node warm-up: ${warmUp.sales} sales rolled back in ${round(warmUp.ms)} ms\n`);
    const cashier = DEMO_STAFF.find((member) => member.role === 'cashier');
    if (!cashier) throw new Error('the demo chain has no cashier');
    const session = ok(
      engine.execute('staff-sign-in', { staffCode: cashier.staffCode, pin: cashier.pin }),
    ).session;
    // A staff screen follows the node as the socket server does: every notification encoded as JSON.
    engine.subscribe((notification) => void JSON.stringify(notification));
    // What follows a command's commit is handed over as the socket server takes it (engine.ts
    // afterAnswer), and measured apart: "<command> after the answer".
    let followUp: (() => void) | undefined;
    const as = {
      session,
      afterAnswer: (work: () => void) => {
        followUp = work;
      },
    };
    ok(engine.execute('shift-open', { registerId: 'bench', float: 100_000_000 }, as));
    followUp = undefined;
    const byCommand = new Map<string, Samples>();
    const record = (name: string, wall: number, used: NodeJS.CpuUsage) => {
      const samples = byCommand.get(name) ?? { wall: [], cpu: [] };
      samples.wall.push(wall);
      samples.cpu.push((used.user + used.system) / 1000);
      byCommand.set(name, samples);
    };
    const timed = <T>(name: string, recorded: boolean, work: () => T): T => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const value = work();
      const wall = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (recorded) record(name, wall, used);
      const after = followUp;
      followUp = undefined;
      if (after !== undefined) {
        const afterCpu = process.cpuUsage();
        const afterStarted = performance.now();
        after();
        const afterWall = performance.now() - afterStarted;
        if (recorded) record(`${name} after the answer`, afterWall, process.cpuUsage(afterCpu));
      }
      return value;
    };
    for (let sale = 0; sale < SALES + WARMUP; sale += 1) {
      const recorded = sale >= WARMUP;
      const saleId = timed('sale-start', recorded, () =>
        ok(engine.execute('sale-start', { registerId: 'bench' }, as)),
      ).saleId;
      let total = 0;
      for (let line = 0; line < 5; line += 1) {
        const code = barcodeOf(pieceSku(sale * 5 + line + 1, SKUS));
        total = timed('sale-add-line', recorded, () =>
          ok(engine.execute('sale-add-line', { saleId, code }, as)),
        ).totals.total;
      }
      const card = Math.floor(total / 2);
      timed('sale-add-tender', recorded, () =>
        ok(
          engine.execute(
            'sale-add-tender',
            { saleId, tender: { type: 'card', amount: card, reference: `AUTH-${sale}` } },
            as,
          ),
        ),
      );
      timed('sale-add-tender', recorded, () =>
        ok(
          engine.execute(
            'sale-add-tender',
            { saleId, tender: { type: 'cash', amount: total - card + 500 } },
            as,
          ),
        ),
      );
      timed('sale-complete', recorded, () => ok(engine.execute('sale-complete', { saleId }, as)));
    }
    engine.close();
    const bare = bareTransactions(dir, 500);
    const load = loadavg().map((value) => round(value));
    for (const [name, samples] of byCommand) {
      console.log(
        JSON.stringify({
          name: `${name} in-process`,
          cpuP50: round(percentile(samples.cpu, 50)),
          cpuP99: round(percentile(samples.cpu, 99)),
          cpuMean: round(samples.cpu.reduce((a, b) => a + b, 0) / samples.cpu.length),
          wallP50: round(percentile(samples.wall, 50)),
          wallP99: round(percentile(samples.wall, 99)),
          unit: 'ms',
          baseline: round(percentile(bare, 50)),
          baselineP99: round(percentile(bare, 99)),
          baselineName: 'bare durable 5-row SQLite transaction (WAL, synchronous=FULL) p50 / p99',
          ratio: round(percentile(samples.wall, 50) / percentile(bare, 50)),
          samples: samples.cpu.length,
          loadavg: load,
        }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
