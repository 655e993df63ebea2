import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { listExceptions } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { adjustment, enrollTestDevice, EventFactory, movement, seedWorld } from '../test-support/fixtures';
import { SyncGateway } from './sync-gateway';

const TRACE_EVERY_MS = 60_000;

describe.each(backendKinds())('sync/refused-pushes on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let now = 1_780_000_000_000;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => now);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
    ({ app } = await buildApp({
      hub,
      // Enough requests for the flood below; the point is the exception queue, not the limiter.
      rateLimit: { perSecond: 1000, burst: 1000 },
      anonymousRateLimit: { perSecond: 1000, burst: 1000 },
      sync: { socket: false, refusedPushes: { traceEveryMs: TRACE_EVERY_MS } },
    }));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  const push = (token: string | undefined, body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/sync/push',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      payload: body as object,
    });

  const refusals = async (deviceId: string) =>
    (await listExceptions(storage.db, { type: 'PUSH_REFUSED', limit: 100 })).filter(
      (exception) => exception.details.deviceId === deviceId,
    );

  it('opens one exception for a device whose batch is malformed, and coalesces a flood of them', async () => {
    const device = await enrollTestDevice(hub, 's1');
    const malformed = { deviceId: device.deviceId, storeId: device.storeId, events: [{ deviceSeq: 0 }] };
    const first = await push(device.credential, malformed);
    expect(first.statusCode).toBe(400);
    const [opened] = await refusals(device.deviceId);
    expect(opened).toMatchObject({
      status: 'open',
      severity: 'critical',
      nodeId: 's1',
      occurrences: 1,
      details: { code: 'INVALID_INPUT', refusalsSinceLastTrace: 1 },
    });
    expect((opened!.details.issues as { path: string }[])[0]!.path).toMatch(/^body\.events\.0\./);

    for (let attempt = 0; attempt < 30; attempt += 1) {
      expect((await push(device.credential, malformed)).statusCode).toBe(400);
    }
    expect(await refusals(device.deviceId)).toEqual([opened]);

    now += TRACE_EVERY_MS;
    expect((await push(device.credential, malformed)).statusCode).toBe(400);
    const [updated, ...more] = await refusals(device.deviceId);
    expect(more).toEqual([]);
    expect(updated).toMatchObject({
      exceptionId: opened!.exceptionId,
      occurrences: 2,
      details: { refusalsSinceLastTrace: 31 },
    });
  });

  it('traces a push in another device’s name as FORBIDDEN', async () => {
    const device = await enrollTestDevice(hub, 's2');
    const events = new EventFactory({ deviceId: device.deviceId, storeId: 's1' });
    const forged = await push(device.credential, {
      deviceId: device.deviceId,
      storeId: 's1',
      events: [events.next('stock.adjusted', adjustment(movement('A', 1)))],
    });
    expect(forged.statusCode).toBe(403);
    expect(await refusals(device.deviceId)).toMatchObject([{ nodeId: 's2', details: { code: 'FORBIDDEN' } }]);
  });

  it('writes nothing for callers that are not an enrolled device', async () => {
    const before = await listExceptions(storage.db, { type: 'PUSH_REFUSED', limit: 100 });
    const malformed = { deviceId: 'x', storeId: 's1', events: [{ deviceSeq: 0 }] };
    for (const token of [undefined, 'dev_00000000-0000-0000-0000-000000000000.aaaaaaaaaaaaaaaaaaaaaaaa']) {
      for (let attempt = 0; attempt < 10; attempt += 1) {
        expect((await push(token, malformed)).statusCode).toBe(401);
      }
    }
    expect(await listExceptions(storage.db, { type: 'PUSH_REFUSED', limit: 100 })).toEqual(before);
  });

  it('traces a malformed push arriving over the socket transport the same way', async () => {
    const device = await enrollTestDevice(hub, 's1');
    const gateway = new SyncGateway({ hub, refusedPushes: { traceEveryMs: TRACE_EVERY_MS } });
    const principal = { deviceId: device.deviceId, storeId: device.storeId };
    await expect(
      gateway.handle('push', principal, { ...principal, events: [{ deviceSeq: 0 }] }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await refusals(device.deviceId)).toMatchObject([{ details: { code: 'INVALID_INPUT' } }]);
  });
});
