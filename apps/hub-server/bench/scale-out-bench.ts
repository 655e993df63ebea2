/**
 * Scale-out (issue 19, `npm run bench -- scale-out`): 1, 2 and 4 real `pos-hub serve` processes on one
 * PostgreSQL database, behind a round-robin in this benchmark, with 200 simulated devices pushing priced
 * sales over `POST /sync/push` (each device one batch at a time, all devices at once). Prints one JSON
 * line: events/s per process count, its ratio to one process, where the PostgreSQL backends spent their
 * time (pg_stat_activity sampling: the feed ordering lock, row locks, waiting on the hub processes), the
 * hub processes' CPU seconds, and a same-run baseline: the same event and movement rows inserted in the
 * same batches by 200 concurrent writers with no logic (bare batched INSERTs over a 20-connection pool).
 *
 * One database serves every process count (seeded and enrolled once; every run pushes new events), so a
 * later run finds more rows than an earlier one: that can only make the larger process counts look worse.
 * Each process is warmed up by other devices' pushes before the clock starts: 8 devices × 25 rounds (200
 * pushes, as many as the measured window has), as a hub that has served a chain all day is warm. With the
 * earlier 2 rounds, half of a process's CPU per event in the window was V8 still compiling the push path
 * (1.61 against 0.81 ms per event with 25 rounds, 0.75 with 50; BENCH_SCALE_WARM_UP_ROUNDS=2 gives it). hubCpuMsPerEvent
 * (the hub processes' CPU time, from /proc) depends far less on the machine's load than events/s.
 *
 * The sales are completed as they are pushed, as a till pushes them (BENCH_SALE_TIME=fixture: the
 * fixtures' fixed instant, a store day long over, whose journal the integration leader then re-publishes
 * after every push: the definition before 2026-12-07 16:00).
 *
 * Knobs: BENCH_SCALE_PROCESSES (default "1,2,4"), BENCH_SCALE_DEVICES (200), BENCH_SCALE_BATCHES (batches
 * per device per run, 1), BENCH_SCALE_EVENTS (events per batch, 10), BENCH_SCALE_WARM_UP_ROUNDS (25),
 * BENCH_HUB_APP (another checkout's hub app, for before/after pairs).
 */
import { loadavg } from 'node:os';
import type { EventEnvelope } from '@retail/sync';
import { createHubContext } from '../src/hub-context';
import { openStorage } from '../src/storage/storage';
import { bareInsertSeconds } from './bare-insert-baseline';
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
import {
  processCpuSeconds,
  pushBatch,
  pushRetries,
  startHub,
  stopHub,
  type HubProcess,
} from './hub-processes';
import { startWaitSampler, type WaitShares } from './pg-wait-sampler';

const PROCESS_COUNTS = (process.env.BENCH_SCALE_PROCESSES ?? '1,2,4').split(',').map(Number);
const DEVICES = Number(process.env.BENCH_SCALE_DEVICES ?? 200);
const BATCHES = Number(process.env.BENCH_SCALE_BATCHES ?? 1);
const EVENTS_PER_BATCH = Number(process.env.BENCH_SCALE_EVENTS ?? 10);
const STORES = 20;
const WARM_UP_DEVICES = 8;
const WARM_UP_ROUNDS = Number(process.env.BENCH_SCALE_WARM_UP_ROUNDS ?? 25);
const SKUS = 500;

