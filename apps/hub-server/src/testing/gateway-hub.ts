import { copyFileSync, rmSync } from 'node:fs';
import { sql } from 'kysely';
import { DomainError, toErrorBody } from '@retail/domain';
import {
  FEED_ENTITIES,
  ListenerSet,
  parsePullPage,
  parsePushAck,
  parseSnapshotPage,
  SyncTransportError,
  TRANSPORT_MESSAGES,
  transportErrorFromBody,
  type ConnectionEvent,
  type DevicePrincipal,
  type PullRequest,
  type PushRequest,
  type SnapshotRequest,
  type SyncTransport,
} from '@retail/sync';
import { createHubContext, type HubContext } from '../hub-context';
import { createNode } from '../nodes/nodes';
import { openStorage, type BackendKind, type Storage } from '../storage/storage';
import { checkFeedRestore, FeedMarkerWriter } from '../sync/feed-marker';
import { SyncGateway } from '../sync/sync-gateway';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { nodeInput } from '../test-support/fixtures';
import { seedCatalog, seedPriceBook } from './test-hub';

/**
 * The REAL hub (storage on SQLite or PostgreSQL, ingest, feed, the SyncGateway both transports use) in
 * this process without HTTP, for the store's sync tests. Tills reach it through
 * `transportFor`, an in-process SyncTransport over the same gateway calls the socket.io namespace
 * makes, with answers validated by the protocol schemas like the real transports do.
 */
export interface HubWorld {
  readonly kind: BackendKind;
  hub: HubContext;
  storage: Storage;
  gateway: SyncGateway;
  /** While down, connection attempts fail and connected tills are dropped. */
  setDown(down: boolean): void;
  /** Every connected till loses its connection (a hub restart). */
  dropAll(reason: string): void;
  /** Pokes every connected till (after an epoch change, which writes no feed rows). */
  pokeAll(): void;
  transportFor(principal: DevicePrincipal, region: string): SyncTransport;
  /**
   * Resolves once no till's call is being worked on by the hub, following calls that start as others
   * finish. Tests on virtual time wait for this between steps: real database work (PostgreSQL) then
   * takes however long the machine needs instead of a fixed slice of real time.
   */
  idle(timeoutMs?: number): Promise<void>;
  /** SQLite only: a consistent copy of the database, as an operator's online backup. */
  backup(): Promise<string>;
  /** SQLite only: stops the hub, puts the backup back, restarts with the restore check serve runs. */
  restore(backupFile: string): Promise<{ restored: boolean }>;
  close(): Promise<void>;
}

export const HUB_STORES = [
  { nodeId: 's1', code: 'S1', region: 'north' },
  { nodeId: 's2', code: 'S2', region: 'south' },
] as const;
export const HUB_SKUS = ['A', 'B', 'C'] as const;

/** Nodes, a catalog with prices and tax, everything a till needs to sell. */
export async function seedHub(hub: HubContext): Promise<void> {
  for (const store of HUB_STORES) {
    await createNode(hub, nodeInput(store.nodeId, { code: store.code, region: store.region }));
  }
  const items = HUB_SKUS.map((id, index) => ({
    sku: id,
    name: `Item ${id}`,
    productName: `Product ${id}`,
    unitPrice: 100 + index * 50,
  }));
  await seedCatalog(hub, items, {
    rateId: 'ny-standard',
    name: 'NY sales tax',
    jurisdictionId: 'US-NY',
    taxCategory: 'standard',
    percent: 8,
  });
  await seedPriceBook(hub, items, { currency: 'USD' });
}

function transportFailure(error: unknown): SyncTransportError {
  if (error instanceof SyncTransportError) return error;
  if (error instanceof DomainError) return transportErrorFromBody(error.toJSON());
  // Anything else is the hub falling over mid-request (a restore closing its database): to the till it
  // looks like a dropped connection.
  return new SyncTransportError(
    'unreachable',
    TRANSPORT_MESSAGES.disconnected,
    {},
    {
      details: { cause: toErrorBody(error).message },
    },
  );
}

