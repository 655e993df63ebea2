import { shared } from './shared-values';
import {
  DomainError,
  add,
  isZero,
  tenderLabel,
  assertAmountWithinBounds,
  assertCartWithinBounds,
  assertNever,
  checkedPromotion,
  min,
  money,
  subtract,
  priceCart,
  resolvePrice,
  settleTenders,
  zero,
  type CartLineInput,
  type LinePrice,
  type PricedCart,
  type Promotion,
  type TaxRate,
  type TenderInput,
  type Money,
  type TenderSettlement,
} from '@retail/domain';
import type { SaleView } from '../../shared/commands';
import { priceCandidates, storeRegionId } from '../catalog';
import { formatAmount } from '../format';
import { sql, type TxContext } from '../context';
import type { Db } from '../database';
import type { DraftLine, SaleDraft, SaleRow } from './draft';
import { planReceiptReturn, type ReceiptReturnPlan } from './return-plan';
import { isRedemptionTender, redemptionTenderInput, redemptionView } from '../loyalty/sale-loyalty';
import { giftCardLoadTotal, giftCardLoadsView } from './gift-card-loads';

export interface SkuInfo {
  readonly sku: string;
  readonly name: string;
  readonly unit: 'each' | 'kg';
  readonly taxCategory: string;
  readonly active: boolean;
  readonly categoryIds: readonly string[];
}

/**
 * SKUs read by the command running in a transaction: a scan reads the scanned SKU's row to check it, then
 * again to price the new line. Only the feed writes `skus`, never inside a command, so within one
 * transaction context a SKU's row cannot change.
 */
const commandSkus = new WeakMap<TxContext, Map<string, SkuInfo>>();

export function skuInfo(ctx: TxContext, sku: string): SkuInfo {
  let known = commandSkus.get(ctx);
  const seen = known?.get(sku);
  if (seen !== undefined) return seen;
  const info = readSkuInfo(ctx, sku);
  if (known === undefined) {
    known = new Map();
    commandSkus.set(ctx, known);
  }
  known.set(sku, info);
  return info;
}

function readSkuInfo(ctx: TxContext, sku: string): SkuInfo {
  const row = sql(
    ctx.db,
    'SELECT sku, name, unit, tax_category AS taxCategory, active, data FROM skus WHERE sku = ?',
  ).get(sku) as
    | { sku: string; name: string; unit: 'each' | 'kg'; taxCategory: string; active: number; data: string }
    | undefined;
  if (!row) {
    throw new DomainError('NOT_FOUND', 'catalog.skuNotStoreCatalog', { sku }, { sku });
  }
  const categoryIds = (JSON.parse(row.data) as { categoryIds?: string[] }).categoryIds ?? [];
  return {
    sku: row.sku,
    name: row.name,
    unit: row.unit,
    taxCategory: row.taxCategory,
    active: row.active === 1,
    categoryIds,
  };
}

interface StoreContext {
  readonly regionId: string | undefined;
  readonly jurisdictionIds: readonly string[];
}

/**
 * The store's region and jurisdiction, read once per feed position and store: only the feed writes the
 * `stores` table, and it moves the position (see replicaRules). A store row that cannot price is not kept.
 */
const storeContexts = new WeakMap<ReplicaRules, { readonly storeId: string; readonly store: StoreContext }>();

function storeContextOf(ctx: TxContext, rules: ReplicaRules): StoreContext {
  const known = storeContexts.get(rules);
  if (known !== undefined && known.storeId === ctx.identity.storeId) return known.store;
  const store = shared(storeContext(ctx));
  storeContexts.set(rules, { storeId: ctx.identity.storeId, store });
  return store;
}

function storeContext(ctx: TxContext): StoreContext {
  const row = sql(ctx.db, 'SELECT data FROM stores WHERE store_id = ?').get(ctx.identity.storeId) as
    { data: string } | undefined;
  const jurisdiction = row ? (JSON.parse(row.data) as { jurisdiction?: unknown }).jurisdiction : undefined;
  if (typeof jurisdiction !== 'string') {
    throw new DomainError('NOT_FOUND', 'sales.storeNotNodeStore', { storeCode: ctx.identity.storeCode });
  }
  return { regionId: storeRegionId(ctx.db, ctx.identity.storeId), jurisdictionIds: [jurisdiction] };
}

