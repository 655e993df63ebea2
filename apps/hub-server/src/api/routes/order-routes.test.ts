import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { createApiKey } from '../../auth/api-keys';
import { createUser, login } from '../../auth/users';
import { backendKinds } from '../../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../../test-support/bopis-world';

describe.each(backendKinds())('api/routes/order-routes on %s', (kind) => {
  let world: BopisWorld;
  let app: FastifyInstance;
  let shopKey: string;
  let readOnlyKey: string;
  let operator: string;

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    options: { token?: string; body?: unknown; key?: string } = {},
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: {
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
      },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    return {
      status: response.statusCode,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
      body: response.json() as Record<string, any>,
      headers: response.headers,
    };
  };

  beforeAll(async () => {
    world = await createBopisWorld(kind);
    await world.stock('s1', 'A', 5);
    ({ app } = await buildApp({ hub: world.hub, orders: { settings: TEST_SETTINGS } }));
    shopKey = (await createApiKey(world.hub, { name: 'shop', scopes: ['orders:write'] }, 'test')).key;
    readOnlyKey = (await createApiKey(world.hub, { name: 'stock', scopes: ['inventory:read'] }, 'test')).key;
    await createUser(world.hub, { username: 'op', password: 'a long enough password', role: 'operator' });
    operator = (await login(world.hub, { username: 'op', password: 'a long enough password' })).token;
  });

  afterAll(async () => {
    await app?.close();
    await world?.dispose();
  });

  it('places an order once per Idempotency-Key: 201, then 200 for the replay, 409 for another body', async () => {
    const body = world.orderBody();
    const key = randomUUID();
    const created = await call('POST', '/api/orders', { token: shopKey, body, key });
    expect(created.status).toBe(201);
    expect(created.body.value).toMatchObject({ orderId: body.orderId, status: 'ROUTED', nodeId: 's1' });
    const replay = await call('POST', '/api/orders', { token: shopKey, body, key });
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.value.orderId).toBe(body.orderId);
    const other = await call('POST', '/api/orders', { token: shopKey, body: { ...body, priority: 3 }, key });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('CONFLICT');
  });

  it('needs an Idempotency-Key, a valid body and the orders scope', async () => {
    const missing = await call('POST', '/api/orders', { token: shopKey, body: world.orderBody() });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/Idempotency-Key header is required/);
    const invalid = await call('POST', '/api/orders', {
      token: shopKey,
      key: randomUUID(),
      body: { ...world.orderBody(), lines: [{ lineId: 'l1', sku: 'A', qty: 0 }] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.issues[0].path).toBe('body.lines.0.qty');
    const forbidden = await call('POST', '/api/orders', {
      token: readOnlyKey,
      key: randomUUID(),
      body: world.orderBody(),
    });
    expect(forbidden.status).toBe(403);
    const anonymous = await call('POST', '/api/orders', { key: randomUUID(), body: world.orderBody() });
    expect(anonymous.status).toBe(401);
  });

  it('answers 409 INSUFFICIENT_STOCK with the routing explanation when no store can take the order', async () => {
    const refused = await call('POST', '/api/orders', {
      token: shopKey,
      key: randomUUID(),
      body: world.orderBody({ lines: [{ lineId: 'l1', sku: 'B', qty: 1 }] }),
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('INSUFFICIENT_STOCK');
    expect(refused.body.error.details.routing.decision.outcome).toBe('unroutable');
  });

  it('shows the order with its explanation, and lets the customer cancel it through the key', async () => {
    const body = world.orderBody();
    await call('POST', '/api/orders', { token: shopKey, body, key: randomUUID() });
    const shown = await call('GET', `/api/orders/${body.orderId}`, { token: shopKey });
    expect(shown.status).toBe(200);
    expect(shown.body.value.routing.candidates[0]).toMatchObject({ nodeId: 's1', selected: true });
    expect(shown.body.value.head).toEqual({ version: 2, transitionId: expect.any(String) });
    const cancelled = await call('POST', `/api/orders/${body.orderId}/cancel`, { token: shopKey, body: {} });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.value).toMatchObject({ status: 'CANCELLED', cancelReason: 'customer_request' });
    const twice = await call('POST', `/api/orders/${body.orderId}/cancel`, { token: operator, body: {} });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/cancelled; it cannot be cancelled now/);
    const listed = await call('GET', '/api/orders?status=CANCELLED', { token: operator });
    expect(listed.body.value.map((order: { orderId: string }) => order.orderId)).toContain(body.orderId);
    const notifications = await call('GET', `/api/notifications?orderId=${body.orderId}`, {
      token: operator,
    });
    expect(notifications.body.value).toMatchObject([{ kind: 'cancelled', status: 'pending' }]);
    expect((await call('GET', '/api/orders/nope', { token: operator })).status).toBe(404);
  });

  it('lets HQ re-route and publishes the endpoints in the OpenAPI document', async () => {
    await world.stock('s2', 'A', 5);
    const body = world.orderBody();
    await call('POST', '/api/orders', { token: shopKey, body, key: randomUUID() });
    const moved = await call('POST', `/api/orders/${body.orderId}/reroute`, {
      token: operator,
      body: { reason: 'store_unavailable' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.value).toMatchObject({ status: 'ROUTED', nodeId: 's2', excludedNodeIds: ['s1'] });
    const byKey = await call('POST', `/api/orders/${body.orderId}/reroute`, { token: shopKey, body: {} });
    expect(byKey.status).toBe(403);
    const openapi = await call('GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/orders',
        '/api/orders/{orderId}',
        '/api/orders/{orderId}/cancel',
        '/api/notifications',
      ]),
    );
  });
});
