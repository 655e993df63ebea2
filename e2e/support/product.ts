import { expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertHubBuilt } from './hub-server';
import { assertBuilt } from './store-node';

const START_SCRIPT = fileURLToPath(new URL('../../scripts/start.mjs', import.meta.url));

/** The product as `npm start` runs it: a hub seeded through its own API and a store node enrolled with it. */
export interface RunningProduct {
  readonly hubUrl: string;
  /** The till's pairing link parts (register chosen per test). */
  readonly storeUrl: string;
  readonly storeToken: string;
  readonly hq: { readonly username: string; readonly password: string };
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() =>
          typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
        );
      });
  });
}

/**
 * Starts `scripts/start.mjs` on 127.0.0.1 with a fresh data folder, a small catalog and ports the OS
 * chose, from the builds already made (`--no-build`), and waits for its "The product is running." block.
 */
export async function startProduct(
  options: {
    skus?: number;
    timeoutMs?: number;
    /** A mail server on 127.0.0.1 the hub sends receipt and alert e-mails through. */
    smtpPort?: number;
  } = {},
): Promise<RunningProduct> {
  assertBuilt();
  assertHubBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'pos-product-e2e-'));
  const [hubPort, storePort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      START_SCRIPT,
      '--fresh',
      '--no-build',
      '--data',
      dataDir,
      '--skus',
      String(options.skus ?? 50),
      '--hub-port',
      String(hubPort),
      '--store-port',
      String(storePort),
      ...(options.smtpPort === undefined
        ? []
        : ['--smtp-host', '127.0.0.1', '--smtp-port', String(options.smtpPort)]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!output.includes('The product is running.')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const link = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=([^&\s]+)&register=/.exec(output);
  const state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as {
    hqUser: string;
    hqPassword: string;
  };
  if (!link?.[1] || !link[2]) {
    await stop();
    throw new Error(`npm start printed no pairing link:\n${output}`);
  }
  return {
    hubUrl: `http://127.0.0.1:${hubPort}`,
    storeUrl: link[1],
    storeToken: decodeURIComponent(link[2]),
    hq: { username: state.hqUser, password: state.hqPassword },
    stop,
  };
}

/** Opens the product's till pairing link for one lane (register). */
export async function openProductLane(
  page: Page,
  product: RunningProduct,
  registerId: string,
): Promise<void> {
  await page.goto(
    `${product.storeUrl}/?token=${encodeURIComponent(product.storeToken)}&register=${encodeURIComponent(registerId)}`,
  );
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

/** Signs in to the HQ dashboard at `path` (e.g. `/pricing`) as the HQ user `npm start` created. */
export async function signInToDashboard(page: Page, product: RunningProduct, path: string): Promise<void> {
  await page.goto(`${product.hubUrl}${path}`);
  await page.getByLabel('User name').fill(product.hq.username);
  await page.getByLabel('Password').fill(product.hq.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
