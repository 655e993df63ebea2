import { expect, test } from '@playwright/test';
import { hubCall, prepareHubDatabase, runHubCli, startHub, type RunningHub } from '../support/hub-server';

const OPERATOR = { username: 'hq.operator', password: 'e2e dashboard password' };
const ADMIN = { username: 'hq.admin', password: 'e2e admin password' };
const WINDOW = 'pos.returns.noReceiptWindowDays';

test.describe('HQ dashboard store settings', () => {
  let hub: RunningHub;

  test.beforeAll(async () => {
    hub = await startHub({
      prepare: (db) => {
        prepareHubDatabase(db, OPERATOR);
        runHubCli(
          ['create-user', '--db', db, '--username', ADMIN.username, '--role', 'admin'],
          `${ADMIN.password}\n`,
        );
      },
    });
  });

  test.afterAll(async () => {
    await hub?.stop();
  });

  test('an admin sets a region value the store runs, a stale edit is refused, and both are audited', async ({
    page,
  }) => {
    await page.goto(`${hub.url}/settings`);
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('table', { name: 'Settings at Whole chain' })).toBeVisible();

    await page.getByLabel('Scope').selectOption('Region ie-east');
    const region = page.getByRole('table', { name: 'Settings at Region ie-east' });
    await region.getByRole('button', { name: `Edit ${WINDOW}` }).click();
    const form = page.getByRole('form', { name: `${WINDOW} at Region ie-east (version 0)` });
    await form.getByLabel('Value (JSON)').fill('21');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'was saved' })).toContainText('version 1');
    await expect(region.getByRole('row', { name: new RegExp(WINDOW) })).toContainText('21');

    // The store shows the value in force, where it comes from, and the version it runs.
    await page.getByLabel('Scope').selectOption('Store S001 Dublin Grafton St');
    const store = page.getByRole('table', { name: 'Settings at Store S001 Dublin Grafton St' });
    const row = store.getByRole('row', { name: new RegExp(WINDOW) });
    await expect(row).toContainText('21');
    await expect(row).toContainText('Region ie-east');
    await expect(page.getByText('S001 runs settings version 1')).toBeVisible();

    // Someone else changes the region's value while this screen still shows version 1.
    await page.getByLabel('Scope').selectOption('Region ie-east');
    await region.getByRole('button', { name: `Edit ${WINDOW}` }).click();
    const stale = page.getByRole('form', { name: `${WINDOW} at Region ie-east (version 1)` });
    const login = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: ADMIN });
    await hubCall(hub, 'PUT', `/api/settings/${WINDOW}`, {
      token: login.token,
      body: { scope: { kind: 'region', regionId: 'ie-east' }, value: 45, expectedVersion: 1 },
    });
    await stale.getByLabel('Value (JSON)').fill('7');
    await stale.getByRole('button', { name: 'Save' }).click();
    await expect(stale.getByRole('alert')).toContainText('was changed by someone else (now version 2)');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const audit = page.getByRole('table', { name: 'Audit entries' });
    await expect(audit.getByRole('row', { name: /settings\.set/ })).toHaveCount(2);
    await expect(audit).toContainText(`setting:${WINDOW}@region:ie-east`);
    await expect(audit).not.toContainText('"value":7');
  });

  test('an operator sees the settings but cannot change them', async ({ page }) => {
    await page.goto(`${hub.url}/settings`);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('table', { name: 'Settings at Whole chain' })).toBeVisible();
    await expect(page.getByRole('button', { name: /Edit/ })).toHaveCount(0);
  });
});
