import { expect, test } from '@playwright/test';
import { prepareHubDatabase, seedOversell, startHub, type RunningHub } from '../support/hub-server';

const OPERATOR = { username: 'hq.operator', password: 'e2e dashboard password' };

test.describe('HQ dashboard live updates', () => {
  let hub: RunningHub;

  test.beforeAll(async () => {
    hub = await startHub({ prepare: (db) => prepareHubDatabase(db, OPERATOR) });
  });

  test.afterAll(async () => {
    await hub?.stop();
  });

  test('an oversell a till causes appears in the open dashboard, announced, without a reload', async ({
    page,
  }) => {
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.goto(`${hub.url}/`);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('No open exceptions match these filters.')).toBeVisible();
    await expect(page.getByText('Live updates: Live')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Reload' })).toHaveCount(0);
    const before = navigations;

    const seeded = await seedOversell(hub, OPERATOR);

    const card = page.getByRole('listitem', { name: `Oversell at ${seeded.nodeLabel}` });
    await expect(card).toBeVisible();
    await expect(card.getByRole('region', { name: 'What caused it' })).toContainText(seeded.causeEventId);
    await expect(page.getByTestId('live-announcer')).toHaveText('New critical exception: Oversell');
    expect(navigations).toBe(before);
  });
});
