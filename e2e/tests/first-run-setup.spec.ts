import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { hubCall, prepareHubDatabase, startHub, type RunningHub } from '../support/hub-server';
import { startNewTill, type NewTill } from '../support/store-node';
import { signIn } from '../support/till';

const OPERATOR = { username: 'hq-setup', password: 'correct horse battery staple' };

/**
 * A till installed fresh: the desktop app's store node starts with an empty data folder and serves the
 * first-run screen (the renderer is the same in the Electron window and in this browser). The store's
 * manager types the hub address, the enrollment code HQ's dashboard handed out, the register's name and
 * the first manager; the till enrolls with the real hub, starts syncing without a restart, shows the first
 * download, and the manager signs in and backs the till up from the settings screen.
 */
test.describe('first-run setup of a new till', () => {
  let hub: RunningHub;
  let till: NewTill;
  let code: string;
  let token: string;
  let nodeId: string;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    hub = await startHub({ prepare: (db) => prepareHubDatabase(db, OPERATOR) });
    ({ token } = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: OPERATOR }));
    const nodes = await hubCall<{ nodeId: string; code: string }[]>(hub, 'GET', '/api/nodes', { token });
    const store = nodes.find((node) => node.code === 'S001');
    if (!store) throw new Error('The hub has no store S001.');
    nodeId = store.nodeId;
    ({ code } = await hubCall<{ code: string }>(hub, 'POST', `/api/nodes/${nodeId}/enrollment-codes`, {
      token,
      body: {},
    }));
    till = await startNewTill({ hubUrl: hub.url });
  });

  test.afterAll(async () => {
    await till?.stop();
    await hub?.stop();
  });

  test('enrolls with the hub, syncs without a restart, and the manager backs it up', async ({ page }) => {
    await page.goto(`${till.url}/?token=${encodeURIComponent(till.token)}&register=main`);
    const form = page.getByRole('form', { name: 'Set up this till' });
    await expect(form).toBeVisible();
    await expect(form.getByLabel('Hub address')).toHaveValue(hub.url);

    // A mistyped code is refused with the hub's sentence and nothing is set up.
    await form.getByLabel('Enrollment code').fill('WRONG-CODE-1');
    await form.getByLabel('Register name (how HQ sees this till)').fill('Front till');
    await form.getByLabel('Staff code').fill('1001');
    await form.getByLabel('Name', { exact: true }).fill('Morgan Manager');
    await form.getByLabel('PIN (4 to 12 digits)').fill('1234');
    await form.getByLabel('PIN again').fill('1234');
    await form.getByRole('button', { name: 'Set up this till' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    expect(existsSync(`${till.dataDir}/store.db`)).toBe(false);

    await form.getByLabel('Enrollment code').fill(code);
    await form.getByRole('button', { name: 'Set up this till' }).click();
    await expect(
      page.getByRole('heading', { name: /^This till is set up: store S001 .*, device 1\.$/ }),
    ).toBeVisible();
    // The sync agent runs in the same node process: the first download finishes without a restart.
    await expect(page.getByText('In sync with the hub.')).toBeVisible({ timeout: 30_000 });
    // The set-up node says it is ready once it has warmed its socket path (up to 1 s after it listens;
    // docs/store-node.md, "Warm-up at start"), and this window, reconnecting by itself, is served meanwhile.
    await expect
      .poll(() => till.stdout().match(/"event":"ready"/g)?.length ?? 0, { timeout: 15_000 })
      .toBe(2);

    const devices = await hubCall<{ name: string; deviceNo: number }[]>(
      hub,
      'GET',
      `/api/devices?nodeId=${nodeId}`,
      {
        token,
      },
    );
    expect(devices.map((device) => device.name)).toContain('Front till');

    await page.getByRole('button', { name: 'Continue to sign in (manager 1001)' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await signIn(page, '1001', '1234');
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByRole('form', { name: 'Hub' }).getByText(`Syncs with ${hub.url}.`)).toBeVisible();
    await page.getByRole('button', { name: 'Back up now' }).click();
    const written = page.getByText(/^Backup written to (.+) \(\d+ pages, integrity checked\)\.$/);
    await expect(written).toBeVisible();
    const file = /^Backup written to (.+) \(\d+ pages/.exec((await written.textContent()) ?? '')?.[1] ?? '';
    expect(file.startsWith(`${till.dataDir}/backups/store-`)).toBe(true);
    expect(existsSync(file)).toBe(true);
  });
});
