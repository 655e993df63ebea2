import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { adjustment, EventFactory, movement, saleOf, seedWorld } from '../test-support/fixtures';
import { buildApp, createLogger } from './app';

const PASSWORD = 'correct horse battery';

describe.each(backendKinds())('api/app on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  const logLines: string[] = [];
  const tokens: Record<'admin' | 'operator' | 'viewer', string> = { admin: '', operator: '', viewer: '' };

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.headers ?? {}),
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
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      await createUser(hub, { username: `${role}-user`, password: PASSWORD, role });
    }
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    });
    ({ app } = await buildApp({
      hub,
      logger,
      signInThrottle: { freeFailures: 3, firstDelayMs: 600_000 },
    }));
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const login = await call('POST', '/api/auth/login', {
        body: { username: `${role}-user`, password: PASSWORD },
      });
      expect(login.status).toBe(200);
      tokens[role] = login.body.value.token;
    }
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function enroll(nodeId: string) {
    const code = await call('POST', `/api/nodes/${nodeId}/enrollment-codes`, {
      token: tokens.operator,
      body: {},
    });
    expect(code.status).toBe(201);
    const enrolled = await call('POST', '/sync/enroll', {
      body: { code: code.body.value.code, deviceName: 'Lane 1' },
    });
    expect(enrolled.status).toBe(201);
    return enrolled.body.value as { deviceId: string; storeId: string; credential: string; deviceNo: number };
  }

  describe('auth', () => {
    it('refuses a wrong password with 401 and a sentence', async () => {
      const response = await call('POST', '/api/auth/login', {
        body: { username: 'viewer-user', password: 'nope' },
      });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        ok: false,
        error: {
          code: 'UNAUTHORIZED',
          message: 'The user name or password is wrong.',
          key: 'hub.auth.userNameOrPasswordWrong',
          params: {},
        },
      });
    });

    it('throttles repeated sign-in attempts with 429 and Retry-After', async () => {
      let last = 0;
      for (let attempt = 0; attempt < 12 && last !== 429; attempt += 1) {
        last = (await call('POST', '/api/auth/login', { body: { username: 'guessed', password: 'x' } }))
          .status;
      }
      const response = await call('POST', '/api/auth/login', {
        body: { username: 'guessed', password: 'x' },
      });
      expect(response.status).toBe(429);
      expect(response.body.error.code).toBe('RATE_LIMITED');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('answers 401 without a credential and 403 for a role that is too low', async () => {
      expect((await call('GET', '/api/nodes')).status).toBe(401);
      const forbidden = await call('POST', '/api/nodes', {
        token: tokens.viewer,
        body: { code: 'X1', name: 'x', kind: 'store', region: 'r', jurisdiction: 'j', currency: 'USD' },
      });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.message).toMatch(/needs the admin role; you are viewer/);
    });

    it('ends the session on logout', async () => {
      const login = await call('POST', '/api/auth/login', {
        body: { username: 'viewer-user', password: PASSWORD },
      });
      const token = login.body.value.token as string;
      expect((await call('GET', '/api/auth/me', { token })).body.value.username).toBe('viewer-user');
      expect((await call('POST', '/api/auth/logout', { token })).status).toBe(200);
      expect((await call('GET', '/api/auth/me', { token })).status).toBe(401);
    });
  });

  describe('nodes', () => {
    it('creates a node, refuses a duplicate code with 409 and a bad body with field paths', async () => {
      const body = {
        nodeId: 'n9',
        code: 'N9',
        name: 'Nine',
        kind: 'store',
        region: 'west',
        jurisdiction: 'US-CA',
        currency: 'USD',
      };
      const created = await call('POST', '/api/nodes', { token: tokens.admin, body });
      expect(created.status).toBe(201);
      expect(created.body.value).toMatchObject({
        nodeId: 'n9',
        version: 1,
        pickupEnabled: false,
        active: true,
      });
      expect(
        (await call('POST', '/api/nodes', { token: tokens.admin, body: { ...body, nodeId: 'n10' } })).status,
      ).toBe(409);
      const bad = await call('POST', '/api/nodes', {
        token: tokens.admin,
        body: { ...body, code: 'bad code', latitude: 200 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([
        'body.code',
        'body.latitude',
      ]);
      const stale = await call('PATCH', '/api/nodes/n9', {
        token: tokens.admin,
        body: { name: 'Nine!', expectedVersion: 7 },
      });
      expect(stale.status).toBe(409);
      const updated = await call('PATCH', '/api/nodes/n9', {
        token: tokens.admin,
        body: { name: 'Nine!', expectedVersion: 1 },
      });
      expect(updated.body.value).toMatchObject({ name: 'Nine!', version: 2 });
      expect((await call('GET', '/api/nodes/nope', { token: tokens.viewer })).status).toBe(404);
    });
  });

  describe('sync over HTTP', () => {
    it('enrolls once per code, pushes, pulls and snapshots with the device credential', async () => {
      const code = await call('POST', '/api/nodes/s1/enrollment-codes', {
        token: tokens.operator,
        body: { ttlMinutes: 5 },
      });
      const first = await call('POST', '/sync/enroll', {
        body: { code: code.body.value.code.toLowerCase() },
      });
      expect(first.status).toBe(201);
      const reused = await call('POST', '/sync/enroll', { body: { code: code.body.value.code } });
      expect(reused.status).toBe(401);
      expect(reused.body.error.message).toMatch(/already used or expired/);

      const device = first.body.value as { deviceId: string; storeId: string; credential: string };
      const events = new EventFactory({ deviceId: device.deviceId, storeId: device.storeId });
      const batch = [
        events.next('stock.adjusted', adjustment(movement('A', 9))),
        events.next('sale.completed', saleOf([{ sku: 'A', qty: 2 }])),
      ];
      const push = await call('POST', '/sync/push', {
        token: device.credential,
        body: { deviceId: device.deviceId, storeId: device.storeId, events: batch, outbox: { pending: 2 } },
      });
      expect(push.status).toBe(200);
      expect(push.body.value).toMatchObject({
        lastSeq: 2,
        results: [{ status: 'accepted' }, { status: 'accepted' }],
      });

      const pull = await call('GET', '/sync/pull?cursor=0&limit=500', { token: device.credential });
      expect(pull.status).toBe(200);
      expect(pull.body.value).toMatchObject({ lastSeq: 2, mustRefetch: false, upToDate: true });
      const level = pull.body.value.changes.find((c: { key: string }) => c.key === 's1:A');
      expect(level.data).toMatchObject({ sellable: 7, deviceSeqs: { [device.deviceId]: 2 } });
      const viaPost = await call('POST', '/sync/pull', {
        token: device.credential,
        body: { cursor: pull.body.value.cursor },
      });
      expect(viaPost.body.value).toMatchObject({ changes: [], upToDate: true });
      const otherEpoch = await call('GET', '/sync/pull?cursor=3&epoch=old-epoch', {
        token: device.credential,
      });
      expect(otherEpoch.body.value).toMatchObject({ mustRefetch: true, cursor: 0 });

      const keys: string[] = [];
      let query = 'limit=3';
      for (let page = 0; page < 100; page += 1) {
        const snapshot = await call('GET', `/sync/snapshot?${query}`, { token: device.credential });
        expect(snapshot.status).toBe(200);
        const value = snapshot.body.value as {
          changes: { key: string }[];
          after: number;
          upTo: number;
          done: boolean;
        };
        keys.push(...value.changes.map((c) => c.key));
        if (value.done) break;
        query = `limit=3&upTo=${value.upTo}&after=${value.after}`;
      }
      expect(keys).toContain('s1:A');
      expect(keys).not.toContain('s2:A');

      const devices = await call('GET', '/api/devices?nodeId=s1', { token: tokens.viewer });
      expect(
        devices.body.value.find((d: { deviceId: string }) => d.deviceId === device.deviceId),
      ).toMatchObject({
        lastSeq: 2,
        outboxPending: 2,
        revoked: false,
      });
    });

    it('refuses pushes for another store (403), bad bodies (400) and unknown credentials (401)', async () => {
      const device = await enroll('s2');
      const events = new EventFactory({ deviceId: device.deviceId, storeId: 's1' });
      const forged = await call('POST', '/sync/push', {
        token: device.credential,
        body: {
          deviceId: device.deviceId,
          storeId: 's1',
          events: [events.next('stock.adjusted', adjustment(movement('A', 1)))],
        },
      });
      expect(forged.status).toBe(403);
      const bad = await call('POST', '/sync/push', {
        token: device.credential,
        body: { deviceId: device.deviceId, storeId: 's2', events: [{ deviceSeq: 0 }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.issues[0].path).toMatch(/^body\.events\.0\./);
      expect((await call('GET', '/sync/pull?cursor=0', { token: `${device.credential}x` })).status).toBe(401);
      expect((await call('GET', '/sync/pull?cursor=0', { token: tokens.admin })).status).toBe(403);
      await call('POST', `/api/devices/${device.deviceId}/revoke`, { token: tokens.admin });
      expect((await call('GET', '/sync/pull?cursor=0', { token: device.credential })).status).toBe(401);
    });
  });

  describe('reservations for e-commerce', () => {
    it('lets an API key with the scope reserve, idempotently, and refuses a key without it', async () => {
      const device = await enroll('s2');
      const events = new EventFactory({ deviceId: device.deviceId, storeId: 's2' });
      await call('POST', '/sync/push', {
        token: device.credential,
        body: {
          deviceId: device.deviceId,
          storeId: 's2',
          events: [events.next('stock.adjusted', adjustment(movement('B', 3)))],
        },
      });
      const key = await call('POST', '/api/api-keys', {
        token: tokens.admin,
        body: { name: 'shop', scopes: ['reservations:write'] },
      });
      expect(key.status).toBe(201);
      const readOnly = await call('POST', '/api/api-keys', {
        token: tokens.admin,
        body: { name: 'bi', scopes: ['inventory:read'] },
      });
      const request = { nodeId: 's2', sku: 'B', qty: 2, orderRef: 'web-1' };
      const headers = { 'idempotency-key': 'web-1-line-1' };
      const first = await call('POST', '/api/reservations', {
        token: key.body.value.key,
        body: request,
        headers,
      });
      const again = await call('POST', '/api/reservations', {
        token: key.body.value.key,
        body: request,
        headers,
      });
      expect(first.status).toBe(201);
      expect(again.body.value.reservationId).toBe(first.body.value.reservationId);
      const tooMany = await call('POST', '/api/reservations', {
        token: key.body.value.key,
        body: { ...request, orderRef: 'web-2' },
      });
      expect(tooMany.status).toBe(409);
      expect(tooMany.body.error).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: { available: 1 } });
      expect(
        (await call('POST', '/api/reservations', { token: readOnly.body.value.key, body: request })).status,
      ).toBe(403);
      const inventory = await call('GET', '/api/inventory/B', { token: readOnly.body.value.key });
      expect(inventory.body.value.levels.find((l: { nodeId: string }) => l.nodeId === 's2')).toMatchObject({
        committed: 2,
        atp: 1,
      });
      await call('DELETE', `/api/api-keys/${key.body.value.apiKey.keyId}`, { token: tokens.admin });
      expect(
        (await call('POST', '/api/reservations', { token: key.body.value.key, body: request })).status,
      ).toBe(401);
    });
  });

  describe('exceptions', () => {
    it('lists open exceptions and resolves one once with a note', async () => {
      const device = await enroll('s1');
      const events = new EventFactory({ deviceId: device.deviceId, storeId: 's1' });
      await call('POST', '/sync/push', {
        token: device.credential,
        body: {
          deviceId: device.deviceId,
          storeId: 's1',
          events: [events.next('stock.adjusted', adjustment(movement('GHOST', 1)))],
        },
      });
      const open = await call('GET', '/api/exceptions?status=open&type=REJECTED_EVENT', {
        token: tokens.viewer,
      });
      const mine = open.body.value.find(
        (e: { details: { deviceId: string } }) => e.details.deviceId === device.deviceId,
      );
      expect(mine).toMatchObject({ severity: 'warning', status: 'open' });
      const resolved = await call('POST', `/api/exceptions/${mine.exceptionId}/resolve`, {
        token: tokens.operator,
        body: { note: 'SKU was discontinued; stock written off at the store.' },
      });
      expect(resolved.body.value).toMatchObject({ status: 'resolved', resolvedBy: 'user:operator-user' });
      const twice = await call('POST', `/api/exceptions/${mine.exceptionId}/resolve`, {
        token: tokens.operator,
        body: { note: 'again' },
      });
      expect(twice.status).toBe(409);
      expect(
        (
          await call('POST', `/api/exceptions/${mine.exceptionId}/resolve`, {
            token: tokens.viewer,
            body: { note: 'x y z' },
          })
        ).status,
      ).toBe(403);
    });
  });

  describe('warehouse operations', () => {
    it('receives at a warehouse, ships to a store and books a short arrival with a variance', async () => {
      await call('POST', '/api/nodes', {
        token: tokens.admin,
        body: {
          nodeId: 'wh1',
          code: 'WH1',
          name: 'Warehouse',
          kind: 'warehouse',
          region: 'north',
          jurisdiction: 'US-NY',
          currency: 'USD',
        },
      });
      expect(
        (
          await call('POST', '/api/receipts', {
            token: tokens.operator,
            body: { nodeId: 'wh1', reference: 'PO-7', lines: [{ sku: 'A', qty: 50 }] },
          })
        ).status,
      ).toBe(201);
      const transfer = await call('POST', '/api/transfers', {
        token: tokens.operator,
        body: { fromNodeId: 'wh1', toNodeId: 's2', lines: [{ sku: 'A', qty: 20 }] },
      });
      expect(transfer.status).toBe(201);
      const levels = await call('GET', '/api/inventory?sku=A', { token: tokens.viewer });
      const byNode = Object.fromEntries(levels.body.value.map((l: { nodeId: string }) => [l.nodeId, l]));
      expect(byNode.wh1).toMatchObject({ sellable: 30, incoming: 0 });
      expect(byNode.s2).toMatchObject({ incoming: 20 });
      const ledger = await call('GET', '/api/inventory/A/ledger?nodeId=wh1', { token: tokens.viewer });
      expect(ledger.body.value.map((m: { type: string }) => m.type)).toEqual(['TRANSFER_OUT', 'RECEIPT']);
      const check = await call('GET', '/api/inventory-check', { token: tokens.admin });
      expect(check.body.value).toEqual([]);
    });
  });

  describe('catalog import', () => {
    const header =
      'sku,product_id,name,unit,tax_category,barcodes,active,product_name,brand,category_id,price_book_id,price';
    const upload = (body: string, query = '', token = tokens.operator) =>
      app.inject({
        method: 'POST',
        url: `/api/catalog/import${query}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        payload: body,
      });

    it('imports a streamed CSV and reports progress under the id the client chose', async () => {
      const importId = '0190f3a0-7b1c-7cc0-8a00-00000000c501';
      const response = await upload(
        `${header}\nAPI-1,AP1,Api item,each,food,,true,,,,,\n`,
        `?importId=${importId}`,
      );
      expect(response.statusCode).toBe(200);
      expect(response.json().value).toMatchObject({ importId, status: 'completed', rowsRead: 1 });
      const job = await call('GET', `/api/catalog/imports/${importId}`, { token: tokens.viewer });
      expect(job.body.value).toMatchObject({ status: 'completed', rowsRead: 1, summary: { sku: 1 } });
      expect((await call('GET', '/api/catalog/skus/API-1', { token: tokens.viewer })).body.value.name).toBe(
        'Api item',
      );
    });

    it('answers 400 with the line-numbered report when a row is wrong, and 403 for a viewer', async () => {
      const response = await upload(
        `${header}\nAPI-2,AP2,Fine,each,food,,true,,,,,\nAPI-3,AP3,Bad,gallon,food,,true,,,,,\n`,
      );
      expect(response.statusCode).toBe(400);
      const error = response.json().error;
      expect(error.message).toMatch(/Nothing was imported: 1 problem\(s\), first on line 3/);
      expect(error.details.report.errors).toEqual([
        { line: 3, column: 'unit', message: expect.stringMatching(/unit/) },
      ]);
      expect((await call('GET', '/api/catalog/skus/API-2', { token: tokens.viewer })).status).toBe(404);
      expect((await upload(`${header}\n`, '', tokens.viewer)).statusCode).toBe(403);
    });
  });

  describe('operations endpoints', () => {
    it('serves health, readiness, metrics and an OpenAPI document covering every route', async () => {
      expect((await call('GET', '/healthz')).body).toEqual({ ok: true, value: { status: 'alive' } });
      expect((await call('GET', '/readyz')).body.value).toEqual({
        status: 'ready',
        database: kind,
        // Whether other hub processes' writes poke this one's tills yet (PostgreSQL LISTEN).
        feedNotifications: kind === 'sqlite' ? 'local' : expect.stringMatching(/^(connecting|listening)$/),
      });
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
      for (const name of [
        'hub_ingest_events_total',
        'hub_device_last_seq',
        'hub_exceptions_open',
        'hub_feed_rows',
      ]) {
        expect(metrics.body).toContain(`# TYPE ${name}`);
      }
      const doc = (await call('GET', '/api/openapi.json')).body;
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/sync/push', '/api/nodes/{nodeId}', '/api/reservations']),
      );
      expect(
        doc.paths['/sync/push'].post.requestBody.content['application/json'].schema.properties.events
          .maxItems,
      ).toBe(500);
    });

    it('echoes the correlation id, answers unknown routes with a 404 envelope and never logs secrets', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/api/nothing',
        headers: { 'x-correlation-id': 'trace-123' },
      });
      expect(response.statusCode).toBe(404);
      expect(response.headers['x-correlation-id']).toBe('trace-123');
      expect(response.json().error.code).toBe('NOT_FOUND');
      // A customer search by phone: the number stays out of the logs, the page size does not.
      await call('GET', '/api/loyalty/customers?query=%2B33612345678&limit=5', { token: tokens.viewer });
      const logs = logLines.join('');
      expect(logs).toContain('/api/loyalty/customers?query=[redacted]&limit=5');
      expect(logs).not.toContain('33612345678');
      expect(logs).toContain('"correlationId":"trace-123"');
      expect(logs).not.toContain(PASSWORD);
      expect(logs).not.toMatch(/dev_[0-9a-f-]{36}\./);
      expect(logs).not.toMatch(/hs_[A-Za-z0-9_-]{20}/);
    });
  });
});

