import {
  allocate,
  assertNever,
  checkedPromotion,
  deepFreeze,
  isDomainError,
  money,
  parsePriceBookVersionTag,
  priceCart,
  resolvePrice,
  type CartLineInput,
  type CurrencyCode,
  type LinePrice,
  type ManualDiscount,
  type PriceBook,
  type PriceBookVersionRef,
  type PricedCart,
  type PriceEntry,
  type Promotion,
  type Sku,
  type TaxRate,
} from '@retail/domain';
import type { EventEnvelope, EventPayloads } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import { chunks } from '../storage/chunks';
import { referenceData } from '../storage/reference-versions';
import type { Executor } from '../storage/storage';
import { priceEntriesAtVersions, priceEntryAtVersion, publishedVersion } from './pricing-store';

/**
 * The hub's pricing audit. A completed sale is a fact: the hub never re-prices it. It re-computes the
 * sale with the same domain `priceCart` the till ran, from exactly what the till says it used: the price
 * book versions on each line, the applied promotions at their versions, the hub's tax rates at the sale's
 * time, and the cashier's own decisions taken as recorded (label prices, manager overrides, manual
 * discounts, cash rounding). Any difference, or a version the hub never published, raises one
 * PRICING_AUDIT exception carrying both computations.
 *
 * What it can prove: every book price came from a version the hub published, was in force for this store
 * at the sale's time and at the line's quantity tier; promotions, tax and totals follow from them. What it
 * cannot: that another book should have won or another promotion should have applied, because a till
 * that was offline legitimately had only the versions it had.
 */

export type CompletedSale = EventPayloads['sale.completed'];

export interface StoreFacts {
  readonly regionId: string;
  readonly jurisdictionId: string;
}

/** Lookups shared by every sale of one ingest transaction (a batch holds up to 500 events). */
interface AuditCache {
  readonly stores: Map<string, Promise<StoreFacts | undefined>>;
  readonly books: Map<string, Promise<PriceBook | undefined>>;
  readonly promotions: Map<string, Promise<Promotion | undefined>>;
  readonly skus: Map<string, Promise<Sku | undefined>>;
  taxRates?: Promise<TaxRate[]>;
}

const caches = new WeakMap<object, AuditCache>();

/**
 * Published versions never change, so once found they are kept for the life of the storage (across
 * ingest transactions); a version not found is asked again next time, as it may be published meanwhile.
 */
const publishedCaches = new WeakMap<object, Map<string, unknown>>();
const MAX_CACHED_VERSIONS = 10_000;

async function cachedPublishedVersion<T>(
  executor: Executor,
  owner: object | undefined,
  entity: 'price_book' | 'promotion',
  key: string,
  version: number,
): Promise<T | undefined> {
  const cacheKey = `${entity}:${key}@${version}`;
  let cache = owner === undefined ? undefined : publishedCaches.get(owner);
  if (owner !== undefined && cache === undefined) {
    cache = new Map();
    publishedCaches.set(owner, cache);
  }
  const hit = cache?.get(cacheKey);
  if (hit !== undefined) return hit as T;
  let found = await publishedVersion<T>(executor, entity, key, version);
  if (entity === 'promotion' && found !== undefined) {
    // Validated and frozen once here, so pricing each audited sale does not validate it again.
    const checked = checkedPromotion(found);
    if (checked.ok) found = checked.value as Awaited<T>;
  }
  if (found !== undefined && cache !== undefined) {
    if (cache.size >= MAX_CACHED_VERSIONS) cache.clear();
    cache.set(cacheKey, found);
  }
  return found;
}

/**
 * A book's price at a published version is final: every later change to the book is recorded at a higher
 * version. So prices found in the history for a published version are kept for the life of the storage
 * (otherwise every sale re-reads the same rows); keyed `bookId@version:sku` (book ids hold no '@').
 */
const recordedPriceCaches = new WeakMap<object, Map<string, PriceEntry | null>>();
const MAX_CACHED_PRICES = 100_000;

