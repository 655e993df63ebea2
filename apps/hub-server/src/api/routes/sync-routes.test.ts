import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { PushRequestSchema } from '@retail/sync';
import { compiledQueryStats } from '../../storage/compiled-query';
import { createHubContext, type HubContext } from '../../hub-context';
import type { Storage } from '../../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import {
  adjustment,
  enrollTestDevice,
  EventFactory,
  movement,
  saleOf,
  seedWorld,
} from '../../test-support/fixtures';
import { buildApp } from '../app';

/**
 * `POST /sync/push` takes a till's body as sent when `PushRequestSchema` would return it unchanged (the
 * hand check the socket.io transport uses, proven against the schema in sync/push-request.test.ts), and
 * leaves every other body to the schema: its answer, its copy, its error.
 */
describe.each(backendKinds())('POST /sync/push on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A', 'B'] });
    ({ app } = await buildApp({ hub, sync: { socket: false } }));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function push(credential: string, body: Record<string, unknown>) {
    const response = await app.inject({
      method: 'POST',
      url: '/sync/push',
      headers: { authorization: `Bearer ${credential}` },
      payload: body,
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  }

  it("applies a till's push without the schema's parse, and any other body through it", async () => {
    const device = await enrollTestDevice(hub, 's1');
    const events = new EventFactory({ deviceId: device.deviceId, storeId: 's1' });
    const parse = vi.spyOn(PushRequestSchema, 'safeParse');
    try {
      const sent = await push(device.credential, {
        deviceId: device.deviceId,
        storeId: 's1',
        events: [
          events.next('stock.adjusted', adjustment(movement('A', 9))),
          events.next('sale.completed', saleOf([{ sku: 'A', qty: 2 }])),
        ],
        outbox: { pending: 2 },
      });
      expect(sent.status).toBe(200);
      expect(sent.body.value).toMatchObject({
        lastSeq: 2,
        results: [{ status: 'accepted' }, { status: 'accepted' }],
      });
      expect(parse).not.toHaveBeenCalled();

      // A key the schema strips: the schema decides, and the push is applied as before.
      const extra = await push(device.credential, {
        deviceId: device.deviceId,
        storeId: 's1',
        events: [{ ...events.next('stock.adjusted', adjustment(movement('B', 1))), note: 'stripped' }],
      });
      expect(parse).toHaveBeenCalledTimes(1);
      expect(extra.status).toBe(200);
      expect(extra.body.value).toMatchObject({ lastSeq: 3, results: [{ status: 'accepted' }] });

      // An invalid envelope: the schema's error, field by field, as before.
      const bad = await push(device.credential, {
        deviceId: device.deviceId,
        storeId: 's1',
        events: [{ deviceSeq: 0 }],
      });
      expect(parse).toHaveBeenCalledTimes(2);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('INVALID_INPUT');
      expect(bad.body.error.details.issues[0].path).toMatch(/^body\.events\.0\./);
    } finally {
      parse.mockRestore();
    }
  });

  it("reads a device's credential row with a statement built once", async () => {
    const device = await enrollTestDevice(hub, 's1');
    const pull = () =>
      app.inject({
        method: 'GET',
        url: '/sync/pull?cursor=0',
        headers: { authorization: `Bearer ${device.credential}` },
      });
    expect((await pull()).statusCode).toBe(200);
    const built = compiledQueryStats.built;
    const reused = compiledQueryStats.reused;
    expect((await pull()).statusCode).toBe(200);
    expect(compiledQueryStats.reused).toBeGreaterThan(reused);
    expect(compiledQueryStats.built).toBe(built);
    // A wrong secret for the same device is still refused.
    const last = device.credential.slice(-1) === 'x' ? 'y' : 'x';
    const wrong = await app.inject({
      method: 'GET',
      url: '/sync/pull?cursor=0',
      headers: { authorization: `Bearer ${device.credential.slice(0, -1)}${last}` },
    });
    expect(wrong.statusCode).toBe(401);
  });
});
