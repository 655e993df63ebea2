/**
 * Hub benchmark (run by `npm run bench`): ingest throughput with 20 devices pushing batches, next to a
 * bare batched insert of the same rows in the same run, and change-feed read throughput next to a bare
 * keyset scan of the same table. One JSON line per figure on stdout.
 *
 * `hub.ingest` is the realistic case: sales priced from the published price book, tax rate and promotion
 * exactly as a till would, so the pricing audit passes. `hub.ingest.audit-failing` is the worst case:
 * every sale names a price book the hub never published and raises a PRICING_AUDIT exception.
 *
 * PostgreSQL runs when PG_URL is set or the local test server (127.0.0.1:54329) answers.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { EventEnvelope } from '@retail/sync';
import { readFeed } from '../src/feed/feed-store';
import { createHubContext } from '../src/hub-context';
import { pushEvents } from '../src/ingest/hub-ingest';
import { openStorage, type BackendKind, type Storage } from '../src/storage/storage';
import { listExceptions } from '../src/exceptions/exception-queue';
import { enrollTestDevice, EventFactory, pricedSaleOf, saleOf, tillIds } from '../src/test-support/fixtures';
import { bareInsertSeconds } from './bare-insert-baseline';
import {
  emit,
  freshPostgresDatabase,
  postgresAdminUrl,
  reachable,
  round,
  seedStockedChain,
} from './bench-support';
import { startBackendCpuMeter } from './backend-cpu';
import { startWaitSampler } from './pg-wait-sampler';

const DEVICES = 20;
const STORES = 5;
const BATCHES_PER_DEVICE = Number(process.env.BENCH_BATCHES ?? 10);
const EVENTS_PER_BATCH = 100;
const SKUS = 500;
// A till's ids are time-ordered UUIDv7s (the default). BENCH_IDS=random gives the events and payloads
// random v4 ids instead, the definition of this benchmark's figures before 2026-12-07 10:00.
const IDS = process.env.BENCH_IDS === 'random' ? 'random' : 'uuidv7';
// A hub serves all day: the figure is of a warm process (since 2026-12-07 22:30). Before it, the same
// devices push as many batches again on the same hub, timed and printed as `cold` (the figure's old
// definition: a just-started process, a fresh database). BENCH_INGEST_WARM_UP_ROUNDS=0 gives the old
// definition as the figure itself.
const WARM_UP_ROUNDS = readWarmUpRounds(process.env.BENCH_INGEST_WARM_UP_ROUNDS);

function readWarmUpRounds(text: string | undefined): number {
  if (text === undefined || text === '') return 1;
  const rounds = Number(text);
  if (!Number.isSafeInteger(rounds) || rounds < 0 || rounds > 10) {
    throw new Error(`BENCH_INGEST_WARM_UP_ROUNDS must be a whole number from 0 to 10, not ${text}`);
  }
  return rounds;
}

async function postgresUrl(): Promise<string | undefined> {
  const candidate = postgresAdminUrl();
  return (await reachable(candidate)) ? candidate : undefined;
}

interface Database {
  readonly url: string;
  /** PostgreSQL: the database's name, for the wait sampler. */
  readonly name?: string;
  dispose(): Promise<void>;
}

async function freshDatabase(kind: BackendKind, adminUrl: string | undefined): Promise<Database> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
    return { url: join(dir, 'hub.db'), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  return freshPostgresDatabase(adminUrl!, 'hub_bench');
}

/** priced: every sale passes the pricing audit; unpriced: every sale raises a PRICING_AUDIT exception. */
type Workload = 'priced' | 'unpriced';

