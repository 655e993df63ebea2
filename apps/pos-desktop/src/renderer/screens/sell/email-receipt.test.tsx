// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { saleReceipt } from '../../testing/builders';
import { scriptLoyaltyNode } from '../../testing/fake-loyalty';
import { failure } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';

const OWN = 'S001-1-000007';
const OTHER_STORE = 'S002-4-000031';

/** The lookup dialog over a node whose outbox hands the request to the hub on the second status check. */
function render() {
  let checks = 0;
  return renderPos({
    signedInAs: 'cashier',
    setup: (node) => {
      scriptLoyaltyNode(node);
      node.handle('receipt-list', () => ({ receipts: [] }));
      node.handle('receipt-preview', (input) => ({
        receipt: { ...saleReceipt(input.receiptNumber), copy: true },
        html: `<p>COPY ${input.receiptNumber}</p>`,
        emailTo: input.receiptNumber === OWN ? { suggested: 'ana@example.com' } : null,
      }));
      node.handle('receipt-email', (input) =>
        input.email.includes('@') && input.email.includes('.')
          ? {
              requestId: 'req-1',
              receiptNumber: input.receiptNumber,
              email: input.email,
              state: 'queued',
              reason: null,
            }
          : failure('INVALID_INPUT', 'Enter an e-mail address such as name@example.com.'),
      );
      node.handle('receipt-email-status', (input) => {
        checks += 1;
        return {
          requestId: input.requestId,
          receiptNumber: OWN,
          email: 'ana.b@example.com',
          state: checks >= 2 ? 'sent' : 'queued',
          reason: null,
        };
      });
    },
  });
}

async function lookUp(user: ReturnType<typeof render>['user'], receiptNumber: string) {
  await screen.findByRole('combobox', { name: 'Scan or search' });
  await user.keyboard('{Shift>}{F4}{/Shift}');
  const dialog = await screen.findByRole('dialog', { name: 'Find a receipt' });
  await user.type(
    within(dialog).getByRole('textbox', { name: 'Scan or type the receipt number' }),
    receiptNumber,
  );
  await user.click(within(dialog).getByRole('button', { name: 'Find' }));
  await within(dialog).findByTitle(`Receipt ${receiptNumber} (copy)`);
  return dialog;
}

describe('EmailReceipt', () => {
  it('sends a looked-up receipt to the attached customer, queued until the hub has it, then sent', async () => {
    const { user, node } = render();
    const dialog = await lookUp(user, OWN);
    await user.click(within(dialog).getByRole('button', { name: 'E-mail receipt' }));
    const form = within(dialog).getByRole('group', { name: `E-mail receipt ${OWN}` });
    const address = within(form).getByRole('textbox', { name: "Customer's e-mail address" });
    expect((address as HTMLInputElement).value).toBe('ana@example.com');

    await user.clear(address);
    await user.type(address, 'ana.b@example');
    await user.click(within(form).getByRole('button', { name: 'Send' }));
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'Enter an e-mail address such as name@example.com.',
    );
    expect(address.getAttribute('aria-invalid')).toBe('true');

    await user.type(address, '.com{Enter}');
    expect(
      await within(form).findByText(
        `Receipt ${OWN} for ana.b@example.com is queued: it will be sent when the hub is reachable.`,
      ),
    ).toBeTruthy();
    expect(node.inputs('receipt-email').at(-1)).toEqual({ receiptNumber: OWN, email: 'ana.b@example.com' });
    // Enter in the address field sent the e-mail; it did not look another receipt up.
    expect(node.inputs('receipt-preview')).toHaveLength(1);
    expect(
      await within(form).findByText(
        `Receipt ${OWN} for ana.b@example.com was sent to the hub, which e-mails it.`,
        {},
        { timeout: 15_000 },
      ),
    ).toBeTruthy();
  });

  it("offers no e-mail for a receipt that is not this store's sale", async () => {
    const { user } = render();
    const dialog = await lookUp(user, OTHER_STORE);
    expect(within(dialog).queryByRole('button', { name: 'E-mail receipt' })).toBeNull();
  });
});
