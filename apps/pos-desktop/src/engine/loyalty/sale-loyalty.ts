import {
  DomainError,
  ERROR_CODES,
  assertOfflineRedemptionAllowed,
  assertStoredValueOfflineAllowed,
  earnForSale,
  findLoyaltyTier,
  money,
  pointsToMoney,
  storedValueOfflineAllowance,
  subtract,
  sum,
  type ErrorCode,
  type LoyaltyProgramme,
  type Money,
  type TenderInput,
} from '@retail/domain';
import type { HoldAnswer, StoredValueAnswer } from '@retail/sync';
import type { CommandRequest, SaleView } from '../../shared/commands';
import type { TenderRedemption } from '../../shared/loyalty-commands';
import type { CommandContext } from '../command-context';
import { sql, type TxContext } from '../context';
import type { Db } from '../database';
import type { SaleDraft, SaleRow } from '../sales/draft';
import type { HubOutcome } from './hub-loyalty-client';
import {
  DEVICE_DAY_MS,
  cacheLoyaltySnapshot,
  cacheProgramme,
  cacheStoredValueAnswer,
  cacheStoredValueSnapshot,
  cachedProgramme,
  assertNoPinOffline,
  cachedStoredValue,
  cachedStoredValueByNumber,
  cachedStoredValueSettings,
  cachedLoyaltySnapshot,
  customerSummary,
  deviceOfflineRedemptions,
  loyaltyStatus,
  pointsAllowance,
  recordOfflineRedemption,
  resolveCustomer,
  type DeviceRedemption,
  type StoredValueRow,
} from './loyalty-cache';

/**
 * Points, store credit and gift card payments on a sale. Each one is secured either by a hold the hub
 * placed just before the command's transaction (`online`) or, when the hub did not answer, by the
 * offline allowance (`offline`): the last synced balance less this device's offline redemptions since,
 * capped per transaction and per device and day, and nothing once the balance is too old.
 */

/** The redemption fields of a draft tender (engine/sales/draft.ts). */
export interface DraftRedemption {
  readonly mode: 'online' | 'offline';
  readonly accountId: string;
  readonly redemptionId: string;
  readonly expiresAtMs: number | null;
}

export interface DraftPointsTender {
  readonly tenderId: string;
  readonly type: 'loyalty_points';
  readonly points: number;
  readonly reference: string;
  readonly redemption: DraftRedemption;
}

export interface DraftStoredValueTender {
  readonly tenderId: string;
  readonly type: 'store_credit' | 'gift_card';
  readonly amount: number;
  /** The stored-value account id: what the hub books the payment against. */
  readonly reference: string;
  readonly maskedNumber: string;
  readonly redemption: DraftRedemption;
}

export type DraftRedemptionTender = DraftPointsTender | DraftStoredValueTender;

type TenderLike = { readonly type: string; readonly tenderId: string };

export function isRedemptionTender(tender: TenderLike): tender is DraftRedemptionTender {
  return tender.type === 'loyalty_points' || tender.type === 'store_credit' || tender.type === 'gift_card';
}

/** What the async step before `sale-add-tender` fetched from the hub. */
export interface PreparedHold {
  readonly kind: 'hold';
  readonly tenderId: string;
  readonly lookup?: HubOutcome<StoredValueAnswer>;
  readonly hold: HubOutcome<HoldAnswer>;
}

export function isPreparedHold(value: unknown): value is PreparedHold {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'hold';
}

