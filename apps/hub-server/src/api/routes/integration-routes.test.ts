import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { createApiKey } from '../../auth/api-keys';
import { createUser, login } from '../../auth/users';
import { backendKinds } from '../../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../../test-support/bopis-world';
import { INTEGRATION_EVENT_TYPES } from '../../integration/event-catalog';

describe.each(backendKinds())('api/routes/integration-routes on %s', (kind) => {
  let world: BopisWorld;
  let app: FastifyInstance;
  let erpKey: string;
  let stockKey: string;
  let operator: string;

  const get = async (url: string, token?: string) => {
    const response = await app.inject({
      method: 'GET',
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  beforeAll(async () => {
    world = await createBopisWorld(kind);
    ({ app } = await buildApp({ hub: world.hub, orders: { settings: TEST_SETTINGS } }));
    erpKey = (await createApiKey(world.hub, { name: 'erp', scopes: ['integration:read'] }, 'test')).key;
    stockKey = (await createApiKey(world.hub, { name: 'stock', scopes: ['inventory:read'] }, 'test')).key;
    await createUser(world.hub, { username: 'op', password: 'a long enough password', role: 'operator' });
    operator = (await login(world.hub, { username: 'op', password: 'a long enough password' })).token;
  });

  afterAll(async () => {
    await app?.close();
    await world?.dispose();
  });

  it('serves the log to a key with integration:read, page by page, and refuses other keys', async () => {
    await world.stock('s1', 'A', 3);
    await world.stock('s1', 'B', -1);
    const first = await get('/api/integration/events?after=0&limit=2', erpKey);
    expect(first.status).toBe(200);
    expect(first.body.value.events).toHaveLength(2);
    expect(first.body.value.upToDate).toBe(false);
    const rest = await get(
      `/api/integration/events?after=${encodeURIComponent(first.body.value.cursor)}&limit=100`,
      erpKey,
    );
    expect(rest.body.value.upToDate).toBe(true);
    const all = [...first.body.value.events, ...rest.body.value.events];
    expect(all.map((event: { type: string }) => event.type)).toEqual([
      'stock.adjusted',
      'availability.changed',
      'stock.adjusted',
      'exception.raised',
      'availability.changed',
    ]);
    const filtered = await get('/api/integration/events?types=exception.*', erpKey);
    expect(filtered.body.value.events.map((event: { type: string }) => event.type)).toEqual([
      'exception.raised',
    ]);
    expect((await get('/api/integration/events', stockKey)).status).toBe(403);
    expect((await get('/api/integration/events')).status).toBe(401);
    const unknown = await get('/api/integration/events?types=order.placed,bogus', erpKey);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues[0].path).toBe('query.types');
  });

  it('publishes an exception an operator resolves', async () => {
    const open = await get('/api/integration/events?types=exception.raised', erpKey);
    const exceptionId = open.body.value.events[0].data.exceptionId as string;
    const resolved = await app.inject({
      method: 'POST',
      url: `/api/exceptions/${exceptionId}/resolve`,
      headers: { authorization: `Bearer ${operator}` },
      payload: { note: 'counted the shelf' },
    });
    expect(resolved.statusCode).toBe(200);
    const events = await get('/api/integration/events?types=exception.resolved', erpKey);
    expect(events.body.value.events).toHaveLength(1);
    expect(events.body.value.events[0].data).toMatchObject({
      exceptionId,
      status: 'resolved',
      resolutionNote: 'counted the shelf',
      resolvedBy: 'user:op',
    });
  });

  it('lists the catalog with a JSON Schema per type, and publishes it as AsyncAPI next to OpenAPI', async () => {
    const catalog = await get('/api/integration/catalog', erpKey);
    expect(catalog.body.value.map((entry: { type: string }) => entry.type)).toEqual(INTEGRATION_EVENT_TYPES);
    const sale = catalog.body.value.find((entry: { type: string }) => entry.type === 'sale.completed');
    expect(sale.schema.properties.data.properties.taxes.type).toBe('array');
    expect(sale.schema.properties.type.const).toBe('sale.completed');
    const asyncApi = await get('/api/asyncapi.json');
    expect(asyncApi.status).toBe(200);
    expect(asyncApi.body.asyncapi).toBe('3.0.0');
    expect(Object.keys(asyncApi.body.channels)).toHaveLength(INTEGRATION_EVENT_TYPES.length);
    const openApi = await get('/api/openapi.json');
    expect(openApi.body.paths['/api/integration/events'].get.security).toEqual([
      { session: ['viewer'] },
      { apiKey: ['integration:read'] },
    ]);
  });

  it('serves the journal of a store day as JSON and as a CSV download, refusing a malformed date', async () => {
    // The stock changes above carry no money: an empty journal for the day, still served.
    const day = new Date(world.clock.now).toISOString().slice(0, 10);
    const json = await get(`/api/integration/journal?nodeId=s1&businessDate=${day}`, erpKey);
    expect(json.status).toBe(200);
    expect(json.body.value).toEqual({
      nodeId: 's1',
      nodeCode: 'S1',
      businessDate: day,
      journals: [],
      publishedRevision: 0,
      pending: false,
    });
    const csv = await app.inject({
      method: 'GET',
      url: `/api/integration/journal/csv?nodeId=s1&businessDate=${day}`,
      headers: { authorization: `Bearer ${erpKey}` },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="journal-S1-${day}.csv"`);
    expect(csv.body.split('\r\n')[0]).toMatch(/^store,business_date,currency,revision,section,item/);
    const bad = await get('/api/integration/journal/csv?nodeId=s1&businessDate=23.11.2026', erpKey);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe('query.businessDate');
    expect((await get(`/api/integration/journal?nodeId=s1&businessDate=${day}`, stockKey)).status).toBe(403);
  });
});
