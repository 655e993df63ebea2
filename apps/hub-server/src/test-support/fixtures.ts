import { randomBytes, randomUUID } from 'node:crypto';
import {
  createUuidV7Generator,
  priceCart,
  resolvePrice,
  type CurrencyCode,
  type PriceBook,
  type PriceEntry,
  type Promotion,
  type Sku,
  type TaxRate,
} from '@retail/domain';
import { CURRENT_VERSION, type EventEnvelope, type EventPayloads, type EventType } from '@retail/sync';
import type { z } from 'zod';
import { createEnrollmentCode, enrollDevice, type EnrollResponse } from '../auth/devices';
import { writeCatalog } from '../catalog/catalog-store';
import { inHubTransaction } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { createNode, type NodeInput } from '../nodes/nodes';
import {
  listPriceBooks,
  listPromotions,
  savePriceBook,
  savePriceEntries,
  savePromotion,
  type PromotionInputSchema,
} from '../pricing/pricing-store';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';

export const ISO = '2026-11-23T10:00:00.000Z';

export function nodeInput(nodeId: string, overrides: Partial<NodeInput> = {}): NodeInput {
  return {
    nodeId,
    code: nodeId.toUpperCase(),
    name: `Node ${nodeId}`,
    kind: 'store',
    region: 'north',
    pickupEnabled: true,
    pickCapacity: 20,
    shipEnabled: false,
    shipPickCapacity: 0,
    jurisdiction: 'US-NY',
    currency: 'USD',
    timezone: 'UTC',
    active: true,
    ...overrides,
  };
}

export function sku(id: string, overrides: Partial<Sku> = {}): Sku {
  return {
    sku: id,
    productId: `P-${id}`,
    name: `Item ${id}`,
    unit: 'each',
    taxCategory: 'standard',
    categoryIds: [],
    barcodes: [],
    active: true,
    ...overrides,
  };
}

/** Nodes, a few SKUs and their products: enough world for ingest and reservation tests. */
export async function seedWorld(
  hub: HubContext,
  options: { nodes?: string[]; skus?: string[]; warehouses?: string[] } = {},
): Promise<void> {
  for (const nodeId of options.nodes ?? ['s1', 's2']) await createNode(hub, nodeInput(nodeId));
  for (const nodeId of options.warehouses ?? [])
    await createNode(hub, nodeInput(nodeId, { kind: 'warehouse' }));
  const skus = options.skus ?? ['A', 'B', 'C'];
  await inHubTransaction(hub, (tx) =>
    writeCatalog(tx, [
      ...skus.map((id) => ({
        kind: 'product' as const,
        data: { productId: `P-${id}`, name: `Product ${id}` },
      })),
      ...skus.map((id) => ({ kind: 'sku' as const, data: sku(id) })),
    ]),
  );
}

export async function enrollTestDevice(
  hub: HubContext,
  nodeId: string,
  name = 'Lane',
): Promise<EnrollResponse> {
  const { code } = await createEnrollmentCode(hub, nodeId, 'test');
  return enrollDevice(hub, { code, deviceName: name });
}

/**
 * Makes the ids of a fixture's events and payloads: random UUIDs unless a test or a benchmark passes the
 * generator a till uses (time-ordered UUIDv7s, `createUuidV7Generator`), whose ids land at the end of the
 * hub's indexes where random ones land anywhere.
 */
export type FixtureIds = () => string;

/** The ids a till makes: UUIDv7s from the clock, strictly increasing on this generator. */
export function tillIds(): FixtureIds {
  return createUuidV7Generator({ now: () => Date.now(), randomBytes: (length) => randomBytes(length) });
}

/** Builds a device's events with gapless deviceSeqs, like a store node's outbox. */
export class EventFactory {
  private seq = 0;
  constructor(
    readonly device: { deviceId: string; storeId: string },
    readonly ids: FixtureIds = randomUUID,
  ) {}

  next<T extends EventType>(type: T, payload: EventPayloads[T] | Record<string, unknown>): EventEnvelope {
    this.seq += 1;
    return {
      eventId: this.ids(),
      type,
      schemaVersion: CURRENT_VERSION[type],
      storeId: this.device.storeId,
      deviceId: this.device.deviceId,
      deviceSeq: this.seq,
      hlc: `${String(this.seq).padStart(15, '0')}:00000:${this.device.deviceId}`,
      occurredAt: ISO,
      txId: this.ids(),
      payload,
    };
  }

  get lastSeq(): number {
    return this.seq;
  }
}

