import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, seedWorld } from '../test-support/fixtures';
import { buildApp, metricsRefusal } from './app';

const PASSWORD = 'correct horse battery';
const ATTACKER = '203.0.113.7';
const OFFICE = '198.51.100.1';

describe.each(backendKinds())('api hardening on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let operatorToken: string;
  let deviceCredential: string;

  const send = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    options: { token?: string; payload?: string; from?: string } = {},
  ) => {
    const response = await app.inject({
      method,
      url,
      remoteAddress: options.from ?? '127.0.0.1',
      headers: {
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(options.payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.payload === undefined ? {} : { payload: options.payload }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };
  const signIn = (username: string, password: string, from: string) =>
    send('POST', '/api/auth/login', { payload: JSON.stringify({ username, password }), from });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    await createUser(hub, { username: 'admin', password: PASSWORD, role: 'admin' });
    await createUser(hub, { username: 'operator', password: PASSWORD, role: 'operator' });
    deviceCredential = (await enrollTestDevice(hub, 's1')).credential;
    ({ app } = await buildApp({
      hub,
      signInThrottle: { freeFailures: 3, firstDelayMs: 600_000, alertAfterFailures: 5 },
    }));
    operatorToken = (await signIn('operator', PASSWORD, '127.0.0.1')).body.value.token;
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  describe('authentication before the body', () => {
    it('refuses a caller without a credential before reading its body, however malformed or deep', async () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      for (const payload of ['{"nodeId": ', deep]) {
        for (const [method, url] of [
          ['POST', '/api/receipts'],
          ['POST', '/sync/push'],
          ['PUT', '/api/price-books/pb/prices'],
        ] as const) {
          // Parsing first would have answered 400 (malformed, or not an object).
          expect({ url, status: (await send(method, url, { payload })).status }).toEqual({
            url,
            status: 401,
          });
        }
        expect((await send('POST', '/api/receipts', { payload, token: 'hs_forged' })).status).toBe(401);
      }
    });

    it('refuses a deeply nested body from a signed-in caller, with a sentence, before parsing it', async () => {
      const deep = '{"nodeId":' + '['.repeat(5_000) + ']'.repeat(5_000) + '}';
      const answer = await send('POST', '/api/receipts', { token: operatorToken, payload: deep });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { maxDepth: 32 } });
      expect(answer.body.error.message).toMatch(/more than 32 levels deep/);
      const fine = await send('POST', '/api/receipts', {
        token: operatorToken,
        payload: JSON.stringify({ nodeId: 's1', reference: 'PO-1', lines: [{ sku: 'A', qty: 1 }] }),
      });
      expect(fine.status).toBe(201);
    });
  });

  describe('body limits per route', () => {
    const padded = (bytes: number) => JSON.stringify({ padding: 'x'.repeat(bytes) });

    it('takes only small bodies where anyone may call, ordinary ones for writes, large ones for pushes', async () => {
      expect((await send('POST', '/api/auth/login', { payload: padded(20_000) })).status).toBe(413);
      expect((await send('POST', '/sync/enroll', { payload: padded(20_000) })).body.error.code).toBe(
        'PAYLOAD_TOO_LARGE',
      );
      expect((await send('POST', '/api/nothing-here', { payload: padded(20_000) })).status).toBe(413);
      const twoMegabytes = padded(2 * 1024 * 1024);
      expect(
        (await send('POST', '/api/receipts', { token: operatorToken, payload: twoMegabytes })).status,
      ).toBe(413);
      // Read and validated: the push schema, not the size, refuses it.
      expect(
        (await send('POST', '/sync/push', { token: deviceCredential, payload: twoMegabytes })).status,
      ).toBe(400);
      const doc = (await send('GET', '/api/openapi.json')).body;
      expect(doc.paths['/api/auth/login'].post['x-body-limit-bytes']).toBe(16 * 1024);
      expect(doc.paths['/sync/push'].post['x-body-limit-bytes']).toBe(16 * 1024 * 1024);
    });
  });

  describe('metrics', () => {
    it('asks for the metrics token when one is set, and serves it with the token', async () => {
      const token = 'metrics-token-0123456789';
      const { app: guarded } = await buildApp({ hub, metricsToken: token, sync: { socket: false } });
      try {
        const scrape = (authorization?: string) =>
          guarded.inject({
            method: 'GET',
            url: '/metrics',
            headers: authorization === undefined ? {} : { authorization },
          });
        expect((await scrape()).statusCode).toBe(401);
        expect((await scrape(`Bearer ${operatorToken}`)).statusCode).toBe(401);
        const served = await scrape(`Bearer ${token}`);
        expect(served.statusCode).toBe(200);
        expect(served.body).toContain('# TYPE hub_feed_rows gauge');
      } finally {
        await guarded.close();
      }
    });
  });

  describe('sign-in throttling', () => {
    it('slows the guesser’s (account, address) pair only: the real admin signs in from elsewhere', async () => {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 6; attempt += 1) {
        statuses.push((await signIn('admin', `guess-${attempt}`, ATTACKER)).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      const refused = await signIn('admin', PASSWORD, ATTACKER);
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(/from this address/);
      const real = await signIn('admin', PASSWORD, OFFICE);
      expect(real.status).toBe(200);
      expect(real.body.value.user.username).toBe('admin');
    });

    it('raises one exception for HQ per guessed account as failures add up, none for made-up names', async () => {
      for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
        for (let attempt = 0; attempt < 3; attempt += 1) await signIn('operator', 'wrong password', address);
        for (let attempt = 0; attempt < 3; attempt += 1) await signIn('nobody', 'wrong password', address);
      }
      const adminToken = (await signIn('admin', PASSWORD, OFFICE)).body.value.token as string;
      const raised = await send('GET', '/api/exceptions?type=SIGN_IN_FAILURES', { token: adminToken });
      expect(raised.status).toBe(200);
      const exceptions = raised.body.value as { details: Record<string, unknown>; occurrences: number }[];
      // admin: 4 failures + 2 throttled attempts that never reached a password check, below 5.
      expect(exceptions.map((exception) => exception.details.username)).toEqual(['operator']);
      expect(exceptions[0]!.details).toMatchObject({ failures: 5, addresses: ['192.0.2.1', '192.0.2.2'] });
    });
  });
});

describe('api/app metricsRefusal', () => {
  const at = (address: string) => ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: 8080 });

  it('serves metrics without a token only on loopback, and otherwise only to the token', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect(metricsRefusal(at(address), undefined, undefined)).toBeNull();
    }
    expect(metricsRefusal(null, undefined, undefined)).toBeNull();
    for (const address of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.20']) {
      expect(metricsRefusal(at(address), undefined, undefined)).toMatchObject({ code: 'FORBIDDEN' });
    }
    const token = 'metrics-token-0123456789';
    expect(metricsRefusal(at('0.0.0.0'), token, token)).toBeNull();
    expect(metricsRefusal(at('127.0.0.1'), token, undefined)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(metricsRefusal(at('0.0.0.0'), token, `${token}x`)).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
