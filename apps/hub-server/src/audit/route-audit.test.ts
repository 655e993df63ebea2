import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../auth/users';
import { buildApp } from '../api/app';
import type { RouteRegistry } from '../api/route';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, seedWorld } from '../test-support/fixtures';
import { listAudit } from './hq-audit';
import { auditActionOf, auditSubjectOf, redactSecrets } from './route-audit';

describe('route-audit', () => {
  describe('auditActionOf', () => {
    it('names the operation noun first with its verb', () => {
      expect(auditActionOf('POST', '/api/api-keys')).toBe('api-keys.create');
      expect(auditActionOf('DELETE', '/api/api-keys/:keyId')).toBe('api-keys.delete');
      expect(auditActionOf('POST', '/api/devices/:deviceId/revoke')).toBe('devices.revoke');
      expect(auditActionOf('PUT', '/api/price-books/:priceBookId/prices')).toBe('price-books.prices.set');
      expect(auditActionOf('POST', '/api/nodes/:nodeId/enrollment-codes')).toBe('nodes.enrollment-codes');
      expect(auditActionOf('PATCH', '/api/nodes/:nodeId')).toBe('nodes.update');
    });
  });
  describe('auditSubjectOf', () => {
    it('takes the id from the path, else from what the creation answered', () => {
      expect(auditSubjectOf('/api/devices/:deviceId/revoke', { deviceId: 'd1' }, {})).toBe('devices:d1');
      expect(auditSubjectOf('/api/api-keys', undefined, { key: 'hk_x', apiKey: { keyId: 'k1' } })).toBe(
        'api-keys:k1',
      );
    });
  });
  describe('redactSecrets', () => {
    it('drops secrets at any depth and keeps the rest', () => {
      expect(
        redactSecrets({ name: 'erp', secret: 's'.repeat(20), nested: [{ pin: '1234', qty: 1 }] }),
      ).toEqual({
        name: 'erp',
        secret: '[redacted]',
        nested: [{ pin: '[redacted]', qty: 1 }],
      });
    });
  });
});

describe.each(backendKinds())('admin actions on the HQ audit log on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let routes: RouteRegistry;
  let token: string;

  const call = async (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return (response.json() as { value: Record<string, unknown> }).value;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    await createUser(hub, { username: 'boss', password: 'correct horse battery', role: 'admin' });
    ({ app, routes } = await buildApp({ hub, sync: { socket: false } }));
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'boss', password: 'correct horse battery' },
    });
    token = (login.json() as { value: { token: string } }).value.token;
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  it('gives every HQ write operation its own action name', () => {
    const writes = routes.routes.filter((route) => route.access.kind === 'hq' && route.method !== 'GET');
    const audited = writes.filter(
      (route) => route.audit === undefined || (route.audit !== 'in-handler' && !('skip' in route.audit)),
    );
    const actions = audited.map((route) =>
      typeof route.audit === 'object' && 'action' in route.audit && route.audit.action !== undefined
        ? route.audit.action
        : auditActionOf(route.method, route.url),
    );
    expect(actions.filter((action, index) => actions.indexOf(action) !== index)).toEqual([]);
    expect(writes.length).toBeGreaterThan(40);
  });

  it('records sign-in, keys, devices, nodes, stock and webhooks with the actor and no secret', async () => {
    const created = await call('POST', '/api/api-keys', { name: 'erp', scopes: ['catalog:read'] });
    const keyId = (created.apiKey as { keyId: string }).keyId;
    await call('DELETE', `/api/api-keys/${keyId}`);
    const node = await app.inject({
      method: 'GET',
      url: '/api/nodes/s1',
      headers: { authorization: `Bearer ${token}` },
    });
    const { version } = (node.json() as { value: { version: number } }).value;
    await call('PATCH', '/api/nodes/s1', { name: 'High Street', expectedVersion: version });
    await call('POST', '/api/nodes/s1/enrollment-codes', {});
    const device = await enrollTestDevice(hub, 's1');
    await call('POST', `/api/devices/${device.deviceId}/revoke`, {});
    await call('POST', '/api/adjustments', {
      nodeId: 's1',
      reason: 'found in back room',
      lines: [{ sku: 'A', bucket: 'sellable', delta: 2 }],
    });
    const subscription = await call('POST', '/api/integration/subscriptions', {
      name: 'erp',
      url: 'http://127.0.0.1:9/hook',
      secret: 'a-secret-of-sufficient-length',
    });

    const entries = await listAudit(storage.db, { actor: 'user:boss', limit: 100 });
    const byAction = new Map(entries.map((entry) => [entry.action, entry]));
    expect([...byAction.keys()].sort()).toEqual(
      [
        'session.sign-in',
        'api-keys.create',
        'api-keys.delete',
        'nodes.update',
        'nodes.enrollment-codes',
        'devices.revoke',
        'adjustments.create',
        'integration.subscriptions.create',
      ].sort(),
    );
    expect(byAction.get('api-keys.delete')?.subject).toBe(`api-keys:${keyId}`);
    expect(byAction.get('devices.revoke')?.subject).toBe(`devices:${device.deviceId}`);
    expect(byAction.get('nodes.update')?.after).toMatchObject({ body: { name: 'High Street' } });
    expect(byAction.get('adjustments.create')?.after).toMatchObject({
      nodeId: 's1',
      reason: 'found in back room',
      lines: [{ sku: 'A', delta: 2 }],
    });
    const stored = JSON.stringify(entries);
    expect(stored).not.toContain('a-secret-of-sufficient-length');
    expect(stored).not.toContain(String(created.key));
    expect(stored).not.toContain('correct horse battery');
    expect(byAction.get('integration.subscriptions.create')?.subject).toBe(
      `integration:${(subscription.subscription as { subscriptionId: string }).subscriptionId}`,
    );
  });

  it('records a refused sign-in and leaves no entry for a write that failed', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'boss', password: 'wrong one' },
    });
    const refused = await app.inject({
      method: 'PATCH',
      url: '/api/nodes/nowhere',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'x', expectedVersion: 1 },
    });
    expect(refused.statusCode).toBe(404);
    const entries = await listAudit(storage.db, { limit: 100 });
    expect(entries.filter((entry) => entry.action === 'session.sign-in-failed')).toHaveLength(1);
    expect(entries.filter((entry) => entry.subject === 'nodes:nowhere')).toEqual([]);
  });
});
