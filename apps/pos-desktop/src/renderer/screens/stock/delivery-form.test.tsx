// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ReceivingDocumentView } from '../../../shared/commands';
import { catalogItem, localStock } from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';
import { StockScreen } from './stock-screen';

const BREAD = catalogItem();
const JAM = catalogItem({ sku: 'SKU0000002', name: 'Strawberry jam', barcodes: ['4000000000020'] });
const TEA = catalogItem({ sku: 'SKU0000003', name: 'Green tea', barcodes: ['4000000000037'] });

const NOTICE: ReceivingDocumentView = {
  documentKey: 'shipping_notice:asn-1',
  kind: 'shipping_notice',
  documentId: 'asn-1',
  number: 'ASN-77',
  supplier: 'Acme',
  purchaseOrderId: 'po-1',
  status: 'open',
  expectedAt: null,
  receivedHere: null,
  receivable: true,
  lines: [
    {
      sku: BREAD.sku,
      name: BREAD.name,
      unit: 'each',
      barcodes: BREAD.barcodes,
      expected: 3,
      received: 0,
      open: 3,
    },
    { sku: JAM.sku, name: JAM.name, unit: 'each', barcodes: JAM.barcodes, expected: 2, received: 0, open: 2 },
  ],
};

function scriptDeliveries(node: FakeNode, documents: { list: ReceivingDocumentView[] }) {
  const byCode = new Map([BREAD, JAM, TEA].map((item) => [item.barcodes[0]!, item]));
  node.handle('catalog-scan', (input) => ({
    item: byCode.get(input.code) ?? BREAD,
    scan: { kind: 'gtin', key: input.code, weightGrams: null, embeddedPrice: null },
  }));
  node.handle('catalog-search', () => ({ items: [BREAD, JAM, TEA] }));
  node.handle('stock-levels', (input) => ({ levels: input.skus.map((sku) => localStock({ sku })) }));
  node.handle('stock-receiving-documents', () => ({ documents: documents.list }));
}

describe('stock-screen', () => {
  describe('deliveries from HQ', () => {
    it('counts a notice by scanning, shows over and under per line, and receives it', async () => {
      const documents = { list: [NOTICE] };
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptDeliveries(n, documents);
          n.handle('stock-receive-document', (input) => {
            documents.list = [];
            return {
              receiptId: 'rcpt-9',
              document: {
                ...NOTICE,
                receivable: false,
                receivedHere: { receiptId: 'rcpt-9', receivedAt: '2026-12-06T09:00:00.000Z' },
              },
              variances: [
                { sku: BREAD.sku, expected: 3, received: 2 },
                { sku: TEA.sku, expected: 0, received: 1 },
              ],
              levels: input.lines.map((line) => localStock({ sku: line.sku })),
            };
          });
        },
      });
      await user.click(screen.getByRole('tab', { name: 'Deliveries from HQ' }));
      const select = await screen.findByLabelText('Purchase order or shipping notice');
      await waitFor(() => expect(within(select).getByText('Notice ASN-77 · Acme')).toBeTruthy());
      await user.selectOptions(select, 'shipping_notice:asn-1');

      const picker = screen.getByRole('combobox', { name: 'Scan each item as you unpack it' });
      for (const code of [
        '4000000000013',
        '4000000000013',
        '4000000000020',
        '4000000000020',
        '4000000000037',
      ]) {
        await user.type(picker, `${code}{Enter}`);
      }
      const lines = screen.getByRole('list', { name: 'Delivery items' });
      await waitFor(() =>
        expect((within(lines).getByLabelText('Counted Green tea') as HTMLInputElement).value).toBe('1'),
      );
      expect(within(screen.getByTestId(`delivery-line-${BREAD.sku}`)).getByRole('status').textContent).toBe(
        '1 short',
      );
      expect(within(screen.getByTestId(`delivery-line-${JAM.sku}`)).getByRole('status').textContent).toBe(
        'as expected',
      );
      const tea = screen.getByTestId(`delivery-line-${TEA.sku}`);
      expect(tea.textContent).toContain('not on the document');
      expect(within(tea).getByRole('status').textContent).toBe('1 over');

      await user.click(screen.getByRole('button', { name: 'Receive delivery' }));
      expect(
        await screen.findByText(
          'Delivery ASN-77 received with differences HQ will see: SKU0000001 1 short, SKU0000003 1 over.',
        ),
      ).toBeTruthy();
      expect(node.inputs('stock-receive-document')).toEqual([
        {
          documentKey: 'shipping_notice:asn-1',
          lines: [
            { sku: BREAD.sku, qty: 2, bucket: 'sellable' },
            { sku: JAM.sku, qty: 2, bucket: 'sellable' },
            { sku: TEA.sku, qty: 1, bucket: 'sellable' },
          ],
        },
      ]);
      await waitFor(() =>
        expect(
          within(screen.getByLabelText('Purchase order or shipping notice')).getByText(
            'No open delivery for this store',
          ),
        ).toBeTruthy(),
      );
    });

    it('shows the node’s sentence when HQ cancelled the notice meanwhile, and drops it from the list', async () => {
      const documents = { list: [NOTICE] };
      const { user } = renderPos({
        signedInAs: 'cashier',
        ui: <StockScreen />,
        setup: (n) => {
          scriptDeliveries(n, documents);
          n.handle('stock-receive-document', () => {
            documents.list = [];
            return failure(
              'NOT_ALLOWED',
              'Delivery ASN-77 from Acme was cancelled at HQ. If the goods came anyway, receive them as a supplier delivery with the document number as the reference, and tell HQ.',
            );
          });
        },
      });
      await user.click(screen.getByRole('tab', { name: 'Deliveries from HQ' }));
      const select = await screen.findByLabelText('Purchase order or shipping notice');
      await waitFor(() => expect(within(select).getByText('Notice ASN-77 · Acme')).toBeTruthy());
      await user.selectOptions(select, 'shipping_notice:asn-1');
      await user.type(
        screen.getByRole('combobox', { name: 'Scan each item as you unpack it' }),
        '4000000000013{Enter}',
      );
      await waitFor(() =>
        expect((screen.getByLabelText('Counted Smooth Bread family size') as HTMLInputElement).value).toBe(
          '1',
        ),
      );
      await user.click(screen.getByRole('button', { name: 'Receive delivery' }));
      expect((await screen.findByRole('alert')).textContent).toContain('was cancelled at HQ');
      await waitFor(() =>
        expect(
          within(screen.getByLabelText('Purchase order or shipping notice')).getByText(
            'No open delivery for this store',
          ),
        ).toBeTruthy(),
      );
    });
  });
});
