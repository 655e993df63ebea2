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
 * Each process is warmed up by a few pushes of other devices before the clock starts. hubCpuMsPerEvent
 * (the hub processes' CPU time, from /proc) depends far less on the machine's load than events/s.
 *
 * Knobs: BENCH_SCALE_PROCESSES (default "1,2,4"), BENCH_SCALE_DEVICES (200), BENCH_SCALE_BATCHES (batches
 * per device per run, 1), BENCH_SCALE_EVENTS (events per batch, 10).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { EventEnvelope } from '@retail/sync';
import { createHubContext } from '../src/hub-context';
import { receiveStock } from '../src/inventory/stock-operations';
import { openStorage } from '../src/storage/storage';
import {
  enrollTestDevice,
  EventFactory,
  pricedSaleOf,
  seedPricing,
  seedWorld,
  tillIds,
} from '../src/test-support/fixtures';
import { bareInsertSeconds } from './bare-insert-baseline';
import { startWaitSampler, type WaitShares } from './pg-wait-sampler';

const PROCESS_COUNTS = (process.env.BENCH_SCALE_PROCESSES ?? '1,2,4').split(',').map(Number);
const DEVICES = Number(process.env.BENCH_SCALE_DEVICES ?? 200);
const BATCHES = Number(process.env.BENCH_SCALE_BATCHES ?? 1);
const EVENTS_PER_BATCH = Number(process.env.BENCH_SCALE_EVENTS ?? 10);
const STORES = 20;
const WARM_UP_DEVICES = 8;
const WARM_UP_ROUNDS = 2;
const SKUS = 500;
const HUB_APP = fileURLToPath(new URL('..', import.meta.url));

function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
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

interface HubProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

/** `pos-hub serve` from source on a port the OS picks, read back from its "listening" log line. */
async function startHub(dbUrl: string): Promise<HubProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'serve', '--db', dbUrl, '--host', '127.0.0.1', '--port', '0'],
    { cwd: HUB_APP, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: string) => {
    // The start and the last lines matter (a crash says why there); the rest is dropped.
    output =
      output.length < 100_000 ? output + chunk : output.slice(0, 20_000) + output.slice(-60_000) + chunk;
  };
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) {
      process.stderr.write(
        `pos-hub serve exited (${code ?? signal}) during the benchmark:\n${output.slice(-8000)}\n`,
      );
    }
  });
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const url = /pos-hub listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    if (url !== undefined) return { url, child };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`pos-hub serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Processes this benchmark is stopping (their exit is expected). */
const stopping = new WeakSet<ChildProcess>();

async function stopHub(hub: HubProcess): Promise<void> {
  stopping.add(hub.child);
  if (hub.child.exitCode !== null || hub.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => hub.child.once('exit', () => resolve()));
  hub.child.kill('SIGTERM');
  const timer = setTimeout(() => hub.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** User + system CPU seconds a process has used (Linux /proc; null elsewhere). */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

let retriedPushes = 0;

/**
 * One push, re-sent as a till's agent would when the connection drops before the answer (a keep-alive
 * socket the server closed as it was reused): the hub answers events it already has as duplicates.
 */
async function pushBatch(target: HubProcess, device: Device, events: EventEnvelope[]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(`${target.url}/sync/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${device.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: device.deviceId, storeId: device.storeId, events }),
      });
    } catch (error) {
      if (attempt >= 3) throw error;
      retriedPushes += 1;
      continue;
    }
    const body = (await response.json()) as { value?: { results: { status: string }[] }; error?: unknown };
    const bad = body.value?.results.find(
      (result) => result.status !== 'accepted' && result.status !== 'duplicate',
    );
    if (response.status !== 200 || bad !== undefined) {
      throw new Error(`push refused (${response.status}): ${JSON.stringify(body).slice(0, 500)}`);
    }
    return;
  }
}

interface Device {
  readonly deviceId: string;
  readonly storeId: string;
  readonly credential: string;
  readonly factory: EventFactory;
}

async function main(): Promise<void> {
  const adminUrl = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:54329/postgres';
  if (!(await reachable(adminUrl))) {
    emit({ name: 'hub.scale-out', backend: 'postgres', skipped: 'no PostgreSQL reachable (set PG_URL)' });
    return;
  }
  const name = `hub_scale_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const storage = await openStorage(dbUrl.toString(), { poolSize: 20 });
  try {
    const hub = createHubContext(storage);
    const stores = Array.from({ length: STORES }, (_, i) => `s${i + 1}`);
    const skus = Array.from({ length: SKUS }, (_, i) => `SKU-${i}`);
    await seedWorld(hub, { nodes: stores, skus });
    const pricing = await seedPricing(hub, {
      skus,
      taxRate: { rateId: 'ny', name: 'NY', jurisdictionId: 'US-NY', taxCategory: 'standard', percent: 8.875 },
    });
    for (const nodeId of stores) {
      await receiveStock(
        hub,
        {
          nodeId,
          reference: 'bench opening stock',
          lines: skus.map((sku) => ({ sku, qty: 1_000_000, bucket: 'sellable' as const })),
        },
        'bench',
      );
    }
    const devices: Device[] = [];
    for (let d = 0; d < DEVICES; d += 1) {
      const storeId = stores[d % STORES]!;
      const enrolled = await enrollTestDevice(hub, storeId, `scale-${d}`);
      devices.push({
        deviceId: enrolled.deviceId,
        storeId,
        credential: enrolled.credential,
        factory: new EventFactory({ deviceId: enrolled.deviceId, storeId }, tillIds()),
      });
    }
    const batchesOf = (device: Device, d: number, run: number): EventEnvelope[][] =>
      Array.from({ length: BATCHES }, (_, b) =>
        Array.from({ length: EVENTS_PER_BATCH }, (_, e) => {
          const n = (d * 7919 + (run * BATCHES + b) * 104729 + e * 31) % SKUS;
          const lines = [
            { sku: skus[n]!, qty: 1 },
            { sku: skus[(n + 17) % SKUS]!, qty: 2 },
          ];
          return device.factory.next(
            'sale.completed',
            pricedSaleOf(pricing, lines, { storeId: device.storeId, ids: device.factory.ids }),
          );
        }),
      );

    // Devices that only warm each process up (JIT, lazily loaded modules, pool connections) before the
    // clock starts, so a run with more processes does not pay more cold starts inside its figure.
    const warmers: Device[] = [];
    for (let w = 0; w < WARM_UP_DEVICES; w += 1) {
      const storeId = stores[w % STORES]!;
      const enrolled = await enrollTestDevice(hub, storeId, `warm-${w}`);
      warmers.push({
        deviceId: enrolled.deviceId,
        storeId,
        credential: enrolled.credential,
        factory: new EventFactory({ deviceId: enrolled.deviceId, storeId }, tillIds()),
      });
    }

    const runs: Record<string, unknown>[] = [];
    for (const [run, count] of PROCESS_COUNTS.entries()) {
      const hubs: HubProcess[] = [];
      try {
        for (let p = 0; p < count; p += 1) hubs.push(await startHub(dbUrl.toString()));
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
        const cpuBefore = hubs.map((h) => processCpuSeconds(h.child.pid));
        let next = 0;
        retriedPushes = 0;
        const sampler = await startWaitSampler(adminUrl, name);
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
          retriedPushes,
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
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  }
}

await main();
