import { io as connectSocket, type Socket } from 'socket.io-client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import {
  createHttpTransport,
  createSocketIoTransport,
  SyncTransportError,
  SYNC_EVENTS,
  type SyncTransport,
} from '@retail/sync';
import { buildApp } from '../api/app';
import { revokeDevice } from '../auth/devices';
import { createHubContext, type HubContext } from '../hub-context';
import { adjustStock } from '../inventory/stock-operations';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { adjustment, enrollTestDevice, EventFactory, movement, seedWorld } from '../test-support/fixtures';

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`never happened: ${what}`);
}

/** A raw socket.io client on the sync namespace, recording how the hub ended its connection. */
async function rawTill(baseUrl: string, credential: string) {
  const socket: Socket = connectSocket(`${baseUrl}/sync`, {
    auth: { credential },
    transports: ['websocket'],
    reconnection: false,
  });
  const state = { pokes: 0, disconnectedBy: undefined as string | undefined };
  socket.on(SYNC_EVENTS.poke, () => (state.pokes += 1));
  socket.on('disconnect', (reason) => (state.disconnectedBy = reason));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, state };
}

async function failureOf(promise: Promise<unknown>): Promise<SyncTransportError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SyncTransportError)) throw new Error(`expected a SyncTransportError, got ${error}`);
  return error;
}