export function hubRefusal(code: string, message: string): DomainError {
  const known = (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'CONFLICT';
  return DomainError.fromBody({ code: known, message }); // the hub's sentence, as it wrote it
}

/** The loyalty account of the customer on the sale, refused with a sentence when there is none. */
export function saleLoyaltyAccount(db: Db, row: SaleRow): { accountId: string; tierId: string | null } {
  const customer = row.customerId === null ? undefined : resolveCustomer(db, row.customerId);
  if (!customer) {
    throw new DomainError('NOT_ALLOWED', 'loyalty.attachCustomerSaleBefore');
  }
  if (customer.accountId === null) {
    throw new DomainError(
      'NOT_ALLOWED',
      customer.temporary === 1 ? 'loyalty.customerJustCreatedNo' : 'loyalty.customerNotLoyaltyMember',
    );
  }
  if (customer.accountStatus === 'blocked') {
    throw new DomainError('NOT_ALLOWED', 'loyalty.loyaltyAccountBlockedPoints');
  }
  return { accountId: customer.accountId, tierId: customer.tierId };
}

function requireProgramme(ctx: TxContext): LoyaltyProgramme {
  const programme = cachedProgramme(ctx.db, ctx.identity.currency);
  if (!programme) {
    throw new DomainError('OFFLINE_LIMIT', 'loyalty.tillNotReceivedLoyalty');
  }
  return programme;
}

/** This sale's other offline redemptions count as made now against the allowance. */
function pendingOnDraft(
  ctx: TxContext,
  draft: SaleDraft,
  type: 'points' | 'stored_value',
): DeviceRedemption[] {
  return draft.tenders.filter(isRedemptionTender).flatMap((tender) => {
    if (tender.redemption.mode !== 'offline') return [];
    if (type === 'points' && tender.type === 'loyalty_points')
      return [{ accountId: tender.redemption.accountId, amount: tender.points, occurredAt: ctx.nowMs }];
    if (type === 'stored_value' && tender.type !== 'loyalty_points')
      return [{ accountId: tender.redemption.accountId, amount: tender.amount, occurredAt: ctx.nowMs }];
    return [];
  });
}

type LoyaltyTenderRequest = Extract<
  CommandRequest<'sale-add-tender'>['tender'],
  { type: 'loyalty_points' | 'store_credit' | 'gift_card' }
>;

/** The tender to put on the draft, secured online by the prepared hold or offline by the allowance. */
export function redemptionTender(
  ctx: CommandContext,
  row: SaleRow,
  draft: SaleDraft,
  tender: LoyaltyTenderRequest,
): DraftRedemptionTender {
  const prepared = isPreparedHold(ctx.prepared) ? ctx.prepared : undefined;
  if (prepared?.lookup?.ok === false && prepared.lookup.reason === 'refused')
    throw hubRefusal(prepared.lookup.code, prepared.lookup.message);
  if (prepared?.hold.ok === false && prepared.hold.reason === 'refused')
    throw hubRefusal(prepared.hold.code, prepared.hold.message);
  if (prepared?.lookup?.ok && tender.type !== 'loyalty_points')
    cacheStoredValueAnswer(ctx.db, tender.number, prepared.lookup.value, ctx.nowMs);
  const held = prepared?.hold.ok ? prepared.hold.value : undefined;
  if (held?.loyalty) {
    cacheProgramme(ctx.db, held.loyalty.programme, ctx.nowMs);
    cacheLoyaltySnapshot(ctx.db, held.loyalty.snapshot);
  }
  if (held?.storedValue) cacheStoredValueSnapshot(ctx.db, held.storedValue);
  const tenderId = prepared?.tenderId ?? ctx.newId();
  if (tender.type === 'loyalty_points') {
    const { accountId } = saleLoyaltyAccount(ctx.db, row);
    if (held) {
      if (held.accountId !== accountId) throw new DomainError('CONFLICT', 'loyalty.hubHeldPointsAnother');
      return {
        tenderId,
        type: 'loyalty_points',
        points: tender.points,
        reference: accountId,
        redemption: { mode: 'online', accountId, redemptionId: tenderId, expiresAtMs: held.expiresAt },
      };
    }
    const programme = requireProgramme(ctx);
    const snapshot = cachedLoyaltySnapshot(ctx.db, accountId);
    if (!snapshot) {
      throw new DomainError('OFFLINE_LIMIT', 'loyalty.tillNoPointsBalance');
    }
    assertOfflineRedemptionAllowed(
      tender.points,
      pointsAllowance(ctx.db, snapshot, programme, ctx.nowMs, pendingOnDraft(ctx, draft, 'points')),
    );
    return {
      tenderId,
      type: 'loyalty_points',
      points: tender.points,
      reference: accountId,
      redemption: { mode: 'offline', accountId, redemptionId: tenderId, expiresAtMs: null },
    };
  }
  const account = cachedStoredValueByNumber(ctx.db, tender.number);
  const kindName = tender.type === 'gift_card' ? 'gift card' : 'store credit';
  if (!account) {
    throw new DomainError('OFFLINE_LIMIT', 'loyalty.notCheckedTillWhile', { kindName });
  }
  if (account.kind !== tender.type) {
    throw new DomainError('INVALID_INPUT', 'loyalty.numberNotChoosePayment', {
      maskedNumber: account.maskedNumber,
      kind: account.kind,
      kindName,
    });
  }
  if (account.currency !== ctx.identity.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'loyalty.storeTakes', {
      kindName,
      currency: account.currency,
      currency2: ctx.identity.currency,
    });
  }
  if (held) {
    return {
      tenderId,
      type: tender.type,
      amount: tender.amount,
      reference: account.accountId,
      maskedNumber: account.maskedNumber,
      redemption: {
        mode: 'online',
        accountId: account.accountId,
        redemptionId: tenderId,
        expiresAtMs: held.expiresAt,
      },
    };
  }
  if (account.status === 'blocked')
    throw new DomainError('NOT_ALLOWED', 'loyalty.blockedTakeAnotherTender', { kindName });
  assertNoPinOffline(account);
  assertStoredValueAllowed(ctx, draft, account, tender.amount);
  return {
    tenderId,
    type: tender.type,
    amount: tender.amount,
    reference: account.accountId,
    maskedNumber: account.maskedNumber,
    redemption: { mode: 'offline', accountId: account.accountId, redemptionId: tenderId, expiresAtMs: null },
  };
}

