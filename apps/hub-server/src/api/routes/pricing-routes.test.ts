import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../auth/users';
import { listAudit } from '../../audit/hq-audit';
import { readFeed } from '../../feed/feed-store';
import { createHubContext, type HubContext } from '../../hub-context';
import { createNode } from '../../nodes/nodes';
import type { PriceBookPreview } from '../../pricing/price-book-preview';
import type { PromotionPreview } from '../../pricing/promotion-preview';
import type { Storage } from '../../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import { nodeInput, seedWorld } from '../../test-support/fixtures';
import { buildApp } from '../app';

const NOW = Date.UTC(2026, 11, 6, 18, 0);

const chainBook = {
  name: 'Chain prices',
  currency: 'USD',
  scope: { type: 'chain' as const },
  priority: 0,
  taxInclusive: true,
};
const storeBook = {
  name: 'Store 1 from Monday',
  currency: 'USD',
  scope: { type: 'store' as const, storeId: 's1' },
  priority: 5,
  taxInclusive: true,
  startsAt: NOW + 60_000,
};
const single = (unitPrice: number) => [{ minQty: 1, unitPrice }];

describe.each(backendKinds())('pricing routes on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let token: string;

  const send = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const value = <T>(response: { statusCode: number; body: string; json(): unknown }): T => {
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { value: T }).value;
  };
  const error = (response: { json(): unknown }) =>
    (response.json() as { error: { code: string; message: string; details?: { version?: number } } }).error;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => NOW);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
    await createNode(hub, nodeInput('s3', { region: 'south', currency: 'EUR' }));
    await createUser(hub, { username: 'ana', password: 'correct horse battery', role: 'operator' });
    ({ app } = await buildApp({ hub, sync: { socket: false } }));
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'ana', password: 'correct horse battery' },
    });
    token = (login.json() as { value: { token: string } }).value.token;
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  describe('POST /api/price-books/:id/publish and /preview', () => {
    it('creates a book with its prices as one version, audited, and on the stores’ feed', async () => {
      const book = value<{ version: number }>(
        await send('POST', '/api/price-books/pb-chain/publish', {
          book: chainBook,
          entries: [
            { sku: 'A', tiers: single(250) },
            { sku: 'B', tiers: single(400) },
          ],
        }),
      );
      expect(book.version).toBe(1);
      const page = value<{ entries: { sku: string }[] }>(await send('GET', '/api/price-books/pb-chain'));
      expect(page.entries.map((entry) => entry.sku)).toEqual(['A', 'B']);
      const [audit] = await listAudit(storage.db, { action: 'price-books.publish', limit: 10 });
      expect(audit).toMatchObject({ actor: 'user:ana', subject: 'price-books:pb-chain' });
      expect(audit?.after).toMatchObject({ body: { entries: [{ sku: 'A' }, { sku: 'B' }] } });
      const feed = await readFeed(storage.db, 's1', 0, 1000);
      expect(feed.changes.filter((change) => change.entity === 'price').map((change) => change.key)).toEqual([
        'pb-chain:A',
        'pb-chain:B',
      ]);
    });

    it('previews a scheduled store price as old → new per store at its start, writing nothing', async () => {
      const preview = value<PriceBookPreview>(
        await send('POST', '/api/price-books/pb-s1/preview', {
          book: storeBook,
          entries: [{ sku: 'A', tiers: single(199) }],
        }),
      );
      expect(preview).toMatchObject({ version: 1, currentVersion: 0, effectiveAt: NOW + 60_000 });
      expect(preview.stores.map((store) => store.nodeId)).toEqual(['s1']);
      expect(preview.prices).toEqual([
        expect.objectContaining({
          sku: 'A',
          name: 'Item A',
          nodeId: 's1',
          before: 250,
          after: 199,
          beforeBookId: 'pb-chain',
          afterBookId: 'pb-s1',
        }),
      ]);
      expect((await send('GET', '/api/price-books/pb-s1')).statusCode).toBe(404);
      expect(await listAudit(storage.db, { subject: 'price-books:pb-s1', limit: 10 })).toEqual([]);
    });

    it('names every store that gets a chain change and counts those where another book wins', async () => {
      value(
        await send('POST', '/api/price-books/pb-s1/publish', {
          book: storeBook,
          entries: [{ sku: 'A', tiers: single(199) }],
        }),
      );
      const preview = value<PriceBookPreview>(
        await send('POST', '/api/price-books/pb-chain/preview', {
          book: chainBook,
          expectedVersion: 1,
          entries: [{ sku: 'A', tiers: single(260) }],
          remove: ['B'],
        }),
      );
      // At now s1's own book has not started, so s1 and s2 both change; s3 sells in EUR: no USD price.
      expect(preview.prices.map((row) => [row.sku, row.nodeId, row.before, row.after])).toEqual([
        ['A', 's1', 250, 260],
        ['A', 's2', 250, 260],
        ['B', 's1', 400, null],
        ['B', 's2', 400, null],
      ]);
      expect(preview.unchanged).toBe(2);
      expect(preview.stores.map((store) => store.nodeId)).toEqual(['s1', 's2', 's3']);
    });

    it('refuses a change based on a stale version with 409 CONFLICT and audits nothing', async () => {
      const seen = 1;
      value(
        await send('POST', '/api/price-books/pb-chain/publish', {
          book: { ...chainBook, name: 'Chain prices 2027' },
          expectedVersion: seen,
        }),
      );
      for (const url of ['/api/price-books/pb-chain/publish', '/api/price-books/pb-chain/preview']) {
        const stale = await send('POST', url, {
          book: chainBook,
          expectedVersion: seen,
          entries: [{ sku: 'A', tiers: single(1) }],
        });
        expect(stale.statusCode).toBe(409);
        expect(error(stale).code).toBe('CONFLICT');
        expect(error(stale).message).toContain('was changed meanwhile (now version 2)');
        expect(error(stale).details?.version).toBe(2);
      }
      const again = await send('POST', '/api/price-books/pb-chain/publish', { book: chainBook });
      expect(again.statusCode).toBe(409);
      const audits = await listAudit(storage.db, { subject: 'price-books:pb-chain', limit: 10 });
      expect(audits).toHaveLength(2);
      const page = value<{ entries: { sku: string; tiers: unknown }[] }>(
        await send('GET', '/api/price-books/pb-chain'),
      );
      expect(page.entries.find((entry) => entry.sku === 'A')?.tiers).toEqual(single(250));
    });

    it('refuses unknown SKUs, a SKU twice and a book that ends before it starts, with the field', async () => {
      const cases: [unknown, string][] = [
        [
          { book: storeBook, expectedVersion: 1, entries: [{ sku: 'Z', tiers: single(1) }] },
          'body.entries.0.sku',
        ],
        [
          {
            book: storeBook,
            expectedVersion: 1,
            entries: [
              { sku: 'A', tiers: single(1) },
              { sku: 'A', tiers: single(2) },
            ],
          },
          'body.entries.1.sku',
        ],
        [{ book: { ...storeBook, endsAt: storeBook.startsAt - 1 }, expectedVersion: 1 }, 'body.book.endsAt'],
      ];
      for (const [body, path] of cases) {
        const refused = await send('POST', '/api/price-books/pb-s1/publish', body);
        expect(refused.statusCode, refused.body).toBe(400);
        expect(error(refused)).toMatchObject({ code: 'INVALID_INPUT', details: { path } });
      }
    });
  });

  describe('POST /api/price-books/:id/preview of a book that moves', () => {
    it('re-prices every SKU of the book at the stores that get it and those that lose it', async () => {
      const preview = value<PriceBookPreview>(
        await send('POST', '/api/price-books/pb-s1/preview', {
          book: { ...storeBook, scope: { type: 'store', storeId: 's2' } },
          expectedVersion: 1,
        }),
      );
      expect(preview.changes).toEqual([
        { field: 'scope', before: { type: 'store', storeId: 's1' }, after: { type: 'store', storeId: 's2' } },
      ]);
      expect(preview.storesDropped.map((store) => store.nodeId)).toEqual(['s1']);
      expect(
        preview.prices.map((row) => [row.sku, row.nodeId, row.before, row.after, row.afterBookId]),
      ).toEqual([
        ['A', 's2', 250, 199, 'pb-s1'],
        ['A', 's1', 199, 250, 'pb-chain'],
      ]);
    });
  });

  describe('promotions of every kind', () => {
    it('previews and publishes a buy-X-get-Y with both targets named, and refuses a stale one', async () => {
      const promotion = {
        name: 'Buy 2 A get B free',
        priority: 1,
        stacking: 'stackable',
        scope: { type: 'region', regionId: 'north' },
        currency: 'USD',
        startsAt: NOW,
        endsAt: NOW + 86_400_000,
        rule: {
          type: 'buy_x_get_y',
          buy: { target: { skus: ['A'] }, qty: 2 },
          get: { target: { skus: ['B'] }, qty: 1, percentOff: 100 },
        },
      };
      const preview = value<PromotionPreview>(
        await send('POST', '/api/promotions/promo-bxgy/preview', { promotion }),
      );
      expect(preview.items).toEqual([
        { sku: 'A', name: 'Item A' },
        { sku: 'B', name: 'Item B' },
      ]);
      expect(preview.stores.map((store) => store.nodeId)).toEqual(['s1', 's2']);
      value(await send('PUT', '/api/promotions/promo-bxgy', { promotion }));
      value(await send('PUT', '/api/promotions/promo-bxgy', { promotion, expectedVersion: 1 }));
      const stale = await send('PUT', '/api/promotions/promo-bxgy', { promotion, expectedVersion: 1 });
      expect(stale.statusCode).toBe(409);
      expect(error(stale).code).toBe('CONFLICT');
      const audits = await listAudit(storage.db, { subject: 'promotions:promo-bxgy', limit: 10 });
      expect(audits.map((entry) => entry.action)).toEqual(['promotions.set', 'promotions.set']);
    });
  });
});
