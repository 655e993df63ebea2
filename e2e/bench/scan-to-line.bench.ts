/**
 * Renderer benchmark (issue 8): scan → priced line on screen, in Debian's Chromium, against a real store
 * node holding the demo generator's 100,000-SKU catalog. A "scan" is what a barcode scanner does: the code
 * typed into the focused scan field and Enter; the clock runs from that Enter keydown to the first frame
 * painted with the new line. Printed as JSON lines for `npm run bench`, each next to a baseline measured
 * in the same run:
 * - the same `sale-add-line` command sent straight over the socket from Node (what the UI must wait for);
 * - a blank DOM update in the same page (append a row, wait for the painted frame).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { chromium, type Page } from 'playwright-core';
import { createCommandClient } from '../../apps/pos-desktop/src/shared/command-client';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium';
import { startStoreNode } from '../support/store-node';

const SKUS = 100_000;
const SCANS = 300;
const PER_SALE = 20;
const DOM_UPDATES = 300;
const COMMANDS = 300;
const BUDGET_MS = 50;

function log(message: string): void {
  process.stderr.write(`# ${message}\n`);
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function report(
  fields: { name: string; value: number; unit: string; baseline: number; baselineName: string } & Record<
    string,
    unknown
  >,
) {
  console.log(
    JSON.stringify({
      ...fields,
      value: round(fields.value),
      baseline: round(fields.baseline),
      ratio: round(fields.value / fields.baseline),
    }),
  );
}

/** Barcodes of active SKUs sold by the piece with a price, spread over the whole catalog. */
function pickBarcodes(fixtureFile: string, count: number): string[] {
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8')) as {
    changes: { entity: string; key: string; data: Record<string, unknown> }[];
  };
  const priced = new Set(
    fixture.changes
      .filter((change) => change.entity === 'price')
      .map((change) => change.key.split(':').at(-1)),
  );
  const candidates = fixture.changes
    .filter((change) => change.entity === 'sku')
    .map((change) => change.data as { sku: string; unit: string; active: boolean; barcodes: string[] })
    .filter(
      (sku) => sku.unit === 'each' && sku.active && priced.has(sku.sku) && sku.barcodes[0]?.startsWith('40'),
    );
  const step = Math.max(1, Math.floor(candidates.length / count));
  return Array.from(
    { length: count },
    (_, index) => candidates[(index * step) % candidates.length]?.barcodes[0] ?? '',
  );
}

