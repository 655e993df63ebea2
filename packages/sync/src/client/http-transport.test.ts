import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventFactory } from '../testing/event-factory';
import { MemoryFeedStore } from '../testing/memory-feed-store';
import { MemoryOutboxStore } from '../testing/memory-outbox-store';
import { ReferenceHub } from '../testing/reference-hub';
import { startReferenceSyncServer, type ReferenceSyncServer } from '../testing/reference-server';
import { createSeededRandom } from '../testing/seeded-random';
import { createHttpTransport, parseRetryAfter } from './http-transport';
import { createSyncAgent } from './sync-agent';
import { SyncTransportError } from './sync-error';

const principal = { deviceId: 'D1', storeId: 'S1' };

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

/** A server that answers every request with one fixed response, for the edge cases. */
async function fixedServer(status: number, body: string, headers: Record<string, string> = {}) {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('http-transport', { timeout: 30_000 }, () => {
  describe('parseRetryAfter', () => {
    it('reads delta-seconds and HTTP dates', () => {
      expect(parseRetryAfter('12', 0)).toBe(12_000);
      expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:30 GMT', 10_000)).toBe(20_000);
      expect(parseRetryAfter('soon', 0)).toBeUndefined();
      expect(parseRetryAfter(null, 0)).toBeUndefined();
    });
  });

  describe('against the reference server', () => {
    let hub: ReferenceHub;
    let server: ReferenceSyncServer;

    beforeEach(async () => {
      hub = new ReferenceHub();
      server = await startReferenceSyncServer({ hub, credentials: new Map([['secret-1', principal]]) });
    });
    afterEach(async () => {
      await server.close();
    });

    it('pushes, pulls and snapshots with the bearer credential', async () => {
      hub.change({ entity: 'sku', key: 'A', op: 'upsert', data: { name: 'Apple' } });
      const transport = createHttpTransport({ baseUrl: server.url, credential: 'secret-1' });
      await transport.connect();
      const events = createEventFactory({
        ...principal,
        now: () => Date.now(),
        random: createSeededRandom(3),
      }).next(3);
      expect((await transport.push({ ...principal, events })).lastSeq).toBe(3);
      const snapshot = await transport.snapshot({ after: 0, limit: 1 });
      expect(snapshot).toMatchObject({ done: false, total: 1, upTo: 1 });
      const rest = await transport.snapshot({ after: snapshot.after, upTo: snapshot.upTo, limit: 1 });
      expect(rest.done).toBe(true);
      expect(await transport.pull({ cursor: 1, limit: 5, epoch: snapshot.epoch })).toMatchObject({
        changes: [],
        cursor: 1,
        upToDate: true,
        lastSeq: 3,
      });
    });

    it('fails as unauthorized with a wrong credential', async () => {
      const transport = createHttpTransport({ baseUrl: server.url, credential: 'nope' });
      await transport.connect();
      expect((await failureOf(transport.pull({ cursor: 0, limit: 5 }))).failure).toBe('unauthorized');
    });

    it('honours 503 with Retry-After', async () => {
      server.setBusy(4_000);
      const transport = createHttpTransport({ baseUrl: server.url, credential: 'secret-1' });
      await transport.connect();
      const error = await failureOf(transport.pull({ cursor: 0, limit: 5 }));
      expect(error.failure).toBe('busy');
      expect(error.retryAfterMs).toBe(4_000);
    });

    it('times out when the hub does not answer, and stops at once on disconnect', async () => {
      server.setSilent(true);
      const transport = createHttpTransport({ baseUrl: server.url, credential: 'secret-1', timeoutMs: 200 });
      await transport.connect();
      expect((await failureOf(transport.pull({ cursor: 0, limit: 5 }))).failure).toBe('timeout');
      const slow = createHttpTransport({ baseUrl: server.url, credential: 'secret-1', timeoutMs: 10_000 });
      await slow.connect();
      const inFlight = failureOf(slow.pull({ cursor: 0, limit: 5 }));
      slow.disconnect();
      expect((await inFlight).failure).toBe('unreachable');
    });

    it('lets the agent converge without pokes through its periodic pull', async () => {
      const outbox = new MemoryOutboxStore();
      const feed = new MemoryFeedStore();
      outbox.append(
        createEventFactory({ ...principal, now: () => Date.now(), random: createSeededRandom(4) }).next(12),
      );
      const agent = createSyncAgent({
        transport: createHttpTransport({ baseUrl: server.url, credential: 'secret-1' }),
        outbox,
        feed,
        identity: principal,
        livePullIntervalMs: 50,
        batchSize: 5,
      });
      agent.start();
      await waitFor(() => agent.status().state === 'live' && hub.lastSeq('D1') === 12);
      hub.change({ entity: 'price', key: 'P1', op: 'upsert', data: { amount: 100 } });
      await waitFor(() => feed.data.has('price:P1'));
      await agent.stop();
    });
  });

  describe('answers off the protocol', () => {
    it('accepts a bare protocol object as well as a result envelope', async () => {
      const ack = { deviceId: 'D1', lastSeq: 4, results: [] };
      for (const body of [ack, { ok: true, value: ack }]) {
        const server = await fixedServer(200, JSON.stringify(body));
        const transport = createHttpTransport({ baseUrl: server.url, credential: 'c' });
        await transport.connect();
        expect((await transport.push({ ...principal, events: [] })).lastSeq).toBe(4);
        await server.close();
      }
    });

    it('reports a 200 that is not JSON, or not the schema, as a protocol failure', async () => {
      for (const body of ['<html>', JSON.stringify({ lastSeq: 'x' })]) {
        const server = await fixedServer(200, body);
        const transport = createHttpTransport({ baseUrl: server.url, credential: 'c' });
        await transport.connect();
        expect((await failureOf(transport.push({ ...principal, events: [] }))).failure).toBe('protocol');
        await server.close();
      }
    });

    it('maps error bodies and bare statuses onto failures', async () => {
      const cases: [number, string, Record<string, string>, string, number | undefined][] = [
        [426, '', {}, 'too_old', undefined],
        [429, '', { 'retry-after': '3' }, 'busy', 3_000],
        [500, 'oops', {}, 'busy', undefined],
        [
          400,
          JSON.stringify({ error: { code: 'INVALID_INPUT', message: 'bad' } }),
          {},
          'rejected',
          undefined,
        ],
        [409, JSON.stringify({ code: 'SCHEMA_VERSION', message: 'update' }), {}, 'too_old', undefined],
        [
          429,
          JSON.stringify({
            ok: false,
            error: { code: 'RATE_LIMITED', message: 'slow', details: { retryAfterSeconds: 2 } },
          }),
          {},
          'busy',
          2_000,
        ],
        // The hub lost its database (restart, failover): retryable, with a hint.
        [
          503,
          JSON.stringify({
            ok: false,
            error: {
              code: 'HUB_UNAVAILABLE',
              message: 'The hub lost its database connection.',
              details: { retryAfterSeconds: 2 },
            },
          }),
          { 'retry-after': '2' },
          'busy',
          2_000,
        ],
      ];
      for (const [status, body, headers, failure, retryAfterMs] of cases) {
        const server = await fixedServer(status, body, headers);
        const transport = createHttpTransport({ baseUrl: server.url, credential: 'c' });
        await transport.connect();
        const error = await failureOf(transport.pull({ cursor: 0, limit: 1 }));
        expect([status, error.failure, error.retryAfterMs]).toEqual([status, failure, retryAfterMs]);
        await server.close();
      }
    });

    it('reports a refused connection as unreachable', async () => {
      const server = await fixedServer(200, '{}');
      await server.close();
      const transport = createHttpTransport({ baseUrl: server.url, credential: 'c' });
      await transport.connect();
      expect((await failureOf(transport.pull({ cursor: 0, limit: 1 }))).failure).toBe('unreachable');
    });
  });
});