function bookPrice(ctx: TxContext, sku: string, qty: number, store: StoreContext) {
  return resolvePrice(sku, priceCandidates(ctx.db, sku), {
    storeId: ctx.identity.storeId,
    regionId: store.regionId,
    at: ctx.nowMs,
    qty,
    currency: ctx.identity.currency,
  });
}

function tryBookPrice(ctx: TxContext, sku: string, qty: number, store: StoreContext) {
  try {
    return bookPrice(ctx, sku, qty, store);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NO_PRICE') return undefined;
    throw error;
  }
}

export interface ResolvedLine {
  readonly input: CartLineInput;
  readonly draft: DraftLine;
  /** Whether a book price existed for an overridden line (the audit keeps the price it replaced). */
  readonly hadBookPrice: boolean;
}

function resolveLine(ctx: TxContext, line: DraftLine, store: StoreContext): ResolvedLine {
  const info = skuInfo(ctx, line.sku);
  const currency = ctx.identity.currency;
  let price: LinePrice;
  let hadBookPrice = true;
  switch (line.price.source) {
    case 'price_book': {
      const resolved = bookPrice(ctx, line.sku, line.qty, store);
      price = {
        source: 'price_book',
        unitPrice: resolved.unitPrice,
        taxInclusive: resolved.taxInclusive,
        priceBookId: resolved.priceBookId,
        priceBookVersion: resolved.priceBookVersion,
      };
      break;
    }
    case 'label': {
      // A printed label is a shelf price: tax-inclusive unless the SKU's price book says otherwise.
      const book = tryBookPrice(ctx, line.sku, line.qty, store);
      price = {
        source: 'label',
        unitPrice: money(line.price.unitPrice, currency),
        taxInclusive: book?.taxInclusive ?? true,
      };
      break;
    }
    case 'override': {
      const book = tryBookPrice(ctx, line.sku, line.qty, store);
      hadBookPrice = book !== undefined;
      price = {
        source: 'override',
        unitPrice: money(line.price.unitPrice, currency),
        taxInclusive: book?.taxInclusive ?? true,
        originalUnitPrice: book?.unitPrice ?? zero(currency),
        reason: line.price.reason,
      };
      break;
    }
    default:
      return assertNever(line.price, 'line price source');
  }
  return {
    draft: line,
    hadBookPrice,
    input: {
      lineId: line.lineId,
      sku: line.sku,
      name: info.name,
      unit: info.unit,
      taxCategory: info.taxCategory,
      categoryIds: info.categoryIds,
      qty: line.qty,
      price,
      ...(line.discount ? { discount: line.discount } : {}),
    },
  };
}

interface ReplicaRules {
  readonly key: string;
  readonly promotions: readonly Promotion[];
  readonly taxRates: readonly TaxRate[];
  /**
   * Every moment a price book, promotion or tax rate of the replica starts or ends, ascending and distinct:
   * between two consecutive ones, every "has it started / has it ended" answer pricing asks is the same.
   */
  readonly boundaries: readonly number[];
}

const rulesCache = new WeakMap<Db, ReplicaRules>();

/**
 * Promotions and tax rates parsed once per feed position: every scan re-prices the cart, and re-reading
 * fifty promotions from JSON each time would cost more than the pricing itself. Only the feed apply path
 * writes these tables, and it always moves the cursor or the epoch, so the key changes with the data.
 */
function replicaRules(ctx: TxContext): ReplicaRules {
  const state = sql(
    ctx.db,
    'SELECT feed_epoch AS epoch, feed_cursor AS cursor, last_feed_applied_at AS appliedAt FROM sync_state',
  ).get() as { epoch: string | null; cursor: number; appliedAt: string | null };
  const key = `${state.epoch ?? ''}:${state.cursor}:${state.appliedAt ?? ''}`;
  const cached = rulesCache.get(ctx.db);
  if (cached?.key === key) return cached;
  // Rows were validated with PromotionSchema and TaxRateSchema when the feed wrote them. Each promotion is
  // validated and frozen once here (checkedPromotion), so pricing a cart does not validate it again; a row
  // that fails is passed on as it is, for the promotion engine to skip with its reason.
  const promotions = (sql(ctx.db, 'SELECT data FROM promotions').all() as { data: string }[]).map((row) => {
    const raw = JSON.parse(row.data) as Promotion;
    const checked = checkedPromotion(raw);
    return checked.ok ? checked.value : raw;
  });
  const taxRates = (sql(ctx.db, 'SELECT data FROM tax_rates').all() as { data: string }[]).map(
    (row) => JSON.parse(row.data) as TaxRate,
  );
  const rules = { key, promotions, taxRates, boundaries: pricingBoundaries(ctx.db, promotions, taxRates) };
  rulesCache.set(ctx.db, rules);
  return rules;
}