interface PriceRef {
  readonly priceBookId: string;
  readonly sku: string;
  readonly version: number;
}

const priceKey = (ref: PriceRef) => `${ref.priceBookId}@${ref.version}:${ref.sku}`;

/**
 * The recorded price of each ref, keyed by `priceKey`, asking the history only for refs not seen before.
 * Every ref must name a published version. Refs the history cannot answer are left out; ask
 * `priceEntryAtVersion` for those (its fallback to the current price can change, so it is not kept).
 */
async function recordedPrices(
  executor: Executor,
  owner: object | undefined,
  refs: readonly PriceRef[],
): Promise<Map<string, PriceEntry | null>> {
  let cache = owner === undefined ? undefined : recordedPriceCaches.get(owner);
  if (owner !== undefined && cache === undefined) {
    cache = new Map();
    recordedPriceCaches.set(owner, cache);
  }
  const found = new Map<string, PriceEntry | null>();
  const wanted = new Map<string, number>();
  for (const ref of refs) {
    const hit = cache?.get(priceKey(ref));
    if (hit !== undefined) found.set(priceKey(ref), hit);
    else wanted.set(`${ref.priceBookId}:${ref.sku}`, ref.version);
  }
  if (wanted.size === 0) return found;
  const loaded = await priceEntriesAtVersions(executor, wanted);
  for (const ref of refs) {
    const historyKey = `${ref.priceBookId}:${ref.sku}`;
    // Two refs to one book and SKU at different versions: the query answered only the last one.
    if (wanted.get(historyKey) !== ref.version) continue;
    const entry = loaded.get(historyKey);
    if (entry === undefined) continue;
    found.set(priceKey(ref), entry);
    if (cache !== undefined) {
      if (cache.size >= MAX_CACHED_PRICES) cache.clear();
      cache.set(priceKey(ref), entry);
    }
  }
  return found;
}

function cacheFor(owner: object): AuditCache {
  let cache = caches.get(owner);
  if (cache === undefined) {
    cache = { stores: new Map(), books: new Map(), promotions: new Map(), skus: new Map() };
    caches.set(owner, cache);
  }
  return cache;
}

function memo<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let found = map.get(key);
  if (found === undefined) {
    found = load();
    map.set(key, found);
  }
  return found;
}

/** One line as both sides see it, in minor units. */
export interface AuditLine {
  readonly lineId: string;
  readonly sku: string;
  readonly qty: number;
  readonly unitPrice: number;
  readonly taxInclusive: boolean;
  readonly priceBook: string | null;
  readonly extended: number;
  readonly adjustments: readonly { kind: string; promotionId: string | null; amount: number }[];
  readonly net: number;
  readonly tax: number;
  readonly paid: number;
}

export interface AuditComputation {
  readonly priceBookVersion: string;
  readonly promotions: readonly { promotionId: string; version: number }[];
  readonly lines: readonly AuditLine[];
  readonly totals: { subtotal: number; discount: number; tax: number; total: number };
}

export type PricingAuditResult =
  | { readonly status: 'match' }
  | {
      readonly status: 'mismatch';
      /** Sentences for the HQ operator: what differs, or what the hub could not find. */
      readonly reasons: readonly string[];
      readonly till: AuditComputation;
      /** The hub's computation; null when it could not compute (an unknown version). */
      readonly hub: AuditComputation | null;
    };

function byPromotion(
  left: { promotionId: string; version: number },
  right: { promotionId: string; version: number },
) {
  return left.promotionId < right.promotionId ? -1 : left.promotionId > right.promotionId ? 1 : 0;
}

