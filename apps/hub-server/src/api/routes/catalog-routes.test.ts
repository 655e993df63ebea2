import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../auth/users';
import { createHubContext, type HubContext } from '../../hub-context';
import type { Storage } from '../../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import { seedWorld } from '../../test-support/fixtures';
import { buildApp } from '../app';

const PASSWORD = 'correct horse battery';
const EAN = '4006381333931';
const UPC_A = '036000291452';

const item = (overrides: Record<string, unknown> = {}) => ({
  expectedVersion: null,
  productId: 'P-YOG',
  name: 'Greek yoghurt 500 g',
  unit: 'each',
  taxCategory: 'food',
  categoryId: 'dairy',
  barcodes: [EAN],
  active: true,
  ...overrides,
});

describe.each(backendKinds())('catalog item routes on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  const tokens = { operator: '', viewer: '' };

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, token: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };
  const auditOf = (subject: string) =>
    storage.db
      .selectFrom('hq_audit')
      .select(['action', 'actor', 'before', 'after'])
      .where('subject', '=', subject)
      .orderBy('audit_id')
      .execute();

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A', 'B'] });
    await createUser(hub, { username: 'operator-user', password: PASSWORD, role: 'operator' });
    await createUser(hub, { username: 'viewer-user', password: PASSWORD, role: 'viewer' });
    ({ app } = await buildApp({ hub }));
    for (const role of ['operator', 'viewer'] as const) {
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: `${role}-user`, password: PASSWORD },
      });
      tokens[role] = (login.json() as { value: { token: string } }).value.token;
    }
    await call('PUT', '/api/catalog/categories/food', tokens.operator, { categoryId: 'food', name: 'Food' });
    await call('PUT', '/api/catalog/categories/dairy', tokens.operator, {
      categoryId: 'dairy',
      name: 'Dairy',
      parentId: 'food',
    });
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  describe('PUT /api/catalog/items/:sku', () => {
    it('creates an item with its product and lineage, audited and sent to the stores', async () => {
      const created = await call('PUT', '/api/catalog/items/YOG-500', tokens.operator, item());
      expect(created).toMatchObject({
        status: 200,
        body: {
          value: {
            version: 1,
            categoryId: 'dairy',
            sku: { sku: 'YOG-500', productId: 'P-YOG', categoryIds: ['dairy', 'food'], barcodes: [EAN] },
          },
        },
      });
      const product = await storage.db
        .selectFrom('products')
        .select('data')
        .where('product_id', '=', 'P-YOG')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(product.data)).toEqual({
        productId: 'P-YOG',
        name: 'Greek yoghurt 500 g',
        categoryId: 'dairy',
      });
      const fed = await storage.db
        .selectFrom('feed_changes')
        .select(['data', 'scope'])
        .where('entity', '=', 'sku')
        .where('entity_key', '=', 'YOG-500')
        .execute();
      expect(fed.map((row) => ({ scope: row.scope, name: JSON.parse(row.data!).name }))).toEqual([
        { scope: '*', name: 'Greek yoghurt 500 g' },
      ]);
      expect(await auditOf('sku:YOG-500')).toMatchObject([
        { action: 'catalog.item.create', actor: 'user:operator-user', before: null },
      ]);
    });

    it('changes an item at the version the operator saw and refuses a stale version with 409', async () => {
      const edited = await call(
        'PUT',
        '/api/catalog/items/YOG-500',
        tokens.operator,
        item({ expectedVersion: 1, name: 'Greek yoghurt 450 g', taxCategory: 'reduced', active: false }),
      );
      expect(edited).toMatchObject({
        status: 200,
        body: {
          value: { version: 2, sku: { name: 'Greek yoghurt 450 g', taxCategory: 'reduced', active: false } },
        },
      });
      const stale = await call(
        'PUT',
        '/api/catalog/items/YOG-500',
        tokens.operator,
        item({ expectedVersion: 1, name: 'Someone else' }),
      );
      expect(stale).toMatchObject({
        status: 409,
        body: {
          ok: false,
          error: { code: 'CONFLICT', details: { sku: 'YOG-500', expectedVersion: 1, currentVersion: 2 } },
        },
      });
      expect(stale.body.error.message).toContain('reload');
      const again = await call('PUT', '/api/catalog/items/YOG-500', tokens.operator, item());
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
      const current = await call('GET', '/api/catalog/items/YOG-500', tokens.viewer);
      expect(current.body.value).toMatchObject({ version: 2, sku: { name: 'Greek yoghurt 450 g' } });
      const audit = await auditOf('sku:YOG-500');
      expect(audit.map((entry) => entry.action)).toEqual(['catalog.item.create', 'catalog.item.update']);
      expect(JSON.parse(audit[1]!.before!)).toMatchObject({ name: 'Greek yoghurt 500 g', version: 1 });
      expect(JSON.parse(audit[1]!.after!)).toMatchObject({ name: 'Greek yoghurt 450 g', version: 2 });
    });

    it('counts a write through the import or the SKU API as a new version', async () => {
      await call(
        'PUT',
        '/api/catalog/items/A',
        tokens.operator,
        item({ expectedVersion: 1, productId: 'P-A', barcodes: [] }),
      );
      const before = await call('GET', '/api/catalog/items/A', tokens.viewer);
      expect(before.body.value.version).toBe(2);
      const csv = 'sku,product_id,name,unit,tax_category\nA,P-A,Item A renamed,each,food\n';
      const imported = await app.inject({
        method: 'POST',
        url: '/api/catalog/import',
        headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'text/csv' },
        payload: csv,
      });
      expect(imported.statusCode).toBe(200);
      const stale = await call(
        'PUT',
        '/api/catalog/items/A',
        tokens.operator,
        item({ expectedVersion: 2, productId: 'P-A', barcodes: [] }),
      );
      expect(stale).toMatchObject({ status: 409, body: { error: { details: { currentVersion: 3 } } } });
    });

    it('refuses bad input with a code and the field, writing nothing', async () => {
      const badBarcode = await call(
        'PUT',
        '/api/catalog/items/NEW-1',
        tokens.operator,
        item({ productId: 'P-NEW', barcodes: ['4006381333932'] }),
      );
      expect(badBarcode).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
      expect(JSON.stringify(badBarcode.body.error.details)).toContain('body.barcodes.0');
      const unknownCategory = await call(
        'PUT',
        '/api/catalog/items/NEW-1',
        tokens.operator,
        item({ productId: 'P-NEW', barcodes: [], categoryId: 'toys' }),
      );
      expect(unknownCategory).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
      const takenBarcode = await call(
        'PUT',
        '/api/catalog/items/NEW-1',
        tokens.operator,
        item({ productId: 'P-NEW', barcodes: [EAN] }),
      );
      expect(takenBarcode).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
      expect(takenBarcode.body.error.message).toContain('YOG-500');
      const missingName = await call('PUT', '/api/catalog/items/NEW-1', tokens.operator, item({ name: ' ' }));
      expect(missingName).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
      expect((await call('GET', '/api/catalog/items/NEW-1', tokens.viewer)).status).toBe(404);
      const products = await storage.db
        .selectFrom('products')
        .select('product_id')
        .where('product_id', '=', 'P-NEW')
        .execute();
      expect(products).toEqual([]);
      expect(await auditOf('sku:NEW-1')).toEqual([]);
    });

    it('lets only an operator change items', async () => {
      const refused = await call('PUT', '/api/catalog/items/NEW-2', tokens.viewer, item({ barcodes: [] }));
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    });
  });

  describe('GET /api/catalog/items', () => {
    it('finds items by part of the name, the start of the SKU or any spelling of a barcode', async () => {
      await call(
        'PUT',
        '/api/catalog/items/SODA-12',
        tokens.operator,
        item({ productId: 'P-SODA', name: 'Cola 100% can', barcodes: [UPC_A], categoryId: null }),
      );
      const skusOf = async (query: string) =>
        (
          (await call('GET', `/api/catalog/items?${query}`, tokens.viewer)).body.value.items as {
            sku: { sku: string };
          }[]
        ).map((found) => found.sku.sku);
      expect(await skusOf('q=YOGHURT')).toEqual(['YOG-500']);
      expect(await skusOf('q=sod')).toEqual(['SODA-12']);
      expect(await skusOf(`q=0${UPC_A}`)).toEqual(['SODA-12']);
      // % is a character to find, not a wildcard.
      expect(await skusOf('q=100%25')).toEqual(['SODA-12']);
      expect(await skusOf('q=%25')).toEqual(['SODA-12']);
      expect(await skusOf('status=inactive')).toEqual(['YOG-500']);
    });

    it('pages by SKU with a cursor', async () => {
      const first = await call('GET', '/api/catalog/items?limit=2', tokens.viewer);
      expect(first.body.value.items.map((found: { sku: { sku: string } }) => found.sku.sku)).toEqual([
        'A',
        'B',
      ]);
      expect(first.body.value.nextCursor).toBe('B');
      const second = await call('GET', '/api/catalog/items?limit=2&after=B', tokens.viewer);
      expect(second.body.value.items.map((found: { sku: { sku: string } }) => found.sku.sku)).toEqual([
        'SODA-12',
        'YOG-500',
      ]);
      expect(second.body.value.nextCursor).toBeNull();
    });

    it('offers the categories with their paths and the tax classes of the tax rates', async () => {
      await call('PUT', '/api/tax-rates/vat-food', tokens.operator, {
        rateId: 'vat-food',
        name: 'VAT food',
        jurisdictionId: 'de',
        taxCategory: 'food',
        percent: 7,
      });
      const options = await call('GET', '/api/catalog/options', tokens.viewer);
      expect(options.body.value).toEqual({
        categories: [
          { categoryId: 'food', name: 'Food', path: ['Food'] },
          { categoryId: 'dairy', name: 'Dairy', path: ['Food', 'Dairy'] },
        ],
        taxCategories: ['food'],
      });
    });
  });

  describe('GET /api/catalog/imports/:importId/errors.csv', () => {
    it('lists the rejected rows by line and column as CSV', async () => {
      const csv = [
        'sku,product_id,name,unit,tax_category,barcodes',
        'C1,P-C1,Crackers,each,food,',
        'C2,P-C2,Cheese,box,food,',
        'C3,P-C3,"Chips, salted",each,food,4006381333932',
      ].join('\n');
      const imported = await app.inject({
        method: 'POST',
        url: '/api/catalog/import?importId=0193a0b4-0000-7000-8000-000000000001',
        headers: { authorization: `Bearer ${tokens.operator}`, 'content-type': 'text/csv' },
        payload: csv,
      });
      expect(imported.statusCode).toBe(400);
      const report = await app.inject({
        method: 'GET',
        url: '/api/catalog/imports/0193a0b4-0000-7000-8000-000000000001/errors.csv',
        headers: { authorization: `Bearer ${tokens.viewer}` },
      });
      expect(report.headers['content-type']).toContain('text/csv');
      const lines = report.body.trim().split('\r\n');
      expect(lines[0]).toBe('line,column,reason');
      expect(lines[1]).toMatch(/^3,unit,/);
      expect(lines[2]).toMatch(/^4,barcodes,/);
      expect((await call('GET', '/api/catalog/items/C1', tokens.viewer)).status).toBe(404);
    });
  });
});
