/**
 * Real `pos-hub serve` processes for the benchmarks that measure the hub over HTTP (scale-out, push-cost):
 * started from source on a port the OS picks, their CPU read from /proc, pushed to as a till's agent does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EventEnvelope } from '@retail/sync';

/** The hub app the processes run: this one, or BENCH_HUB_APP (another checkout's, for before/after pairs). */
const HUB_APP = process.env.BENCH_HUB_APP ?? fileURLToPath(new URL('..', import.meta.url));

export interface HubProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

export interface Device {
  readonly deviceId: string;
  readonly storeId: string;
  readonly credential: string;
}

/** Processes a benchmark is stopping (their exit is expected). */
const stopping = new WeakSet<ChildProcess>();

/**
 * `pos-hub serve` from source, its port read back from its "listening" log line. `nodeArgs` go before the
 * script (`--cpu-prof`, `--cpu-prof-dir=…`); BENCH_HUB_NODE_ARGS (space-separated) adds more.
 */
export async function startHub(dbUrl: string, nodeArgs: readonly string[] = []): Promise<HubProcess> {
  const extra = (process.env.BENCH_HUB_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      ...extra,
      '--import',
      'tsx',
      'src/cli.ts',
      'serve',
      '--db',
      dbUrl,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      ...(process.env.BENCH_HUB_SERVE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
    ],
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

export async function stopHub(hub: HubProcess): Promise<void> {
  stopping.add(hub.child);
  if (hub.child.exitCode !== null || hub.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => hub.child.once('exit', () => resolve()));
  hub.child.kill('SIGTERM');
  const timer = setTimeout(() => hub.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** User + system CPU seconds a process has used (Linux /proc; null elsewhere). */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Pushes re-sent because the connection dropped before the answer (see pushBatch). */
export const pushRetries = { count: 0 };

/**
 * One push, re-sent as a till's agent would when the connection drops before the answer (a keep-alive
 * socket the server closed as it was reused): the hub answers events it already has as duplicates.
 */
export async function pushBatch(target: HubProcess, device: Device, events: EventEnvelope[]): Promise<void> {
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
      pushRetries.count += 1;
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
