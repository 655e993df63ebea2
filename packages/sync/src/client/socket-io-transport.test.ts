import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventFactory } from '../testing/event-factory';
import { MemoryFeedStore } from '../testing/memory-feed-store';
import { MemoryOutboxStore } from '../testing/memory-outbox-store';
import { ReferenceHub } from '../testing/reference-hub';
import { startReferenceSyncServer, type ReferenceSyncServer } from '../testing/reference-server';
import { createSeededRandom } from '../testing/seeded-random';
import { createSocketIoTransport, SYNC_NAMESPACE } from './socket-io-transport';
import { createSyncAgent } from './sync-agent';
import { SyncTransportError } from './sync-error';
import type { ConnectionEvent, SyncTransport } from './transport';

const principal = { deviceId: 'D1', storeId: 'S1' };

/** Polls real time, bounded: these tests talk to a real server on 127.0.0.1. */
async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function failureOf(promise: Promise<unknown>): Promise<SyncTransportError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SyncTransportError);
  return error as SyncTransportError;
}

describe('socket-io-transport', { timeout: 30_000 }, () => {
  let hub: ReferenceHub;
  let server: ReferenceSyncServer;
  const transports: SyncTransport[] = [];
  // A generous default: a busy machine must not turn a slow answer into a timeout; the timeout test
  // passes its own short one.
  const open = (credential = 'secret-1', timeoutMs = 15_000) => {
    const transport = createSocketIoTransport({ url: server.url, credential, timeoutMs });
    transports.push(transport);
    return transport;
  };

  beforeEach(async () => {
    hub = new ReferenceHub();
    server = await startReferenceSyncServer({ hub, credentials: new Map([['secret-1', principal]]) });
  });

  afterEach(async () => {
    for (const transport of transports.splice(0)) transport.disconnect();
    await server.close();
  });

  describe('connect', () => {
    it('connects to the /sync namespace with the device credential', async () => {
      const transport = open();
      await transport.connect();
      expect(transport.connected).toBe(true);
    });

    it('fails as unauthorized when the hub refuses the credential', async () => {
      const error = await failureOf(open('wrong').connect());
      expect(error.failure).toBe('unauthorized');
      expect(error.code).toBe('UNAUTHORIZED');
    });

    it('fails as unreachable when nothing listens', async () => {
      const url = server.url;
      await server.close();
      const transport = createSocketIoTransport({ url, credential: 'secret-1', timeoutMs: 1_000 });
      transports.push(transport);
      expect((await failureOf(transport.connect())).failure).toBe('unreachable');
      server = await startReferenceSyncServer({ hub, credentials: new Map() });
    });

    /**
     * A socket.io server whose /sync namespace does `admit` with each socket before admitting it: a hub
     * restarting mid-handshake, or one stuck in its auth middleware.
     */
    async function startHandshakeHub(admit: (socket: ServerSocket, next: () => void) => void) {
      const http = createServer();
      const io = new Server(http, { transports: ['websocket'] });
      io.of(SYNC_NAMESPACE).use((socket, next) => admit(socket, () => next()));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const { port } = http.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
      };
    }

    it('fails as unreachable when the hub drops the connection during the handshake', async () => {
      const dropping = await startHandshakeHub((socket) => socket.conn.close());
      try {
        const transport = createSocketIoTransport({
          url: dropping.url,
          credential: 'secret-1',
          timeoutMs: 15_000,
        });
        transports.push(transport);
        // Without the handshake close counted as a failed connect, this never settles (the test times out).
        const error = await failureOf(transport.connect());
        expect(error.failure).toBe('unreachable');
        expect(transport.connected).toBe(false);
      } finally {
        await dropping.close();
      }
    });

    it('times out a connect the hub never admits, and connects on the next try', async () => {
      let stuck = true;
      const slow = await startHandshakeHub((_socket, next) => {
        if (!stuck) next();
      });
      try {
        const transport = createSocketIoTransport({ url: slow.url, credential: 'secret-1', timeoutMs: 500 });
        transports.push(transport);
        const error = await failureOf(transport.connect());
        expect(error.failure).toBe('timeout');
        expect(transport.connected).toBe(false);
        stuck = false;
        await transport.connect();
        expect(transport.connected).toBe(true);
      } finally {
        await slow.close();
      }
    });
  });

  describe('push, pull and snapshot', () => {
    it('carries the protocol objects and validates the answers', async () => {
      hub.change({ entity: 'sku', key: 'A', op: 'upsert', data: { name: 'Apple' } });
      const transport = open();
      await transport.connect();
      const events = createEventFactory({
        ...principal,
        now: () => Date.now(),
        random: createSeededRandom(1),
      }).next(2);
      const ack = await transport.push({ ...principal, events });
      expect(ack.lastSeq).toBe(2);
      expect(ack.results.map((result) => result.status)).toEqual(['accepted', 'accepted']);
      const snapshot = await transport.snapshot({ after: 0, limit: 10 });
      expect(snapshot.changes.map((change) => change.key)).toEqual(['A']);
      const page = await transport.pull({ cursor: 0, limit: 10, epoch: snapshot.epoch });
      expect(page).toMatchObject({ lastSeq: 2, upToDate: true, mustRefetch: false });
    });

    it('turns an error envelope into the matching failure', async () => {
      const transport = open();
      await transport.connect();
      const stranger = createEventFactory({
        deviceId: 'D9',
        storeId: 'S1',
        now: () => Date.now(),
        random: Math.random,
      }).next(1);
      const error = await failureOf(transport.push({ deviceId: 'D9', storeId: 'S1', events: stranger }));
      expect(error.failure).toBe('unauthorized');
      expect(error.code).toBe('FORBIDDEN');
    });

    it('reports busy with the hub’s retryAfter', async () => {
      const transport = open();
      await transport.connect();
      server.setBusy(7_000);
      const error = await failureOf(transport.pull({ cursor: 0, limit: 10 }));
      expect(error.failure).toBe('busy');
      expect(error.retryAfterMs).toBe(7_000);
    });

    it('times out when the hub does not answer', async () => {
      const transport = open('secret-1', 300);
      await transport.connect();
      server.setSilent(true);
      expect((await failureOf(transport.pull({ cursor: 0, limit: 10 }))).failure).toBe('timeout');
    });

    it('refuses to send while disconnected instead of buffering', async () => {
      const transport = open();
      expect((await failureOf(transport.pull({ cursor: 0, limit: 10 }))).failure).toBe('unreachable');
    });
  });

  describe('connection events and pokes', () => {
    it('delivers a poke when the hub’s feed for the store advances', async () => {
      const transport = open();
      let pokes = 0;
      transport.onPoke(() => (pokes += 1));
      await transport.connect();
      hub.change({ entity: 'sku', key: 'B', op: 'upsert', data: {}, scope: 'S2' });
      hub.change({ entity: 'sku', key: 'A', op: 'upsert', data: {}, scope: 'S1' });
      await waitFor(() => pokes === 1);
    });

    it('reports a hub-side disconnect and rejects the calls in flight', async () => {
      const transport = open('secret-1', 5_000);
      const events: ConnectionEvent[] = [];
      transport.onConnectionChange((event) => events.push(event));
      await transport.connect();
      server.setSilent(true);
      const inFlight = failureOf(transport.pull({ cursor: 0, limit: 10 }));
      server.disconnectAll();
      expect((await inFlight).failure).toBe('unreachable');
      await waitFor(() => events.length === 1);
      expect(events[0]?.type).toBe('disconnected');
      server.setSilent(false);
      await transport.connect();
      expect(transport.connected).toBe(true);
    });
  });

  describe('with the sync agent', () => {
    it('pushes the outbox, follows the feed and reconnects after the hub drops it', async () => {
      const outbox = new MemoryOutboxStore();
      const feed = new MemoryFeedStore();
      const factory = createEventFactory({
        ...principal,
        now: () => Date.now(),
        random: createSeededRandom(2),
      });
      outbox.append(factory.next(30));
      hub.change({ entity: 'sku', key: 'A', op: 'upsert', data: { v: 1 } });
      const agent = createSyncAgent({
        transport: open(),
        outbox,
        feed,
        identity: principal,
        backoff: { baseMs: 20, capMs: 100 },
        batchSize: 7,
      });
      agent.start();
      await waitFor(() => agent.status().state === 'live' && hub.lastSeq('D1') === 30);
      hub.change({ entity: 'sku', key: 'B', op: 'upsert', data: { v: 2 } });
      await waitFor(() => feed.data.size === 2);
      server.disconnectAll();
      outbox.append(factory.next(5));
      outbox.committed();
      await waitFor(() => hub.lastSeq('D1') === 35 && agent.status().state === 'live');
      expect(hub.history('D1').map((record) => record.deviceSeq)).toEqual(
        Array.from({ length: 35 }, (_, i) => i + 1),
      );
      await agent.stop();
      expect(agent.status().state).toBe('stopped');
    });
  });
});
