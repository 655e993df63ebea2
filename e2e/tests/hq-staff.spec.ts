import { expect, test } from '@playwright/test';
import { hubCall, prepareHubDatabase, runHubCli, startHub, type RunningHub } from '../support/hub-server';

const OPERATOR = { username: 'hq.operator', password: 'e2e dashboard password' };
const ADMIN = { username: 'hq.admin', password: 'e2e admin password' };

test.describe('HQ dashboard staff editing', () => {
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

  test('an admin adds a cashier for one store, deactivates them, and reads both changes in the audit log', async ({
    page,
  }) => {
    await page.goto(`${hub.url}/staff`);
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('HQ manages no staff yet.')).toBeVisible();

    const form = page.getByRole('form', { name: 'Add a staff member' });
    await form.getByLabel('Staff code').fill('E2E1');
    await form.getByLabel('Name').fill('Erin Example');
    await form.getByLabel('Role').selectOption('cashier');
    await form.getByLabel('PIN').fill('480213');
    await form.getByRole('checkbox', { name: 'S001 Dublin Grafton St' }).check();
    await form.getByRole('button', { name: 'Create staff member' }).click();
    await expect(page.getByRole('status')).toContainText('Erin Example was created');
    const row = page.getByRole('table', { name: 'Staff members' }).getByRole('row', { name: /E2E1/ });
    await expect(row).toContainText('S001 Dublin Grafton St');
    await expect(row).toContainText('Active');
    await expect(page.locator('body')).not.toContainText('480213');

    // What the tills get: the hub's own answer for this person, with no PIN in it.
    const login = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: ADMIN });
    const listed = await hubCall<{ staffCode: string; stores: string[] }[]>(hub, 'GET', '/api/staff', {
      token: login.token,
    });
    expect(listed).toEqual([expect.objectContaining({ staffCode: 'E2E1', stores: [expect.any(String)] })]);
    expect(JSON.stringify(listed)).not.toContain('480213');

    await page.getByRole('button', { name: 'Edit Erin Example' }).click();
    await page.getByRole('button', { name: 'Deactivate Erin Example' }).click();
    await expect(page.getByRole('status')).toContainText('Erin Example is deactivated');
    await expect(row).toContainText('Deactivated');

    await page.getByRole('link', { name: 'Audit log' }).click();
    const audit = page.getByRole('table', { name: 'Audit entries' });
    await expect(audit.getByRole('row', { name: /staff\.deactivate/ })).toContainText('user:hq.admin');
    await expect(audit.getByRole('row', { name: /staff\.create/ })).toContainText('Erin Example');
    await expect(audit).not.toContainText('480213');
    await expect(audit).not.toContainText('scrypt');
  });

  test('an operator sees the staff but cannot change them', async ({ page }) => {
    const login = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: ADMIN });
    await hubCall(hub, 'POST', '/api/staff', {
      token: login.token,
      body: { staffCode: 'E2E2', name: 'Olly Onlooked', role: 'manager', pin: '7391' },
    });
    await page.goto(`${hub.url}/staff`);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('table', { name: 'Staff members' })).toContainText('Olly Onlooked');
    await expect(page.getByRole('form', { name: 'Add a staff member' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /Edit/ })).toHaveCount(0);
  });
});
