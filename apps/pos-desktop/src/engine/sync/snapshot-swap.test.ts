import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotRequest, SyncTransport } from '@retail/sync';
import { createHubTransport, ReferenceHub, type HubTransport } from '@retail/sync/testing';
import type { SyncStatus } from '../../shared/commands';
import { snapshotStagingFile } from '../feed/snapshot-staging';
import { createTestNode, expectOk, smallCatalogChanges, type TestNode } from '../testing/test-node';
import { readReplica } from './replica';

let node: TestNode | undefined;
afterEach(async () => {
  await node?.engine.shutdown();
  node?.close();
  node = undefined;
});

async function until(check: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const NEW_PRICES: Record<string, number> = { 'APPLE-1': 60, 'CHEESE-KG': 2990 };
const EXTRA_SKUS = 40;

/**
 * The hub's catalog after HQ rebuilt its feed: new prices, MILK-1 withdrawn, 40 new SKUs. Its epoch is
 * not the till's (the till follows its fixture), so the till must download all of it again.
 */
function hubWithNewCatalog(storeId: string, deviceId: string): ReferenceHub {
  const hub = new ReferenceHub();
  for (const change of smallCatalogChanges({ deviceId, stock: { 'APPLE-1': 20 } })) {
    if (change.key.endsWith('MILK-1')) continue;
    const data =
      change.entity === 'price'
        ? {
            ...(change.data as { priceBookId: string; sku: string }),
            tiers: [{ minQty: 1, unitPrice: NEW_PRICES[(change.data as { sku: string }).sku] ?? 100 }],
          }
        : change.data;
    hub.change({
      entity: change.entity,
      key: change.key,
      op: 'upsert',
      data,
      scope: change.entity === 'stock_level' ? storeId : '*',
    });
  }
  for (let index = 0; index < EXTRA_SKUS; index += 1) {
    const sku = `NEW-${index}`;
    hub.change(
      {
        entity: 'product',
        key: `p-${sku}`,
        op: 'upsert',
        data: { productId: `p-${sku}`, name: sku },
        scope: '*',
      },
      {
        entity: 'sku',
        key: sku,
        op: 'upsert',
        data: {
          sku,
          productId: `p-${sku}`,
          name: `Newcomer ${index}`,
          unit: 'each',
          taxCategory: 'food',
          categoryIds: ['food'],
          barcodes: [],
          active: true,
        },
        scope: '*',
      },
      {
        entity: 'price',
        key: `pb-chain:${sku}`,
        op: 'upsert',
        data: { priceBookId: 'pb-chain', sku, tiers: [{ minQty: 1, unitPrice: 300 + index }] },
        scope: '*',
      },
    );
  }
  return hub;
}

/**
 * The link to the hub, through the sync package's in-process hub transport: `dropAfterSnapshotPages`
 * takes the hub away (connection dropped, reconnects refused) when the till asks for the page after
 * that many, as a network that fails mid-download would.
 */
function linkTo(hub: ReferenceHub, principal: { deviceId: string; storeId: string }) {
  const transport: HubTransport = createHubTransport(hub, principal);
  let pages = 0;
  let dropAfter = Number.POSITIVE_INFINITY;
  const link: SyncTransport = {
    get connected() {
      return transport.connected;
    },
    connect: () => transport.connect(),
    disconnect: () => transport.disconnect(),
    push: (request) => transport.push(request),
    pull: (request) => transport.pull(request),
    snapshot(request: SnapshotRequest) {
      if (pages >= dropAfter) transport.setHubDown(true);
      pages += 1;
      return transport.snapshot(request);
    },
    onPoke: (listener) => transport.onPoke(listener),
    onConnectionChange: (listener) => transport.onConnectionChange(listener),
  };
  return {
    link,
    dropAfterSnapshotPages(count: number) {
      dropAfter = count;
    },
    heal() {
      dropAfter = Number.POSITIVE_INFINITY;
      transport.setHubDown(false);
    },
    get pages() {
      return pages;
    },
  };
}

describe('engine/sync snapshot swap', () => {
  it('prices from the whole old catalog while a re-download is cut off, and from the new one after the swap', async () => {
    // The engine asks for its transport when the hub is configured, after the hub below exists.
    const wire: { link?: ReturnType<typeof linkTo> } = {};
    node = createTestNode({
      sync: {
        transport: () => wire.link!.link,
        tuning: { snapshotLimit: 5, backoff: { baseMs: 50, capMs: 200 } },
      },
    });
    const test = node;
    const { storeId, deviceId } = test.engine.identity;
    const hub = hubWithNewCatalog(storeId, deviceId);
    const link = linkTo(hub, { deviceId, storeId });
    wire.link = link;
    link.dropAfterSnapshotPages(3);
    const status = (): SyncStatus => expectOk(test.engine.execute('sync-status', {}));
    const oldReplica = readReplica(test.engine.db);

    const cashier = { session: test.sessions.cashier };
    expectOk(test.engine.execute('shift-open', { float: 10_000 }, cashier));

    await test.engine.sync.configure({ hubUrl: 'reference://hub', credential: 'dev_test' });
    // The hub's epoch is new to the till: it starts downloading and the link drops after 3 pages.
    await until(
      () => link.pages > 3 && status().state !== 'live' && status().online === false,
      () => `pages ${link.pages}, ${JSON.stringify(status())}`,
    );
    const cut = status();
    expect(cut.feedEpoch).toBe('test-epoch');
    expect(readReplica(test.engine.db)).toEqual(oldReplica);
    expect(existsSync(snapshotStagingFile(test.databasePath))).toBe(true);

    // The till sells on with the old catalog, all of it: old prices, the withdrawn MILK-1 too.
    const sale = expectOk(test.engine.execute('sale-start', {}, cashier));
    const apple = expectOk(
      test.engine.execute('sale-add-line', { saleId: sale.saleId, sku: 'APPLE-1' }, cashier),
    );
    expect(apple.lines.at(-1)).toMatchObject({ sku: 'APPLE-1', unitPrice: 45 });
    const milk = expectOk(
      test.engine.execute('sale-add-line', { saleId: sale.saleId, sku: 'MILK-1' }, cashier),
    );
    expect(milk.lines.at(-1)).toMatchObject({ sku: 'MILK-1', unitPrice: 129 });
    expect(expectOk(test.engine.execute('catalog-search', { query: 'Newcomer' }, cashier)).items).toEqual([]);
    expectOk(test.engine.execute('sale-park', { saleId: sale.saleId }, cashier));

    // The link comes back: the download resumes, and its last page swaps the new catalog in at once.
    link.heal();
    test.engine.sync.syncNow();
    await until(
      () => status().state === 'live' && status().feedEpoch === hub.epoch,
      () => JSON.stringify(status()),
    );
    const sorted = (map: Map<string, unknown>) =>
      JSON.stringify([...map].sort(([a], [b]) => a.localeCompare(b)));
    expect(sorted(readReplica(test.engine.db))).toBe(sorted(hub.dataFor(storeId)));
    expect(existsSync(snapshotStagingFile(test.databasePath))).toBe(false);
    const next = expectOk(test.engine.execute('sale-start', {}, cashier));
    const newApple = expectOk(
      test.engine.execute('sale-add-line', { saleId: next.saleId, sku: 'APPLE-1' }, cashier),
    );
    expect(newApple.lines.at(-1)).toMatchObject({ sku: 'APPLE-1', unitPrice: 60 });
    const gone = test.engine.execute('sale-add-line', { saleId: next.saleId, sku: 'MILK-1' }, cashier);
    expect(gone.ok).toBe(false);
    expect(
      expectOk(test.engine.execute('catalog-search', { query: 'Newcomer', limit: 50 }, cashier)).items,
    ).toHaveLength(EXTRA_SKUS);
  });
});
