import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { createUser, login } from '../../auth/users';
import { listAudit } from '../../audit/hq-audit';
import { backendKinds } from '../../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../../test-support/bopis-world';
import { receiptOf } from '../../test-support/fixtures';

/** Dashboard editing (issue 16 point 4): stock, devices, API keys and webhook endpoints. */
describe.each(backendKinds())('HQ editing routes on %s', (kind) => {
  let world: BopisWorld;
  let app: FastifyInstance;
  let admin: string;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  type Answer = { status: number; body: Record<string, any> };
  const call = async (method: string, url: string, payload?: unknown, token = admin): Promise<Answer> => {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: response.statusCode, body: response.json() };
  };
  const level = async (sku: string, nodeId: string) => {
    const answer = await call('GET', `/api/inventory?sku=${sku}&nodeId=${nodeId}`);
    return answer.body.value[0] as { sellable: number; damaged: number; incoming: number } | undefined;
  };
  const auditOf = (subject: string) => listAudit(world.storage.db, { subject, limit: 10 });

  beforeAll(async () => {
    world = await createBopisWorld(kind);
    ({ app } = await buildApp({ hub: world.hub, orders: { settings: TEST_SETTINGS } }));
    await createUser(world.hub, { username: 'boss', password: 'a long enough password', role: 'admin' });
    admin = (await login(world.hub, { username: 'boss', password: 'a long enough password' })).token;
  });

  afterAll(async () => {
    await app?.close();
    await world?.dispose();
  });

  describe('stock adjustments', () => {
    it('adjusts on the figure the operator saw, with an audit entry of before and after', async () => {
      await world.stock('s1', 'A', 10);
      const done = await call('POST', '/api/adjustments', {
        nodeId: 's1',
        reason: 'damaged in store',
        lines: [{ sku: 'A', bucket: 'damaged', delta: 2, expectedQty: 0 }],
      });
      expect(done.status).toBe(201);
      expect((await level('A', 's1'))?.damaged).toBe(2);
      const [entry] = await auditOf(`adjustments:${done.body.value.adjustmentId as string}`);
      expect(entry).toMatchObject({
        actor: 'user:boss',
        action: 'adjustments.create',
        before: { nodeId: 's1', lines: [{ sku: 'A', bucket: 'damaged', qty: 0 }] },
        after: { reason: 'damaged in store', lines: [{ sku: 'A', bucket: 'damaged', delta: 2, qty: 2 }] },
      });
    });

    it('refuses a stale figure with 409 STALE_STOCK and writes nothing', async () => {
      const before = await level('A', 's1');
      const auditBefore = await listAudit(world.storage.db, { action: 'adjustments.create', limit: 100 });
      const stale = await call('POST', '/api/adjustments', {
        nodeId: 's1',
        reason: 'found',
        lines: [{ sku: 'A', bucket: 'sellable', delta: 1, expectedQty: before!.sellable - 1 }],
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe('CONFLICT');
      expect(stale.body.error.details).toMatchObject({
        reason: 'STALE_STOCK',
        lines: [{ sku: 'A', bucket: 'sellable', expected: before!.sellable - 1, actual: before!.sellable }],
      });
      expect(await level('A', 's1')).toEqual(before);
      expect(await listAudit(world.storage.db, { action: 'adjustments.create', limit: 100 })).toHaveLength(
        auditBefore.length,
      );
    });
  });

  describe('transfers', () => {
    it('numbers an HQ transfer as the tills do, and the store receives it by that number', async () => {
      const first = await call('POST', '/api/transfers', {
        fromNodeId: 's1',
        toNodeId: 's2',
        lines: [{ sku: 'A', qty: 3, expectedSellable: 10 }],
      });
      expect(first.status).toBe(201);
      expect(first.body.value.transferId).toBe('T-S1-0-000001');
      expect((await level('A', 's1'))?.sellable).toBe(7);
      expect((await level('A', 's2'))?.incoming).toBe(3);
      const [entry] = await auditOf('transfers:T-S1-0-000001');
      expect(entry).toMatchObject({
        actor: 'user:boss',
        action: 'transfers.create',
        after: { fromNodeId: 's1', toNodeId: 's2', lines: [{ sku: 'A', shipped: 3, received: 0 }] },
      });

      const ack = await world.push('s2', [
        {
          type: 'stock.received',
          payload: receiptOf([{ sku: 'A', qty: 3 }], { type: 'transfer', reference: 'T-S1-0-000001' }),
        },
      ]);
      expect(ack.results.map((result) => result.status)).toEqual(['accepted']);
      const received = await call('GET', '/api/transfers?nodeId=s2');
      expect(received.body.value[0]).toMatchObject({ transferId: 'T-S1-0-000001', status: 'received' });
      expect(await level('A', 's2')).toMatchObject({ sellable: 3, incoming: 0 });

      const second = await call('POST', '/api/transfers', {
        fromNodeId: 's1',
        toNodeId: 's3',
        lines: [{ sku: 'A', qty: 1 }],
      });
      expect(second.body.value.transferId).toBe('T-S1-0-000002');
    });

    it('refuses a transfer decided on a stale sellable figure, keeping the number for the next one', async () => {
      const stale = await call('POST', '/api/transfers', {
        fromNodeId: 's1',
        toNodeId: 's2',
        lines: [{ sku: 'A', qty: 1, expectedSellable: 99 }],
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error.details.reason).toBe('STALE_STOCK');
      expect((await auditOf('transfers:T-S1-0-000003')).length).toBe(0);
      const next = await call('POST', '/api/transfers', {
        fromNodeId: 's1',
        toNodeId: 's2',
        lines: [{ sku: 'A', qty: 1 }],
      });
      expect(next.body.value.transferId).toBe('T-S1-0-000003');
    });
  });

  describe('devices', () => {
    it('renames a device on its version, audits it, and refuses a stale version with 409', async () => {
      const devices = await call('GET', '/api/devices?nodeId=s1');
      const device = devices.body.value[0] as { deviceId: string; name: string; version: number };
      expect(device.version).toBe(1);
      const renamed = await call('PATCH', `/api/devices/${device.deviceId}`, {
        name: 'Lane 1 by the door',
        expectedVersion: 1,
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.value).toMatchObject({ name: 'Lane 1 by the door', version: 2 });
      const [entry] = await auditOf(`devices:${device.deviceId}`);
      expect(entry).toMatchObject({
        action: 'devices.rename',
        actor: 'user:boss',
        before: { name: device.name, version: 1 },
        after: { name: 'Lane 1 by the door', version: 2 },
      });
      const stale = await call('PATCH', `/api/devices/${device.deviceId}`, {
        name: 'Other',
        expectedVersion: 1,
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error.details).toMatchObject({ reason: 'STALE_VERSION', version: 2 });
      expect((await call('GET', '/api/devices?nodeId=s1')).body.value[0].name).toBe('Lane 1 by the door');
    });
  });

  describe('API keys', () => {
    it('shows a new key once, audits creation and revocation, and a revoked key gets 401', async () => {
      const created = await call('POST', '/api/api-keys', { name: 'stock feed', scopes: ['inventory:read'] });
      expect(created.status).toBe(201);
      const key = created.body.value.key as string;
      const keyId = created.body.value.apiKey.keyId as string;
      expect((await call('GET', '/api/inventory?sku=A', undefined, key)).status).toBe(200);
      const listed = await call('GET', '/api/api-keys');
      expect(JSON.stringify(listed.body)).not.toContain(key.split('.')[1]);
      expect((await call('DELETE', `/api/api-keys/${keyId}`)).status).toBe(200);
      expect((await call('GET', '/api/inventory?sku=A', undefined, key)).status).toBe(401);
      const entries = await listAudit(world.storage.db, { action: 'api-keys.', limit: 10 });
      expect(entries.map((entry) => entry.action).sort()).toEqual(['api-keys.create', 'api-keys.delete']);
      expect(JSON.stringify(entries)).not.toContain(key.split('.')[1]);
    });

    it('changes a key’s scopes in place: the same key is checked against the new scopes at its next call', async () => {
      const created = await call('POST', '/api/api-keys', { name: 'erp', scopes: ['inventory:read'] });
      const key = created.body.value.key as string;
      const keyId = created.body.value.apiKey.keyId as string;
      expect((await call('GET', '/api/inventory?sku=A', undefined, key)).status).toBe(200);
      expect((await call('GET', '/api/integration/events', undefined, key)).status).toBe(403);

      const changed = await call('PATCH', `/api/api-keys/${keyId}`, {
        name: 'erp (events)',
        scopes: ['integration:read'],
      });
      expect(changed.status).toBe(200);
      expect(changed.body.value).toMatchObject({ keyId, name: 'erp (events)', scopes: ['integration:read'] });
      expect((await call('GET', '/api/integration/events', undefined, key)).status).toBe(200);
      expect((await call('GET', '/api/inventory?sku=A', undefined, key)).status).toBe(403);

      const [entry] = await listAudit(world.storage.db, { action: 'api-keys.update', limit: 10 });
      expect(entry).toMatchObject({
        subject: `api-key:${keyId}`,
        before: { name: 'erp', scopes: ['inventory:read'] },
        after: { name: 'erp (events)', scopes: ['integration:read'] },
      });
      const nothing = await call('PATCH', `/api/api-keys/${keyId}`, {});
      expect(nothing.status).toBe(400);
      expect(nothing.body.error).toMatchObject({
        code: 'INVALID_INPUT',
        key: 'hub.auth.apiKeyNothingToChange',
      });
      expect((await call('PATCH', `/api/api-keys/${keyId}`, { scopes: [] })).status).toBe(400);
      expect((await call('PATCH', `/api/api-keys/${keyId}`, { scopes: ['everything'] })).status).toBe(400);

      // A revoked key cannot be given scopes back.
      expect((await call('DELETE', `/api/api-keys/${keyId}`)).status).toBe(200);
      const revoked = await call('PATCH', `/api/api-keys/${keyId}`, { scopes: ['inventory:read'] });
      expect(revoked.status).toBe(404);
      expect((await call('GET', '/api/integration/events', undefined, key)).status).toBe(401);
    });
  });

  describe('webhook endpoints', () => {
    it('edits, disables and rotates the secret on the version seen; stale versions are 409', async () => {
      const created = await call('POST', '/api/integration/subscriptions', {
        name: 'ERP',
        url: 'http://127.0.0.1:9/erp',
        types: ['order.*'],
      });
      expect(created.status).toBe(201);
      const id = created.body.value.subscription.subscriptionId as string;
      const firstSecret = created.body.value.secret as string;
      expect(created.body.value.subscription.version).toBe(1);

      const edited = await call('PATCH', `/api/integration/subscriptions/${id}`, {
        url: 'http://127.0.0.1:9/erp/v2',
        types: ['order.*', 'stock.*'],
        status: 'paused',
        expectedVersion: 1,
      });
      expect(edited.status).toBe(200);
      expect(edited.body.value).toMatchObject({
        url: 'http://127.0.0.1:9/erp/v2',
        types: ['order.*', 'stock.*'],
        status: 'paused',
        version: 2,
        pending: 0,
        deadLetters: 0,
      });
      const stale = await call('PATCH', `/api/integration/subscriptions/${id}`, {
        name: 'x',
        expectedVersion: 1,
      });
      expect(stale.status).toBe(409);
      expect(stale.body.error.details).toMatchObject({ reason: 'STALE_VERSION', version: 2 });

      const rotated = await call('POST', `/api/integration/subscriptions/${id}/rotate-secret`, {
        expectedVersion: 2,
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.value.secret).not.toBe(firstSecret);
      expect(rotated.body.value.subscription.version).toBe(3);
      const row = await world.storage.db
        .selectFrom('integration_subscriptions')
        .select('secret')
        .where('subscription_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.secret).toBe(rotated.body.value.secret);
      expect(
        (await call('POST', `/api/integration/subscriptions/${id}/rotate-secret`, { expectedVersion: 2 }))
          .status,
      ).toBe(409);

      const entries = await auditOf(`integration:${id}`);
      expect(entries.map((entry) => entry.action)).toEqual([
        'integration.subscriptions.rotate-secret',
        'integration.subscriptions.update',
        'integration.subscriptions.create',
      ]);
      expect(entries[1]).toMatchObject({
        before: { url: 'http://127.0.0.1:9/erp', status: 'active', version: 1 },
        after: { url: 'http://127.0.0.1:9/erp/v2', status: 'paused', version: 2 },
      });
      expect(JSON.stringify(entries)).not.toContain(rotated.body.value.secret);
    });
  });
});