async function main(): Promise<void> {
  const adminUrl = postgresAdminUrl();
  if (!(await reachable(adminUrl))) {
    emit({ name: 'hub.scale-out', backend: 'postgres', skipped: 'no PostgreSQL reachable (set PG_URL)' });
    return;
  }
  const database = await freshPostgresDatabase(adminUrl, 'hub_scale');
  const storage = await openStorage(database.url, { poolSize: 20 });
  try {
    const hub = createHubContext(storage);
    const stores = Array.from({ length: STORES }, (_, i) => `s${i + 1}`);
    const skus = Array.from({ length: SKUS }, (_, i) => `SKU-${i}`);
    const pricing = await seedStockedChain(hub, stores, skus);
    const devices: BenchTill[] = [];
    for (let d = 0; d < DEVICES; d += 1) {
      devices.push(await enrollBenchTill(hub, stores[d % STORES]!, `scale-${d}`));
    }
    const batchesOf = (device: BenchTill, d: number, run: number): EventEnvelope[][] =>
      Array.from({ length: BATCHES }, (_, b) =>
        Array.from({ length: EVENTS_PER_BATCH }, (_, e) => {
          const n = (d * 7919 + (run * BATCHES + b) * 104729 + e * 31) % SKUS;
          return benchSale(device, pricing, skus, n);
        }),
      );

    // Devices that only warm each process up (JIT, lazily loaded modules, pool connections) before the
    // clock starts, so a run with more processes does not pay more cold starts inside its figure.
    const warmers: BenchTill[] = [];
    for (let w = 0; w < WARM_UP_DEVICES; w += 1) {
      warmers.push(await enrollBenchTill(hub, stores[w % STORES]!, `warm-${w}`));
    }

    const runs: Record<string, unknown>[] = [];
    for (const [run, count] of PROCESS_COUNTS.entries()) {
      const hubs: HubProcess[] = [];
      try {
        for (let p = 0; p < count; p += 1) hubs.push(await startHub(database.url));
        for (const target of hubs) {
          await Promise.all(
            warmers.map(async (device, w) => {
              for (let round = 0; round < WARM_UP_ROUNDS; round += 1) {
                // Every batch that is built is pushed: a device's deviceSeqs must reach the hub gapless.
                for (const batch of batchesOf(device, w, run)) await pushBatch(target, device, batch);
              }
            }),
          );
        }
        const work = devices.map((device, d) => ({ device, batches: batchesOf(device, d, run) }));
        const revisionsBefore = await journalRevisions(storage);
        const cpuBefore = hubs.map((h) => processCpuSeconds(h.child.pid));
        let next = 0;
        pushRetries.count = 0;
        const sampler = await startWaitSampler(adminUrl, database.name);
        const started = performance.now();
        await Promise.all(
          work.map(async ({ device, batches }) => {
            for (const events of batches) {
              const target = hubs[next % hubs.length]!;
              next += 1;
              await pushBatch(target, device, events);
            }
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const waits: WaitShares = await sampler.stop();
        const cpuAfter = hubs.map((h) => processCpuSeconds(h.child.pid));
        const hubCpu = cpuAfter.every((v, i) => v !== null && cpuBefore[i] !== null)
          ? cpuAfter.reduce<number>((total, v, i) => total + (v! - cpuBefore[i]!), 0)
          : null;
        const events = DEVICES * BATCHES * EVENTS_PER_BATCH;
        runs.push({
          processes: count,
          events,
          seconds: round(seconds),
          eventsPerSecond: Math.round(events / seconds),
          hubCpuSeconds: hubCpu === null ? null : round(hubCpu),
          hubCpuMsPerEvent: hubCpu === null ? null : round((hubCpu * 1000) / events),
          retriedPushes: pushRetries.count,
          // Published by the leader during the measured pushes (closed-day sales: late revisions).
          journalRevisions: (await journalRevisions(storage)) - revisionsBefore,
          orderingLockWaitShare: waits.shares['lock:feed-ordering'] ?? 0,
          rowLockWaitShare: waits.shares['lock:row'] ?? 0,
          postgresWaits: waits,
          load: loadavg().map((value) => Math.round(value * 10) / 10),
        });
      } finally {
        await Promise.all(hubs.map(stopHub));
      }
    }

    // The physical baseline: the same rows, the same batches, 200 concurrent writers, no logic.
    const baselineSeconds = await bareInsertSeconds(
      storage,
      devices.map((device, d) => ({ device, batches: batchesOf(device, d, 99) })),
    );
    const baselineRate = (DEVICES * BATCHES * EVENTS_PER_BATCH) / baselineSeconds;
    const single = runs.find((r) => r.processes === 1)?.eventsPerSecond as number | undefined;
    emit({
      name: 'hub.scale-out',
      backend: 'postgres',
      devices: DEVICES,
      stores: STORES,
      saleTime: SALE_TIME,
      batchesPerDevice: BATCHES,
      eventsPerBatch: EVENTS_PER_BATCH,
      runs: runs.map((r) => ({
        ...r,
        ratioToBaseline: round((r.eventsPerSecond as number) / baselineRate),
        ratioToOneProcess: single === undefined ? null : round((r.eventsPerSecond as number) / single),
      })),
      baseline: {
        name: `bare batched insert of the same rows, ${DEVICES} concurrent writers, 20 connections, one process`,
        seconds: round(baselineSeconds),
        eventsPerSecond: Math.round(baselineRate),
      },
    });
  } finally {
    await storage.close();
    await database.dispose();
  }
}

await main();