/** Every device's batches, built before the clock starts. */
async function prepareWorkload(storage: Storage, workload: Workload) {
  const hub = createHubContext(storage);
  const stores = Array.from({ length: STORES }, (_, i) => `s${i + 1}`);
  const skus = Array.from({ length: SKUS }, (_, i) => `SKU-${i}`);
  // Both workloads run against the same published prices: they differ only in what the sales claim.
  const pricing = await seedStockedChain(hub, stores, skus, {
    promotionId: 'promo-bench',
    name: '10% off every tenth SKU',
    priority: 1,
    stacking: 'stackable',
    scope: { type: 'chain' },
    currency: 'USD',
    rule: { type: 'percent_off', target: { skus: skus.filter((_, i) => i % 10 === 0) }, percent: 10 },
  });
  const devices: {
    principal: { deviceId: string; storeId: string };
    factory: EventFactory;
    batches: EventEnvelope[][];
  }[] = [];
  for (let d = 0; d < DEVICES; d += 1) {
    const storeId = stores[d % STORES]!;
    const device = await enrollTestDevice(hub, storeId, `bench-${d}`);
    const principal = { deviceId: device.deviceId, storeId };
    // Each till makes its ids as a real one does: time-ordered UUIDv7s from its own generator.
    const ids = IDS === 'random' ? randomUUID : tillIds();
    devices.push({ principal, factory: new EventFactory(principal, ids), batches: [] });
  }
  // Batch by batch across the devices, so the tills' ids interleave in time as they would in a chain. The
  // warm-up rounds' batches come first in each device's list (its sequence continues into the timed ones).
  for (let b = 0; b < BATCHES_PER_DEVICE * (1 + WARM_UP_ROUNDS); b += 1) {
    for (const [d, { principal, factory, batches }] of devices.entries()) {
      const { storeId } = principal;
      batches.push(
        Array.from({ length: EVENTS_PER_BATCH }, (_, e) => {
          const n = (d * 7919 + (b % BATCHES_PER_DEVICE) * 104729 + e * 31) % SKUS;
          const lines = [
            { sku: skus[n]!, qty: 1 },
            { sku: skus[(n + 17) % SKUS]!, qty: 2 },
          ];
          return factory.next(
            'sale.completed',
            workload === 'priced'
              ? pricedSaleOf(pricing, lines, { storeId, ids: factory.ids })
              : saleOf(lines, { staffId: `staff-${storeId}`, ids: factory.ids }),
          );
        }),
      );
    }
  }
  return { hub, devices };
}