export async function createHubWorld(kind: BackendKind): Promise<HubWorld> {
  const database: TestDatabase = await createTestDatabase(kind);
  let storage = await database.open();
  let hub = createHubContext(storage);
  let gateway = new SyncGateway({ hub });
  let down = false;
  const markerPath = `${database.url}.feed-marker.json`;
  let marker: FeedMarkerWriter | null = null;

  /**
   * What `pos-hub serve` does around its database (SQLite, where restores are simulated): the restore
   * check before serving, then the marker kept current while it runs, so the marker knows every epoch
   * this hub served. Checking only at restore time would miss an epoch left before the first check.
   */
  async function startServing(): Promise<boolean> {
    if (kind !== 'sqlite') return false;
    const check = await checkFeedRestore(storage, markerPath, database.url);
    marker = new FeedMarkerWriter(storage, markerPath, {
      database: database.url,
      epoch: check.epoch,
      head: check.head,
      previousEpochs: check.previousEpochs,
    });
    return check.restored;
  }

  /** serve's shutdown: the marker's last write, then the database. */
  async function stopServing(): Promise<void> {
    await marker?.close();
    marker = null;
    await storage.close();
  }
  const connections = new Set<{ drop(reason: string): void; poke(): void }>();
  let callsInFlight = 0;

  const world: HubWorld = {
    kind,
    get hub() {
      return hub;
    },
    get storage() {
      return storage;
    },
    get gateway() {
      return gateway;
    },
    setDown(value) {
      down = value;
      if (value) world.dropAll('hub down');
    },
    dropAll(reason) {
      for (const connection of [...connections]) connection.drop(reason);
    },
    pokeAll() {
      for (const connection of [...connections]) connection.poke();
    },
    async idle(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      do {
        await new Promise((resolve) => setImmediate(resolve));
        if (Date.now() > deadline) throw new Error(`hub calls still in flight after ${timeoutMs} ms`);
      } while (callsInFlight > 0);
    },
    transportFor(principal, region) {
      const scopes = new Set(['*', principal.storeId, `region:${region}`]);
      const pokes = new ListenerSet<void>();
      const changes = new ListenerSet<ConnectionEvent>();
      const inFlight = new Set<(error: SyncTransportError) => void>();
      let connected = false;
      let stopPokes: (() => void) | null = null;

      const connection = {
        drop(reason: string) {
          if (!connected) return;
          close();
          changes.emit({ type: 'disconnected', reason });
        },
        poke: () => pokes.emit(),
      };

      function close(): void {
        connected = false;
        connections.delete(connection);
        stopPokes?.();
        stopPokes = null;
        const error = new SyncTransportError('unreachable', TRANSPORT_MESSAGES.disconnected);
        for (const reject of [...inFlight]) reject(error);
        inFlight.clear();
      }

      function call<T>(name: 'push' | 'pull' | 'snapshot', body: unknown, parse: (value: unknown) => T) {
        if (!connected || down) {
          return Promise.reject(new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable));
        }
        return new Promise<T>((resolve, reject) => {
          inFlight.add(reject);
          callsInFlight += 1;
          const handled = gateway.handle(name, principal, structuredClone(body));
          void handled.then(
            () => (callsInFlight -= 1),
            () => (callsInFlight -= 1),
          );
          handled.then(
            (value) => {
              if (!inFlight.delete(reject)) return;
              try {
                resolve(parse(structuredClone(value)));
              } catch (error) {
                reject(transportFailure(error));
              }
            },
            (error: unknown) => {
              if (!inFlight.delete(reject)) return;
              reject(transportFailure(error));
            },
          );
        });
      }

      return {
        get connected() {
          return connected;
        },
        async connect() {
          if (down) throw new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable);
          if (connected) return;
          connected = true;
          connections.add(connection);
          stopPokes = storage.onFeedAppended((event) => {
            if (event === null || event.scopes.some((scope) => scopes.has(scope))) pokes.emit();
          });
        },
        disconnect: close,
        push: (request: PushRequest) => call('push', request, parsePushAck),
        pull: (request: PullRequest) => call('pull', request, parsePullPage),
        snapshot: (request: SnapshotRequest) => call('snapshot', request, parseSnapshotPage),
        onPoke: (listener) => pokes.add(listener),
        onConnectionChange: (listener) => changes.add(listener),
      };
    },
    async backup() {
      if (kind !== 'sqlite') throw new Error('backups are simulated on SQLite only');
      const file = `${database.url}.backup-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
      await sql`vacuum into ${file}`.execute(storage.db);
      return file;
    },
    async restore(backupFile) {
      if (kind !== 'sqlite') throw new Error('restores are simulated on SQLite only');
      world.dropAll('hub restarting');
      await stopServing();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${database.url}${suffix}`, { force: true });
      copyFileSync(backupFile, database.url);
      storage = await openStorage(database.url);
      const restored = await startServing();
      hub = createHubContext(storage);
      gateway = new SyncGateway({ hub });
      return { restored };
    },
    async close() {
      world.dropAll('test over');
      await stopServing();
      await database.dispose();
    },
  };
  await seedHub(hub);
  await startServing();
  return world;
}

/** The hub rows a store's replica must equal: the live rows of its scopes, keyed like readReplica. */
export async function hubDataFor(
  storage: Storage,
  storeId: string,
  region: string,
  entities: readonly string[] = FEED_ENTITIES,
): Promise<Map<string, unknown>> {
  const rows = await storage.db
    .selectFrom('feed_changes')
    .select(['entity', 'entity_key', 'data'])
    .where('op', '=', 'upsert')
    .where('scope', 'in', ['*', storeId, `region:${region}`])
    .where('entity', 'in', [...entities])
    .execute();
  return new Map(rows.map((row) => [`${row.entity}:${row.entity_key}`, JSON.parse(row.data ?? 'null')]));
}