export function movement(
  skuId: string,
  delta: number,
  type = 'ADJUSTMENT',
  bucket = 'sellable',
  ids: FixtureIds = randomUUID,
) {
  return {
    movementId: ids(),
    sku: skuId,
    type,
    bucket,
    delta,
  } as EventPayloads['stock.adjusted']['movements'][number];
}

export function adjustment(...movements: ReturnType<typeof movement>[]): EventPayloads['stock.adjusted'] {
  return { adjustmentId: randomUUID(), reason: 'test', movements, adjustedAt: ISO };
}

/** Staff belong to one store at the hub: a store's events name its own (`staffId`, default staff-1). */
export function saleOf(
  lines: { sku: string; qty: number }[],
  options: { staffId?: string; ids?: FixtureIds } = {},
): EventPayloads['sale.completed'] {
  const ids = options.ids ?? randomUUID;
  const saleId = ids();
  return {
    saleId,
    receiptNumber: `R-${saleId.slice(0, 8)}`,
    shiftId: 'shift-1',
    staffId: options.staffId ?? 'staff-1',
    currency: 'USD',
    priceBookVersion: 'pb@1',
    promotionIds: [],
    promotions: [],
    lines: lines.map((line, index) => ({
      lineId: `${saleId}-${index}`,
      sku: line.sku,
      name: line.sku,
      qty: line.qty,
      unit: 'each' as const,
      taxCategory: 'standard',
      unitPrice: 100,
      taxInclusive: true,
      priceSource: 'price_book' as const,
      extended: 100 * line.qty,
      adjustments: [],
      net: 100 * line.qty,
      taxes: [],
      paid: 100 * line.qty,
    })),
    totals: {
      subtotal: 0,
      discount: 0,
      tax: 0,
      total: lines.reduce((t, l) => t + 100 * l.qty, 0),
      cashRounding: 0,
      paid: 0,
      change: 0,
    },
    tenders: [{ tenderId: ids(), type: 'cash' as const, amount: 100 }],
    overrides: [],
    movements: lines.map((line) => movement(line.sku, -line.qty, 'POS_SALE', 'sellable', ids)),
    completedAt: ISO,
  };
}

type SaleCompleted = EventPayloads['sale.completed'];

/**
 * A 1,000 sale of one `A` with one manual discount of `discount` on its line (`kind` manual_line, or
 * manual_order), given by `givenBy` (default the seller), approved by `approver` when given, claiming
 * `staffRoles`: what the hub's discount-limit and staff-role checks judge.
 */
export function discountedSaleOf(options: {
  readonly saleId: string;
  readonly shiftId: string;
  readonly staffId: string;
  readonly discount: number;
  readonly reason: string;
  readonly staffRoles: NonNullable<SaleCompleted['staffRoles']>;
  readonly completedAt: string;
  readonly givenBy?: string;
  readonly kind?: 'manual_line' | 'manual_order';
  readonly approver?: { readonly managerId: string; readonly at: string };
  readonly settingsVersion?: number;
}): SaleCompleted {
  const { saleId, discount } = options;
  return {
    saleId,
    receiptNumber: `R-${saleId}`,
    shiftId: options.shiftId,
    staffId: options.staffId,
    currency: 'USD',
    priceBookVersion: 'pb@1',
    promotionIds: [],
    promotions: [],
    lines: [
      {
        lineId: `${saleId}-1`,
        sku: 'A',
        name: 'Item A',
        qty: 1,
        unit: 'each',
        taxCategory: 'standard',
        unitPrice: 1_000,
        taxInclusive: true,
        priceSource: 'price_book',
        extended: 1_000,
        adjustments: [
          {
            kind: options.kind ?? 'manual_line',
            amount: discount,
            reason: options.reason,
            givenBy: options.givenBy ?? options.staffId,
          },
        ],
        net: 1_000 - discount,
        taxes: [],
        paid: 1_000 - discount,
      },
    ],
    totals: {
      subtotal: 1_000,
      discount,
      tax: 0,
      total: 1_000 - discount,
      cashRounding: 0,
      paid: 1_000 - discount,
      change: 0,
    },
    tenders: [{ tenderId: `${saleId}-t`, type: 'cash', amount: 1_000 - discount }],
    overrides:
      options.approver === undefined
        ? []
        : [
            {
              managerId: options.approver.managerId,
              reason: 'Approved',
              at: options.approver.at,
              action: 'discount-over-limit',
            },
          ],
    ...(options.settingsVersion === undefined ? {} : { settingsVersion: options.settingsVersion }),
    staffRoles: options.staffRoles,
    movements: [movement('A', -1, 'POS_SALE')],
    completedAt: options.completedAt,
  };
}