/** Records, in the page, the time from each Enter keydown to the frame painted with a new cart line. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const bench = { start: 0, samples: [] as number[], committed: [] as number[] };
    (window as unknown as { __bench: typeof bench }).__bench = bench;
    window.addEventListener(
      'keydown',
      (event) => {
        if (event.key === 'Enter') bench.start = performance.now();
      },
      true,
    );
    let lines = 0;
    new MutationObserver(() => {
      const now = document.querySelectorAll('[data-line-id]').length;
      if (now > lines && bench.start > 0) {
        const started = bench.start;
        bench.start = 0;
        bench.committed.push(performance.now() - started);
        // The frame that shows the line: the next animation frame paints, then the message runs after it.
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => bench.samples.push(performance.now() - started);
          channel.port2.postMessage(null);
        });
      }
      lines = now;
    }).observe(document.body, { childList: true, subtree: true });
  });
}

async function blankDomUpdates(page: Page): Promise<number[]> {
  return page.evaluate(async (count) => {
    const host = document.createElement('ol');
    document.body.append(host);
    const samples: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      const row = document.createElement('li');
      row.textContent = `row ${index}`;
      host.append(row);
      await new Promise<void>((resolve) =>
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve();
          channel.port2.postMessage(null);
        }),
      );
      samples.push(performance.now() - started);
    }
    host.remove();
    return samples;
  }, DOM_UPDATES);
}

async function commandRoundTrips(url: string, token: string, barcodes: readonly string[]): Promise<number[]> {
  const client = createCommandClient(url, token, { transports: ['websocket'] });
  await client.ready();
  const signIn = await client.send('staff-sign-in', { staffCode: '3002', pin: '4567' });
  if (!signIn.ok) throw new Error(signIn.error.message);
  const session = { session: signIn.value.session };
  const opened = await client.send('shift-open', { registerId: 'bench-baseline', float: 0 }, session);
  if (!opened.ok) throw new Error(opened.error.message);
  const samples: number[] = [];
  let saleId: string | undefined;
  for (let index = 0; index < COMMANDS; index += 1) {
    if (index % PER_SALE === 0) {
      if (saleId) await client.send('sale-park', { saleId }, session);
      const sale = await client.send('sale-start', { registerId: 'bench-baseline' }, session);
      if (!sale.ok) throw new Error(sale.error.message);
      saleId = sale.value.saleId;
    }
    const code = barcodes[index % barcodes.length] ?? '';
    const started = performance.now();
    const added = await client.send('sale-add-line', { saleId: saleId ?? '', code }, session);
    samples.push(performance.now() - started);
    if (!added.ok) throw new Error(added.error.message);
  }
  client.close();
  return samples;
}

async function main(): Promise<void> {
  log(`starting a store node with the ${SKUS}-SKU demo catalog (generation and load take a while)`);
  const started = performance.now();
  const node = await startStoreNode({ skus: SKUS, timeoutMs: 600_000 });
  log(`store node ready in ${Math.round(performance.now() - started)} ms`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const barcodes = pickBarcodes(node.fixture, SCANS);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${node.url}/?token=${encodeURIComponent(node.token)}&register=bench`);
    await page.getByRole('textbox', { name: 'Staff code' }).fill('3001');
    await page.keyboard.press('Enter');
    await page.getByRole('textbox', { name: 'PIN' }).fill('3456');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Open a shift' }).click();
    await page.getByLabel('Opening float').fill('100');
    await page.keyboard.press('Enter');
    await page.getByText(/^Open since/).waitFor();
    await page.getByRole('button', { name: /^Sell/ }).click();
    await page.getByRole('combobox', { name: 'Scan or search' }).waitFor();
    await instrument(page);

    for (let index = 0; index < SCANS; index += 1) {
      if (index > 0 && index % PER_SALE === 0) {
        // A customer's basket is done: park it so the next scans start a fresh sale, as at a real till.
        await page.keyboard.press('F8');
        await page.getByText('Scan an item to start a sale.').waitFor();
      }
      await page.keyboard.type(barcodes[index] ?? '');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        (expected) =>
          (window as unknown as { __bench: { samples: number[] } }).__bench.samples.length >= expected,
        index + 1,
      );
    }
    const { samples, committed } = await page.evaluate(
      () => (window as unknown as { __bench: { samples: number[]; committed: number[] } }).__bench,
    );
    const errors = await page.getByRole('alert').count();
    if (errors > 0)
      throw new Error(
        `the till showed an error during the run: ${await page.getByRole('alert').first().textContent()}`,
      );
    const dom = await blankDomUpdates(page);
    const commands = await commandRoundTrips(node.url, node.token, barcodes);

    const common = { skus: SKUS, scans: SCANS, budgetMs: BUDGET_MS };
    const commandP50 = percentile(commands, 50);
    report({
      name: 'renderer scan → priced line painted p50 (Chromium, 100k SKUs)',
      value: percentile(samples, 50),
      unit: 'ms',
      baseline: commandP50,
      baselineName: 'sale-add-line over the socket from Node p50',
      ...common,
    });
    report({
      name: 'renderer scan → priced line painted p99 (Chromium, 100k SKUs)',
      value: percentile(samples, 99),
      unit: 'ms',
      baseline: percentile(commands, 99),
      baselineName: 'sale-add-line over the socket from Node p99',
      withinBudget: percentile(samples, 99) <= BUDGET_MS,
      ...common,
    });
    report({
      name: 'renderer scan → line in the DOM (before paint) p50',
      value: percentile(committed, 50),
      unit: 'ms',
      baseline: commandP50,
      baselineName: 'sale-add-line over the socket from Node p50',
      ...common,
    });
    report({
      name: 'renderer overhead over the command (painted p50 − command p50)',
      value: Math.max(0, percentile(samples, 50) - commandP50),
      unit: 'ms',
      baseline: percentile(dom, 50),
      baselineName: 'blank DOM row append to painted frame p50, same page',
      ...common,
    });
  } finally {
    await browser.close();
    await node.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