async function benchIngest(
  kind: BackendKind,
  adminUrl: string | undefined,
  workload: Workload,
): Promise<void> {
  const database = await freshDatabase(kind, adminUrl);
  const storage = await openStorage(database.url, { poolSize: DEVICES });
  try {
    const { hub, devices } = await prepareWorkload(storage, workload);
    const events = DEVICES * BATCHES_PER_DEVICE * EVENTS_PER_BATCH;

    const push = async (round: number) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await Promise.all(
        devices.map(async ({ principal, batches }) => {
          for (const batch of batches.slice(round * BATCHES_PER_DEVICE, (round + 1) * BATCHES_PER_DEVICE)) {
            const ack = await pushEvents(hub, principal, { ...principal, events: batch });
            {
              const bad = ack.results.find((r) => r.status !== 'accepted');
              if (bad) throw new Error('bench batch not accepted: ' + JSON.stringify(bad));
            }
          }
        }),
      );
      return { seconds: (performance.now() - started) / 1000, cpu: cpuSeconds(process.cpuUsage(cpu)) };
    };
    const warmUps = [];
    for (let round = 0; round < WARM_UP_ROUNDS; round += 1) warmUps.push(await push(round));

    const profiler = await startProfile(`${kind}-${workload}`);
    // PostgreSQL: what the backends wait for while the devices push (row locks, the hub process, I/O).
    const sampler =
      database.name === undefined || adminUrl === undefined
        ? undefined
        : await startWaitSampler(adminUrl, database.name);
    // PostgreSQL: the database's own CPU for the timed round (its index and heap writes are not the hub's).
    const postgresCpu = database.name === undefined ? undefined : startBackendCpuMeter(database.name);
    const timed = await push(WARM_UP_ROUNDS);
    const postgresSeconds = postgresCpu?.stop()?.seconds;
    const ingestSeconds = timed.seconds;
    const ingestCpu = timed.cpu;
    await profiler?.stop();
    const waits = await sampler?.stop();
    // The figure means what its name says only if the audit did what the workload intends.
    const raised = await storage.db
      .selectFrom('exceptions')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('type', '=', 'PRICING_AUDIT')
      .executeTakeFirstOrThrow();
    const expectedExceptions = workload === 'priced' ? 0 : events * (1 + WARM_UP_ROUNDS);
    if (Number(raised.count) !== expectedExceptions) {
      const sample = await listExceptions(storage.db, { type: 'PRICING_AUDIT', limit: 1 });
      throw new Error(
        `bench: ${raised.count} pricing exceptions, expected ${expectedExceptions}: ${JSON.stringify(sample[0]?.details)}`,
      );
    }

    // The physical baseline: the same rows in the same batches by the same 20 writers, with no logic.
    // The timed round's rows (the warm-up rounds' are not in it).
    const cpu = process.cpuUsage();
    const bareSeconds = await bareInsertSeconds(
      storage,
      devices.map(({ principal, batches }) => ({
        device: principal,
        batches: batches.slice(WARM_UP_ROUNDS * BATCHES_PER_DEVICE),
      })),
    );
    const bareCpu = cpuSeconds(process.cpuUsage(cpu));
    const ingestRate = events / ingestSeconds;
    const bareRate = events / bareSeconds;
    emit({
      name: workload === 'priced' ? 'hub.ingest' : 'hub.ingest.audit-failing',
      backend: kind,
      sales:
        workload === 'priced'
          ? 'priced as a till would: the pricing audit passes'
          : 'naming an unpublished price book: every sale raises a PRICING_AUDIT exception',
      devices: DEVICES,
      batchSize: EVENTS_PER_BATCH,
      ids: IDS,
      events,
      definition:
        WARM_UP_ROUNDS === 0
          ? 'cold: a just-started process and a fresh database (BENCH_INGEST_WARM_UP_ROUNDS=0)'
          : `warm: after ${WARM_UP_ROUNDS} round(s) of as many events on the same hub (cold: the first of them)`,
      seconds: round(ingestSeconds),
      eventsPerSecond: Math.round(ingestRate),
      // This process's CPU time (the machine is shared: wall time moves with the load, CPU time less).
      cpuSeconds: round(ingestCpu),
      cpuMsPerEvent: round((ingestCpu * 1000) / events),
      ...(postgresSeconds === undefined
        ? {}
        : {
            postgresCpuSeconds: round(postgresSeconds),
            postgresCpuMsPerEvent: round((postgresSeconds * 1000) / events),
          }),
      ...(warmUps[0] === undefined
        ? {}
        : {
            cold: {
              seconds: round(warmUps[0].seconds),
              eventsPerSecond: Math.round(events / warmUps[0].seconds),
              cpuSeconds: round(warmUps[0].cpu),
              cpuMsPerEvent: round((warmUps[0].cpu * 1000) / events),
            },
          }),
      baseline: {
        name: 'bare batched insert of the same rows',
        seconds: round(bareSeconds),
        eventsPerSecond: Math.round(bareRate),
        cpuSeconds: round(bareCpu),
      },
      ratio: round(ingestRate / bareRate),
      ...(waits === undefined
        ? {}
        : {
            backendWaits: Object.fromEntries(
              Object.entries(waits.shares).map(([what, share]) => [what, round(share)]),
            ),
          }),
    });

    if (workload === 'unpriced') return;
    // Feed read: one store catching up from 0 in pages of 500, next to a bare keyset scan of the table.
    const pageSize = 500;
    let rows = 0;
    let started = performance.now();
    for (let cursor = 0; ;) {
      const page = await readFeed(storage.db, { nodeId: 's1', region: 'north' }, cursor, pageSize);
      rows += page.changes.length;
      cursor = page.cursor;
      if (page.upToDate) break;
    }
    const feedSeconds = (performance.now() - started) / 1000;
    let bareRows = 0;
    started = performance.now();
    for (let after = 0; ;) {
      const page = await storage.db
        .selectFrom('feed_changes')
        .selectAll()
        .where('hub_seq', '>', after)
        .orderBy('hub_seq')
        .limit(pageSize)
        .execute();
      bareRows += page.length;
      if (page.length < pageSize) break;
      after = Number(page[page.length - 1]!.hub_seq);
    }
    const bareFeedSeconds = (performance.now() - started) / 1000;
    emit({
      name: 'hub.feed-read',
      backend: kind,
      rows,
      seconds: round(feedSeconds),
      rowsPerSecond: Math.round(rows / feedSeconds),
      baseline: {
        name: 'bare keyset scan of the feed table (all scopes, no parsing)',
        rows: bareRows,
        rowsPerSecond: Math.round(bareRows / bareFeedSeconds),
      },
      ratio: round(rows / feedSeconds / (bareRows / bareFeedSeconds)),
    });

    await benchDeviceTrigger(kind, storage, devices[0]!.principal.deviceId);
  } finally {
    await storage.close();
    await database.dispose();
  }
}