function tillComputation(sale: CompletedSale): AuditComputation {
  const loads = giftCardLoads(sale);
  return {
    priceBookVersion: sale.priceBookVersion,
    promotions: [...sale.promotions].sort(byPromotion),
    lines: sale.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      unitPrice: line.unitPrice,
      taxInclusive: line.taxInclusive,
      priceBook:
        line.priceSource === 'price_book'
          ? `${line.priceBookId ?? '?'}@${line.priceBookVersion ?? '?'}`
          : null,
      extended: line.extended,
      adjustments: line.adjustments.map((adjustment) => ({
        kind: adjustment.kind,
        promotionId: adjustment.promotionId ?? null,
        amount: adjustment.amount,
      })),
      net: line.net,
      tax: line.taxes.reduce((total, tax) => total + tax.amount, 0),
      paid: line.paid,
    })),
    // Gift card loads are in the sale's totals but are not priced (loyalty/gift-card-loads.ts).
    totals: {
      subtotal: sale.totals.subtotal - loads,
      discount: sale.totals.discount,
      tax: sale.totals.tax,
      total: sale.totals.total - loads,
    },
  };
}

function giftCardLoads(sale: CompletedSale): number {
  let total = 0;
  for (const load of sale.giftCards ?? []) total += load.amount;
  return total;
}

function hubComputation(cart: PricedCart, cashRounding: number): AuditComputation {
  const currency = cart.currency;
  // The till spreads cash rounding over the lines in proportion to what each paid; so does the audit.
  const shares =
    cashRounding === 0 || cart.lines.length === 0
      ? cart.lines.map(() => 0)
      : allocate(
          money(cashRounding, currency),
          cart.lines.map((line) => line.paid.amount),
          cart.lines.map((line) => line.lineId),
        ).map((share) => share.amount);
  return {
    priceBookVersion: cart.priceBookVersion,
    promotions: cart.promotions.applied
      .map((promotion) => ({ promotionId: promotion.promotionId, version: promotion.version }))
      .sort(byPromotion),
    lines: cart.lines.map((line, index) => ({
      lineId: line.lineId,
      sku: line.sku,
      qty: line.qty,
      unitPrice: line.unitPrice.amount,
      taxInclusive: line.taxInclusive,
      priceBook:
        line.price.source === 'price_book'
          ? `${line.price.priceBookId}@${line.price.priceBookVersion}`
          : null,
      extended: line.extended.amount,
      adjustments: line.adjustments.map((adjustment) => ({
        kind: adjustment.kind,
        promotionId: adjustment.promotionId ?? null,
        amount: adjustment.amount.amount,
      })),
      net: line.net.amount,
      tax: line.tax.amount,
      paid: line.paid.amount + (shares[index] ?? 0),
    })),
    totals: {
      subtotal: cart.totals.subtotal.amount,
      discount: cart.totals.discount.amount,
      tax: cart.totals.tax.amount,
      total: cart.totals.total.amount,
    },
  };
}

const LINE_FIELDS = ['unitPrice', 'taxInclusive', 'priceBook', 'extended', 'net', 'tax', 'paid'] as const;

function adjustmentsText(line: Pick<AuditLine, 'adjustments'>): string {
  return JSON.stringify(
    line.adjustments
      .map((adjustment) => `${adjustment.kind}:${adjustment.promotionId ?? ''}:${adjustment.amount}`)
      .sort(),
  );
}

/**
 * Whether two lines' discounts differ as `adjustmentsText` compares them (in any order). Lists equal item
 * by item, the usual case, have equal texts, so their texts are not built.
 */
export function adjustmentsDiffer(
  till: Pick<AuditLine, 'adjustments'>,
  hub: Pick<AuditLine, 'adjustments'>,
): boolean {
  const left = till.adjustments;
  const right = hub.adjustments;
  let same = left.length === right.length;
  for (let index = 0; same && index < left.length; index += 1) {
    const a = left[index]!;
    const b = right[index]!;
    same = a.kind === b.kind && a.promotionId === b.promotionId && a.amount === b.amount;
  }
  return !same && adjustmentsText(till) !== adjustmentsText(hub);
}

type AuditPromotion = AuditComputation['promotions'][number];

function promotionsText(promotions: readonly AuditPromotion[]): string {
  return promotions.map((p) => `${p.promotionId}@${p.version}`).join(', ');
}

/**
 * Whether two promotion lists differ as their `promotionsText` compares them. Lists equal item by item
 * (the usual case) have equal texts, so their texts are not built.
 */
