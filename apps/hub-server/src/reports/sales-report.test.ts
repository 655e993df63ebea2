import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, enrollTestDevice, nodeInput, saleOf, seedWorld } from '../test-support/fixtures';
import { createNode } from '../nodes/nodes';

describe.each(backendKinds())('reports/sales-report on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let viewer: string;

  async function sell(nodeId: string, completedAt: string, lines: { sku: string; qty: number }[]) {
    const device = await enrollTestDevice(hub, nodeId);
    const principal = { deviceId: device.deviceId, storeId: device.storeId };
    const events = new EventFactory(principal);
    const sale = {
      ...saleOf(lines, { staffId: `staff-${nodeId}` }),
      shiftId: `shift-${device.deviceId}`,
      completedAt,
    };
    const ack = await pushEvents(hub, principal, {
      ...principal,
      events: [events.next('sale.completed', sale)],
    });
    expect(ack.results[0]!.status).toBe('accepted');
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    await createNode(hub, nodeInput('s2', { timezone: 'Pacific/Auckland' }));
    await createUser(hub, { username: 'viewer-user', password: 'correct horse battery', role: 'viewer' });
    viewer = (await login(hub, { username: 'viewer-user', password: 'correct horse battery' })).token;
    ({ app } = await buildApp({ hub, sync: { socket: false } }));
    await sell('s1', '2026-11-23T10:00:00.000Z', [{ sku: 'A', qty: 2 }]);
    await sell('s1', '2026-11-23T23:30:00.000Z', [{ sku: 'A', qty: 1 }]);
    // 2026-11-23 14:00 UTC is already 24 November in Auckland: it belongs to that store's next day.
    await sell('s2', '2026-11-23T14:00:00.000Z', [{ sku: 'A', qty: 5 }]);
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  const get = (url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${viewer}` } });

  it('sums sales per store and local day, and exports the same rows as CSV', async () => {
    const response = await get('/api/reports/sales?from=2026-11-23&to=2026-11-24');
    expect(response.statusCode).toBe(200);
    const rows = (response.json() as { value: Record<string, unknown>[] }).value;
    expect(rows).toEqual([
      expect.objectContaining({ nodeId: 's1', date: '2026-11-23', sales: 2, salesTotal: 300, netTotal: 300 }),
      expect.objectContaining({ nodeId: 's2', date: '2026-11-24', sales: 1, salesTotal: 500, returns: 0 }),
    ]);
    const oneDay = (await get('/api/reports/sales?from=2026-11-23&to=2026-11-23&nodeId=s2')).json() as {
      value: unknown[];
    };
    expect(oneDay.value).toEqual([]);

    const csv = await get('/api/reports/sales/csv?from=2026-11-23&to=2026-11-24');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n').filter((line) => line !== '')).toEqual([
      'date,node_code,currency,sales,sales_minor,voids,voids_minor,returns,refunds_minor,net_minor',
      expect.stringMatching(/^2026-11-23,[^,]+,USD,2,300,0,0,0,0,300$/),
      expect.stringMatching(/^2026-11-24,[^,]+,USD,1,500,0,0,0,0,500$/),
    ]);
  });

  it('refuses a range backwards or longer than a quarter', async () => {
    expect((await get('/api/reports/sales?from=2026-11-24&to=2026-11-23')).statusCode).toBe(400);
    const long = await get('/api/reports/sales?from=2026-01-01&to=2026-12-31');
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('at most 92 days');
  });
});
