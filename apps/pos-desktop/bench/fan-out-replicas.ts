/**
 * One process of replicas for the price fan-out benchmark (sync.bench.ts): `count` store nodes, each with
 * its own SQLite database and feed store and its own real sync agent on its own socket.io connection to
 * the hub, as `count` tills would be. Driven over IPC by the benchmark:
 *
 *   parent → { type: 'credentials', credentials }   after this process sent { type: 'devices', deviceIds }
 *   this   → { type: 'live' }                        every replica has its snapshot and is live
 *   parent → { type: 'expect', sku, unitPrice }      this → { type: 'armed' }
 *   this   → { type: 'applied', at }                 every replica committed that price; `at` holds, per
 *                                                     replica, when (performance.timeOrigin + now(), ms)
 *   parent → { type: 'echo', url, trips }            this → { type: 'echoed', trips: ms[] }: the baseline
 *   parent → { type: 'stop' }                        this → { type: 'stopped', cpuSeconds } (CPU time since
 *                                                     it went live) and exits
 *
 * Input (JSON in argv[2]): { dir, first, count }: replica numbers first .. first + count - 1.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { createSocketIoTransport, createSyncAgent, type SyncAgent } from '@retail/sync';
import { MemoryOutboxStore } from '@retail/sync/testing';
import { openDatabase } from '../src/engine/database';
import { requireIdentity } from '../src/engine/identity';
import { initStoreNode } from '../src/engine/init';
import { SqliteFeedStore } from '../src/engine/sync/sqlite-feed-store';

interface Input {
  readonly dir: string;
  readonly first: number;
  readonly count: number;
  readonly hubUrl: string;
}

type Message =
  | { readonly type: 'credentials'; readonly credentials: readonly string[] }
  | { readonly type: 'expect'; readonly sku: string; readonly unitPrice: number }
  | { readonly type: 'echo'; readonly url: string; readonly trips: number }
  | { readonly type: 'stop' };

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const send = (message: unknown) => process.send?.(message);
const clock = () => performance.timeOrigin + performance.now();

const databases = Array.from({ length: input.count }, (_, offset) => {
  const index = input.first + offset;
  const databasePath = join(input.dir, `replica-${index}.db`);
  initStoreNode({
    databasePath,
    setup: { storeId: 's1', storeCode: 'S1', deviceNo: index + 1, currency: 'USD', timezone: 'UTC' },
  });
  return openDatabase(databasePath);
});
const reads = databases.map((db) => db.prepare('SELECT data FROM prices WHERE feed_key LIKE ?'));
const agents: SyncAgent[] = [];
let expected: { sku: string; unitPrice: number } | null = null;
let appliedAt: (number | undefined)[] = [];
let cpuAtLive: NodeJS.CpuUsage | undefined;

/** Whether replica `offset` holds the expected price: read in the replica's own database. */
function holdsExpected(offset: number): boolean {
  if (expected === null) return false;
  const row = reads[offset]!.get(`%${expected.sku}`) as { data: string } | undefined;
  return row?.data.includes(`"unitPrice":${expected.unitPrice}`) ?? false;
}

function noteApplied(offset: number): void {
  if (expected === null || appliedAt[offset] !== undefined || !holdsExpected(offset)) return;
  appliedAt[offset] = clock();
  if (appliedAt.every((at) => at !== undefined)) {
    expected = null;
    send({ type: 'applied', at: appliedAt });
  }
}

function start(credentials: readonly string[]): void {
  databases.forEach((db, offset) => {
    const identity = requireIdentity(db);
    const feed = new SqliteFeedStore({
      db,
      identity,
      now: Date.now,
      // Right after the page committed in this replica's database: the moment a till would price with it.
      onApplied: (_skus, kind) => {
        if (kind === 'page') noteApplied(offset);
      },
    });
    const agent = createSyncAgent({
      transport: createSocketIoTransport({ url: input.hubUrl, credential: credentials[offset]! }),
      outbox: new MemoryOutboxStore(),
      feed,
      identity: { deviceId: identity.deviceId, storeId: identity.storeId },
    });
    agents.push(agent);
    agent.start();
  });
  const waitLive = setInterval(() => {
    if (agents.every((agent) => agent.status().state === 'live')) {
      clearInterval(waitLive);
      cpuAtLive = process.cpuUsage();
      send({ type: 'live' });
    }
  }, 20);
}

async function echo(url: string, trips: number): Promise<number[]> {
  const socket = io(url, { transports: ['websocket'] });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const samples: number[] = [];
  for (let trip = 0; trip < trips; trip += 1) {
    const started = performance.now();
    await socket.emitWithAck('echo', { sku: 'SKU-1', unitPrice: 100 });
    samples.push(performance.now() - started);
  }
  socket.close();
  return samples;
}

process.on('message', (message: Message) => {
  switch (message.type) {
    case 'credentials':
      start(message.credentials);
      break;
    case 'expect':
      expected = { sku: message.sku, unitPrice: message.unitPrice };
      appliedAt = databases.map(() => undefined);
      send({ type: 'armed' });
      break;
    case 'echo':
      void echo(message.url, message.trips).then((trips) => send({ type: 'echoed', trips }));
      break;
    case 'stop':
      void Promise.all(agents.map((agent) => agent.stop())).then(() => {
        for (const db of databases) db.close();
        const used = process.cpuUsage(cpuAtLive);
        send({ type: 'stopped', cpuSeconds: (used.user + used.system) / 1e6 });
        setTimeout(() => process.exit(0), 50);
      });
      break;
  }
});

send({ type: 'devices', deviceIds: databases.map((db) => requireIdentity(db).deviceId) });
