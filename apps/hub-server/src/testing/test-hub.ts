import type { FastifyInstance } from 'fastify';
import { withGtinCheckDigit, type Sku } from '@retail/domain';
import { buildApp, type AppOptions, type HubApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { createEnrollmentCode, enrollDevice } from '../auth/devices';
import { writeCatalog } from '../catalog/catalog-store';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { createNode, type NodeInput } from '../nodes/nodes';
import { savePriceBook, savePriceEntries } from '../pricing/pricing-store';
import type { BackendKind, Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';

/** The barcode-scannable widget most store tests sell: one SKU, 5.00 EUR tax-inclusive. */
export const WIDGET = { sku: 'WIDGET', barcode: '4006381333931', name: 'Widget', unitPrice: 500 } as const;

/**
 * Ham sold by weight, 24.90 EUR a kilo: its sample scale label is listed on the SKU, so it scans as an
 * ordinary GTIN until HQ publishes the variable-measure label rules.
 */
export const HAM_BY_WEIGHT = {
  sku: 'HAM',
  name: 'Ham',
  unit: 'kg',
  barcode: withGtinCheckDigit('211234501250'),
  unitPrice: 2_490,
} as const;

/** HQ's administrator in the store tests. */
export const HQ_ADMIN = { username: 'hq-admin', password: 'correct horse battery', role: 'admin' } as const;

/** A SKU of the test world's catalog with its chain price (minor units, tax-inclusive). */
export interface TestItem {
  readonly sku: string;
  readonly unitPrice: number;
  readonly barcode?: string;
  readonly name?: string;
  /** Defaults to `P-<sku>`; items sharing one are variants of one product. */
  readonly productId?: string;
  /** Default `each`. */
  readonly unit?: Sku['unit'];
  /** The product's name; default the item's. */
  readonly productName?: string;
}

/** A store node: only `nodeId` is needed; the rest defaults to a Paris store (FR, EUR, region idf). */
export type TestStoreNode = Partial<NodeInput> & { readonly nodeId: string };

/**
 * A store node as the store tests' hub knows it: French, euro, Paris time, pickup on without a pick
 * limit. `store-a` gets the code `SA`.
 */
export function storeNode(nodeId: string, overrides: Partial<NodeInput> = {}): NodeInput {
  return {
    nodeId,
    code: nodeId.toUpperCase().replace('STORE-', 'S'),
    name: `Store ${nodeId}`,
    kind: 'store',
    region: 'idf',
    latitude: 48.85,
    longitude: 2.35,
    pickupEnabled: true,
    pickCapacity: 0,
    jurisdiction: 'FR',
    currency: 'EUR',
    timezone: 'Europe/Paris',
    active: true,
    ...overrides,
  };
}

/** TVA 20% on the standard category in jurisdiction FR: what every FR store's sale is taxed with. */
export const FR_STANDARD_RATE = {
  rateId: 'fr-std',
  name: 'TVA 20%',
  jurisdictionId: 'FR',
  taxCategory: 'standard',
  percent: 20,
} as const;

/**
 * Products, SKUs (unit `each`, category `standard`) and one tax rate, as HQ's catalog writes them: 5,000
 * SKUs a write, each product in the write of its first SKU, the tax rate in the first.
 */
export async function seedCatalog(
  hub: HubContext,
  items: readonly TestItem[],
  taxRate: TestTaxRate = FR_STANDARD_RATE,
): Promise<void> {
  const written = new Set<string>();
  for (let from = 0; from === 0 || from < items.length; from += CATALOG_WRITE_SIZE) {
    const slice = items.slice(from, from + CATALOG_WRITE_SIZE);
    const products = new Map<string, string>();
    for (const item of slice) {
      const productId = item.productId ?? `P-${item.sku}`;
      if (!written.has(productId) && !products.has(productId))
        products.set(productId, item.productName ?? item.name ?? item.sku);
    }
    for (const productId of products.keys()) written.add(productId);
    await inHubTransaction(hub, (tx) =>
      writeCatalog(tx, [
        ...[...products].map(([productId, name]) => ({
          kind: 'product' as const,
          data: { productId, name },
        })),
        ...slice.map((item) => ({
          kind: 'sku' as const,
          data: {
            sku: item.sku,
            productId: item.productId ?? `P-${item.sku}`,
            name: item.name ?? item.sku,
            unit: item.unit ?? ('each' as const),
            taxCategory: 'standard',
            categoryIds: [],
            barcodes: item.barcode === undefined ? [] : [item.barcode],
            active: true,
          },
        })),
        ...(from === 0 ? [{ kind: 'tax_rate' as const, data: taxRate }] : []),
      ]),
    );
  }
}

const CATALOG_WRITE_SIZE = 5_000;

export interface TestTaxRate {
  rateId: string;
  name: string;
  jurisdictionId: string;
  taxCategory: string;
  percent: number;
}

/**
 * `count` generated SKUs in product families of 100 (`Product family 0` holds `Item 0` to `Item 99`),
 * priced 1.00 to 9.99: a catalog the size of a real store's, for sync and load tests.
 */
export function familyItems(count: number, skuName: (index: number) => string): TestItem[] {
  return Array.from({ length: count }, (_, index) => ({
    sku: skuName(index),
    name: `Item ${index}`,
    productId: `P-${Math.floor(index / 100)}`,
    productName: `Product family ${Math.floor(index / 100)}`,
    unitPrice: 100 + (index % 900),
  }));
}

/**
 * The chain price book `pb-chain` (priority 0, tax-inclusive) with one single-tier price per item, saved
 * as HQ saves it (entries in pages of 2,000, the route's limit).
 */
export async function seedPriceBook(
  hub: HubContext,
  items: readonly Pick<TestItem, 'sku' | 'unitPrice'>[],
  options: { currency?: string; actor?: string; bookId?: string } = {},
): Promise<void> {
  const bookId = options.bookId ?? 'pb-chain';
  const actor = options.actor ?? 'test';
  await savePriceBook(
    hub,
    bookId,
    {
      book: {
        name: 'Chain',
        currency: options.currency ?? 'EUR',
        scope: { type: 'chain' },
        priority: 0,
        taxInclusive: true,
      },
    },
    actor,
  );
  for (let from = 0; from < items.length; from += 2_000) {
    await savePriceEntries(
      hub,
      bookId,
      {
        entries: items
          .slice(from, from + 2_000)
          .map((item) => ({ sku: item.sku, tiers: [{ minQty: 1, unitPrice: item.unitPrice }] })),
      },
      actor,
    );
  }
}

/** An HQ user and a session token for it, as the dashboard signs in. */
export async function signedInOperator(
  hub: HubContext,
  user: { username: string; password: string; role: 'admin' | 'operator' | 'viewer' } = HQ_ADMIN,
): Promise<string> {
  await createUser(hub, user);
  return (await login(hub, { username: user.username, password: user.password })).token;
}

/** What `seedTestHub` writes. */
export interface TestWorldSeed {
  /** Store nodes to create, in order. */
  readonly stores?: readonly (string | TestStoreNode)[];
  /** Catalog + chain price book; default the widget. An empty list seeds neither. */
  readonly items?: readonly TestItem[];
  readonly taxRate?: TestTaxRate;
  /** The price book's currency; default EUR. */
  readonly currency?: string;
  /** Who HQ's audit names as having saved the catalog's prices; default `test`. */
  readonly priceBookActor?: string;
  /** The hub's clock; tests that move HQ's time on pass `() => Date.now() + skew`. */
  readonly now?: () => number;
}

/**
 * Writes the test world into a hub database (for harnesses whose hub is a separate `pos-hub` process):
 * store nodes, the catalog and the chain price book. Returns the HQ context over it.
 */
export async function seedTestHub(storage: Storage, seed: TestWorldSeed = {}): Promise<HubContext> {
  const hub = createHubContext(storage, seed.now);
  for (const store of seed.stores ?? []) {
    const { nodeId, ...overrides } = typeof store === 'string' ? { nodeId: store } : store;
    await createNode(hub, storeNode(nodeId, overrides));
  }
  const items = seed.items ?? [WIDGET];
  if (items.length > 0) {
    await seedCatalog(hub, items, seed.taxRate);
    await seedPriceBook(hub, items, { currency: seed.currency, actor: seed.priceBookActor });
  }
  return hub;
}

export interface TestHubOptions extends TestWorldSeed {
  /** Default `sqlite`. Run a suite on both with `describe.each(backendKinds())`. */
  readonly kind?: BackendKind;
  /** Everything `buildApp` takes besides the hub (orders settings, sync tuning, ...). */
  readonly app?: Omit<AppOptions, 'hub'>;
  /** Default true: serve HTTP + socket.io on 127.0.0.1 at a free port. */
  readonly listen?: boolean;
}

/** A real hub in this process: its own database on the chosen backend, seeded, serving on 127.0.0.1. */
export interface TestHub {
  readonly kind: BackendKind;
  readonly database: TestDatabase;
  readonly storage: Storage;
  readonly hub: HubContext;
  readonly app: FastifyInstance;
  readonly built: HubApp;
  /** `http://127.0.0.1:<port>`; empty when not listening. */
  readonly url: string;
  /** A fresh one-time enrollment code for a store node, as HQ's dashboard hands one out. */
  enrollmentCode(nodeId: string): Promise<string>;
  /** Enrolls a till that was set up first, keeping its device id and number; returns its credential. */
  enrollTill(till: TillIdentity): Promise<string>;
  close(): Promise<void>;
}

export interface TillIdentity {
  readonly storeId: string;
  /** A till set up first keeps its own id and number; without them the hub gives the device its own. */
  readonly deviceId?: string;
  readonly deviceNo?: number;
  readonly deviceName?: string;
}

/** Enrolls a till that was set up first (as `pos-store start --enroll` does); returns its credential. */
export async function enrollTill(hub: HubContext, till: TillIdentity): Promise<string> {
  const { code } = await createEnrollmentCode(hub, till.storeId, 'test');
  const enrolled = await enrollDevice(hub, {
    code,
    deviceName: till.deviceName ?? (till.deviceNo === undefined ? 'Lane' : `Till ${till.deviceNo}`),
    deviceId: till.deviceId,
    deviceNo: till.deviceNo,
    storeId: till.storeId,
  });
  return enrolled.credential;
}

/**
 * Starts a real hub (storage, ingest, feed, HTTP API and socket.io sync) on a fresh database of `kind`,
 * with `stores`, a catalog and the chain price book already written. Close it in `afterAll`.
 */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const kind = options.kind ?? 'sqlite';
  const database = await createTestDatabase(kind);
  const storage = await database.open();
  let built: HubApp | undefined;
  try {
    const hub = await seedTestHub(storage, options);
    built = await buildApp({ hub, ...options.app });
    const url = options.listen === false ? '' : await built.app.listen({ host: '127.0.0.1', port: 0 });
    const app = built.app;
    return {
      kind,
      database,
      storage,
      hub,
      app,
      built,
      url,
      enrollmentCode: async (nodeId) => (await createEnrollmentCode(hub, nodeId, 'test')).code,
      enrollTill: (till) => enrollTill(hub, till),
      async close() {
        await app.close();
        await storage.close();
        await database.dispose();
      },
    };
  } catch (error) {
    await built?.app.close();
    await storage.close();
    await database.dispose();
    throw error;
  }
}
