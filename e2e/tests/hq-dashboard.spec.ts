import { expect, test } from '@playwright/test';
import {
  prepareHubDatabase,
  seedOversell,
  startHub,
  type RunningHub,
  type SeededOversell,
} from '../support/hub-server';

const OPERATOR = { username: 'hq.operator', password: 'e2e dashboard password' };

test.describe('HQ dashboard', () => {
  let hub: RunningHub;
  let seeded: SeededOversell;

  test.beforeAll(async () => {
    hub = await startHub({ prepare: (db) => prepareHubDatabase(db, OPERATOR) });
    seeded = await seedOversell(hub, OPERATOR);
  });

  test.afterAll(async () => {
    await hub?.stop();
  });

  test('an operator signs in, sees the oversell a till caused and resolves it with a note', async ({
    page,
  }) => {
    const csp: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) csp.push(message.text());
    });
    await page.goto(`${hub.url}/`);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Password').fill('not the password');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('alert')).toContainText(/password/i);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText(`Signed in as ${OPERATOR.username}, Operator`)).toBeVisible();

    await expect(page.getByRole('button', { name: 'Show only Oversell (1)' })).toBeVisible();
    const card = page.getByRole('listitem', { name: `Oversell at ${seeded.nodeLabel}` });
    await expect(card.getByRole('region', { name: 'What happened' })).toContainText(
      `took 1 unit(s) of ${seeded.sku} promised to open reservations`,
    );
    const cause = card.getByRole('region', { name: 'What caused it' });
    await expect(cause).toContainText(seeded.causeEventId);
    await expect(cause).toContainText('1 unit promised to web-order-77:line-1');
    await expect(card.getByRole('region', { name: 'What was done' })).toContainText('count the shelf');

    // A reload keeps the session (sessionStorage) and the hub serves the app for a client route.
    await cause.getByRole('link', { name: seeded.sku }).click();
    await expect(page).toHaveURL(`${hub.url}/inventory?sku=${seeded.sku}`);
    await page.reload();
    const levels = page.getByRole('table', { name: 'Stock by node' });
    await expect(levels.getByRole('row', { name: new RegExp(seeded.nodeLabel) })).toContainText('1');
    await page.getByRole('link', { name: 'Exceptions' }).click();

    const form = page.getByRole('form', { name: /^Resolve Oversell / });
    await form
      .getByLabel('What was done (note for the record)')
      .fill('Shelf counted; web order moved by phone.');
    await form.getByRole('button', { name: 'Resolve' }).click();
    await expect(page.getByRole('status')).toContainText('The exception is resolved with your note.');
    await page.getByLabel('Status').selectOption('resolved');
    await expect(page.getByRole('listitem', { name: `Oversell at ${seeded.nodeLabel}` })).toContainText(
      `Resolved by user:${OPERATOR.username}`,
    );
    expect(csp).toEqual([]);
  });
});