describe.each(backendKinds())('sync/sync-socket on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let url: string;
  const transports: SyncTransport[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
    ({ app } = await buildApp({ hub }));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    for (const transport of transports) transport.disconnect();
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  function connectTo(baseUrl: string, credential: string): SyncTransport {
    const transport = createSocketIoTransport({ url: baseUrl, credential, timeoutMs: 10_000 });
    transports.push(transport);
    return transport;
  }

  describe('attachSyncSocket', () => {
    it('answers a snapshot page asked for as json-bytes with the bytes of the page it answers otherwise', async () => {
      const device = await enrollTestDevice(hub, 's1');
      const { socket } = await rawTill(url, device.credential);
      try {
        const asObject = (await socket.emitWithAck(SYNC_EVENTS.snapshot, { after: 0, limit: 2 })) as {
          ok: boolean;
          value: { upTo: number };
        };
        const request = { after: 0, upTo: asObject.value.upTo, limit: 2 };
        const asBytes = (await socket.emitWithAck(SYNC_EVENTS.snapshot, {
          ...request,
          encoding: 'json-bytes',
        })) as { ok: boolean; value: unknown };
        expect(asBytes.ok).toBe(true);
        expect(Buffer.isBuffer(asBytes.value)).toBe(true);
        expect(JSON.parse((asBytes.value as Buffer).toString('utf8'))).toStrictEqual(asObject.value);
        const refused = (await socket.emitWithAck(SYNC_EVENTS.snapshot, { ...request, encoding: 'xml' })) as {
          ok: boolean;
          error: { code: string };
        };
        expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      } finally {
        socket.disconnect();
      }
    });

    it('serves push, pull and snapshot over /sync with the device credential, empty pushes included', async () => {
      const device = await enrollTestDevice(hub, 's1');
      const transport = connectTo(url, device.credential);
      await transport.connect();
      const events = new EventFactory(device);
      const ack = await transport.push({
        deviceId: device.deviceId,
        storeId: device.storeId,
        events: [events.next('stock.adjusted', adjustment(movement('A', 5)))],
      });
      expect(ack).toMatchObject({ lastSeq: 1, results: [{ status: 'accepted' }] });
      expect(
        await transport.push({ deviceId: device.deviceId, storeId: device.storeId, events: [] }),
      ).toEqual({ deviceId: device.deviceId, lastSeq: 1, results: [] });
      const snapshot = await transport.snapshot({ after: 0, limit: 1000 });
      expect(snapshot.done).toBe(true);
      expect(snapshot.changes.some((change) => change.key === 's1:A')).toBe(true);
      const page = await transport.pull({ cursor: snapshot.upTo, limit: 500, epoch: snapshot.epoch });
      expect(page).toMatchObject({ upToDate: true, lastSeq: 1, mustRefetch: false });
    });

    it('applies push batches a till sends back to back in the order they arrived', async () => {
      const device = await enrollTestDevice(hub, 's1');
      const transport = connectTo(url, device.credential);
      await transport.connect();
      const events = new EventFactory(device);
      const batches = Array.from({ length: 4 }, () =>
        Array.from({ length: 3 }, () => events.next('stock.adjusted', adjustment(movement('B', 1)))),
      );
      // All four are on the wire before the first is answered, as a till's push window sends them.
      const acks = await Promise.all(
        batches.map((batch) =>
          transport.push({ deviceId: device.deviceId, storeId: device.storeId, events: batch }),
        ),
      );
      expect(acks.map((ack) => ack.lastSeq)).toEqual([3, 6, 9, 12]);
      expect(acks.flatMap((ack) => ack.results.map((result) => result.status))).toEqual(
        Array.from({ length: 12 }, () => 'accepted'),
      );
    });

    it('refuses a handshake without a valid credential, and a call for another device', async () => {
      const refused = connectTo(url, 'dev_00000000-0000-7000-8000-000000000000.not-a-real-secret-at-all');
      expect((await failureOf(refused.connect())).failure).toBe('unauthorized');
      const device = await enrollTestDevice(hub, 's1');
      const other = await enrollTestDevice(hub, 's2');
      const transport = connectTo(url, device.credential);
      await transport.connect();
      const forbidden = await failureOf(
        transport.push({ deviceId: other.deviceId, storeId: other.storeId, events: [] }),
      );
      expect(forbidden).toMatchObject({ failure: 'unauthorized', code: 'FORBIDDEN' });
      // The namespace validates payloads exactly as the HTTP routes do, field paths included.
      const malformed = await failureOf(transport.pull({ cursor: -1, limit: 5 } as never));
      expect(malformed).toMatchObject({ failure: 'rejected', code: 'INVALID_INPUT' });
      expect(JSON.stringify(malformed.details)).toContain('body.cursor');
    });

    it('disconnects a revoked till at once: no more pokes, and its credential cannot connect again', async () => {
      const device = await enrollTestDevice(hub, 's2');
      const neighbour = await rawTill(url, (await enrollTestDevice(hub, 's2')).credential);
      const till = await rawTill(url, device.credential);
      try {
        await revokeDevice(hub, device.deviceId);
        await until(() => till.state.disconnectedBy !== undefined, 'the revoked till disconnected');
        expect(till.state.disconnectedBy).toBe('io server disconnect');
        const pokesBefore = till.state.pokes;
        await adjustStock(
          hub,
          { nodeId: 's2', reason: 'found', lines: [{ sku: 'A', bucket: 'sellable', delta: 1 }] },
          'test',
        );
        await until(() => neighbour.state.pokes > 0, 'the other till of the store poked');
        expect(neighbour.state.disconnectedBy).toBeUndefined();
        expect(till.state.pokes).toBe(pokesBefore);
        const again = await failureOf(connectTo(url, device.credential).connect());
        expect(again.failure).toBe('unauthorized');
      } finally {
        till.socket.disconnect();
        neighbour.socket.disconnect();
      }
    });

    it('closes a connection that sends a deeply nested message instead of parsing it', async () => {
      const device = await enrollTestDevice(hub, 's1');
      const till = await rawTill(url, device.credential);
      let deep: unknown = { cursor: 0 };
      for (let level = 0; level < 100; level += 1) deep = [deep];
      let answered = false;
      till.socket.emit('pull', deep, () => (answered = true));
      await until(() => till.state.disconnectedBy !== undefined, 'the connection closed');
      expect(answered).toBe(false);
      // An ordinary call on a new connection is answered as before.
      const again = connectTo(url, device.credential);
      await again.connect();
      expect((await again.pull({ cursor: 0, limit: 1 })).lastSeq).toBe(0);
    });

    it('pokes exactly the stores whose feed advanced', async () => {
      const s1 = connectTo(url, (await enrollTestDevice(hub, 's1')).credential);
      const s2 = connectTo(url, (await enrollTestDevice(hub, 's2')).credential);
      const pokes = { s1: 0, s2: 0 };
      s1.onPoke(() => (pokes.s1 += 1));
      s2.onPoke(() => (pokes.s2 += 1));
      await Promise.all([s1.connect(), s2.connect()]);
      await adjustStock(
        hub,
        { nodeId: 's1', reason: 'found', lines: [{ sku: 'B', bucket: 'sellable', delta: 2 }] },
        'test',
      );
      await until(() => pokes.s1 >= 1, 'a poke for s1');
      // The s2 till reads only chain-wide, its region's and its own rows: a stock change at s1 is not its news.
      await adjustStock(
        hub,
        { nodeId: 's2', reason: 'found', lines: [{ sku: 'B', bucket: 'sellable', delta: 1 }] },
        'test',
      );
      await until(() => pokes.s2 >= 1, 'a poke for s2');
      expect(pokes.s2).toBe(1);
    });
  });

  describe('SyncGateway admission', () => {
    it('turns catch-ups away with a retryAfter while the limit is taken, over HTTP as over socket.io', async () => {
      const { app: limited, sync } = await buildApp({
        hub,
        sync: { admission: { maxConcurrent: 1, baseRetryAfterMs: 3_000, maxRetryAfterMs: 30_000 } },
      });
      const limitedUrl = await limited.listen({ host: '127.0.0.1', port: 0 });
      let release = () => {};
      // Another till's catch-up holds the only slot.
      const held = sync.gateway.admission.run(() => new Promise<void>((resolve) => (release = resolve)));
      try {
        const device = await enrollTestDevice(hub, 's1');
        const http = createHttpTransport({ baseUrl: limitedUrl, credential: device.credential });
        const socket = connectTo(limitedUrl, device.credential);
        await Promise.all([http.connect(), socket.connect()]);
        const busy = await Promise.all([
          failureOf(socket.snapshot({ after: 0, limit: 1000 })),
          failureOf(http.snapshot({ after: 0, limit: 1000 })),
          failureOf(socket.pull({ cursor: 0, limit: 10 })),
        ]);
        expect(busy.map((error) => [error.failure, error.code])).toEqual([
          ['busy', 'RATE_LIMITED'],
          ['busy', 'RATE_LIMITED'],
          ['busy', 'RATE_LIMITED'],
        ]);
        for (const error of busy) expect(error.retryAfterMs).toBeGreaterThanOrEqual(3_000);
        // The crowd grows, so the wait handed out grows with it.
        expect(busy[2]!.retryAfterMs).toBeGreaterThan(busy[0]!.retryAfterMs!);
        // Live traffic is never held back: a push, and a pull near the head, are served meanwhile.
        const head = await storage.db
          .selectFrom('feed_changes')
          .select((eb) => eb.fn.max('hub_seq').as('head'))
          .executeTakeFirstOrThrow();
        expect((await socket.pull({ cursor: Number(head.head), limit: 500 })).upToDate).toBe(true);
        await socket.push({ deviceId: device.deviceId, storeId: device.storeId, events: [] });
        const healthz = await fetch(`${limitedUrl}/healthz`);
        expect(healthz.status).toBe(200);
        release();
        await held;
        expect((await socket.snapshot({ after: 0, limit: 1000 })).done).toBe(true);
        expect(sync.gateway.admission.stats).toMatchObject({ inFlight: 0, admitted: 2, refused: 3 });
      } finally {
        release();
        await limited.close();
      }
    });
  });
});