describe('api/app limits', () => {
  it('answers 413 for an oversized body and 429 when a principal exceeds its rate', async () => {
    const database = await createTestDatabase('sqlite');
    const storage = await database.open();
    const hub = createHubContext(storage);
    await createUser(hub, { username: 'admin', password: PASSWORD, role: 'admin' });
    const { app } = await buildApp({
      hub,
      bodyLimits: { small: 2048 },
      importLimitBytes: 4096,
      rateLimit: { perSecond: 0.001, burst: 3 },
    });
    try {
      const big = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'admin', password: 'x'.repeat(5000) },
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
      const token = (
        await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'admin', password: PASSWORD },
        })
      ).json().value.token;
      const hugeImport = await app.inject({
        method: 'POST',
        url: '/api/catalog/import?format=csv',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        payload: 'sku,product_id,name,unit,tax_category\n' + 'X,P,N,each,food\n'.repeat(1000),
      });
      expect(hugeImport.statusCode).toBe(413);
      expect(hugeImport.json().error.message).toMatch(/split the file/);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        statuses.push(
          (
            await app.inject({
              method: 'GET',
              url: '/api/nodes',
              headers: { authorization: `Bearer ${token}` },
            })
          ).statusCode,
        );
      }
      expect(statuses).toEqual([200, 200, 429, 429, 429]);
    } finally {
      await app.close();
      await storage.close();
      await database.dispose();
    }
  });
});

describe('api/app close', () => {
  it('closes while a client holds a connection it never sent a request on', async () => {
    const database = await createTestDatabase('sqlite');
    const storage = await database.open();
    const { app } = await buildApp({ hub: createHubContext(storage), closeGraceMs: 50 });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      const silent = connect(address.port, '127.0.0.1');
      await new Promise<void>((done) => silent.once('connect', () => done()));
      const closedByHub = new Promise<void>((done) => silent.once('close', () => done()));
      // Without the grace this waits for Node's headers timeout (a minute), past the test's timeout.
      await app.close();
      await closedByHub;
      expect(silent.destroyed).toBe(true);
    } finally {
      await storage.close();
      await database.dispose();
    }
  }, 20_000);
});