/**
 * What the dashboards' live-change trigger on `devices` (migration 0014) adds to the device update every
 * sync call makes: the same one-row update in a transaction of its own, with the trigger and then without
 * it (dropped from this throwaway database).
 */
async function benchDeviceTrigger(kind: BackendKind, storage: Storage, deviceId: string): Promise<void> {
  const updates = 300;
  const run = async () => {
    const started = performance.now();
    for (let index = 0; index < updates; index += 1) {
      await storage.transaction((trx) =>
        trx
          .updateTable('devices')
          .set({ last_seen_at: Date.now() + index, last_push_at: Date.now() + index })
          .where('device_id', '=', deviceId)
          .execute(),
      );
    }
    return (performance.now() - started) / updates;
  };
  const withTrigger = await run();
  await sql
    .raw(kind === 'postgres' ? 'drop trigger devices_live on devices' : 'drop trigger devices_live')
    .execute(storage.db);
  const without = await run();
  emit({
    name: 'hub.device-update.live-trigger',
    backend: kind,
    updates,
    msPerUpdate: round(withTrigger),
    baseline: { name: 'the same update without the devices_live trigger', msPerUpdate: round(without) },
    ratio: round(withTrigger / without),
  });
}

/**
 * BENCH_PROFILE_DIR=<dir>: a V8 CPU profile of the ingest alone (not the setup, which prices every sale
 * the devices will send), one `.cpuprofile` per backend and workload.
 */
async function startProfile(name: string): Promise<{ stop(): Promise<void> } | undefined> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (dir === undefined || dir === '') return undefined;
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `ingest-${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

// BENCH_ONLY=sqlite|postgres runs one backend (profiling); BENCH_BATCHES changes the batches per device;
// BENCH_WORKLOAD=priced|unpriced runs one workload; BENCH_IDS=random makes random ids (see IDS);
// BENCH_INGEST_WARM_UP_ROUNDS=0 measures a cold hub (see WARM_UP_ROUNDS).
const only = process.env.BENCH_ONLY;
const workloads: Workload[] =
  process.env.BENCH_WORKLOAD === 'priced' || process.env.BENCH_WORKLOAD === 'unpriced'
    ? [process.env.BENCH_WORKLOAD]
    : ['priced', 'unpriced'];
if (only !== 'postgres') for (const workload of workloads) await benchIngest('sqlite', undefined, workload);
if (only !== 'sqlite') {
  const adminUrl = await postgresUrl();
  if (adminUrl === undefined) {
    emit({ name: 'hub.ingest', backend: 'postgres', skipped: 'no PostgreSQL reachable (set PG_URL)' });
  } else {
    for (const workload of workloads) await benchIngest('postgres', adminUrl, workload);
  }
}