function assertStoredValueAllowed(
  ctx: TxContext,
  draft: SaleDraft,
  account: StoredValueRow,
  amount: number,
): void {
  const settings = cachedStoredValueSettings(ctx.db, account.currency);
  if (!settings) {
    throw new DomainError('OFFLINE_LIMIT', 'loyalty.tillNoOfflineLimits');
  }
  const since = Math.min(account.takenAtMs, ctx.nowMs - DEVICE_DAY_MS);
  const uses = [
    ...deviceOfflineRedemptions(ctx.db, 'stored_value', since, account.currency),
    ...pendingOnDraft(ctx, draft, 'stored_value'),
  ];
  const ref = {
    accountId: account.accountId,
    kind: account.kind,
    currency: account.currency,
    maskedNumber: account.maskedNumber,
  };
  const allowance = storedValueOfflineAllowance(
    ref,
    {
      accountId: account.accountId,
      available: money(account.available, account.currency),
      takenAt: account.takenAtMs,
    },
    uses.map((use) => ({
      accountId: use.accountId,
      amount: money(use.amount, account.currency),
      occurredAt: use.occurredAt,
    })),
    settings,
    ctx.nowMs,
  );
  assertStoredValueOfflineAllowed(ref, money(amount, account.currency), allowance);
}

/** The domain tender input of a redemption tender, for settleTenders. */
export function redemptionTenderInput(ctx: TxContext, tender: DraftRedemptionTender): TenderInput {
  if (tender.type === 'loyalty_points') {
    const programme = cachedProgramme(ctx.db, ctx.identity.currency);
    if (!programme) {
      throw new DomainError('INTERNAL', 'loyalty.loyaltyProgrammePointsPayment');
    }
    return {
      type: 'loyalty_points',
      points: tender.points,
      pointValue: { points: programme.pointValue.points, value: programme.pointValue.value },
      reference: tender.reference,
    };
  }
  return {
    type: tender.type,
    amount: money(tender.amount, ctx.identity.currency),
    reference: tender.reference,
  };
}

/** What a points tender pays, for views of a sale in progress. */
export function pointsValue(ctx: TxContext, points: number): Money {
  const programme = cachedProgramme(ctx.db, ctx.identity.currency);
  if (!programme) return money(0, ctx.identity.currency);
  return pointsToMoney(points, { points: programme.pointValue.points, value: programme.pointValue.value });
}

export function redemptionView(redemption: DraftRedemption): TenderRedemption {
  return {
    mode: redemption.mode,
    accountId: redemption.accountId,
    redemptionId: redemption.redemptionId,
    expiresAt: redemption.expiresAtMs === null ? null : new Date(redemption.expiresAtMs).toISOString(),
  };
}

/** Refuses to change the customer while their points pay part of the sale. */
export function assertCustomerChangeAllowed(draft: SaleDraft): void {
  if (draft.tenders.some((tender) => tender.type === 'loyalty_points')) {
    throw new DomainError('CONFLICT', 'loyalty.removePointsPaymentBefore');
  }
}

/**
 * The loyalty part of sale.completed, and this device's offline redemptions recorded in the same
 * transaction. Points earned are the till's estimate for the receipt (the hub earns by its own tier and
 * programme); points paid do not earn points.
 */
