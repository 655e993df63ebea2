/**
 * The chain simulator (`npm run simulate`, issue 19): a day of a chain's business against real hub
 * processes on PostgreSQL, then every till's sales, returns and stock checked against the hub.
 *
 * - Hub: `--hubs` real `pos-hub serve` processes (the CLI bundled as `npm run build` bundles it) sharing
 *   one PostgreSQL database, seeded through `@retail/hub-server/testing`: stores, a catalog, the chain
 *   price book, opening stock, an e-commerce API key. `--pg-url` names the cluster; without it a
 *   throwaway cluster is initdb'd and removed afterwards.
 * - Tills: `--stores` × `--tills` simulated tills (simulated-till.ts): real node databases and outboxes,
 *   the real sync agent over socket.io, spread round-robin over the hub processes.
 * - The day: `--hours` of simulated time run `--speed` times faster than real time. Each till sells
 *   (`--sales-per-hour` on average, shaped by the day's curve), takes back `--returns-percent` of its
 *   sales later; each store books a delivery in the morning and a breakage in the afternoon;
 *   e-commerce places `--orders-per-store` pickup orders per store through `POST /api/orders` (retrying
 *   with the same Idempotency-Key when the hub is down). At midday every hub process is SIGKILLed for
 *   `--outage-minutes`; the tills keep selling offline, then reconnect to the restarted processes.
 * - The verdict: each till's outbox against the hub (totals.ts): every sale and return exactly once with
 *   its amount, each device's count and Σ amount, every event ingested once, the stock ledger's sums per
 *   node/SKU/bucket against the opening stock plus the tills' movements, and the ledger's projections.
 *
 * Prints one JSON report (and writes it to `--report`); exits 1 when the totals do not match.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundleHubCli,
  createApiKey,
  createTestDatabase,
  databaseFootprint,
  enrollTill,
  familyItems,
  findPostgresBinaries,
  loadTillPricing,
  pricedSaleOf,
  receiveStock,
  seedTestHub,
  startThrowawayPostgres,
  verifyProjections,
  walBytesSince,
  type ThrowawayPostgres,
} from '@retail/hub-server/testing';
import type { EventPayloads } from '@retail/sync';
import { HUB_CLI, freePort, removeCliBundles, startHub, type RunningHub } from '../sync-process/processes';
import { parseSimulatorOptions, type SimulatorOptions } from './options';
import { SimulatedTill } from './simulated-till';
import {
  compareRecords,
  compareStock,
  issuesByKind,
  type AmountRecord,
  type StockSum,
  type TotalsIssue,
} from './totals';
import { breakageOf, deliveryOf, nextArrival, pickupOrderOf, returnOf, seededRandom } from './workload';

const OPENING_STOCK = 100_000;
const TICK_MS = 20;

function log(message: string): void {
  process.stderr.write(`# simulate: ${message}\n`);
}

/** Ctrl-C or SIGTERM: the run stops at its next wait and still removes its processes and databases. */
let interrupted: string | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (interrupted = signal));

function checkInterrupted(): void {
  if (interrupted !== null) throw new Error(`simulate: stopped by ${interrupted}`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)).then(checkInterrupted);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function spread(samples: readonly number[]) {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length === 0 ? null : Math.max(...samples),
  };
}

/** A process's resident set (kB → MB) and CPU seconds from /proc; null when it is gone. */
function processFigures(pid: number | undefined): { rssMb: number; cpuSeconds: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { rssMb: rssKb / 1024, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return null;
  }
}

async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`simulate: gave up waiting: ${what}`);
    await sleep(50);
  }
  return Date.now() - started;
}

/** The hub processes: started on fixed ports so the tills find them again after the outage. */
class HubFleet {
  private running: (RunningHub | null)[] = [];
  readonly rssSamplesMb: number[][] = [];
  /** CPU seconds of processes already killed, per slot. */
  private cpuOfKilled: number[] = [];
  private constructor(
    readonly dbUrl: string,
    readonly ports: number[],
    private readonly dir: string,
  ) {
    this.running = ports.map(() => null);
    this.rssSamplesMb = ports.map(() => []);
    this.cpuOfKilled = ports.map(() => 0);
  }

