/**
 * The store node's side of the catch-up benchmark (sync.bench.ts), in a process of its own as on a real
 * till: opens the node's database, whose outbox holds the offline sales, runs the real sync agent
 * (SqliteOutboxStore, SqliteFeedStore, socket.io) against the hub and reports, over IPC, how long the
 * outbox took to drain and the CPU time this process spent on it.
 *
 * Input (JSON in argv[2]): { databasePath, hubUrl, credential, pushWindow, batchSize? }.
 */
import { performance } from 'node:perf_hooks';
import { createSocketIoTransport, createSyncAgent } from '@retail/sync';
import { openDatabase } from '../src/engine/database';
import { requireIdentity } from '../src/engine/identity';
import { SqliteOutboxStore } from '../src/engine/outbox/outbox';
import { SqliteFeedStore } from '../src/engine/sync/sqlite-feed-store';

interface CatchUpInput {
  readonly databasePath: string;
  readonly hubUrl: string;
  readonly credential: string;
  readonly pushWindow: number;
  readonly batchSize?: number;
}

export interface CatchUpOutput {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly pending: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as CatchUpInput;
  const db = openDatabase(input.databasePath);
  try {
    const identity = requireIdentity(db);
    const agent = createSyncAgent({
      transport: createSocketIoTransport({ url: input.hubUrl, credential: input.credential }),
      outbox: new SqliteOutboxStore(db),
      feed: new SqliteFeedStore({ db, identity, now: Date.now }),
      identity: { deviceId: identity.deviceId, storeId: identity.storeId },
      pushWindow: input.pushWindow,
      ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
    });
    const cpu = process.cpuUsage();
    const started = performance.now();
    agent.start();
    for (;;) {
      const status = agent.status();
      if (status.state === 'live' && status.lastPushAt !== null && status.pendingEvents === 0) break;
      if (status.state === 'error') throw new Error(`catch-up failed: ${JSON.stringify(status.error)}`);
      if (performance.now() - started > 600_000) throw new Error('catch-up never finished');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await agent.stop();
    const output: CatchUpOutput = {
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      pending: agent.status().pendingEvents,
    };
    process.send?.(output);
  } finally {
    db.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
