import { expect, test } from '@playwright/test';
import { hubCall, type RunningHub } from '../support/hub-server';
import { openProductLane, startProduct, type RunningProduct } from '../support/product';
import { openShift, scan, signIn } from '../support/till';

const CARD = '9900000000017';
const GIFT_CARD = '6006491234567890';

/**
 * The product as `npm start` runs it (hub + enrolled store node), with HQ setting up loyalty through the
 * hub's API: the programme (1 point pays 1 cent), gift card limits, a member with 1,000 points and a
 * €25 gift card. At the till the member is attached by card and pays part of the sale with points and
 * part with the gift card, both held at HQ, and the rest in cash; HQ then sees the points spent.
 */
test.describe('loyalty with the hub', () => {
  let product: RunningProduct;
  let hub: RunningHub;
  let accountId: string;
  let token: string;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    product = await startProduct();
    hub = { url: product.hubUrl } as RunningHub;
    ({ token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: product.hq }));
    const eur = (amount: number) => ({ amount, currency: 'EUR' });
    await hubCall(hub, 'PUT', '/api/loyalty/programme', {
      token,
      body: {
        programmeId: 'e2e-programme',
        currency: 'EUR',
        returnWindowDays: 14,
        pointsExpiryDays: 365,
        pointValue: { points: 1, value: eur(1) },
        holdTtlMs: 600_000,
        offline: { maxSnapshotAgeMs: 86_400_000, perTransactionCapPoints: 300, perDeviceDayCapPoints: 1000 },
        tiers: [{ tierId: 'member', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
      },
    });
    await hubCall(hub, 'PUT', '/api/loyalty/stored-value-settings', {
      token,
      body: {
        currency: 'EUR',
        holdTtlMs: 600_000,
        offline: { maxSnapshotAgeMs: 86_400_000, perTransactionCap: eur(2000), perDeviceDayCap: eur(5000) },
      },
    });
    const member = await hubCall<{ account: { accountId: string } | null }>(
      hub,
      'POST',
      '/api/loyalty/customers',
      {
        token,
        body: { name: 'Robin Member', phone: '+353861112233', cardNumber: CARD },
      },
    );
    if (!member.account) throw new Error('The hub created the member without a loyalty account.');
    accountId = member.account.accountId;
    await hubCall(hub, 'POST', `/api/loyalty/accounts/${accountId}/adjustments`, {
      token,
      body: { adjustmentId: 'e2e-welcome', points: 1000, reason: 'Welcome bonus' },
    });
    await hubCall(hub, 'POST', '/api/loyalty/gift-cards', {
      token,
      body: { number: GIFT_CARD, issueId: 'e2e-gift-1', amount: 2500, currency: 'EUR' },
    });
  });

  test.afterAll(async () => {
    await product?.stop();
  });

  test('a member pays part of a sale with points and a gift card held at HQ, and the rest in cash', async ({
    page,
  }) => {
    await openProductLane(page, product, 'e2e-loyalty-hub');
    await signIn(page, '3001', '3456');
    await openShift(page, '100');
    await page.getByRole('button', { name: /^Sell/ }).click();
    await scan(page, '3*4000000000013');
    await expect(page.getByRole('button', { name: /^Smooth Bread family size, 3, €/ })).toBeVisible();

    await page.getByRole('button', { name: 'Customer', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Customer' });
    await dialog.getByLabel('Phone, email or loyalty card number').fill(CARD);
    await dialog.getByLabel('Phone, email or loyalty card number').press('Enter');
    await expect(dialog).toHaveCount(0);
    const panel = page.getByRole('region', { name: 'Customer and points' });
    await expect(panel.getByText('Robin Member')).toBeVisible();
    await expect(panel.getByTestId('points-available')).toHaveText('1,000 points');
    await expect(panel.getByTestId('points-age')).toHaveText(/^As of .*\(now\)/);

    await page.keyboard.press('F10');
    const payment = page.getByRole('region', { name: 'Payment' });
    await payment.getByRole('button', { name: 'Pay with points' }).click();
    const points = page.getByRole('dialog', { name: 'Pay with loyalty points' });
    await points.getByLabel('Points to use').fill('400');
    await expect(points.getByTestId('points-worth')).toHaveText('Worth €4.00');
    await points.getByRole('button', { name: 'Take points' }).click();
    await expect(points).toHaveCount(0);
    const taken = payment.getByRole('list', { name: 'Payments taken' });
    await expect(taken.getByText('Loyalty points · 400 points · held at HQ')).toBeVisible();

    await payment.getByRole('button', { name: 'Pay with gift card' }).click();
    const giftCard = page.getByRole('dialog', { name: 'Pay with a gift card' });
    await giftCard.getByLabel('Card or store credit number').fill(GIFT_CARD);
    await giftCard.getByLabel('Card or store credit number').press('Enter');
    await expect(giftCard.getByRole('status', { name: 'Check balance' })).toContainText('€25.00 available');
    await giftCard.getByLabel('Amount').fill('5');
    await giftCard.getByRole('button', { name: 'Take gift card' }).click();
    await expect(giftCard).toHaveCount(0);
    await expect(taken.getByText('Gift card · held at HQ')).toBeVisible();

    await payment.getByLabel('Cash handed over (empty = exact)').press('Enter');
    await expect(page.getByText('No change due')).toBeVisible();
    await expect(page.getByText(/^Receipt S001-1-\d{6}$/)).toBeVisible();
    await expect(page.getByTestId('points-done')).toHaveText(/^Points earned: \d+ · spent: 400/);

    // The sale reaches HQ through sync: the held points become spent ones.
    await expect
      .poll(
        async () =>
          (
            await hubCall<{ snapshot: { available: number; held: number } }>(
              hub,
              'GET',
              `/api/loyalty/accounts/${accountId}`,
              { token },
            )
          ).snapshot,
        { timeout: 30_000 },
      )
      .toMatchObject({ available: 600, held: 0 });
  });
});