describe.runIf(backendKinds().includes('postgres'))('sync/sync-socket across hub processes', () => {
  it('pokes a till connected to one hub process when another process changes its feed', async () => {
    const database = await createTestDatabase('postgres');
    const storageA = await database.open();
    const storageB = await database.open();
    const hubA = createHubContext(storageA);
    const hubB = createHubContext(storageB);
    const { app: appA } = await buildApp({ hub: hubA });
    const { app: appB } = await buildApp({ hub: hubB });
    const transports: SyncTransport[] = [];
    try {
      await seedWorld(hubA, { nodes: ['s1'], skus: ['A'] });
      await appA.listen({ host: '127.0.0.1', port: 0 });
      const urlB = await appB.listen({ host: '127.0.0.1', port: 0 });
      const device = await enrollTestDevice(hubB, 's1');
      const transport = createSocketIoTransport({ url: urlB, credential: device.credential });
      transports.push(transport);
      let pokes = 0;
      transport.onPoke(() => (pokes += 1));
      await transport.connect();
      // Process B's LISTEN connection is set up asynchronously: write through A once B listens.
      await until(() => storageB.feedNotifications() === 'listening', 'process B listening');
      expect(pokes).toBe(0);
      await adjustStock(
        hubA,
        { nodeId: 's1', reason: 'found', lines: [{ sku: 'A', bucket: 'sellable', delta: 1 }] },
        'test',
      );
      await until(() => pokes > 0, 'a poke through process B');

      // Revoked through process A: process B disconnects the till it serves at once.
      const till = await rawTill(urlB, (await enrollTestDevice(hubB, 's1')).credential);
      const revoked = till.socket.auth as { credential: string };
      const tillId = /^dev_([0-9a-f-]{36})\./.exec(revoked.credential)![1]!;
      await revokeDevice(hubA, tillId);
      await until(() => till.state.disconnectedBy !== undefined, 'the till on process B disconnected');
      expect(till.state.disconnectedBy).toBe('io server disconnect');

      // A revocation B never heard of (its LISTEN connection was cut meanwhile) is found once it is back.
      const missed = await rawTill(urlB, (await enrollTestDevice(hubB, 's1')).credential);
      const missedId = /^dev_([0-9a-f-]{36})\./.exec(
        (missed.socket.auth as { credential: string }).credential,
      )![1]!;
      await storageA.db
        .updateTable('devices')
        .set({ revoked_at: Date.now() })
        .where('device_id', '=', missedId)
        .execute();
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and query like 'LISTEN%'`.execute(storageA.db);
      await until(() => missed.state.disconnectedBy !== undefined, 'the till B missed the revocation of');
      till.socket.disconnect();
      missed.socket.disconnect();
    } finally {
      for (const transport of transports) transport.disconnect();
      await appA.close();
      await appB.close();
      await storageA.close();
      await storageB.close();
      await database.dispose();
    }
  });
});