  static async create(dbUrl: string, count: number, dir: string): Promise<HubFleet> {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) ports.push(await freePort());
    return new HubFleet(dbUrl, ports, dir);
  }

  urls(): string[] {
    return this.ports.map((port) => `http://127.0.0.1:${port}`);
  }

  async start(): Promise<void> {
    // One at a time: the first applies the migrations the others then find done.
    for (const [slot, port] of this.ports.entries()) {
      this.running[slot] = await startHub({
        db: this.dbUrl,
        port,
        markerPath: join(this.dir, `feed-marker-${slot}`),
      });
    }
  }

  /** Every hub process SIGKILLed at once, as a power cut or a crashed host would. */
  async kill(): Promise<void> {
    await Promise.all(
      this.running.map(async (hub, slot) => {
        if (hub === null) return;
        this.cpuOfKilled[slot]! += processFigures(hub.child.pid)?.cpuSeconds ?? 0;
        await hub.kill();
        this.running[slot] = null;
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.running.map(async (hub, slot) => {
        if (hub === null) return;
        this.cpuOfKilled[slot]! += processFigures(hub.child.pid)?.cpuSeconds ?? 0;
        await hub.stop();
        this.running[slot] = null;
      }),
    );
  }

  sample(): void {
    for (const [slot, hub] of this.running.entries()) {
      const figures = processFigures(hub?.child.pid);
      // A process being killed has no VmRSS any more (a zombie until reaped).
      if (figures !== null && Number.isFinite(figures.rssMb)) this.rssSamplesMb[slot]!.push(figures.rssMb);
    }
  }

  cpuSeconds(): number {
    return this.running.reduce(
      (total, hub, slot) =>
        total + this.cpuOfKilled[slot]! + (processFigures(hub?.child.pid)?.cpuSeconds ?? 0),
      0,
    );
  }
}

async function pendingIn(tills: readonly SimulatedTill[]): Promise<number> {
  let pending = 0;
  for (const till of tills) pending += await till.pendingEvents();
  return pending;
}

/** The tills that still hold events, with what their sync agents say: for a drain that does not end. */
async function describeStuck(tills: readonly SimulatedTill[]): Promise<string> {
  const stuck: string[] = [];
  for (const till of tills) {
    const pending = await till.pendingEvents();
    if (pending === 0) continue;
    const status = till.status();
    stuck.push(
      `${till.storeId}/${till.deviceNo}: ${pending} pending, ${status.state}` +
        `${status.error === null ? '' : ` (${status.error.code}: ${status.error.message})`}` +
        `, last push ${status.lastPushAt ?? 'never'}, next retry ${status.nextRetryAt ?? 'none'}`,
    );
  }
  return `${stuck.length} tills hold events${stuck.length === 0 ? '' : `: ${stuck.slice(0, 5).join('; ')}`}`;
}

interface PlacedOrder {
  readonly storeId: string;
  readonly body: Record<string, unknown>;
  attempts: number;
  /** The HTTP status of the last answer; null before the first post. */
  status: number | 'unreachable' | null;
  posting: boolean;
  /** The body of the last refusal, for the report. */
  refusal?: string;
}

async function postOrder(url: string, apiKey: string, order: PlacedOrder): Promise<void> {
  order.attempts += 1;
  try {
    const response = await fetch(`${url}/api/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': String(order.body.orderId),
      },
      body: JSON.stringify(order.body),
    });
    const body = await response.text();
    order.status = response.status;
    if (response.ok) delete order.refusal;
    else order.refusal = body.slice(0, 300);
  } catch {
    order.status = 'unreachable';
  }
}

async function main(options: SimulatorOptions): Promise<boolean> {
  const startedAt = Date.now();
  const cpuAtStart = process.cpuUsage();
  const load = { start: loadavg().map((v) => round(v, 2)), midday: [] as number[], end: [] as number[] };
  const dir = mkdtempSync(join(tmpdir(), 'pos-simulate-'));
  let cluster: ThrowawayPostgres | undefined;
  const tills: SimulatedTill[] = [];
  let fleet: HubFleet | undefined;
  try {
    let adminUrl = options.pgUrl;
    if (adminUrl === undefined) {
      const binaries = findPostgresBinaries();
      if ('missing' in binaries) throw new Error(`simulate: no --pg-url and ${binaries.missing}`);
      log('starting a throwaway PostgreSQL cluster (give --pg-url to use yours)');
      cluster = await startThrowawayPostgres(binaries.bin);
      adminUrl = cluster.adminUrl;
    }
    process.env.PG_URL = adminUrl;
    const database = await createTestDatabase('postgres');
    const storage = await database.open({ poolSize: 4 });
    try {
      // The world, written the way HQ writes it.
      const storeIds = Array.from(
        { length: options.stores },
        (_, i) => `store-${String(i + 1).padStart(4, '0')}`,
      );
      const items = familyItems(options.skus, (index) => `SKU-${String(index).padStart(6, '0')}`);
      const skus = items.map((item) => item.sku);
      log(`seeding ${options.stores} stores, ${options.skus} SKUs, opening stock`);
      const hub = await seedTestHub(storage, { stores: storeIds, items, priceBookActor: 'simulator' });
      const expectedStock: StockSum[] = [];
      for (const nodeId of storeIds) {
        await receiveStock(
          hub,
          {
            nodeId,
            reference: 'opening stock',
            lines: skus.map((sku) => ({ sku, qty: OPENING_STOCK, bucket: 'sellable' as const })),
          },
          'simulator',
        );
        for (const sku of skus) expectedStock.push({ nodeId, sku, bucket: 'sellable', qty: OPENING_STOCK });
      }
      const shopKey = (
        await createApiKey(hub, { name: 'simulator shop', scopes: ['orders:write'] }, 'simulator')
      ).key;
      const pricing = await loadTillPricing(storage.db);

      log('bundling pos-hub and starting its processes');
      await bundleHubCli(HUB_CLI);
      fleet = await HubFleet.create(database.url, options.hubs, dir);
      await fleet.start();
      const urls = fleet.urls();

      log(`setting up and enrolling ${options.stores * options.tills} tills`);
      const created: { till: SimulatedTill; storeId: string; deviceNo: number }[] = [];
      for (const [s, storeId] of storeIds.entries()) {
        for (let deviceNo = 1; deviceNo <= options.tills; deviceNo += 1) {
          const storeCode = `S${String(s + 1).padStart(4, '0')}`;
          created.push({
            till: SimulatedTill.create(dir, { storeId, storeCode, deviceNo }),
            storeId,
            deviceNo,
          });
        }
      }
      // Enrolments hash a credential each; a few at once keep the hashing threads busy.
      for (let from = 0; from < created.length; from += 16) {
        const credentials = await Promise.all(
          created
            .slice(from, from + 16)
            .map(({ till, storeId, deviceNo }) =>
              enrollTill(hub, { storeId, deviceId: till.deviceId, deviceNo, deviceName: `Till ${deviceNo}` }),
            ),
        );
        for (const [offset, credential] of credentials.entries()) {
          const { till } = created[from + offset]!;
          till.connect(urls[tills.length % urls.length]!, credential, options.speed);
          tills.push(till);
        }
        if (from % 160 === 0 && from > 0) log(`${from} tills enrolled`);
      }
      const inStepMs = await waitUntil(
        'every till in step with the hub',
        () => tills.every((till) => till.status().state === 'live'),
        600_000,
      );
      log(`all tills live after ${round(inStepMs / 1000)} s`);

      // The day.
      const random = seededRandom(options.seed);
      const daySeconds = options.hours * 3_600;
      const outageFrom = daySeconds / 2;
      const outageUntil = outageFrom + options.outageMinutes * 60;
      const priceOf = new Map(items.map((item) => [item.sku, item.unitPrice]));
      const pickSku = () => skus[Math.floor(random() * skus.length)]!;
      const nextSale = tills.map(() => nextArrival(random, 0, options.salesPerHour, daySeconds));
      const dueReturns: { at: number; till: number; sale: EventPayloads['sale.completed'] }[] = [];
      const stockMoves = storeIds.flatMap((_, s) => [
        { at: daySeconds * (0.05 + 0.2 * random()), till: s * options.tills, kind: 'delivery' as const },
        { at: daySeconds * (0.55 + 0.4 * random()), till: s * options.tills, kind: 'breakage' as const },
      ]);
      const orders: (PlacedOrder & { at: number })[] = storeIds.flatMap((storeId, s) =>
        Array.from({ length: options.ordersPerStore }, (_, n) => {
          const lines = Array.from({ length: 1 + Math.floor(random() * 2) }, () => {
            const sku = pickSku();
            return { sku, qty: 1 + Math.floor(random() * 2), unitPrice: priceOf.get(sku)! };
          }).filter((line, index, all) => all.findIndex((other) => other.sku === line.sku) === index);
          return {
            at: (daySeconds * (n + random())) / options.ordersPerStore,
            storeId,
            body: pickupOrderOf(storeId, lines, s * 1_000 + n),
            attempts: 0,
            status: null,
            posting: false,
          };
        }),
      );
      const inFlightOrders = new Set<Promise<void>>();
      const counts = { sales: 0, returns: 0, deliveries: 0, breakages: 0, orderPosts: 0 };
      const committedDuringOutage = new Set<string>();
      let hubDown = false;
      let outage: {
        killedAt: number;
        restartedAt: number;
        pendingAtRestart: number;
        drainedAt: number | null;
      } | null = null;
      const rssSampler = setInterval(() => fleet?.sample(), 1_000);
      const commitOn = <T extends keyof EventPayloads>(index: number, type: T, payload: EventPayloads[T]) => {
        const eventId = tills[index]!.commit(type, payload);
        if (hubDown) committedDuringOutage.add(eventId);
      };

      log(`the day: ${options.hours} h at ${options.speed}× (${round(daySeconds / options.speed)} s)`);
      const walAtDayStart = (await databaseFootprint(storage, 0)).walLsn;
      const dayStarted = Date.now();
      const cpuDayStart = fleet.cpuSeconds();
      let restarting: Promise<void> | null = null;
      for (;;) {
        const now = ((Date.now() - dayStarted) / 1000) * options.speed;
        const open = Math.min(now, daySeconds);
        for (const [index, till] of tills.entries()) {
          while (nextSale[index]! <= open) {
            const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
              sku: pickSku(),
              qty: 1 + Math.floor(random() * 2),
            })).filter((line, i, all) => all.findIndex((other) => other.sku === line.sku) === i);
            const sale = pricedSaleOf(pricing, lines, {
              storeId: till.storeId,
              at: Date.now(),
              currency: 'EUR',
            });
            commitOn(index, 'sale.completed', sale);
            counts.sales += 1;
            if (random() * 100 < options.returnsPercent) {
              const at = nextSale[index]! + 1_800 + random() * 5_400;
              if (at < daySeconds) dueReturns.push({ at, till: index, sale });
            }
            nextSale[index] = nextArrival(random, nextSale[index]!, options.salesPerHour, daySeconds);
          }
        }
        for (let r = dueReturns.length - 1; r >= 0; r -= 1) {
          const due = dueReturns[r]!;
          if (due.at > open) continue;
          commitOn(due.till, 'return.completed', returnOf(due.sale, Date.now()));
          counts.returns += 1;
          dueReturns.splice(r, 1);
        }
        for (const move of stockMoves) {
          if (move.at > open || Number.isNaN(move.at)) continue;
          move.at = Number.NaN;
          if (move.kind === 'delivery') {
            commitOn(
              move.till,
              'stock.received',
              deliveryOf(
                Array.from({ length: 10 }, pickSku).filter((sku, i, all) => all.indexOf(sku) === i),
                24,
                Date.now(),
              ),
            );
            counts.deliveries += 1;
          } else {
            commitOn(move.till, 'stock.adjusted', breakageOf(pickSku(), Date.now()));
            counts.breakages += 1;
          }
        }
        for (const order of orders) {
          if (hubDown || order.posting || order.at > open) continue;
          if (order.status !== null && order.status !== 'unreachable') continue;
          order.posting = true;
          counts.orderPosts += 1;
          const posting: Promise<void> = postOrder(
            urls[counts.orderPosts % urls.length]!,
            shopKey,
            order,
          ).finally(() => {
            order.posting = false;
            inFlightOrders.delete(posting);
          });
          inFlightOrders.add(posting);
        }
        // The midday outage: every hub process killed at once, restarted after --outage-minutes.
        if (outage === null && options.outageMinutes > 0 && now >= outageFrom) {
          load.midday = loadavg().map((v) => round(v, 2));
          log('midday: killing every hub process');
          hubDown = true;
          await fleet.kill();
          outage = { killedAt: Date.now(), restartedAt: 0, pendingAtRestart: 0, drainedAt: null };
        }
        if (outage !== null && hubDown && restarting === null && now >= outageUntil) {
          const current = outage;
          current.pendingAtRestart = await pendingIn(tills);
          log(`restarting the hub processes; ${current.pendingAtRestart} events wait in the outboxes`);
          restarting = fleet.start().then(() => {
            current.restartedAt = Date.now();
            hubDown = false;
          });
        }
        if (outage !== null && !hubDown && outage.drainedAt === null && outage.restartedAt > 0) {
          if ((await pendingIn(tills)) === 0) outage.drainedAt = Date.now();
        }
        if (now >= daySeconds && !hubDown) break;
        await sleep(TICK_MS);
      }
      await restarting;
      const dayEnded = Date.now();
      log('closing time: waiting for every outbox to drain');
      let drainLoggedAt = Date.now();
      const drainMs = await waitUntil(
        'every outbox drained',
        async () => {
          const pending = await pendingIn(tills);
          if (Date.now() - drainLoggedAt >= 15_000) {
            drainLoggedAt = Date.now();
            log(`${pending} events still wait; ${await describeStuck(tills)}`);
          }
          return pending === 0;
        },
        600_000,
      ).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; ${await describeStuck(tills)}`);
      });
      if (outage !== null && outage.drainedAt === null) outage.drainedAt = Date.now();
      await Promise.all([...inFlightOrders]);
      for (const order of orders.filter((each) => each.status === null || each.status === 'unreachable'))
        await postOrder(urls[0]!, shopKey, order);
      clearInterval(rssSampler);
      fleet.sample();
      load.end = loadavg().map((v) => round(v, 2));
      const hubCpuSeconds = fleet.cpuSeconds() - cpuDayStart;
      const walBytes = await walBytesSince(storage, walAtDayStart);
      for (const till of tills) await till.stop();
      await fleet.stop();

      // The verdict.
      log('comparing every till with the hub');
      const tillSales: AmountRecord[] = [];
      const tillReturns: AmountRecord[] = [];
      const tillEvents: AmountRecord[] = [];
      for (const till of tills) {
        for (const event of till.outbox()) {
          tillEvents.push({ id: event.eventId, deviceId: till.deviceId, amount: event.deviceSeq });
          const payload = event.payload as { movements?: { sku: string; bucket: string; delta: number }[] };
          for (const move of payload.movements ?? []) {
            expectedStock.push({ nodeId: till.storeId, sku: move.sku, bucket: move.bucket, qty: move.delta });
          }
          if (event.type === 'sale.completed') {
            const sale = event.payload as EventPayloads['sale.completed'];
            tillSales.push({ id: sale.saleId, deviceId: till.deviceId, amount: sale.totals.total });
          } else if (event.type === 'return.completed') {
            const ret = event.payload as EventPayloads['return.completed'];
            tillReturns.push({
              id: ret.returnId,
              deviceId: till.deviceId,
              amount: ret.lines.reduce((total, line) => total + line.refund, 0),
            });
          }
        }
      }
      const db = storage.db;
      const hubSales = (await db.selectFrom('sales').select(['sale_id', 'device_id', 'total']).execute()).map(
        (row) => ({ id: row.sale_id, deviceId: row.device_id, amount: Number(row.total) }),
      );
      const hubReturns = (
        await db.selectFrom('returns').select(['return_id', 'device_id', 'refund_total']).execute()
      ).map((row) => ({ id: row.return_id, deviceId: row.device_id, amount: Number(row.refund_total) }));
      const ingested = await db
        .selectFrom('ingested_events')
        .select(['event_id', 'device_id', 'device_seq', 'received_at', 'status'])
        .execute();
      const hubEvents = ingested.map((row) => ({
        id: row.event_id,
        deviceId: row.device_id,
        amount: Number(row.device_seq),
      }));
      const ledger = (
        await db
          .selectFrom('inventory_movements')
          .select(['node_id', 'sku', 'bucket', (eb) => eb.fn.sum<number>('delta').as('qty')])
          .groupBy(['node_id', 'sku', 'bucket'])
          .execute()
      ).map((row) => ({ nodeId: row.node_id, sku: row.sku, bucket: row.bucket, qty: Number(row.qty) }));
      const projections = await verifyProjections(db);
      const issues: TotalsIssue[] = [
        ...compareRecords('sale', tillSales, hubSales),
        ...compareRecords('return', tillReturns, hubReturns),
        ...compareRecords('event', tillEvents, hubEvents),
        ...compareStock(expectedStock, ledger),
      ];
      const rejected = ingested.filter((row) => row.status !== 'applied').length;

      // Lag: till commit → the hub transaction that wrote the event's ledger rows.
      const committedAt = new Map<string, number>();
      for (const till of tills) for (const [eventId, at] of till.committedAt) committedAt.set(eventId, at);
      // Three kinds of event: pushed while the hub was up, written or held while it was down (their lag
      // includes the outage), and written after the restart while the backlog drained.
      const lag = { hubUp: [] as number[], heldByOutage: [] as number[], afterRestart: [] as number[] };
      const perSecond = new Map<number, number>();
      const byHour = new Map<number, number[]>();
      for (const row of ingested) {
        const at = committedAt.get(row.event_id);
        const receivedAt = Number(row.received_at);
        const second = Math.floor(receivedAt / 1000);
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
        if (at === undefined) continue;
        const ms = Math.max(0, receivedAt - at);
        const hour = Math.floor((((at - dayStarted) / 1000) * options.speed) / 3_600);
        byHour.set(hour, [...(byHour.get(hour) ?? []), ms]);
        if (outage === null || (at < outage.killedAt && receivedAt < outage.killedAt)) lag.hubUp.push(ms);
        else if (at < outage.restartedAt) lag.heldByOutage.push(ms);
        else if (outage.drainedAt !== null && at > outage.drainedAt) lag.hubUp.push(ms);
        else lag.afterRestart.push(ms);
      }
      const exceptions = await db
        .selectFrom('exceptions')
        .select([
          'type',
          (eb) => eb.fn.countAll<number>().as('rows'),
          (eb) => eb.fn.sum<number>('occurrences').as('occurrences'),
        ])
        .groupBy('type')
        .execute();
      const orderIds = orders.map((order) => String(order.body.orderId));
      const ordersAtHub = await db
        .selectFrom('bopis_orders')
        .select(['order_id', 'status'])
        .where('order_id', 'in', orderIds.length === 0 ? [''] : orderIds)
        .execute();
      const orderStatuses: Record<string, number> = {};
      for (const order of orders) {
        const key = String(order.status);
        orderStatuses[key] = (orderStatuses[key] ?? 0) + 1;
      }
      const ordersByHubStatus: Record<string, number> = {};
      for (const row of ordersAtHub) ordersByHubStatus[row.status] = (ordersByHubStatus[row.status] ?? 0) + 1;
      const accepted = orders.filter((order) => order.status === 201 || order.status === 200);
      const ordersLost = accepted.filter(
        (order) => !ordersAtHub.some((row) => row.order_id === order.body.orderId),
      );
      if (ordersLost.length > 0) {
        for (const order of ordersLost)
          issues.push({
            kind: 'missing-at-hub',
            record: 'order',
            id: String(order.body.orderId),
            deviceId: 'shop',
          });
      }
      const footprint = await databaseFootprint(storage);
      const tillBytes = tills.map((till) =>
        ['', '-wal'].reduce(
          (total, suffix) =>
            total + (existsSync(till.databasePath + suffix) ? statSync(till.databasePath + suffix).size : 0),
          0,
        ),
      );
      const dayWallSeconds = (dayEnded - dayStarted) / 1000;
      const cpu = process.cpuUsage(cpuAtStart);
      const report = {
        name: 'chain.simulate',
        ok: issues.length === 0 && rejected === 0 && projections.length === 0,
        options: { ...options, pgUrl: options.pgUrl === undefined ? 'throwaway cluster' : 'given' },
        machine: { cores: cpus().length, load },
        world: {
          stores: options.stores,
          tills: tills.length,
          skus: options.skus,
          hubProcesses: options.hubs,
        },
        business: {
          ...counts,
          orders: {
            placed: orders.length,
            byHttpStatus: orderStatuses,
            atHubByStatus: ordersByHubStatus,
            firstRefusals: orders.flatMap((order) => order.refusal ?? []).slice(0, 3),
          },
        },
        throughput: {
          events: ingested.length,
          dayWallSeconds: round(dayWallSeconds),
          eventsPerSecond: round(ingested.length / dayWallSeconds),
          peakEventsPerSecond: Math.max(0, ...perSecond.values()),
          hubCpuSeconds: round(hubCpuSeconds, 2),
          hubCpuMsPerEvent: round((hubCpuSeconds * 1000) / Math.max(1, ingested.length), 3),
          simulatorCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
        },
        lagMs: {
          all: spread([...lag.hubUp, ...lag.heldByOutage, ...lag.afterRestart]),
          hubUp: spread(lag.hubUp),
          heldByOutage: spread(lag.heldByOutage),
          writtenWhileBacklogDrained: spread(lag.afterRestart),
          bySimulatedHour: [...byHour.entries()]
            .sort(([a], [b]) => a - b)
            .map(([hour, samples]) => ({ hour, ...spread(samples) })),
        },
        outage:
          outage === null
            ? null
            : {
                wallSeconds: round((outage.restartedAt - outage.killedAt) / 1000),
                eventsCommittedOffline: committedDuringOutage.size,
                pendingAtRestart: outage.pendingAtRestart,
                drainedSecondsAfterRestart:
                  outage.drainedAt === null ? null : round((outage.drainedAt - outage.restartedAt) / 1000),
              },
        closingDrainSeconds: round(drainMs / 1000),
        tillsInStepSeconds: round(inStepMs / 1000),
        exceptionsByKind: Object.fromEntries(
          exceptions.map((row) => [
            row.type,
            { rows: Number(row.rows), occurrences: Number(row.occurrences) },
          ]),
        ),
        verification: {
          sales: { till: tillSales.length, hub: hubSales.length },
          returns: { till: tillReturns.length, hub: hubReturns.length },
          events: { till: tillEvents.length, hub: ingested.length, rejected },
          stockKeysChecked: new Set(expectedStock.map((s) => `${s.nodeId}/${s.sku}/${s.bucket}`)).size,
          projectionMismatches: projections.length,
          issuesByKind: issuesByKind(issues),
          firstIssues: issues.slice(0, 10),
        },
        memory: {
          hubRssMb: fleet.rssSamplesMb.map((samples) => ({
            samples: samples.length,
            mean: round(samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)),
            max: round(Math.max(0, ...samples)),
          })),
          simulatorRssMb: round(process.memoryUsage().rss / 1024 / 1024),
        },
        postgres: {
          databaseMb: round(footprint.databaseBytes / 1024 / 1024, 2),
          bytesPerEvent: Math.round(footprint.databaseBytes / Math.max(1, ingested.length)),
          walMbWrittenDuringDay: round(walBytes / 1024 / 1024, 1),
          walBytesPerEvent: Math.round(walBytes / Math.max(1, ingested.length)),
          largestTables: footprint.largestTables.map((t) => ({ ...t, mb: round(t.bytes / 1024 / 1024, 2) })),
        },
        tillDatabaseKb: {
          mean: round(tillBytes.reduce((a, b) => a + b, 0) / Math.max(1, tillBytes.length) / 1024),
          max: round(Math.max(0, ...tillBytes) / 1024),
        },
        wallSeconds: round((Date.now() - startedAt) / 1000),
      };
      const text = JSON.stringify(report, null, 2);
      process.stdout.write(`${text}\n`);
      if (options.report !== undefined) writeFileSync(options.report, `${text}\n`);
      return report.ok;
    } finally {
      await storage.close();
      await database.dispose();
    }
  } finally {
    for (const till of tills) {
      await till.stop().catch(() => undefined);
      till.close();
    }
    await fleet?.stop().catch(() => undefined);
    removeCliBundles();
    rmSync(dir, { recursive: true, force: true });
    await cluster?.dispose();
  }
}

try {
  const ok = await main(parseSimulatorOptions(process.argv.slice(2)));
  process.exit(ok ? 0 : 1);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
}