export function receiptOf(
  lines: { sku: string; qty: number }[],
  source: { type: 'supplier' | 'transfer'; reference: string } = { type: 'supplier', reference: 'PO-1' },
): EventPayloads['stock.received'] {
  return {
    receiptId: randomUUID(),
    source,
    lines: lines.map((line) => ({ ...line, bucket: 'sellable' as const })),
    movements: lines.map((line) =>
      movement(line.sku, line.qty, source.type === 'supplier' ? 'RECEIPT' : 'TRANSFER_IN'),
    ),
    receivedAt: ISO,
  };
}

/**
 * What a till holds after syncing with the hub: the published price books and their prices, the
 * promotions, tax rates, SKUs and its store's region and jurisdiction. `pricedSaleOf` prices with it.
 */
export interface TillPricing {
  readonly books: readonly PriceBook[];
  /** Every book's entries for a SKU, keyed by SKU. */
  readonly entries: ReadonlyMap<string, readonly PriceEntry[]>;
  readonly promotions: readonly Promotion[];
  readonly taxRates: readonly TaxRate[];
  readonly skus: ReadonlyMap<string, Sku>;
  readonly stores: ReadonlyMap<string, { readonly regionId: string; readonly jurisdictionId: string }>;
}

/** Reads what a fully synced till would hold from the hub's current state. */
export async function loadTillPricing(executor: Executor): Promise<TillPricing> {
  const entries = new Map<string, PriceEntry[]>();
  for (const row of await executor.selectFrom('price_entries').select('data').execute()) {
    const entry = JSON.parse(row.data) as PriceEntry;
    entries.set(entry.sku, [...(entries.get(entry.sku) ?? []), entry]);
  }
  const skus = new Map<string, Sku>();
  for (const row of await executor.selectFrom('skus').select(['sku', 'data']).execute())
    skus.set(row.sku, JSON.parse(row.data) as Sku);
  const stores = new Map(
    (await executor.selectFrom('nodes').select(['node_id', 'region', 'jurisdiction']).execute()).map(
      (row) => [row.node_id, { regionId: row.region, jurisdictionId: row.jurisdiction }],
    ),
  );
  const taxRates = (await executor.selectFrom('tax_rates').select('data').execute()).map(
    (row) => JSON.parse(row.data) as TaxRate,
  );
  return {
    books: await listPriceBooks(executor),
    entries,
    promotions: await listPromotions(executor),
    taxRates,
    skus,
    stores,
  };
}

export interface PricingSeed {
  /** SKUs already in the catalog (seedWorld) to price. */
  readonly skus: readonly string[];
  readonly priceBookId?: string;
  readonly currency?: CurrencyCode;
  readonly taxInclusive?: boolean;
  /** Unit price in minor units of the n-th SKU. */
  readonly unitPrice?: (sku: string, index: number) => number;
  readonly taxRate?: TaxRate;
  readonly promotion?: { promotionId: string } & z.input<typeof PromotionInputSchema>['promotion'];
}

/**
 * Publishes a chain-wide price book for `skus` through the same paths HQ uses (so the hub keeps its
 * version history), optionally a tax rate and a promotion, and returns what a synced till then holds.
 */
export async function seedPricing(hub: HubContext, seed: PricingSeed): Promise<TillPricing> {
  const priceBookId = seed.priceBookId ?? 'pb-chain';
  const unitPrice = seed.unitPrice ?? ((_sku: string, index: number) => 100 + (index % 900));
  if (seed.taxRate !== undefined) {
    const taxRate = seed.taxRate;
    await inHubTransaction(hub, (tx) => writeCatalog(tx, [{ kind: 'tax_rate', data: taxRate }]));
  }
  await savePriceBook(
    hub,
    priceBookId,
    {
      book: {
        name: priceBookId,
        currency: seed.currency ?? 'USD',
        scope: { type: 'chain' },
        priority: 0,
        taxInclusive: seed.taxInclusive ?? false,
      },
    },
    'fixture',
  );
  const priced = seed.skus.map((sku, index) => ({
    sku,
    tiers: [{ minQty: 1, unitPrice: unitPrice(sku, index) }],
  }));
  for (const chunk of chunks(priced, 5_000))
    await savePriceEntries(hub, priceBookId, { entries: chunk }, 'fixture');
  if (seed.promotion !== undefined) {
    const { promotionId, ...promotion } = seed.promotion;
    await savePromotion(hub, promotionId, { promotion }, 'fixture');
  }
  return loadTillPricing(hub.storage.db);
}

