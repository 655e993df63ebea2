import { expect, type Page } from '@playwright/test';

/** Steps a cashier takes, written once for every e2e test. */

export function nodeUrl(): { url: string; token: string } {
  const url = process.env.E2E_NODE_URL;
  const token = process.env.E2E_NODE_TOKEN;
  if (!url || !token) throw new Error('E2E_NODE_URL / E2E_NODE_TOKEN are set by global-setup.ts.');
  return { url, token };
}

/** Opens the pairing link the store node prints, for one lane (register). */
export async function openLane(page: Page, registerId: string): Promise<void> {
  const { url, token } = nodeUrl();
  await page.goto(`${url}/?token=${encodeURIComponent(token)}&register=${encodeURIComponent(registerId)}`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  // The token must not linger in the address bar or the history.
  expect(page.url()).toBe(`${url}/`);
}

export async function signIn(page: Page, staffCode: string, pin: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Staff code' }).fill(staffCode);
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: 'PIN' }).fill(pin);
  await page.keyboard.press('Enter');
}

export async function openShift(page: Page, float: string): Promise<void> {
  await page.getByRole('button', { name: /^Shift/ }).click();
  await page.getByLabel('Opening float').fill(float);
  await page.keyboard.press('Enter');
  await expect(page.getByText(/^Open since/)).toBeVisible();
}

/** What a barcode scanner does: types the code into whatever has the focus, then Enter. */
export async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

/** "€1,234.50" → 123450 (en-IE, the e2e store's locale). */
export function cents(text: string | null): number {
  const match = /(-?)€([\d,]+)\.(\d{2})/.exec(text ?? '');
  if (!match) throw new Error(`No euro amount in ${JSON.stringify(text)}`);
  return (match[1] === '-' ? -1 : 1) * (Number((match[2] ?? '').replace(/,/g, '')) * 100 + Number(match[3]));
}

export function euros(minor: number): string {
  const whole = Math.trunc(minor / 100).toLocaleString('en-IE');
  return `€${whole}.${String(minor % 100).padStart(2, '0')}`;
}
