import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { money, refundStoredValue } from '@retail/domain';
import { buildApp } from '../api/app';
import { createUser } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';
import { appendStoredValueEntries, lockStoredValueAccount } from './ledger-store';
import { captureStoredValue, issueStoredCredit } from './loyalty-service';

const PASSWORD = 'correct horse battery';
const START = Date.UTC(2026, 10, 2, 9);

describe.each(backendKinds())('stored-value-report on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let clock = START;
  let token = '';
  const ids: Record<string, string> = {};

  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, body: response.body, headers: response.headers };
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  const json = async (url: string) => JSON.parse((await get(url)).body) as { ok: boolean; value: any };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => clock);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
    await createUser(hub, { username: 'viewer-user', password: PASSWORD, role: 'viewer' });
    ({ app } = await buildApp({ hub }));
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'viewer-user', password: PASSWORD },
    });
    token = (login.json() as { value: { token: string } }).value.token;
    // Three cards issued a minute apart at two stores, and a store credit slip for a customer.
    for (const [name, number, nodeId, cardKind] of [
      ['first', '6001000011112222', 's1', 'gift_card'],
      ['second', '6001000033334444', 's2', 'gift_card'],
      ['credit', '7001000055556666', 's1', 'store_credit'],
    ] as const) {
      clock += 60_000;
      ids[name] = await inHubTransaction(hub, (tx) =>
        issueStoredCredit(tx, {
          number,
          issueId: `issue-${name}`,
          amount: 5_000,
          currency: 'USD',
          kind: cardKind,
          nodeId,
          deviceId: `${nodeId}-till`,
          sourceDoc: `R-${name}`,
          ...(cardKind === 'store_credit' ? { customerId: 'cust-9' } : {}),
        }),
      );
    }
    // The first card pays 12.00 at store s2 (offline, so no hold), then 2.00 of it is refunded.
    clock += 60_000;
    await inHubTransaction(hub, async (tx) => {
      const locked = (await lockStoredValueAccount(tx, ids.first!))!;
      await captureStoredValue(
        tx,
        locked,
        { tenderId: 'tender-1', amount: 1_200 },
        { saleId: 'S-77', occurredAt: clock, eventId: 'event-77', nodeId: 's2', deviceId: 's2-till' },
      );
    });
    clock += 60_000;
    await inHubTransaction(hub, async (tx) => {
      const locked = (await lockStoredValueAccount(tx, ids.first!))!;
      const entries = refundStoredValue(
        locked.account,
        locked.entries,
        {
          refundId: 'refund-1',
          holdId: 'tender-1',
          amount: money(200, 'USD'),
          sourceDoc: 'RT-78',
          originNode: 's1',
          deviceId: 's1-till',
        },
        clock,
      );
      await appendStoredValueEntries(tx, locked, entries, { nodeId: 's1' });
    });
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  describe('GET /api/loyalty/stored-value', () => {
    it('lists accounts newest first with balance, status and issuing store, a page at a time', async () => {
      const first = await json('/api/loyalty/stored-value?limit=2');
      expect(first.value.accounts.map((account: { accountId: string }) => account.accountId)).toEqual([
        ids.credit,
        ids.second,
      ]);
      expect(first.value.nextCursor).toEqual(expect.any(String));
      const next = await json(
        `/api/loyalty/stored-value?limit=2&cursor=${encodeURIComponent(first.value.nextCursor)}`,
      );
      expect(next.value).toEqual({
        accounts: [
          {
            accountId: ids.first,
            kind: 'gift_card',
            status: 'active',
            maskedNumber: expect.stringContaining('2222'),
            customerId: null,
            currency: 'USD',
            available: 4_000,
            held: 0,
            issuedAt: START + 60_000,
            issuedAtNode: 's1',
            lastMovementAt: START + 5 * 60_000,
          },
        ],
        nextCursor: null,
      });
    });

    it('finds an account by last digits, full number, customer, kind and issuing store', async () => {
      const found = async (query: string) =>
        (await json(`/api/loyalty/stored-value?${query}`)).value.accounts.map(
          (account: { accountId: string }) => account.accountId,
        );
      expect(await found('q=4444')).toEqual([ids.second]);
      expect(await found('q=6001000011112222')).toEqual([ids.first]);
      expect(await found('q=cust-9')).toEqual([ids.credit]);
      expect(await found(`q=${ids.second}`)).toEqual([ids.second]);
      expect(await found('kind=gift_card&nodeId=s1')).toEqual([ids.first]);
      expect(await found('q=9999')).toEqual([]);
      expect((await get('/api/loyalty/stored-value?cursor=nonsense')).status).toBe(400);
    });

    it('exports the search as CSV', async () => {
      const csv = await get('/api/loyalty/stored-value/csv?kind=gift_card');
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe(
        'account_id,kind,status,masked_number,customer_id,currency,available,held,issued_at,issued_at_node,last_movement_at',
      );
      expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([ids.second, ids.first]);
      expect(lines[2]).toContain(`,USD,4000,0,${new Date(START + 60_000).toISOString()},s1,`);
    });
  });

  describe('GET /api/loyalty/stored-value/:accountId/ledger', () => {
    it('pages the ledger newest first with store, till and receipt of each movement', async () => {
      const page = await json(`/api/loyalty/stored-value/${ids.first}/ledger?limit=2`);
      expect(page.value.account).toMatchObject({ accountId: ids.first, available: 4_000 });
      expect(
        page.value.entries.map((entry: Record<string, unknown>) => [
          entry.movement,
          entry.amount,
          entry.storeId,
          entry.deviceId,
          entry.receipt,
        ]),
      ).toEqual([
        ['refund', 200, 's1', 's1-till', 'RT-78'],
        ['redemption', -1_200, 's2', 's2-till', 'S-77'],
      ]);
      const rest = await json(
        `/api/loyalty/stored-value/${ids.first}/ledger?limit=2&cursor=${encodeURIComponent(page.value.nextCursor)}`,
      );
      const movements = rest.value.entries.map((entry: { movement: string }) => entry.movement);
      expect(movements.at(-1)).toBe('load');
      expect(rest.value.entries.at(-1)).toMatchObject({
        amount: 5_000,
        storeId: 's1',
        receipt: 'R-first',
        occurredAt: START + 60_000,
      });
      expect(rest.value.nextCursor).toBeNull();
    });

    it('answers 404 for an account nobody has, and the points route keeps answering sv- ids', async () => {
      const missing = await get('/api/loyalty/stored-value/sv-nobody/ledger');
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.body)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const whole = await json(`/api/loyalty/accounts/${ids.first}`);
      expect(whole.value).toMatchObject({ kind: 'stored_value', account: { accountId: ids.first } });
    });

    it('exports the whole ledger as CSV', async () => {
      const csv = await get(`/api/loyalty/stored-value/${ids.first}/ledger/csv`);
      expect(csv.status).toBe(200);
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe(
        'occurred_at,movement,type,amount,currency,store_id,device_id,receipt,hold_id,reason,entry_id,event_id,recorded_at',
      );
      expect(lines.length).toBeGreaterThanOrEqual(4);
      expect(lines[1]).toContain(',refund,REFUND,200,USD,s1,s1-till,RT-78,tender-1,');
      expect(lines.at(-1)).toContain(',load,ISSUE,5000,USD,s1,s1-till,R-first,');
    });
  });
});
