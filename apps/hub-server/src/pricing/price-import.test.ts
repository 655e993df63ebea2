import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { createUser } from '../auth/users';
import { importCatalog } from '../catalog/catalog-import';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';
import { getPriceBook, listVersions, priceEntryAtVersion, savePriceBook } from './pricing-store';

const HEADER = 'price_book_id,sku,price,tiers';
const SPRING_STARTS_AT = Date.UTC(2027, 2, 1);
const PASSWORD = 'correct horse battery staple';

function csv(lines: string[], header = HEADER): Readable {
  return Readable.from([`${header}\n`, ...lines.map((line) => `${line}\n`)]);
}

describe.each(backendKinds())('catalog/catalog-import of prices on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  const tokens = { operator: '', viewer: '' };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A', 'B', 'C'] });
    const book = { currency: 'USD', scope: { type: 'chain' as const }, taxInclusive: false };
    await savePriceBook(hub, 'pb-chain', { book: { ...book, name: 'Chain', priority: 0 } }, 'hq');
    await savePriceBook(
      hub,
      'pb-spring',
      { book: { ...book, name: 'Spring', priority: 10, startsAt: SPRING_STARTS_AT } },
      'hq',
    );
    ({ app } = await buildApp({ hub }));
    for (const role of ['operator', 'viewer'] as const) {
      await createUser(hub, { username: `${role}-user`, password: PASSWORD, role });
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: `${role}-user`, password: PASSWORD },
      });
      tokens[role] = login.json().value.token as string;
    }
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function bookVersion(priceBookId: string): Promise<number> {
    return (await getPriceBook(storage.db, priceBookId, { limit: 1 })).book.version;
  }

  describe('importCatalog with records: prices', () => {
    it('sets prices and tiers, one new version per book, kept in history and published ahead of the start', async () => {
      const report = await importCatalog(
        hub,
        csv(['pb-spring,A,8.50,', 'pb-spring,B,3.33,6=2.99|12=2.49', 'pb-chain,A,10.00,']),
        { format: 'csv', actor: 'hq', records: 'prices' },
      );
      expect(report).toMatchObject({
        status: 'completed',
        rowsRead: 3,
        errorCount: 0,
        summary: { price: 3 },
      });
      expect(await bookVersion('pb-spring')).toBe(2);
      expect(await bookVersion('pb-chain')).toBe(2);
      expect(await priceEntryAtVersion(storage.db, 'pb-spring', 'B', 2)).toEqual({
        priceBookId: 'pb-spring',
        sku: 'B',
        tiers: [
          { minQty: 1, unitPrice: 333 },
          { minQty: 6, unitPrice: 299 },
          { minQty: 12, unitPrice: 249 },
        ],
      });
      expect(await priceEntryAtVersion(storage.db, 'pb-spring', 'B', 1)).toBeUndefined();
      expect((await listVersions(storage.db, 'price_book', 'pb-spring')).map((v) => v.version)).toEqual([
        2, 1,
      ]);
      const published = await storage.db
        .selectFrom('feed_changes')
        .select(['entity', 'entity_key', 'data'])
        .where('entity_key', 'in', ['pb-spring', 'pb-spring:A', 'pb-spring:B'])
        .orderBy('hub_seq', 'desc')
        .execute();
      const latestBook = published.find((row) => row.entity === 'price_book');
      expect(JSON.parse(latestBook?.data ?? '{}')).toMatchObject({ version: 2, startsAt: SPRING_STARTS_AT });
      expect(
        published
          .filter((row) => row.entity === 'price')
          .map((row) => row.entity_key)
          .sort(),
      ).toEqual(['pb-spring:A', 'pb-spring:B']);
    });

    it('keeps the earlier version of a price when a later import changes it', async () => {
      await importCatalog(hub, csv(['pb-spring,A,7.99,']), { format: 'csv', actor: 'hq', records: 'prices' });
      expect(await bookVersion('pb-spring')).toBe(3);
      expect((await priceEntryAtVersion(storage.db, 'pb-spring', 'A', 2))?.tiers).toEqual([
        { minQty: 1, unitPrice: 850 },
      ]);
      expect((await priceEntryAtVersion(storage.db, 'pb-spring', 'A', 3))?.tiers).toEqual([
        { minQty: 1, unitPrice: 799 },
      ]);
      // B was not in this import: version 3 still has the price it had from version 2.
      expect((await priceEntryAtVersion(storage.db, 'pb-spring', 'B', 3))?.tiers).toHaveLength(3);
    });

    it('reports every unreadable row by line and changes nothing', async () => {
      const report = await importCatalog(
        hub,
        csv([
          'pb-spring,C,1.00,',
          'pb-spring,A,abc,',
          'pb-spring,B,3.00,6:2.00',
          'pb-spring,C,1.10,',
          'bad id!,A,1,',
        ]),
        { format: 'csv', actor: 'hq', records: 'prices' },
      );
      expect(report.status).toBe('failed');
      expect(report.errors.map((error) => error.line)).toEqual([3, 4, 5, 6]);
      expect(report.errors[0]?.message).toMatch(/decimal amount like 2.49/);
      expect(report.errors[1]?.message).toMatch(/quantity=price/);
      expect(report.errors[2]?.message).toMatch(/already appears on line 2/);
      expect(await bookVersion('pb-spring')).toBe(3);
      expect(await priceEntryAtVersion(storage.db, 'pb-spring', 'C', 99)).toBeUndefined();
    });

    it('reports unknown books, unknown SKUs and rising tiers by line and rolls the whole file back', async () => {
      const report = await importCatalog(
        hub,
        csv(['pb-spring,C,1.00,', 'pb-nowhere,A,1.00,', 'pb-spring,ZZZ,1.00,', 'pb-chain,B,3.00,6=3.50']),
        { format: 'csv', actor: 'hq', records: 'prices' },
      );
      expect(report.status).toBe('failed');
      expect(report.errors).toEqual([
        {
          line: 3,
          column: 'price_book_id',
          message: 'Price book pb-nowhere does not exist; create it first.',
        },
        { line: 4, column: 'sku', message: 'SKU ZZZ does not exist.' },
        { line: 5, column: 'price', message: expect.stringMatching(/from quantity 6 costs more per unit/) },
      ]);
      expect(await bookVersion('pb-spring')).toBe(3);
      expect(await bookVersion('pb-chain')).toBe(2);
      expect(await priceEntryAtVersion(storage.db, 'pb-spring', 'C', 99)).toBeUndefined();
    });

    it('refuses a header with catalog columns and says which columns a price file has', async () => {
      const report = await importCatalog(
        hub,
        csv(['A,P-A,Item,each,standard'], 'sku,product_id,name,unit,tax_category'),
        {
          format: 'csv',
          actor: 'hq',
          records: 'prices',
        },
      );
      expect(report.status).toBe('failed');
      expect(report.errors[0]).toEqual({
        line: 1,
        message: expect.stringMatching(
          /lacks price_book_id, price.*Columns are: price_book_id, sku, price, tiers/,
        ),
      });
    });

    it('takes JSON price records and refuses other record types in a price import', async () => {
      const good = JSON.stringify([
        { type: 'price', priceBookId: 'pb-chain', sku: 'C', tiers: [{ minQty: 1, unitPrice: 120 }] },
      ]);
      const report = await importCatalog(hub, Readable.from([good]), {
        format: 'json',
        actor: 'hq',
        records: 'prices',
      });
      expect(report).toMatchObject({ status: 'completed', summary: { price: 1 } });
      expect((await priceEntryAtVersion(storage.db, 'pb-chain', 'C', 3))?.tiers).toEqual([
        { minQty: 1, unitPrice: 120 },
      ]);
      const mixed = JSON.stringify([{ type: 'product', productId: 'P-Z', name: 'Z' }]);
      const refused = await importCatalog(hub, Readable.from([mixed]), {
        format: 'json',
        actor: 'hq',
        records: 'prices',
      });
      expect(refused.errors[0]?.message).toMatch(/only records with "type": "price"/);
    });
  });

  describe('POST /api/price-books/import', () => {
    const upload = (body: string, token: string) =>
      app.inject({
        method: 'POST',
        url: '/api/price-books/import',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        payload: body,
      });

    it('imports a CSV upload and answers with the report', async () => {
      const response = await upload(`${HEADER}\npb-spring,C,1.25,\n`, tokens.operator);
      expect(response.statusCode).toBe(200);
      expect(response.json().value).toMatchObject({ status: 'completed', summary: { price: 1 } });
      expect(await bookVersion('pb-spring')).toBe(4);
    });

    it('answers 400 with the line-numbered report for a wrong row, and 403 for a viewer', async () => {
      const response = await upload(`${HEADER}\npb-spring,C,1.30,\npb-spring,A,-1,\n`, tokens.operator);
      expect(response.statusCode).toBe(400);
      const error = response.json().error;
      expect(error.message).toMatch(/No price was changed: 1 problem\(s\), first on line 3/);
      expect(error.details.report.errors).toEqual([
        { line: 3, column: 'price', message: expect.stringMatching(/decimal/) },
      ]);
      expect(await bookVersion('pb-spring')).toBe(4);
      expect((await upload(`${HEADER}\n`, tokens.viewer)).statusCode).toBe(403);
    });
  });
});