export function promotionsDiffer(till: readonly AuditPromotion[], hub: readonly AuditPromotion[]): boolean {
  let same = till.length === hub.length;
  for (let index = 0; same && index < till.length; index += 1) {
    same =
      till[index]!.promotionId === hub[index]!.promotionId && till[index]!.version === hub[index]!.version;
  }
  return !same && promotionsText(till) !== promotionsText(hub);
}

/** Every difference between what the till recorded and what the hub computed, as sentences. */
export function compareComputations(till: AuditComputation, hub: AuditComputation): string[] {
  const differences: string[] = [];
  if (till.priceBookVersion !== hub.priceBookVersion) {
    differences.push(
      `The sale names price books "${till.priceBookVersion}", its lines add up to "${hub.priceBookVersion}".`,
    );
  }
  if (promotionsDiffer(till.promotions, hub.promotions)) {
    const tillPromotions = promotionsText(till.promotions);
    const hubPromotions = promotionsText(hub.promotions);
    differences.push(
      `The till applied promotions [${tillPromotions}]; the same promotions applied by the hub give [${hubPromotions}].`,
    );
  }
  let hubLines: Map<string, AuditLine> | undefined;
  for (let index = 0; index < till.lines.length; index += 1) {
    const line = till.lines[index]!;
    // The hub's lines have distinct ids (priceCart refuses a cart with a line twice), so the line at the
    // same place, when its id matches, is the one the id names; the map is built only otherwise.
    const atIndex = hub.lines[index];
    const expected =
      atIndex?.lineId === line.lineId
        ? atIndex
        : (hubLines ??= new Map(hub.lines.map((hubLine) => [hubLine.lineId, hubLine]))).get(line.lineId);
    if (expected === undefined) continue;
    for (const field of LINE_FIELDS) {
      if (line[field] !== expected[field]) {
        differences.push(
          `Line ${line.lineId} (${line.sku} × ${line.qty}): ${field} is ${String(line[field])} on the sale, ` +
            `${String(expected[field])} by the hub.`,
        );
      }
    }
    if (adjustmentsDiffer(line, expected)) {
      differences.push(
        `Line ${line.lineId} (${line.sku}): discounts ${adjustmentsText(line)} on the sale, ` +
          `${adjustmentsText(expected)} by the hub.`,
      );
    }
  }
  for (const field of ['subtotal', 'discount', 'tax', 'total'] as const) {
    if (till.totals[field] !== hub.totals[field]) {
      differences.push(`The ${field} is ${till.totals[field]} on the sale, ${hub.totals[field]} by the hub.`);
    }
  }
  return differences;
}

async function storeFacts(executor: Executor, cache: AuditCache, storeId: string) {
  return memo(cache.stores, storeId, async () => {
    const row = await executor
      .selectFrom('nodes')
      .select(['region', 'jurisdiction'])
      .where('node_id', '=', storeId)
      .executeTakeFirst();
    return row === undefined ? undefined : { regionId: row.region, jurisdictionId: row.jurisdiction };
  });
}

/** Loads the sale's SKUs the transaction has not seen yet in one query. */
function loadSkus(executor: Executor, cache: AuditCache, lines: CompletedSale['lines']): void {
  let seen = true;
  for (let index = 0; seen && index < lines.length; index += 1) seen = cache.skus.has(lines[index]!.sku);
  if (seen) return;
  const unseen = [...new Set(lines.map((line) => line.sku))].filter((sku) => !cache.skus.has(sku));
  if (unseen.length === 0) return;
  const loading = (async () => {
    const found = new Map<string, Sku>();
    for (const chunk of chunks(unseen, 500)) {
      const rows = await executor
        .selectFrom('skus')
        .select(['sku', 'data'])
        .where('sku', 'in', chunk)
        .execute();
      for (const row of rows) found.set(row.sku, catalogSku(row.sku, row.data));
    }
    return found;
  })();
  for (const sku of unseen)
    cache.skus.set(
      sku,
      loading.then((found) => found.get(sku)),
    );
}

