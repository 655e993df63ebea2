import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../auth/users';
import { createHubContext, type HubContext } from '../../hub-context';
import type { Storage } from '../../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import { enrollTestDevice, seedWorld } from '../../test-support/fixtures';
import { buildApp } from '../app';

const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;

const PROGRAMME = {
  programmeId: 'rewards',
  currency: 'USD',
  returnWindowDays: 30,
  pointsExpiryDays: 365,
  pointValue: { points: 100, value: { amount: 100, currency: 'USD' } },
  holdTtlMs: 300_000,
  offline: { maxSnapshotAgeMs: 2 * DAY, perTransactionCapPoints: 1_000, perDeviceDayCapPoints: 3_000 },
  tiers: [{ tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
};

describe.each(backendKinds())('loyalty routes on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  const tokens = { admin: '', viewer: '', device: '' };

  const call = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    token: string | undefined,
    body?: unknown,
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    await createUser(hub, { username: 'admin-user', password: PASSWORD, role: 'admin' });
    await createUser(hub, { username: 'viewer-user', password: PASSWORD, role: 'viewer' });
    ({ app } = await buildApp({ hub }));
    for (const role of ['admin', 'viewer'] as const) {
      const login = await call('POST', '/api/auth/login', undefined, {
        username: `${role}-user`,
        password: PASSWORD,
      });
      tokens[role] = login.body.value.token as string;
    }
    tokens.device = (await enrollTestDevice(hub, 's1')).credential;
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  describe('PUT /api/loyalty/programme', () => {
    it('takes a valid programme from an admin only, and refuses one whose points expire inside the window', async () => {
      expect((await call('PUT', '/api/loyalty/programme', tokens.viewer, PROGRAMME)).status).toBe(403);
      const bad = await call('PUT', '/api/loyalty/programme', tokens.admin, {
        ...PROGRAMME,
        pointsExpiryDays: 10,
      });
      expect(bad).toMatchObject({ status: 400, body: { ok: false, error: { code: 'INVALID_INPUT' } } });
      expect((await call('PUT', '/api/loyalty/programme', tokens.admin, PROGRAMME)).status).toBe(200);
      expect((await call('GET', '/api/loyalty/programme', tokens.viewer)).body.value).toMatchObject({
        programmeId: 'rewards',
      });
    });
  });

  describe('customers, adjustments and holds', () => {
    it('creates a member, credits points, and lets only enrolled tills find them and hold their points', async () => {
      const created = await call('POST', '/api/loyalty/customers', tokens.admin, {
        name: 'Eve',
        phone: '+1 555 010 9999',
        cardNumber: 'card-777001',
      });
      expect(created).toMatchObject({
        status: 201,
        body: {
          value: {
            customer: { phone: '+15550109999' },
            account: { cardNumber: 'CARD777001', tierName: 'Member' },
          },
        },
      });
      const accountId = created.body.value.account.accountId as string;
      const again = await call('POST', '/api/loyalty/customers', tokens.admin, {
        email: 'x@example.com',
        cardNumber: 'CARD777001',
      });
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
      expect(
        (
          await call('POST', `/api/loyalty/accounts/${accountId}/adjustments`, tokens.admin, {
            adjustmentId: 'welcome',
            points: 700,
            reason: 'Welcome',
          })
        ).body.value,
      ).toMatchObject({ available: 700 });

      expect(
        (await call('POST', '/sync/loyalty/customers/search', tokens.admin, { query: 'CARD777001' })).status,
      ).toBe(403);
      expect(
        (await call('POST', '/sync/loyalty/customers/search', undefined, { query: 'CARD777001' })).status,
      ).toBe(401);
      const found = await call('POST', '/sync/loyalty/customers/search', tokens.device, {
        query: 'card777001',
      });
      expect(found.body.value).toMatchObject({
        customers: [{ account: { accountId }, snapshot: { available: 700 } }],
        programme: { programmeId: 'rewards' },
      });
      const refused = await call('POST', '/sync/loyalty/holds', tokens.device, {
        kind: 'points',
        accountId,
        holdId: 'h-1',
        points: 701,
      });
      expect(refused).toMatchObject({ status: 422, body: { error: { code: 'INSUFFICIENT_BALANCE' } } });
      const held = await call('POST', '/sync/loyalty/holds', tokens.device, {
        kind: 'points',
        accountId,
        holdId: 'h-1',
        points: 500,
      });
      expect(held).toMatchObject({
        status: 201,
        body: { value: { holdId: 'h-1', loyalty: { snapshot: { available: 200, held: 500 } } } },
      });
      expect(
        (await call('POST', '/sync/loyalty/holds/release', tokens.device, { kind: 'points', holdId: 'h-1' }))
          .body.value,
      ).toEqual({
        holdId: 'h-1',
        released: true,
      });
      const account = await call('GET', `/api/loyalty/accounts/${accountId}`, tokens.viewer);
      expect(account.body.value.kind).toBe('points');
      expect(account.body.value.snapshot).toMatchObject({ available: 700, held: 0 });
      expect(account.body.value.entries.map((entry: { type: string }) => entry.type)).toEqual([
        'ADJUST',
        'REDEEM_HOLD',
        'REDEEM_RELEASE',
      ]);
    });
  });

  describe('POST /api/loyalty/gift-cards', () => {
    it('issues a gift card once per issue id that a till then finds by its number, never storing the number', async () => {
      await call('PUT', '/api/loyalty/stored-value-settings', tokens.admin, {
        currency: 'USD',
        holdTtlMs: 300_000,
        offline: {
          maxSnapshotAgeMs: DAY,
          perTransactionCap: { amount: 2_000, currency: 'USD' },
          perDeviceDayCap: { amount: 5_000, currency: 'USD' },
        },
      });
      const body = { number: 'GIFT-0000-9876', issueId: 'gc-sale-1', amount: 2_500, currency: 'USD' };
      expect((await call('POST', '/api/loyalty/gift-cards', tokens.admin, body)).status).toBe(201);
      expect(
        (await call('POST', '/api/loyalty/gift-cards', tokens.admin, body)).body.value.snapshot,
      ).toMatchObject({
        available: { amount: 2_500 },
      });
      const found = await call('POST', '/sync/loyalty/stored-value/lookup', tokens.device, {
        number: 'gift00009876',
      });
      expect(found.body.value).toMatchObject({
        account: { kind: 'gift_card', maskedNumber: '****9876' },
        snapshot: { available: { amount: 2_500 } },
        settings: { currency: 'USD' },
      });
      const stored = await storage.db.selectFrom('stored_value_accounts').selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain('GIFT00009876');
      expect(
        (await call('POST', '/sync/loyalty/stored-value/lookup', tokens.device, { number: 'GIFT-0000-0000' }))
          .status,
      ).toBe(404);
    });

    it('answers a gift card account id (sv-…) with its balance and ledger, and 404 for an id nobody has', async () => {
      const issued = await call('POST', '/api/loyalty/gift-cards', tokens.admin, {
        number: 'GIFT-0000-5555',
        issueId: 'gc-sale-2',
        amount: 1_200,
        currency: 'USD',
      });
      const accountId = issued.body.value.accountId as string;
      expect(accountId).toMatch(/^sv-/);
      const account = await call('GET', `/api/loyalty/accounts/${accountId}`, tokens.viewer);
      expect(account.status).toBe(200);
      expect(account.body.value).toMatchObject({
        kind: 'stored_value',
        account: { accountId, kind: 'gift_card', maskedNumber: '****5555' },
        snapshot: { available: { amount: 1_200 } },
      });
      expect(account.body.value.entries).toHaveLength(1);
      const missing = await call('GET', '/api/loyalty/accounts/sv-nobody', tokens.viewer);
      expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    });
  });
});