function pricingBoundaries(db: Db, promotions: readonly Promotion[], taxRates: readonly TaxRate[]): number[] {
  const moments = new Set<number>();
  const note = (value: unknown) => {
    // A promotion row the engine will skip as invalid may carry anything; what compares like a number counts.
    const moment = typeof value === 'number' ? value : Number(value);
    if (value !== undefined && value !== null && !Number.isNaN(moment)) moments.add(moment);
  };
  const books = sql(db, 'SELECT starts_at_ms AS startsAt, ends_at_ms AS endsAt FROM price_books').all() as {
    startsAt: number | null;
    endsAt: number | null;
  }[];
  for (const book of books) {
    note(book.startsAt);
    note(book.endsAt);
  }
  for (const ruled of [...promotions, ...taxRates] as { startsAt?: unknown; endsAt?: unknown }[]) {
    note(ruled.startsAt);
    note(ruled.endsAt);
  }
  return [...moments].sort((a, b) => a - b);
}

/**
 * Which stretch between pricing boundaries `at` falls in: the number of boundaries at or before it. Two
 * moments in the same stretch see the same price books, promotions and tax rates in force.
 */
function pricingPeriod(rules: ReplicaRules, at: number): number {
  const { boundaries } = rules;
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((boundaries[middle] as number) <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The promotions in force now at this store (the replica holds those HQ published to it). */
export function promotionsInForce(ctx: TxContext): Promotion[] {
  return activePromotions(replicaRules(ctx), ctx.nowMs);
}

function activePromotions(rules: ReplicaRules, at: number): Promotion[] {
  return rules.promotions.filter(
    (promotion) =>
      (promotion.startsAt === undefined || promotion.startsAt <= at) &&
      (promotion.endsAt === undefined || promotion.endsAt > at),
  );
}

/** The reference that ties an exchange's credit on the sale to the refunds on its return. */
export function exchangeReference(saleId: string): string {
  return `${EXCHANGE_PREFIX}${saleId}`;
}

const EXCHANGE_PREFIX = 'EXCHANGE-';

/** The sale an exchange credit reference ties to, or undefined for any other reference. */
export function exchangeSaleId(reference: string): string | undefined {
  return reference.startsWith(EXCHANGE_PREFIX) ? reference.slice(EXCHANGE_PREFIX.length) : undefined;
}

export function tenderInputs(ctx: TxContext, draft: SaleDraft): TenderInput[] {
  return draft.tenders.map((tender) =>
    tender.type === 'cash'
      ? { type: 'cash', amount: money(tender.amount, ctx.identity.currency) }
      : tender.type === 'card'
        ? { type: 'card', amount: money(tender.amount, ctx.identity.currency), reference: tender.reference }
        : redemptionTenderInput(ctx, tender),
  );
}

export interface PricedExchange {
  readonly plan: ReceiptReturnPlan;
  /** What the returned items refund that this sale spends: min(refund, sale total). */
  readonly credit: Money;
  /** The rest of the refund, paid back to the original tenders. */
  readonly refundDue: Money;
}

export interface PricedSale {
  readonly cart: PricedCart;
  /** Settles [exchange credit, ...the cashier's tenders] against the total. */
  readonly settlement: TenderSettlement;
  readonly lines: readonly ResolvedLine[];
  readonly exchange: PricedExchange | undefined;
  /** Gift cards sold or reloaded on the sale: outside the priced cart, inside what is due. */
  readonly giftCards: Money;
  /** What the customer owes: the cart's total and the gift card loads. */
  readonly due: Money;
  /**
   * When the non-cash tenders exceed what is due (settlement.overTendered): what is still due once the
   * tenders carrying the excess are removed. Undefined otherwise.
   */
  readonly dueOnceOverTenderRemoved?: Money | undefined;
}

/** A priced cart and what it was priced from. */
interface CartMemo {
  readonly key: string;
  readonly period: number;
  readonly lines: readonly ResolvedLine[];
  readonly cart: PricedCart;
}

/** The last priced cart of each sale (a few sales at most: one per lane), per database. */
const cartMemos = new WeakMap<Db, Map<string, CartMemo>>();
const MEMO_SALES = 32;

/**
 * What pricing a cart reads besides the time: the replica's feed position (price books, SKUs, promotions,
 * tax rates and the store only change with it, see replicaRules), the node's identity, and the cart's
 * lines and order discount. Tenders, gift card loads and an exchange are settled outside the cart.
 */
function cartKey(ctx: TxContext, rules: ReplicaRules, draft: SaleDraft): string {
  const { storeId, currency, cashRoundingIncrement } = ctx.identity;
  return JSON.stringify([
    rules.key,
    storeId,
    currency,
    cashRoundingIncrement ?? null,
    draft.lines,
    draft.orderDiscount ?? null,
  ]);
}

/** Resolved lines (SKU, book price, tax category) by what they were resolved from, per database. */
const lineMemos = new WeakMap<Db, Map<string, ResolvedLine>>();
const MEMO_LINES = 256;

/**
 * A line resolved as of now: the one resolved before when the line, the feed position, the node and the
 * stretch between pricing boundaries are the same (a scan resolves the new line, not the whole cart).
 */
function resolvedLine(
  ctx: TxContext,
  line: DraftLine,
  store: StoreContext,
  scope: string,
  reuse: boolean,
): ResolvedLine {
  if (!reuse) return resolveLine(ctx, line, store);
  const key = `${scope}\n${JSON.stringify(line)}`;
  let memos = lineMemos.get(ctx.db);
  const known = memos?.get(key);
  if (known !== undefined) return known;
  const resolved = shared(resolveLine(ctx, line, store));
  if (memos === undefined) {
    memos = new Map();
    lineMemos.set(ctx.db, memos);
  }
  if (memos.size >= MEMO_LINES) memos.delete(memos.keys().next().value as string);
  memos.set(key, resolved);
  return resolved;
}

/**
 * The cart priced as of now: the last one priced for this sale when nothing it was priced from changed
 * (same lines and discounts, same feed position, no price book, promotion or tax rate started or ended
 * since), priced again otherwise. A scan re-prices; the tenders and the completion that follow it reuse it.
 * `reuse: false` prices afresh and leaves the memo as it was (the property test compares both).
 */
function pricedCart(
  ctx: TxContext,
  draft: SaleDraft,
  saleId: string,
  reuse: boolean,
): { lines: readonly ResolvedLine[]; cart: PricedCart } {
  const rules = replicaRules(ctx);
  const key = cartKey(ctx, rules, draft);
  const period = pricingPeriod(rules, ctx.nowMs);
  let memos = cartMemos.get(ctx.db);
  const memo = memos?.get(saleId);
  if (reuse && memo !== undefined && memo.key === key && memo.period === period) return memo;
  const store = reuse ? storeContextOf(ctx, rules) : storeContext(ctx);
  const scope = JSON.stringify([rules.key, period, ctx.identity.storeId, ctx.identity.currency]);
  const lines = draft.lines.map((line) => resolvedLine(ctx, line, store, scope, reuse));
  // Refused here, before anything multiplies: a huge quantity at a huge price is a cashier's sentence,
  // not an overflow inside the totals.
  assertCartWithinBounds(
    lines.map(({ input }) => ({
      sku: input.sku,
      qty: input.qty,
      unitPrice: input.price.unitPrice.amount,
      unit: input.unit,
      labelPriced: input.price.source === 'label',
    })),
  );
  const cart = priceCart({
    currency: ctx.identity.currency,
    at: ctx.nowMs,
    storeId: ctx.identity.storeId,
    regionId: store.regionId,
    jurisdictionIds: store.jurisdictionIds,
    lines: lines.map((line) => line.input),
    ...(draft.orderDiscount ? { orderDiscount: draft.orderDiscount } : {}),
    promotions: activePromotions(rules, ctx.nowMs),
    taxRates: rules.taxRates,
    cashRoundingIncrement: ctx.identity.cashRoundingIncrement,
  });
  if (!reuse) return { lines, cart };
  // Shared by every later command that reuses it: frozen, so none can change what another one sees.
  const priced: CartMemo = shared({ key, period, lines, cart });
  if (memos === undefined) {
    memos = new Map();
    cartMemos.set(ctx.db, memos);
  }
  memos.delete(saleId);
  if (memos.size >= MEMO_SALES) memos.delete(memos.keys().next().value as string);
  memos.set(saleId, priced);
  return priced;
}

/**
 * Prices the cart as of now (price books, promotions, tax) and settles its tenders against the total.
 * Tenders already taken are never refused for being more than the sale now comes to (a price that started
 * mid-sale): the excess is reported (`settlement.overTendered`) and completion refuses it. The last
 * `newTenders` tenders, the ones a command is adding, are refused beyond what is due, as a cashier's entry.
 */
export function priceSale(
  ctx: TxContext,
  draft: SaleDraft,
  saleId: string,
  options: { readonly reuse?: boolean; readonly newTenders?: number } = {},
): PricedSale {
  const { lines, cart } = pricedCart(ctx, draft, saleId, options.reuse ?? true);
  const giftCards = giftCardLoadTotal(draft, ctx.identity.currency);
  const due = add(cart.totals.total, giftCards);
  // Tax added on top of tax-exclusive prices can take the total past the subtotal's bound.
  assertAmountWithinBounds(due.amount, 'This sale');
  let exchange: PricedExchange | undefined;
  if (draft.exchange) {
    const plan = planReceiptReturn(ctx, draft.exchange);
    const credit = min(plan.total, due);
    exchange = { plan, credit, refundDue: subtract(plan.total, credit) };
  }
  const creditTender: TenderInput[] =
    exchange && exchange.credit.amount > 0
      ? [{ type: 'store_credit', amount: exchange.credit, reference: exchangeReference(saleId) }]
      : [];
  const tenders = [...creditTender, ...tenderInputs(ctx, draft)];
  const settle = (inputs: readonly TenderInput[], newTenders: number) =>
    settleTenders(due, inputs, {
      cashRoundingIncrement: ctx.identity.cashRoundingIncrement,
      overTender: 'report',
      newTenders,
    });
  const settlement = settle(tenders, options.newTenders ?? 0);
  // Without the tenders carrying the excess, the rest are within what is due (the excess sits on the last
  // non-cash tenders): settling them says what to take instead.
  const dueOnceOverTenderRemoved = isZero(settlement.overTendered)
    ? undefined
    : settle(
        tenders.filter((_, index) => settlement.tenders[index]?.overTendered === undefined),
        0,
      ).remaining;
  return { cart, settlement, lines, exchange, giftCards, due, dueOnceOverTenderRemoved };
}

/** Refuses to complete a sale whose non-cash tenders exceed what it now comes to: they cannot give change. */
export function assertNotOverTendered(ctx: TxContext, priced: PricedSale): void {
  const { settlement } = priced;
  if (isZero(settlement.overTendered)) return;
  const over = settlement.tenders.filter((tender) => tender.overTendered !== undefined);
  throw new DomainError(
    'LIMIT_EXCEEDED',
    'sale.overTenderedRemoveTake',
    {
      count: over.length,
      tenders: over
        .map(
          (tender) =>
            `${tenderLabel(tender.type).toLowerCase()} payment ${formatAmount(ctx.identity, tender.tendered.amount)}`,
        )
        .join(' and '),
      excess: formatAmount(ctx.identity, settlement.overTendered.amount),
      due: formatAmount(ctx.identity, (priced.dueOnceOverTenderRemoved ?? zero(priced.due.currency)).amount),
    },
    {
      overTendered: settlement.overTendered.amount,
      dueOnceRemoved: priced.dueOnceOverTenderRemoved?.amount ?? 0,
    },
  );
}

/** Which of the cashier's tenders exceed what is due, and by how much together (nothing when none do). */
function overTenderedView(draft: SaleDraft, priced: PricedSale): Pick<SaleView['payment'], 'overTendered'> {
  const { settlement } = priced;
  if (isZero(settlement.overTendered)) return {};
  // The exchange credit, settled first, is at most what is due: the excess is always on the cashier's tenders.
  const offset = settlement.tenders.length - draft.tenders.length;
  return {
    overTendered: {
      amount: settlement.overTendered.amount,
      tenderIds: draft.tenders
        .filter((_, index) => settlement.tenders[index + offset]?.overTendered !== undefined)
        .map((tender) => tender.tenderId),
      dueOnceRemoved: priced.dueOnceOverTenderRemoved?.amount ?? 0,
    },
  };
}

/** The view of an open or parked sale, priced now. */
export function draftView(row: SaleRow, draft: SaleDraft, priced: PricedSale): SaleView {
  const { cart, settlement } = priced;
  return {
    saleId: row.saleId,
    status: row.status,
    registerId: row.registerId,
    shiftId: row.shiftId,
    staffId: row.staffId,
    customerId: row.customerId,
    currency: row.currency,
    receiptNumber: row.receiptNumber,
    lines: cart.lines.map((line, index) => ({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      unitPrice: line.unitPrice.amount,
      taxInclusive: line.taxInclusive,
      priceSource: line.price.source,
      priceBookId: line.price.source === 'price_book' ? line.price.priceBookId : null,
      originalUnitPrice:
        line.price.source === 'override' && priced.lines[index]?.hadBookPrice
          ? line.price.originalUnitPrice.amount
          : null,
      extended: line.extended.amount,
      adjustments: line.adjustments.map((adjustment) => ({
        kind: adjustment.kind,
        promotionId: adjustment.promotionId ?? null,
        amount: adjustment.amount.amount,
        reason: adjustment.reason,
      })),
      discount: draft.lines[index]?.discount ?? null,
      net: line.net.amount,
      tax: line.tax.amount,
      paid: line.paid.amount,
    })),
    giftCards: giftCardLoadsView(draft),
    orderDiscount: draft.orderDiscount ?? null,
    totals: {
      // Loads are whole cash-rounding steps (gift-card-loads.ts), so they add to the rounded figure exactly.
      subtotal: cart.totals.subtotal.amount + priced.giftCards.amount,
      discount: cart.totals.discount.amount,
      tax: cart.totals.tax.amount,
      total: priced.due.amount,
      cashDue: cart.totals.cashDue.amount + priced.giftCards.amount,
    },
    tenders: [
      ...(priced.exchange && priced.exchange.credit.amount > 0
        ? [
            {
              tenderId: 'exchange-credit',
              type: 'store_credit' as const,
              tendered: priced.exchange.credit.amount,
              amount: priced.exchange.credit.amount,
              change: 0,
              reference: exchangeReference(row.saleId),
            },
          ]
        : []),
      ...draft.tenders.map((tender, index) => {
        const settled =
          settlement.tenders[index + (priced.exchange && priced.exchange.credit.amount > 0 ? 1 : 0)];
        return {
          tenderId: tender.tenderId,
          type: tender.type,
          tendered: settled?.tendered.amount ?? ('amount' in tender ? tender.amount : 0),
          amount: settled?.amount.amount ?? ('amount' in tender ? tender.amount : 0),
          change: settled?.change.amount ?? 0,
          ...(settled?.overTendered === undefined ? {} : { overTendered: settled.overTendered.amount }),
          reference: tender.type === 'cash' ? null : tender.reference,
          ...(tender.type === 'loyalty_points' ? { points: tender.points } : {}),
          ...(isRedemptionTender(tender) ? { redemption: redemptionView(tender.redemption) } : {}),
        };
      }),
    ],
    payment: {
      remaining: settlement.remaining.amount,
      cashDue: settlement.cashDue.amount,
      change: settlement.change.amount,
      cashRounding: settlement.cashRounding.amount,
      complete: settlement.complete,
      ...overTenderedView(draft, priced),
    },
    promotions: cart.promotions.applied.map((promotion) => ({
      promotionId: promotion.promotionId,
      version: promotion.version,
      name: promotion.name,
      total: promotion.total.amount,
    })),
    taxSummary: cart.taxSummary.rows.map((row) => ({
      rateId: row.rateId,
      name: row.name,
      percent: row.percent,
      taxable: row.taxable.amount,
      tax: row.tax.amount,
    })),
    priceBookVersion: cart.priceBookVersion,
    exchange: priced.exchange
      ? {
          receiptNumber: priced.exchange.plan.receiptNumber,
          lines: priced.exchange.plan.lines.map((line) => ({
            lineId: line.originalLineId ?? line.returnLineId,
            sku: line.sku,
            qty: line.qty,
            refund: line.refund,
          })),
          refund: priced.exchange.plan.total.amount,
          credit: priced.exchange.credit.amount,
          refundDue: priced.exchange.refundDue.amount,
        }
      : null,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
  };
}