/**
 * Hands the audit the store's row the transaction already read (the ingest reads it with the device's
 * row); undefined: there is no such store, as reading it would have found.
 */
export function primeAuditStore(transaction: object, storeId: string, facts: StoreFacts | undefined): void {
  const cache = cacheFor(transaction);
  if (!cache.stores.has(storeId)) cache.stores.set(storeId, Promise.resolve(facts));
}

/**
 * Hands the audit catalog rows the transaction already read (the ingest reads every SKU of a push up
 * front), so auditing the push's sales asks for none of them again.
 */
export function primeAuditSkus(transaction: object, rows: readonly { sku: string; data: string }[]): void {
  const cache = cacheFor(transaction);
  for (const row of rows) {
    if (cache.skus.has(row.sku)) continue;
    cache.skus.set(row.sku, Promise.resolve(catalogSku(row.sku, row.data)));
  }
}

/**
 * Catalog rows parsed before, by SKU with the text they were parsed from. Every push reads its SKUs' rows
 * (they can change between pushes, so they are read each time), and parsing the same text again gave the
 * same object: a row whose text is unchanged is the kept object (frozen, as every push shares it), a row
 * that changed is parsed again.
 */
const parsedSkus = new Map<string, { readonly text: string; readonly sku: Sku }>();
const MAX_PARSED_SKUS = 50_000;

export function catalogSku(sku: string, text: string): Sku {
  const kept = parsedSkus.get(sku);
  if (kept !== undefined && kept.text === text) return kept.sku;
  const parsed = deepFreeze(JSON.parse(text) as Sku);
  if (parsedSkus.size >= MAX_PARSED_SKUS) parsedSkus.clear();
  parsedSkus.set(sku, { text, sku: parsed });
  return parsed;
}

/**
 * Tags read before, with what they name. The sales of a store name the few tags its price books make, and
 * reading one checks it by building it again; reading is a pure function of the text, so its answer is
 * kept (frozen: every sale with the tag shares it). A tag that cannot be read throws each time.
 */
const readTags = new Map<string, readonly PriceBookVersionRef[]>();
const MAX_READ_TAGS = 1_000;

export function readPriceBookVersionTag(tag: string): readonly PriceBookVersionRef[] {
  let refs = readTags.get(tag);
  if (refs === undefined) {
    refs = Object.freeze(parsePriceBookVersionTag(tag).map((ref) => Object.freeze(ref)));
    if (readTags.size >= MAX_READ_TAGS) readTags.clear();
    readTags.set(tag, refs);
  }
  return refs;
}

/** What the cashier's discounts of a line add up to. */
function lineManualTotal(adjustments: CompletedSale['lines'][number]['adjustments']): number {
  let total = 0;
  for (const adjustment of adjustments) if (adjustment.kind === 'manual_line') total += adjustment.amount;
  return total;
}

function unableToCheck(till: AuditComputation, reason: string): PricingAuditResult {
  return { status: 'mismatch', reasons: [reason], till, hub: null };
}

function manualDiscount(amount: number): ManualDiscount | undefined {
  return amount > 0 ? { amount } : undefined;
}

export interface AuditCaches {
  /** Scopes catalog, store and tax lookups: one ingest transaction. */
  readonly transaction?: object;
  /** Scopes published versions, which never change: the hub's storage. */
  readonly storage?: object;
}