export function completeSaleLoyalty(
  ctx: TxContext,
  row: SaleRow,
  draft: SaleDraft,
  settledAmounts: readonly Money[],
  tenderIdsInOrder: readonly string[],
): { accountId: string; pointsEarned: number; pointsRedeemed: number; holdId?: string } | undefined {
  const redemptions = draft.tenders.filter(isRedemptionTender);
  for (const tender of redemptions) {
    if (tender.redemption.mode !== 'offline') continue;
    recordOfflineRedemption(ctx, {
      redemptionId: tender.tenderId,
      kind: tender.type === 'loyalty_points' ? 'points' : 'stored_value',
      accountId: tender.redemption.accountId,
      amount: tender.type === 'loyalty_points' ? tender.points : tender.amount,
      currency: tender.type === 'loyalty_points' ? null : ctx.identity.currency,
      saleId: row.saleId,
    });
  }
  const customer = row.customerId === null ? undefined : resolveCustomer(ctx.db, row.customerId);
  if (!customer?.accountId) return undefined;
  const pointsTenders = redemptions.filter(
    (tender): tender is DraftPointsTender => tender.type === 'loyalty_points',
  );
  const currency = ctx.identity.currency;
  const paidWithPoints = sum(
    settledAmounts.filter((_, index) =>
      pointsTenders.some((tender) => tender.tenderId === tenderIdsInOrder[index]),
    ),
    currency,
  );
  const paid = sum([...settledAmounts], currency);
  const programme = cachedProgramme(ctx.db, currency);
  const tier =
    programme && customer.tierId !== null ? findLoyaltyTierSafe(programme, customer.tierId) : undefined;
  // A gift card bought earns nothing: it earns when it is spent (and gift card payments earn as money).
  const giftCardLoads = sum(
    (draft.giftCards ?? []).map((load) => money(load.amount, currency)),
    currency,
  );
  const eligible = subtract(subtract(paid, paidWithPoints), giftCardLoads);
  const pointsEarned =
    programme && tier && eligible.amount > 0
      ? (earnForSale(eligible, tier, programme, ctx.nowMs, {
          accountId: customer.accountId,
          saleId: row.saleId,
        })[0]?.points ?? 0)
      : 0;
  const online = pointsTenders.find((tender) => tender.redemption.mode === 'online');
  return {
    accountId: customer.accountId,
    pointsEarned,
    pointsRedeemed: pointsTenders.reduce((total, tender) => total + tender.points, 0),
    ...(online ? { holdId: online.tenderId } : {}),
  };
}

function findLoyaltyTierSafe(programme: LoyaltyProgramme, tierId: string) {
  try {
    return findLoyaltyTier(programme, tierId);
  } catch {
    return undefined;
  }
}

/** Adds the customer and their points (with the age of that knowledge) to a sale view. */
export function withSaleCustomer(ctx: TxContext, view: SaleView): SaleView {
  if (view.customerId === null) return { ...view, customer: null };
  const customer = resolveCustomer(ctx.db, view.customerId);
  if (!customer) return { ...view, customer: null };
  const pending: DeviceRedemption[] =
    view.status === 'open' || view.status === 'parked'
      ? view.tenders.flatMap((tender) =>
          tender.type === 'loyalty_points' &&
          tender.redemption?.mode === 'offline' &&
          tender.points !== undefined
            ? [{ accountId: tender.redemption.accountId, amount: tender.points, occurredAt: ctx.nowMs }]
            : [],
        )
      : [];
  return {
    ...view,
    customer: {
      customer: customerSummary(customer),
      loyalty:
        customer.accountId === null
          ? null
          : loyaltyStatus(ctx.db, customer.accountId, ctx.identity.currency, 'cache', ctx.nowMs, pending),
    },
  };
}

/** Online holds on a draft: released at the hub when the tender is removed or the sale voided. */
export function onlineHolds(
  draft: SaleDraft,
  tenderId?: string,
): { kind: 'points' | 'stored_value'; holdId: string }[] {
  return draft.tenders
    .filter(isRedemptionTender)
    .filter(
      (tender) =>
        tender.redemption.mode === 'online' && (tenderId === undefined || tender.tenderId === tenderId),
    )
    .map((tender) => ({
      kind: tender.type === 'loyalty_points' ? ('points' as const) : ('stored_value' as const),
      holdId: tender.redemption.redemptionId,
    }));
}

export { cachedStoredValue };

/** The receipt's loyalty block: points earned and redeemed on the sale, and the balance the till knows. */
export function receiptLoyalty(
  ctx: TxContext,
  saleId: string,
): { earned: number; redeemed: number; balance: number | null } | null {
  const row = sql(ctx.db, 'SELECT loyalty FROM sales WHERE sale_id = ?').get(saleId) as
    { loyalty: string | null } | undefined;
  if (!row?.loyalty) return null;
  const loyalty = JSON.parse(row.loyalty) as {
    accountId?: unknown;
    pointsEarned?: unknown;
    pointsRedeemed?: unknown;
  };
  if (typeof loyalty.accountId !== 'string') return null;
  const snapshot = cachedLoyaltySnapshot(ctx.db, loyalty.accountId);
  // Online holds are already out of the hub's snapshot; offline redemptions since it are not.
  const spentOffline = snapshot
    ? deviceOfflineRedemptions(ctx.db, 'points', snapshot.takenAt)
        .filter((use) => use.accountId === loyalty.accountId)
        .reduce((total, use) => total + use.amount, 0)
    : 0;
  return {
    earned: typeof loyalty.pointsEarned === 'number' ? loyalty.pointsEarned : 0,
    redeemed: typeof loyalty.pointsRedeemed === 'number' ? loyalty.pointsRedeemed : 0,
    balance: snapshot ? snapshot.available - spentOffline : null,
  };
}
