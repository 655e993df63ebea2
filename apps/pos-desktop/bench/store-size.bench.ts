/**
 * Store node size (issue 19, `npm run bench -- store-size`): a till's database after 100,000 SKUs and a year
 * of sales, generated through the engine's real write path (`engine.execute`: shift-open, sale-start,
 * sale-add-line by barcode, sale-add-tender, sale-complete, shift-close, day after day on a clock that
 * moves through the year), with the outbox acknowledged each evening and pruned 30 days after, as the
 * sync agent does by default. Prints JSON lines: the database's size after the catalog and after the
 * year, bytes per sale next to the sale events' own JSON bytes (the payload floor), what each table
 * holds (SQLite's dbstat), the write rate, and the resident memory of a fresh process with the engine
 * open on the year's database next to the same process opening nothing.
 *
 * Knobs: BENCH_STORE_SIZE_SKUS (100000), BENCH_STORE_SIZE_DAYS (365), BENCH_STORE_SIZE_SALES_PER_DAY (150),
 * BENCH_STORE_SIZE_LINES (3 lines per sale).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openStoreEngine, type StoreEngine } from '../src/engine/engine';
import { demoFixture, DEMO_STAFF } from '../src/engine/fixture/demo-fixture';
import { loadFixture, parseFixture } from '../src/engine/fixture/fixture';
import { initStoreNode } from '../src/engine/init';
import { SqliteOutboxStore } from '../src/engine/outbox/outbox';
import { TEST_PIN_COST } from '../src/engine/testing/test-node';
import { barcodeOf, BENCH_STORE_SETUP, ok, pieceSku } from './bench-kit';

const SKUS = Number(process.env.BENCH_STORE_SIZE_SKUS ?? 100_000);
const DAYS = Number(process.env.BENCH_STORE_SIZE_DAYS ?? 365);
const SALES_PER_DAY = Number(process.env.BENCH_STORE_SIZE_SALES_PER_DAY ?? 150);
const LINES = Number(process.env.BENCH_STORE_SIZE_LINES ?? 3);
const RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
const REGISTER = 'bench';

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

function log(message: string): void {
  process.stderr.write(`# store-size: ${message}\n`);
}

function fileBytes(path: string): number {
  return ['', '-wal'].reduce(
    (total, suffix) => total + (existsSync(path + suffix) ? statSync(path + suffix).size : 0),
    0,
  );
}

function tableBytes(engine: StoreEngine): { table: string; mb: number }[] {
  const rows = engine.db
    .prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 12')
    .all() as { name: string; bytes: number }[];
  return rows.map((row) => ({ table: row.name, mb: mb(row.bytes) }));
}

function rssOfChild(args: readonly string[]): number {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const rss = Number(/^rss (\d+)$/m.exec(run.stdout)?.[1]);
  if (run.status !== 0 || !Number.isFinite(rss))
    throw new Error(`store-size: RSS child failed: ${run.stderr}`);
  return rss;
}

/** In the child: open the year's database as a till starting in the morning, print the RSS. */
function measureRss(args: readonly string[]): void {
  if (args[0] === '--open') {
    const at = Number(args[2]);
    const engine = openStoreEngine({ databasePath: args[1]!, clock: { now: () => at }, sync: false });
    const cashier = DEMO_STAFF.find((member) => member.role === 'cashier')!;
    const { session } = ok(
      engine.execute('staff-sign-in', { staffCode: cashier.staffCode, pin: cashier.pin }),
    );
    ok(engine.execute('catalog-search', { query: 'org', limit: 20 }, { session }));
    ok(engine.execute('shift-current', { registerId: REGISTER }, { session }));
    process.stdout.write(`rss ${process.memoryUsage().rss}\n`);
    engine.close();
    return;
  }
  process.stdout.write(`rss ${process.memoryUsage().rss}\n`);
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'pos-store-size-'));
  const databasePath = join(dir, 'store.db');
  try {
    const yearStart = Date.UTC(2026, 0, 1, 8, 0, 0);
    let now = yearStart;
    const clock = { now: () => now };
    initStoreNode({
      databasePath,
      setup: BENCH_STORE_SETUP,
      clock,
    });
    const engine = openStoreEngine({ databasePath, clock, pinCost: TEST_PIN_COST, sync: false });
    log(`loading a demo chain of ${SKUS} SKUs`);
    loadFixture(engine, parseFixture(demoFixture({ skus: SKUS, promotions: 50, now: yearStart })));
    engine.db.pragma('wal_checkpoint(TRUNCATE)');
    const catalogBytes = fileBytes(databasePath);
    const cashier = DEMO_STAFF.find((member) => member.role === 'cashier')!;
    const outbox = new SqliteOutboxStore(engine.db);

    log(`${DAYS} days of ${SALES_PER_DAY} sales of ${LINES} lines`);
    let sales = 0;
    let eventJsonBytes = 0;
    let writeMs = 0;
    const cpuBefore = process.cpuUsage();
    for (let day = 0; day < DAYS; day += 1) {
      now = yearStart + day * DAY_MS;
      const session = ok(
        engine.execute('staff-sign-in', { staffCode: cashier.staffCode, pin: cashier.pin }),
      ).session;
      const as = { session };
      const started = performance.now();
      ok(engine.execute('shift-open', { registerId: REGISTER, float: 10_000 }, as));
      for (let sale = 0; sale < SALES_PER_DAY; sale += 1) {
        now = yearStart + day * DAY_MS + Math.floor(((sale + 1) * 10 * 3_600_000) / (SALES_PER_DAY + 1));
        const saleId = ok(engine.execute('sale-start', { registerId: REGISTER }, as)).saleId;
        let total = 0;
        for (let line = 0; line < LINES; line += 1) {
          total = ok(
            engine.execute(
              'sale-add-line',
              { saleId, code: barcodeOf(pieceSku(sales * LINES + line + 1, SKUS)) },
              as,
            ),
          ).totals.total;
        }
        ok(
          engine.execute(
            'sale-add-tender',
            { saleId, tender: { type: 'card', amount: total, reference: `AUTH-${sales}` } },
            as,
          ),
        );
        ok(engine.execute('sale-complete', { saleId }, as));
        sales += 1;
      }
      now = yearStart + day * DAY_MS + 11 * 3_600_000;
      ok(
        engine.execute(
          'shift-close',
          { registerId: REGISTER, denominations: [{ value: 5_000, count: 2 }] },
          as,
        ),
      );
      writeMs += performance.now() - started;
      // The evening's sync: the hub acknowledges the day; the agent prunes what it acked 30 days ago.
      const lastSeq = (
        engine.db.prepare('SELECT MAX(device_seq) AS seq FROM outbox').get() as { seq: number }
      ).seq;
      const dayEvents = engine.db
        .prepare(
          "SELECT SUM(LENGTH(payload)) AS bytes FROM outbox WHERE type = 'sale.completed' AND device_seq > ?",
        )
        .get(
          (engine.db.prepare('SELECT last_acked_seq AS seq FROM sync_state').get() as { seq: number }).seq,
        ) as { bytes: number | null };
      eventJsonBytes += dayEvents.bytes ?? 0;
      void outbox.acknowledge({ lastSeq, rejected: [], at: new Date(now).toISOString() });
      void outbox.prune(new Date(now - RETENTION_DAYS * DAY_MS).toISOString());
      if ((day + 1) % 30 === 0) log(`day ${day + 1}: ${sales} sales, ${mb(fileBytes(databasePath))} MB`);
    }
    const cpu = process.cpuUsage(cpuBefore);
    engine.db.pragma('wal_checkpoint(TRUNCATE)');
    const yearBytes = fileBytes(databasePath);
    const tables = tableBytes(engine);
    const outboxRows = (engine.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
    engine.close();

    // Resident memory in fresh processes (this one holds the generated catalog's garbage): the node's
    // engine opened on the year's database, signed in, one search; and the same process opening nothing.
    const rssWithYear = rssOfChild(['--open', databasePath, String(now)]);
    const rssBare = rssOfChild(['--bare']);

    const perSaleBytes = (yearBytes - catalogBytes) / sales;
    console.log(
      JSON.stringify({
        name: 'store.size.year-of-sales',
        value: mb(yearBytes),
        unit: 'MB',
        baseline: mb(catalogBytes),
        baselineName: `the same database after the ${SKUS}-SKU catalog, before any sale`,
        ratio: round(yearBytes / catalogBytes),
        skus: SKUS,
        days: DAYS,
        sales,
        linesPerSale: LINES,
        outboxRowsKept: outboxRows,
        largestTables: tables,
        load: loadavg().map((v) => round(v, 1)),
      }),
    );
    console.log(
      JSON.stringify({
        name: 'store.size.bytes-per-sale',
        value: Math.round(perSaleBytes),
        unit: 'bytes',
        baseline: Math.round(eventJsonBytes / sales),
        baselineName: 'the sale.completed event payload alone (JSON bytes)',
        ratio: round(perSaleBytes / (eventJsonBytes / sales)),
      }),
    );
    console.log(
      JSON.stringify({
        name: 'store.size.write-rate',
        value: round(sales / (writeMs / 1000), 1),
        unit: 'sales/s (sign-in, shift, start, lines, tender, complete, close)',
        cpuMsPerSale: round((cpu.user + cpu.system) / 1000 / sales),
        wallMsPerSale: round(writeMs / sales),
        ratio: round((cpu.user + cpu.system) / 1000 / writeMs),
        baselineName: 'ratio: CPU time over wall time of the same loop (1 = never waited)',
      }),
    );
    console.log(
      JSON.stringify({
        name: 'store.size.rss',
        value: mb(rssWithYear),
        unit: 'MB',
        baseline: mb(rssBare),
        baselineName: 'the same fresh process with the engine modules loaded, no database opened',
        ratio: round(rssWithYear / rssBare),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2]?.startsWith('--')) measureRss(process.argv.slice(2));
else main();
