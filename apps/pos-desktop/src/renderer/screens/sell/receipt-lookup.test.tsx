// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { saleReceipt } from '../../testing/builders';
import { scriptLoyaltyNode } from '../../testing/fake-loyalty';
import { failure } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';

const OWN = 'S001-1-000007';
const OTHER_STORE = 'S002-4-000031';
const NOT_HERE = 'S003-2-000005';

function render() {
  return renderPos({
    signedInAs: 'cashier',
    setup: (node) => {
      scriptLoyaltyNode(node);
      node.handle('receipt-list', (input) => ({
        receipts:
          input.date === '2026-11-22'
            ? []
            : [
                {
                  receiptNumber: OWN,
                  kind: 'sale',
                  issuedAt: '2026-11-23T10:15:00.000Z',
                  total: 1250,
                  currency: 'EUR',
                  voided: false,
                },
              ],
      }));
      const known = (receiptNumber: string) => receiptNumber === OWN || receiptNumber === OTHER_STORE;
      node.handle('receipt-preview', (input) =>
        known(input.receiptNumber)
          ? {
              receipt: { ...saleReceipt(input.receiptNumber), copy: true },
              html: `<p>COPY ${input.receiptNumber}</p>`,
            }
          : failure(
              'NOT_FOUND',
              `Receipt ${input.receiptNumber} was not made on this till, and the hub cannot be reached (offline), so it cannot be shown now. Try again when the hub is back.`,
            ),
      );
      node.handle('receipt-print', (input) => ({
        receipt: { ...saleReceipt(input.receiptNumber), copy: true },
        html: `<p>COPY print ${input.receiptNumber}</p>`,
        printNo: 2,
      }));
    },
  });
}

describe('ReceiptLookupDialog', () => {
  it('opens with Shift+F4, lists this till’s receipts and prints a picked one as a copy on the till’s printer', async () => {
    const { user, node, devices } = render();
    await screen.findByRole('combobox', { name: 'Scan or search' });
    await user.keyboard('{Shift>}{F4}{/Shift}');
    const dialog = await screen.findByRole('dialog', { name: 'Find a receipt' });
    const recent = await within(dialog).findByRole('button', { name: new RegExp(`^${OWN} · .* · €12.50$`) });
    await user.click(recent);
    expect((await within(dialog).findByTitle(`Receipt ${OWN} (copy)`)).getAttribute('srcdoc')).toBe(
      `<p>COPY ${OWN}</p>`,
    );
    await user.click(within(dialog).getByRole('button', { name: 'Print a copy' }));
    expect(await within(dialog).findByText(`Copy of receipt ${OWN} printed.`)).toBeTruthy();
    expect(devices.printed).toEqual([`<p>COPY print ${OWN}</p>`]);
    expect(node.inputs('receipt-print')).toEqual([{ receiptNumber: OWN, copy: true }]);
    expect(node.inputs('receipt-preview')).toEqual([{ receiptNumber: OWN, copy: true }]);
    expect(node.inputs('sale-start')).toEqual([]);
  });

  it('finds another store’s receipt by its number, says when it cannot, and filters by day', async () => {
    const { user, node } = render();
    await screen.findByRole('combobox', { name: 'Scan or search' });
    await user.keyboard('{Shift>}{F4}{/Shift}');
    const dialog = await screen.findByRole('dialog', { name: 'Find a receipt' });
    const field = within(dialog).getByLabelText('Scan or type the receipt number');
    expect(document.activeElement).toBe(field);
    await user.type(field, `${OTHER_STORE}{Enter}`);
    expect(await within(dialog).findByTitle(`Receipt ${OTHER_STORE} (copy)`)).toBeTruthy();

    await user.clear(field);
    await user.type(field, `${NOT_HERE}{Enter}`);
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'Try again when the hub is back.',
    );
    expect(within(dialog).queryByTitle(/Receipt .* \(copy\)/)).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Print a copy' }).hasAttribute('disabled')).toBe(true);

    await user.clear(field);
    await user.type(field, '{Enter}');
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'Scan the receipt barcode or type its number first.',
    );

    await user.type(within(dialog).getByLabelText('Receipts of this till on'), '2026-11-22');
    expect(await within(dialog).findByText('No receipt on this till for that day.')).toBeTruthy();
    await waitFor(() => expect(node.inputs('receipt-list').at(-1)).toEqual({ date: '2026-11-22' }));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
