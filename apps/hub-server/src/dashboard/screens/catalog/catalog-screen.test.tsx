// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { CatalogItem, ImportReport } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';
import { expectedRows } from './catalog-import-panel';

function item(sku: string, overrides: Partial<CatalogItem['sku']> = {}, version = 3): CatalogItem {
  return {
    sku: {
      sku,
      productId: `P-${sku}`,
      name: `Item ${sku}`,
      unit: 'each',
      taxCategory: 'standard',
      categoryIds: ['dairy', 'food'],
      barcodes: ['4006381333931'],
      active: true,
      ...overrides,
    },
    version,
    categoryId: 'dairy',
    updatedAt: NOW,
  };
}

function scriptCatalog(hub: FakeHub): void {
  hub.handle('GET /api/catalog/items', ({ query }) =>
    query.q === 'milk'
      ? { items: [item('MILK-1', { name: 'Milk 1 l' })], nextCursor: null }
      : { items: [item('A'), item('B', { active: false })], nextCursor: null },
  );
  hub.handle('GET /api/catalog/options', () => ({
    categories: [
      { categoryId: 'food', name: 'Food', path: ['Food'] },
      { categoryId: 'dairy', name: 'Dairy', path: ['Food', 'Dairy'] },
    ],
    taxCategories: ['reduced', 'standard'],
  }));
}

function report(overrides: Partial<ImportReport> = {}): ImportReport {
  return {
    importId: 'imp-1',
    format: 'csv',
    status: 'failed',
    dryRun: false,
    rowsRead: 3,
    rowsValid: 2,
    errorCount: 1,
    errors: [{ line: 3, column: 'unit', message: 'unit: Invalid option: expected one of "each"|"kg"' }],
    summary: {},
    startedAt: NOW,
    finishedAt: NOW,
    ...overrides,
  };
}