/** Re-computes `sale` as the hub sees it and compares. Pure reads: the caller decides what to record. */
export async function auditSale(
  executor: Executor,
  storeId: string,
  sale: CompletedSale,
  caches: AuditCaches = {},
): Promise<PricingAuditResult> {
  // A sale of gift cards alone has nothing priced to check.
  if (sale.lines.length === 0) return { status: 'match' };
  const cache = cacheFor(caches.transaction ?? {});
  const till = tillComputation(sale);
  const missing: string[] = [];
  const at = Date.parse(sale.completedAt);
  const store = await storeFacts(executor, cache, storeId);
  if (store === undefined)
    return unableToCheck(till, `Store ${storeId} is not known to the hub, so its prices cannot be checked.`);

  let tagged: readonly PriceBookVersionRef[];
  try {
    tagged = readPriceBookVersionTag(sale.priceBookVersion);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return unableToCheck(
      till,
      `The sale's price-book version "${sale.priceBookVersion}" cannot be read: ${error.message}`,
    );
  }
  const books = new Map<string, PriceBook>();
  for (const ref of tagged) {
    const book = await memo(cache.books, `${ref.priceBookId}@${ref.version}`, () =>
      cachedPublishedVersion<PriceBook>(executor, caches.storage, 'price_book', ref.priceBookId, ref.version),
    );
    if (book === undefined) {
      missing.push(
        `The sale was priced with price book ${ref.priceBookId} version ${ref.version}, which the hub never published.`,
      );
    } else books.set(`${ref.priceBookId}@${ref.version}`, book);
  }

  const promotions: Promotion[] = [];
  for (const ref of sale.promotions) {
    const promotion = await memo(cache.promotions, `${ref.promotionId}@${ref.version}`, () =>
      cachedPublishedVersion<Promotion>(executor, caches.storage, 'promotion', ref.promotionId, ref.version),
    );
    if (promotion === undefined) {
      missing.push(
        `The sale applied promotion ${ref.promotionId} version ${ref.version}, which the hub never published.`,
      );
    } else promotions.push(promotion);
  }
  const named = new Set(sale.promotions.map((ref) => ref.promotionId));
  if (sale.promotionIds.length !== named.size || sale.promotionIds.some((id) => !named.has(id))) {
    missing.push(
      `The sale lists promotions [${sale.promotionIds.join(', ')}] but versions for [${[...named].join(', ')}].`,
    );
  }

  const currency = sale.currency as CurrencyCode;
  // At most one query for every book price of the sale rather than one per line, and none for prices
  // already read. Only versions the hub published: another version's prices are not final yet.
  const priceRefs: PriceRef[] = [];
  for (const line of sale.lines) {
    const book =
      line.priceSource === 'price_book'
        ? books.get(`${line.priceBookId ?? ''}@${line.priceBookVersion ?? ''}`)
        : undefined;
    if (book !== undefined)
      priceRefs.push({ priceBookId: book.priceBookId, sku: line.sku, version: book.version });
  }
  const history = await recordedPrices(executor, caches.storage, priceRefs);
  loadSkus(executor, cache, sale.lines);
  const lines: CartLineInput[] = [];
  for (const line of sale.lines) {
    const catalog = await cache.skus.get(line.sku);
    if (catalog === undefined) {
      missing.push(`Line ${line.lineId}: SKU ${line.sku} is not in the hub's catalog.`);
      continue;
    }
    let price: LinePrice;
    switch (line.priceSource) {
      case 'price_book': {
        const key = `${line.priceBookId ?? ''}@${line.priceBookVersion ?? ''}`;
        const book = books.get(key);
        if (book === undefined) {
          if (!tagged.some((ref) => `${ref.priceBookId}@${ref.version}` === key)) {
            missing.push(
              `Line ${line.lineId} (${line.sku}) names price book ${key}, which the sale's version "${sale.priceBookVersion}" does not list.`,
            );
          }
          continue;
        }
        const recorded = history.get(
          priceKey({ priceBookId: book.priceBookId, sku: line.sku, version: book.version }),
        );
        const entry =
          recorded !== undefined
            ? recorded
            : await priceEntryAtVersion(executor, book.priceBookId, line.sku, book.version);
        if (entry === undefined || entry === null) {
          missing.push(
            entry === null
              ? `Line ${line.lineId}: price book ${key} has no price for ${line.sku}.`
              : `Line ${line.lineId}: the hub has no record of ${line.sku}'s price in price book ${key}.`,
          );
          continue;
        }
        try {
          const resolved = resolvePrice(line.sku, [{ book, entry }], {
            storeId,
            regionId: store.regionId,
            at,
            qty: line.qty,
            currency,
          });
          price = {
            source: 'price_book',
            unitPrice: resolved.unitPrice,
            taxInclusive: resolved.taxInclusive,
            priceBookId: resolved.priceBookId,
            priceBookVersion: resolved.priceBookVersion,
          };
        } catch (error) {
          if (!isDomainError(error)) throw error;
          const why = (error.details as { considered?: { why: string }[] } | undefined)?.considered?.[0]?.why;
          missing.push(
            `Line ${line.lineId}: price book ${key} does not price ${line.sku} at this store at ${sale.completedAt}` +
              `${why === undefined ? '' : ` (${why})`}.`,
          );
          continue;
        }
        break;
      }
      case 'label':
        price = {
          source: 'label',
          unitPrice: money(line.unitPrice, currency),
          taxInclusive: line.taxInclusive,
        };
        break;
      case 'override':
        price = {
          source: 'override',
          unitPrice: money(line.unitPrice, currency),
          taxInclusive: line.taxInclusive,
          originalUnitPrice: money(line.originalUnitPrice ?? 0, currency),
          reason: 'manager override',
        };
        break;
      default:
        return assertNever(line.priceSource, 'line price source');
    }
    // A cashier's discount is a decision, not a price: re-applied as the amount the till recorded, which
    // `priceCart` caps at what remains of the line exactly like the percentage it came from.
    const lineDiscount = manualDiscount(lineManualTotal(line.adjustments));
    const input: CartLineInput = {
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      unit: catalog.unit,
      taxCategory: catalog.taxCategory,
      categoryIds: catalog.categoryIds,
      qty: line.qty,
      price,
    };
    lines.push(lineDiscount === undefined ? input : { ...input, discount: lineDiscount });
  }
  if (missing.length > 0) return { status: 'mismatch', reasons: missing, till, hub: null };

  let orderTotal = 0;
  for (const line of sale.lines) {
    for (const adjustment of line.adjustments) {
      if (adjustment.kind === 'manual_order') orderTotal += adjustment.amount;
    }
  }
  const orderDiscount = manualDiscount(orderTotal);
  cache.taxRates ??= referenceData(caches.storage ?? {}, caches.transaction ?? {}, 'tax_rates', () =>
    executor
      .selectFrom('tax_rates')
      .select('data')
      .execute()
      .then((rows) => rows.map((row) => JSON.parse(row.data) as TaxRate)),
  );
  let cart: PricedCart;
  try {
    cart = priceCart({
      currency,
      at,
      storeId,
      regionId: store.regionId,
      jurisdictionIds: [store.jurisdictionId],
      lines,
      ...(orderDiscount === undefined ? {} : { orderDiscount }),
      promotions,
      taxRates: await cache.taxRates,
    });
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return unableToCheck(till, `The hub cannot price this sale: ${error.message}`);
  }
  const hub = hubComputation(cart, sale.totals.cashRounding);
  const reasons = compareComputations(till, hub);
  return reasons.length === 0 ? { status: 'match' } : { status: 'mismatch', reasons, till, hub };
}

/**
 * Ingest hook for `sale.completed`: audits the sale inside the ingest transaction and queues a
 * PRICING_AUDIT exception on a mismatch. Never changes the sale, never rejects it; the caller holds what
 * depends on the sale's figures (its points) when they did not match.
 */
export async function auditSalePricing(
  tx: HubTx,
  event: EventEnvelope,
  sale: CompletedSale,
): Promise<PricingAuditResult> {
  const result = await auditSale(tx.trx, event.storeId, sale, { transaction: tx, storage: tx.hub.storage });
  if (result.status === 'match') return result;
  tx.raise({
    type: 'PRICING_AUDIT',
    severity: 'warning',
    nodeId: event.storeId,
    causeEventIds: [event.eventId],
    details: {
      saleId: sale.saleId,
      receiptNumber: sale.receiptNumber,
      completedAt: sale.completedAt,
      reasons: result.reasons,
      till: result.till,
      hub: result.hub,
    },
  });
  return result;
}
