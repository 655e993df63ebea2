import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';

describe.each(backendKinds())('orders/delivery-config on %s', (kind) => {
  let world: BopisWorld;
  let app: FastifyInstance;
  let admin: string;

  const call = async (method: 'GET' | 'PUT', url: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['DL1'] });
    ({ app } = await buildApp({ hub: world.hub, orders: { settings: TEST_SETTINGS } }));
    await createUser(world.hub, { username: 'hq', password: 'a long enough password', role: 'admin' });
    admin = (await login(world.hub, { username: 'hq', password: 'a long enough password' })).token;
  });

  afterAll(async () => {
    await app?.close();
    await world?.dispose();
  });

  it('routes by the earliest promised delivery, then the cheapest lane, naming both factors', async () => {
    for (const [nodeId, zone] of [
      ['s1', 'paris'],
      ['s2', 'north'],
      ['s3', 'south'],
    ] as const) {
      expect(
        (await call('PUT', `/api/routing/delivery/nodes/${nodeId}`, { zone, cutoff: '23:59' })).status,
      ).toBe(200);
    }
    const lanes = await call('PUT', '/api/routing/delivery/lanes', {
      lanes: [
        { fromZone: 'north', toZone: 'paris', transitDays: 3, cost: { amount: 200, currency: 'EUR' } },
        { fromZone: 'south', toZone: 'paris', transitDays: 1, cost: { amount: 700, currency: 'EUR' } },
      ],
    });
    expect(lanes.status).toBe(200);
    expect(lanes.body.value.nodes).toContainEqual({ nodeId: 's2', zone: 'north', cutoff: '23:59' });
    // The chosen store s1 has none; s2 is nearer, but s3's lane delivers two days sooner.
    await world.stock('s2', 'DL1', 3);
    await world.stock('s3', 'DL1', 3);
    const order = await world.place({ lines: [{ lineId: 'l1', sku: 'DL1', qty: 1 }] });
    expect(order.nodeId).toBe('s3');
    const [winner, runnerUp] = order.routing?.candidates ?? [];
    expect(winner).toMatchObject({ nodeId: 's3', rank: 1, shippingCost: { amount: 700, currency: 'EUR' } });
    expect(runnerUp).toMatchObject({ nodeId: 's2', rank: 2, shippingCost: { amount: 200, currency: 'EUR' } });
    expect(winner?.summary).toMatch(
      /promised \d{4}-\d\d-\d\d \(ships .*, before the 23:59 cut-off, 1 transit day\), shipping €7\.00 from zone south/,
    );
    expect(order.routing?.criteria.slice(2, 4)).toEqual(['promised_date', 'shipping_cost']);
  });

  it('refuses bad settings with a code and a sentence', async () => {
    const cutoff = await call('PUT', '/api/routing/delivery/nodes/s1', { zone: 'paris', cutoff: '25:00' });
    expect(cutoff.status).toBe(400);
    expect(cutoff.body.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(cutoff.body.error.message).toMatch(/The cut-off is a local time "HH:MM"/);
    const unknown = await call('PUT', '/api/routing/delivery/nodes/nowhere', {
      zone: 'paris',
      cutoff: '12:00',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('There is no node nowhere.');
    const negative = await call('PUT', '/api/routing/delivery/lanes', {
      lanes: [{ fromZone: 'a', toZone: 'b', transitDays: 1, cost: { amount: -1, currency: 'EUR' } }],
    });
    expect(negative.status).toBe(400);
    const twice = await call('PUT', '/api/routing/delivery/lanes', {
      lanes: [
        { fromZone: 'a', toZone: 'b', transitDays: 1, cost: { amount: 1, currency: 'EUR' } },
        { fromZone: 'a', toZone: 'b', transitDays: 2, cost: { amount: 1, currency: 'EUR' } },
      ],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toMatch(/listed once/);
    const config = await call('GET', '/api/routing/delivery');
    expect(config.body.value.lanes.map((lane: { fromZone: string }) => lane.fromZone)).toEqual([
      'north',
      'south',
    ]);
  });
});
