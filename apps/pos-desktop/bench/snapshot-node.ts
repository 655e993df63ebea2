/**
 * The store node's side of the initial snapshot benchmark (sync.bench.ts), in a process of its own as on
 * a real till: opens a new store node's engine, points its sync at the hub and reports, over IPC, how
 * long the first sync took (until the engine's sync is live with the snapshot swapped in), the rows it
 * received and the CPU time this process spent on it.
 *
 * Input (JSON in argv[2]): { databasePath, hubUrl, credential, profileDir? }. With profileDir, a V8 CPU
 * profile of the download is written there as `sync-snapshot-node.cpuprofile`.
 */
import { performance } from 'node:perf_hooks';
import { openStoreEngine } from '../src/engine/engine';
import { startProfile } from './bench-profile';

interface SnapshotInput {
  readonly databasePath: string;
  readonly hubUrl: string;
  readonly credential: string;
  readonly profileDir?: string;
}

export interface SnapshotOutput {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rows: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as SnapshotInput;
  const engine = openStoreEngine({ databasePath: input.databasePath });
  try {
    const profiler = await startProfile(input.profileDir, 'sync-snapshot-node');
    const cpu = process.cpuUsage();
    const started = performance.now();
    await engine.sync.configure({ hubUrl: input.hubUrl, credential: input.credential });
    let rows = 0;
    for (;;) {
      const status = engine.sync.status();
      if (status?.snapshot) rows = status.snapshot.total;
      if (status !== null && status.snapshot === null && status.state === 'live') break;
      if (performance.now() - started > 900_000) throw new Error('the snapshot never completed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await profiler?.stop();
    const output: SnapshotOutput = { seconds, cpuSeconds: (used.user + used.system) / 1e6, rows };
    process.send?.(output);
  } finally {
    await engine.shutdown();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
