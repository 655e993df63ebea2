import { expect, test } from '@playwright/test';
import {
  prepareHubDatabase,
  runHubCli,
  seedOversell,
  startHub,
  type RunningHub,
} from '../support/hub-server';
import { startMailServer, type RunningMailServer } from '../support/mail-server';

const ADMIN = { username: 'hq.admin', password: 'e2e dashboard password' };
const OPERATOR = { username: 'hq.operator', password: 'e2e dashboard password' };

test.describe('HQ alert rules', () => {
  let hub: RunningHub;
  let smtp: RunningMailServer;

  test.beforeAll(async () => {
    smtp = await startMailServer();
    hub = await startHub({
      prepare: (db) => {
        prepareHubDatabase(db, OPERATOR);
        runHubCli(
          ['create-user', '--db', db, '--username', ADMIN.username, '--role', 'admin'],
          `${ADMIN.password}\n`,
        );
      },
      serveArgs: [
        '--smtp-host',
        '127.0.0.1',
        '--smtp-port',
        String(smtp.port),
        '--smtp-from',
        'hub@example.com',
      ],
    });
  });

  test.afterAll(async () => {
    await hub?.stop();
    await smtp?.close();
  });

  test('a rule added in the dashboard e-mails the oversell a till then causes', async ({ page }) => {
    await page.goto(`${hub.url}/alerts`);
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible();
    await expect(page.getByText('No alert rules yet.')).toBeVisible();

    const form = page.getByRole('form', { name: 'Add an alert rule' });
    await form.getByLabel('Name').fill('Oversells to the ops desk');
    await form.getByLabel('Exception kind').selectOption('OVERSELL');
    await form.getByLabel('From severity').selectOption('critical');
    await form.getByLabel('E-mail addresses (comma-separated)').fill('ops@example.com');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await expect(page.getByText('Alert rule Oversells to the ops desk added.')).toBeVisible();
    await expect(page.getByRole('table', { name: 'Alert rules' })).toContainText('ops@example.com');

    const seeded = await seedOversell(hub, OPERATOR);

    // Delivered by the hub's integration runtime (at least once a second), outside the push's transaction.
    await expect.poll(() => smtp.mails.length, { timeout: 30_000 }).toBe(1);
    const [mail] = smtp.mails;
    expect(mail!.to).toEqual(['ops@example.com']);
    // The store by its name and code, as HQ knows it, not by an internal id.
    expect(mail!.raw).toContain(`Subject: [critical] OVERSELL at ${seeded.storeName} (${seeded.storeCode})`);
    expect(mail!.raw).toContain('Kind: OVERSELL');
    expect(mail!.raw).toContain(`Store: ${seeded.storeName} (${seeded.storeCode})`);
    await page.reload();
    await expect(page.getByText('No failed alerts.')).toBeVisible();
  });
});