describe('catalog-screen', () => {
  describe('CatalogScreen', () => {
    it('lists and searches items and shows a viewer no editing or import', async () => {
      const { user, hub } = renderDashboard({ signedInAs: 'viewer', at: '/catalog', setup: scriptCatalog });
      const table = await screen.findByRole('table', { name: 'Catalog items' });
      const rowB = within(table).getByRole('row', { name: /^B/ });
      expect(rowB.textContent).toContain('Inactive');
      expect(within(table).getByRole('row', { name: /^A/ }).textContent).toContain('Food › Dairy');
      expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();
      expect(screen.queryByRole('button', { name: 'New item' })).toBeNull();
      expect(screen.queryByRole('form', { name: 'Import a CSV file' })).toBeNull();
      await user.type(screen.getByLabelText('Name, SKU or barcode'), 'milk');
      await user.click(screen.getByRole('button', { name: 'Search' }));
      expect(await screen.findByRole('row', { name: /MILK-1/ })).toBeTruthy();
      expect(
        hub.requests.filter((request) => request.path === '/api/catalog/items').at(-1)?.query,
      ).toMatchObject({
        q: 'milk',
        status: 'all',
      });
    });

    it('saves an edit at the version the operator saw', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/catalog',
        setup: (fake) => {
          scriptCatalog(fake);
          fake.handle('PUT /api/catalog/items/:sku', ({ params, body }) => ({
            ...item(params.sku!, { name: (body as { name: string }).name }),
            version: 4,
          }));
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Edit A' }));
      const form = screen.getByRole('form', { name: 'Edit A (version 3)' });
      const name = within(form).getByLabelText('Name');
      await user.clear(name);
      await user.type(name, 'Yoghurt 500 g');
      await user.selectOptions(within(form).getByLabelText('Category'), 'food');
      await user.clear(within(form).getByLabelText('Barcodes'));
      await user.type(within(form).getByLabelText('Barcodes'), '4006381333931, 036000291452');
      await user.click(within(form).getByLabelText('Active (sold at the tills)'));
      await user.click(within(form).getByRole('button', { name: 'Save item' }));
      expect(
        await screen.findByText('A saved (version 4); the stores receive it with their next sync.'),
      ).toBeTruthy();
      expect(hub.sent('PUT', '/api/catalog/items/A')).toEqual([
        {
          expectedVersion: 3,
          productId: 'P-A',
          name: 'Yoghurt 500 g',
          unit: 'each',
          taxCategory: 'standard',
          categoryId: 'food',
          barcodes: ['4006381333931', '036000291452'],
          active: false,
        },
      ]);
      expect(screen.queryByRole('form', { name: /Edit A/ })).toBeNull();
    });

    it('offers to reload an item someone else changed, then saves from the new version', async () => {
      let saves = 0;
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/catalog',
        setup: (fake) => {
          scriptCatalog(fake);
          fake.handle('GET /api/catalog/items/:sku', () => item('A', { name: 'Renamed by Bo' }, 5));
          fake.handle('PUT /api/catalog/items/:sku', () => {
            saves += 1;
            return saves === 1
              ? failure(
                  'CONFLICT',
                  'SKU A was changed by someone else (now version 5, you saw 3); reload it and make your change again.',
                )
              : item('A', { name: 'Mine' }, 6);
          });
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Edit A' }));
      const form = screen.getByRole('form', { name: 'Edit A (version 3)' });
      await user.clear(within(form).getByLabelText('Name'));
      await user.type(within(form).getByLabelText('Name'), 'Mine');
      await user.click(within(form).getByRole('button', { name: 'Save item' }));
      expect(await within(form).findByText(/now version 5, you saw 3/)).toBeTruthy();
      expect((within(form).getByRole('button', { name: 'Save item' }) as HTMLButtonElement).disabled).toBe(
        true,
      );
      await user.click(within(form).getByRole('button', { name: 'Reload the item' }));
      const reloaded = await screen.findByRole('form', { name: 'Edit A (version 5)' });
      expect((within(reloaded).getByLabelText('Name') as HTMLInputElement).value).toBe('Renamed by Bo');
      await user.clear(within(reloaded).getByLabelText('Name'));
      await user.type(within(reloaded).getByLabelText('Name'), 'Mine');
      await user.click(within(reloaded).getByRole('button', { name: 'Save item' }));
      await screen.findByText('A saved (version 6); the stores receive it with their next sync.');
      expect(
        hub
          .sent('PUT', '/api/catalog/items/A')
          .map((body) => (body as { expectedVersion: number }).expectedVersion),
      ).toEqual([3, 5]);
    });

    it('creates a new item, its product named after the SKU unless given', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/catalog',
        setup: (fake) => {
          scriptCatalog(fake);
          fake.handle('PUT /api/catalog/items/:sku', ({ params }) => item(params.sku!, {}, 1));
        },
      });
      await user.click(await screen.findByRole('button', { name: 'New item' }));
      const form = screen.getByRole('form', { name: 'New item' });
      await user.click(within(form).getByRole('button', { name: 'Save item' }));
      expect(within(form).getByText('Enter the SKU, product, name and VAT class.')).toBeTruthy();
      await user.type(within(form).getByLabelText('SKU'), 'APPLE-KG');
      await user.type(within(form).getByLabelText('Name'), 'Apples');
      await user.selectOptions(within(form).getByLabelText('Unit'), 'kg');
      await user.type(within(form).getByLabelText('VAT class'), 'reduced');
      await user.click(within(form).getByRole('button', { name: 'Save item' }));
      await screen.findByText('APPLE-KG saved (version 1); the stores receive it with their next sync.');
      expect(hub.sent('PUT', '/api/catalog/items/APPLE-KG')).toEqual([
        {
          expectedVersion: null,
          productId: 'APPLE-KG',
          name: 'Apples',
          unit: 'kg',
          taxCategory: 'reduced',
          categoryId: null,
          barcodes: [],
          active: true,
        },
      ]);
    });

    it('imports a CSV with a progress bar, then lists the rejected rows by line and column', async () => {
      let finishUpload: (answer: unknown) => void = () => undefined;
      let progressPolls = 0;
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/catalog',
        setup: (fake) => {
          scriptCatalog(fake);
          fake.handle('POST /api/catalog/import', () => new Promise((resolve) => (finishUpload = resolve)));
          fake.handle('GET /api/catalog/imports/:importId', ({ params }) => {
            progressPolls += 1;
            return report({
              importId: params.importId!,
              status: 'running',
              rowsRead: 2,
              errors: [],
              finishedAt: null,
            });
          });
          fake.handle('GET /api/catalog/imports/:importId/errors.csv', () => 'line,column,reason');
        },
      });
      const form = await screen.findByRole('form', { name: 'Import a CSV file' });
      const csv =
        'sku,product_id,name,unit,tax_category\nC1,P1,One,each,food\nC2,P2,Two,box,food\nC3,P3,Three,each,food\n';
      await user.upload(
        within(form).getByLabelText('CSV file'),
        new File([csv], 'items.csv', { type: 'text/csv' }),
      );
      await user.click(within(form).getByRole('button', { name: 'Import' }));
      const progress = await within(form).findByRole('progressbar', { name: 'Import progress' });
      expect(progress.getAttribute('max')).toBe('3');
      await waitFor(() => expect(progress.getAttribute('value')).toBe('2'));
      expect(within(form).getByRole('status').textContent).toBe('2 rows read…');
      expect(progressPolls).toBeGreaterThan(0);
      const upload = hub.requests.find((request) => request.path === '/api/catalog/import')!;
      expect(upload.query.format).toBe('csv');
      expect(upload.query.importId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(await (upload.body as Blob).text()).toBe(csv);

      const importId = upload.query.importId!;
      finishUpload({
        ...failure('INVALID_INPUT', 'Nothing was imported'),
        error: {
          code: 'INVALID_INPUT',
          message: 'Nothing was imported',
          details: { report: report({ importId }) },
        },
      });
      const rejected = await within(form).findByRole('table', { name: 'Rejected rows' });
      expect(within(rejected).getByRole('row', { name: /^3/ }).textContent).toBe(
        '3unitunit: Invalid option: expected one of "each"|"kg"',
      );
      expect(within(form).getByRole('alert').textContent).toBe(
        'Nothing was imported: 1 row was rejected. Fix them and import the file again.',
      );
      expect(within(form).queryByRole('progressbar')).toBeNull();
      // The browser's part of a download: a blob URL and a click on a link (which would navigate the test page).
      const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:rejected');
      const clicked: string[] = [];
      const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
        this: HTMLAnchorElement,
      ) {
        clicked.push(this.download);
      });
      await user.click(within(form).getByRole('button', { name: 'Download the rejected rows (CSV)' }));
      await waitFor(() => expect(clicked).toEqual([`import-${importId}-rejected.csv`]));
      click.mockRestore();
      expect(
        hub.requests.some((request) => request.path === `/api/catalog/imports/${importId}/errors.csv`),
      ).toBe(true);
      createObjectURL.mockRestore();
    });

    it('reports a completed import and reloads the list', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/catalog',
        setup: (fake) => {
          scriptCatalog(fake);
          fake.handle('POST /api/catalog/import', ({ query }) =>
            report({
              importId: query.importId!,
              status: 'completed',
              errorCount: 0,
              errors: [],
              rowsValid: 3,
              summary: { product: 3, sku: 3 },
            }),
          );
        },
      });
      const form = await screen.findByRole('form', { name: 'Import a CSV file' });
      await user.upload(
        within(form).getByLabelText('CSV file'),
        new File(['sku\n'], 'items.csv', { type: 'text/csv' }),
      );
      const listLoads = () => hub.requests.filter((request) => request.path === '/api/catalog/items').length;
      const before = listLoads();
      await user.click(within(form).getByRole('button', { name: 'Import' }));
      expect(await within(form).findByText('Imported 3 rows: 3 product, 3 sku.')).toBeTruthy();
      await waitFor(() => expect(listLoads()).toBeGreaterThan(before));
    });
  });

  describe('expectedRows', () => {
    it('counts the data rows of a small file and estimates a large one from its start', async () => {
      expect(await expectedRows(new Blob(['h\r\na\r\nb\r\n']))).toBe(2);
      const line = 'SKU-000001,P-000001,Some item,each,food\n';
      const rows = 20_000;
      const estimate = await expectedRows(
        new Blob([`sku,product_id,name,unit,tax_category\n${line.repeat(rows)}`]),
      );
      expect(Math.abs(estimate - rows) / rows).toBeLessThan(0.01);
    });
  });
});