/**
 * A sale.completed exactly as a store node's sale-complete writes it (engine/commands/sale.ts): each line
 * priced from the till's books with the domain's resolvePrice, the cart with priceCart and the promotions
 * in force, paid by card for the exact total. The hub's pricing audit must find nothing to report.
 */
export function pricedSaleOf(
  pricing: TillPricing,
  lines: { sku: string; qty: number }[],
  options: { storeId?: string; at?: number; currency?: CurrencyCode; ids?: FixtureIds } = {},
): EventPayloads['sale.completed'] {
  const ids = options.ids ?? randomUUID;
  const storeId = options.storeId ?? 's1';
  const at = options.at ?? Date.parse(ISO);
  const currency = options.currency ?? 'USD';
  const store = pricing.stores.get(storeId);
  if (store === undefined) throw new Error(`fixture: store ${storeId} is not seeded`);
  const saleId = ids();
  const context = { storeId, regionId: store.regionId, at, currency };
  const inputs = lines.map((line, index) => {
    const catalog = pricing.skus.get(line.sku);
    if (catalog === undefined) throw new Error(`fixture: SKU ${line.sku} is not seeded`);
    const candidates = (pricing.entries.get(line.sku) ?? []).flatMap((entry) => {
      const book = pricing.books.find((candidate) => candidate.priceBookId === entry.priceBookId);
      return book === undefined ? [] : [{ book, entry }];
    });
    const resolved = resolvePrice(line.sku, candidates, { ...context, qty: line.qty });
    return {
      lineId: `${saleId}-${index}`,
      sku: line.sku,
      name: catalog.name,
      unit: catalog.unit,
      taxCategory: catalog.taxCategory,
      categoryIds: catalog.categoryIds,
      qty: line.qty,
      price: {
        source: 'price_book' as const,
        unitPrice: resolved.unitPrice,
        taxInclusive: resolved.taxInclusive,
        priceBookId: resolved.priceBookId,
        priceBookVersion: resolved.priceBookVersion,
      },
    };
  });
  const cart = priceCart({
    currency,
    at,
    storeId,
    regionId: store.regionId,
    jurisdictionIds: [store.jurisdictionId],
    lines: inputs,
    promotions: pricing.promotions.filter(
      (promotion) =>
        (promotion.startsAt === undefined || promotion.startsAt <= at) &&
        (promotion.endsAt === undefined || promotion.endsAt > at),
    ),
    taxRates: pricing.taxRates,
  });
  const promotions = cart.promotions.applied.map((p) => ({ promotionId: p.promotionId, version: p.version }));
  const total = cart.totals.total.amount;
  return {
    saleId,
    receiptNumber: `R-${saleId.slice(0, 8)}`,
    shiftId: 'shift-1',
    staffId: `staff-${storeId}`,
    currency,
    priceBookVersion: cart.priceBookVersion,
    promotionIds: promotions.map((p) => p.promotionId),
    promotions,
    lines: cart.lines.map((line, index) => ({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      qty: line.qty,
      unit: line.unit,
      taxCategory: inputs[index]?.taxCategory ?? '',
      unitPrice: line.unitPrice.amount,
      taxInclusive: line.taxInclusive,
      priceSource: line.price.source,
      ...(line.price.source === 'price_book'
        ? { priceBookId: line.price.priceBookId, priceBookVersion: line.price.priceBookVersion }
        : {}),
      extended: line.extended.amount,
      adjustments: line.adjustments.map((adjustment) => ({
        kind: adjustment.kind,
        ...(adjustment.promotionId === undefined ? {} : { promotionId: adjustment.promotionId }),
        amount: adjustment.amount.amount,
        reason: adjustment.reason,
      })),
      net: line.net.amount,
      taxes: line.taxes.map((tax) => ({
        rateId: tax.rateId,
        name: tax.name,
        percent: tax.percent,
        amount: tax.amount.amount,
      })),
      paid: line.paid.amount,
    })),
    totals: {
      subtotal: cart.totals.subtotal.amount,
      discount: cart.totals.discount.amount,
      tax: cart.totals.tax.amount,
      total,
      cashRounding: 0,
      paid: total,
      change: 0,
    },
    tenders: [{ tenderId: ids(), type: 'card', amount: total, tendered: total, reference: `T-${saleId}` }],
    overrides: [],
    movements: cart.lines.map((line) => movement(line.sku, -line.qty, 'POS_SALE', 'sellable', ids)),
    completedAt: new Date(at).toISOString(),
  };
}
