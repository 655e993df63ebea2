import { z } from 'zod';
import { DomainError, assertNever, invalid } from '../errors';
import { money, type Money } from '../money';
import { loyaltyEntryIds, type LotAllocation, type LoyaltyEntry } from './loyalty-entry';
import { assertTime, entityIdSchema, epochMsSchema, negatePoints, signedPointsSchema } from './schema-parts';

/**
 * Balances of a points account, derived from its entries at an instant `at` (epoch ms):
 *
 * - a lot with points left is **pending** before its `availableAt`, **available** from then until its
 *   `expiresAt`, and **expired** after; activation and expiry follow from time alone, so every replica that
 *   holds the same entries computes the same balance at the same instant. EARN_ACTIVATE and EXPIRE entries
 *   are the durable record of what time did (`activationsDue`, `expireDue`); appending them never changes
 *   a balance.
 * - a lot that reaches its expiry while the account owes points (an overdraft) pays that debt first and
 *   only the rest expires, so points that would vanish settle the deficit.
 * - entries are folded as a set: the order they are given in does not matter, and an entry id seen twice
 *   counts once (the first one wins).
 */

export type LotKind = 'earn' | 'adjustment' | 'overdraft';
export type LotStatus = 'pending' | 'available' | 'expired' | 'debt' | 'empty';

export interface LoyaltyBalances {
  /** Earned, not yet usable (inside the return window). Never redeemable. */
  readonly pending: number;
  /** Usable now. Negative only while the account owes points after an overdraft. */
  readonly available: number;
  /** Taken by open redemption holds. */
  readonly held: number;
  /** Points that expired unused, recorded or due. */
  readonly expired: number;
  /** Points earned and credited by adjustment, less reversals: what the member has ever been given. */
  readonly lifetime: number;
  /** Points the account owes (overdraft debt not yet settled). */
  readonly overdraft: number;
}

export interface LotView {
  readonly lotId: string;
  readonly kind: LotKind;
  readonly points: number;
  readonly availableAt: number;
  readonly expiresAt: number | undefined;
  /** Points left at `at`, after any expiry due by then. Negative only for an unsettled overdraft. */
  readonly remaining: number;
  readonly status: LotStatus;
  readonly sourceDoc: string | undefined;
  /** EARN_PENDING: the amount that earned the points. */
  readonly value: Money | undefined;
}

interface Lot {
  readonly lotId: string;
  readonly kind: LotKind;
  readonly points: number;
  readonly availableAt: number;
  readonly expiresAt: number | undefined;
  readonly sourceDoc: string | undefined;
  readonly value: Money | undefined;
  /** After the entries, before any expiry that is due but not recorded. */
  remaining: number;
}

export interface HoldView {
  readonly holdId: string;
  readonly entry: LoyaltyEntry;
  readonly points: number;
  readonly captured: number;
  readonly released: number;
  readonly status: 'open' | 'captured' | 'released';
}

interface Hold {
  readonly entry: LoyaltyEntry;
  readonly points: number;
  captured: number;
  released: number;
}

export interface RedemptionView {
  readonly holdId: string;
  /** Through a hub hold (online) or captured directly from the ledger (offline). */
  readonly online: boolean;
  readonly capture: LoyaltyEntry | undefined;
  /** Points the sale was paid with: captured from lots plus any overdraft. */
  readonly points: number;
  /** What those points paid. */
  readonly value: Money | undefined;
  /** Net points taken per lot (including the debt lot of its overdraft), for exact refunds. */
  readonly taken: ReadonlyMap<string, number>;
  readonly refundedPoints: number;
  readonly refundedValue: Money | undefined;
}

interface Redemption {
  online: boolean;
  capture: LoyaltyEntry | undefined;
  points: number;
  value: Money | undefined;
  readonly taken: Map<string, number>;
  refundedPoints: number;
  refundedValue: Money | undefined;
}

export interface ReversalView {
  /** Points reversed from the earn lot, including any part an overdraft had to record. */
  readonly points: number;
  readonly refundedValue: Money | undefined;
}

export interface ExpiryDue {
  readonly lotId: string;
  readonly expiresAt: number;
  readonly settlements: readonly { readonly debtLotId: string; readonly points: number }[];
  readonly expired: number;
}

export interface LedgerView {
  readonly accountId: string | undefined;
  readonly at: number;
  readonly entries: ReadonlyMap<string, LoyaltyEntry>;
  readonly lots: ReadonlyMap<string, LotView>;
  readonly holds: ReadonlyMap<string, HoldView>;
  readonly redemptions: ReadonlyMap<string, RedemptionView>;
  readonly reversals: ReadonlyMap<string, ReversalView>;
  readonly activated: ReadonlySet<string>;
  readonly expireCounts: ReadonlyMap<string, number>;
  readonly expiriesDue: readonly ExpiryDue[];
  readonly balances: LoyaltyBalances;
}

function inconsistent(
  accountId: string | undefined,
  problem: string,
  details: Record<string, unknown>,
): DomainError {
  return new DomainError(
    'CONFLICT',
    'loyalty.pointsLedgerAccountInconsistent',
    { accountId: accountId ?? '(unknown)', problem },
    details,
  );
}

function addMoney(total: Money | undefined, value: Money | undefined): Money | undefined {
  if (value === undefined) return total;
  if (total === undefined) return money(value.amount, value.currency);
  if (total.currency !== value.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'money.cannotCombineAmounts', {
      currency: total.currency,
      currency2: value.currency,
    });
  }
  return money(total.amount + value.amount, total.currency);
}

/** Soonest-expiring first, never-expiring last; then the oldest; then by id so the order is total. */
export function compareLotsFefo(
  a: { readonly lotId: string; readonly availableAt: number; readonly expiresAt: number | undefined },
  b: { readonly lotId: string; readonly availableAt: number; readonly expiresAt: number | undefined },
): number {
  const aExpiry = a.expiresAt ?? Number.POSITIVE_INFINITY;
  const bExpiry = b.expiresAt ?? Number.POSITIVE_INFINITY;
  if (aExpiry !== bExpiry) return aExpiry < bExpiry ? -1 : 1;
  if (a.availableAt !== b.availableAt) return a.availableAt - b.availableAt;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

function dedupe(
  entries: Iterable<LoyaltyEntry>,
  accountId: string | undefined,
): {
  unique: Map<string, LoyaltyEntry>;
  accountId: string | undefined;
} {
  const unique = new Map<string, LoyaltyEntry>();
  let account = accountId;
  for (const entry of entries) {
    if (unique.has(entry.entryId)) continue;
    if (account === undefined) account = entry.accountId;
    else if (entry.accountId !== account) {
      throw invalid(
        'loyalty.entryBelongsAccountNot',
        { entryId: entry.entryId, accountId: entry.accountId, account },
        {
          entryId: entry.entryId,
          accountId: entry.accountId,
          expected: account,
        },
      );
    }
    unique.set(entry.entryId, entry);
  }
  return { unique, accountId: account };
}

function lotOf(entry: LoyaltyEntry): Lot | undefined {
  const base = { lotId: entry.entryId, sourceDoc: entry.sourceDoc, expiresAt: entry.expiresAt };
  switch (entry.type) {
    case 'EARN_PENDING':
      return {
        ...base,
        kind: 'earn',
        points: entry.points,
        availableAt: entry.availableAt ?? entry.occurredAt,
        value: entry.value,
        remaining: entry.points,
      };
    case 'ADJUST':
      if (entry.points <= 0) return undefined;
      return {
        ...base,
        kind: 'adjustment',
        points: entry.points,
        availableAt: entry.availableAt ?? entry.occurredAt,
        value: undefined,
        remaining: entry.points,
      };
    case 'OFFLINE_OVERDRAFT':
      return {
        ...base,
        kind: 'overdraft',
        points: entry.points,
        availableAt: entry.availableAt ?? entry.occurredAt,
        value: undefined,
        remaining: entry.points,
      };
    case 'EARN_ACTIVATE':
    case 'REDEEM_HOLD':
    case 'REDEEM_CAPTURE':
    case 'REDEEM_RELEASE':
    case 'EARN_REVERSAL':
    case 'REDEMPTION_REFUND':
    case 'EXPIRE':
      return undefined;
    default:
      return assertNever(entry.type, 'loyalty entry type');
  }
}

/**
 * The expiries due at `at` that are not recorded yet, in the order they happened, with the debt each one
 * settles. Only debt that existed before the lot expired is settled by it, so the outcome does not depend
 * on when the hub's expiry job runs.
 */
function planExpiries(
  lots: ReadonlyMap<string, Lot>,
  at: number,
): { due: ExpiryDue[]; remaining: Map<string, number> } {
  const remaining = new Map<string, number>();
  for (const lot of lots.values()) remaining.set(lot.lotId, lot.remaining);
  const expiring = [...lots.values()]
    .filter((lot) => lot.remaining > 0 && lot.expiresAt !== undefined && lot.expiresAt <= at)
    .sort(compareLotsFefo);
  const debts = [...lots.values()]
    .filter((lot) => lot.kind === 'overdraft')
    .sort((a, b) =>
      a.availableAt !== b.availableAt ? a.availableAt - b.availableAt : a.lotId < b.lotId ? -1 : 1,
    );
  const due: ExpiryDue[] = [];
  for (const lot of expiring) {
    const expiresAt = lot.expiresAt ?? at;
    let left = remaining.get(lot.lotId) ?? 0;
    const settlements: { debtLotId: string; points: number }[] = [];
    for (const debt of debts) {
      if (left === 0) break;
      if (debt.availableAt >= expiresAt) continue;
      const owed = -(remaining.get(debt.lotId) ?? 0);
      if (owed <= 0) continue;
      const settled = Math.min(left, owed);
      remaining.set(debt.lotId, -owed + settled);
      left -= settled;
      settlements.push({ debtLotId: debt.lotId, points: settled });
    }
    remaining.set(lot.lotId, 0);
    due.push({ lotId: lot.lotId, expiresAt, settlements, expired: left });
  }
  return { due, remaining };
}

function lotStatus(lot: Lot, remaining: number, at: number): LotStatus {
  if (remaining < 0) return 'debt';
  if (lot.expiresAt !== undefined && lot.expiresAt <= at) return 'expired';
  if (remaining === 0) return 'empty';
  return lot.availableAt > at ? 'pending' : 'available';
}

/**
 * Folds the entries of one account into lots, holds, redemptions and balances at `at`. Throws CONFLICT
 * when the entries contradict each other (an allocation to a lot that does not exist, a lot spent below
 * zero, a capture of an unknown hold): the ledger is then wrong and no balance can be trusted.
 */
export function projectLoyaltyLedger(
  entries: Iterable<LoyaltyEntry>,
  at: number,
  accountId?: string,
): LedgerView {
  assertTime(at);
  const { unique, accountId: account } = dedupe(entries, accountId);

  const lots = new Map<string, Lot>();
  for (const entry of unique.values()) {
    const lot = lotOf(entry);
    if (lot !== undefined) lots.set(lot.lotId, lot);
  }

  const holds = new Map<string, Hold>();
  const redemptions = new Map<string, Redemption>();
  const reversals = new Map<string, { points: number; refundedValue: Money | undefined }>();
  const activated = new Set<string>();
  const expireCounts = new Map<string, number>();
  const captures: LoyaltyEntry[] = [];
  const releases: LoyaltyEntry[] = [];
  const refunds: LoyaltyEntry[] = [];
  const overdrafts: LoyaltyEntry[] = [];
  let expired = 0;
  let lifetime = 0;

  const redemptionOf = (holdId: string): Redemption => {
    let redemption = redemptions.get(holdId);
    if (redemption === undefined) {
      redemption = {
        online: false,
        capture: undefined,
        points: 0,
        value: undefined,
        taken: new Map(),
        refundedPoints: 0,
        refundedValue: undefined,
      };
      redemptions.set(holdId, redemption);
    }
    return redemption;
  };
  const take = (redemption: Redemption, allocations: readonly LotAllocation[] | undefined): void => {
    for (const allocation of allocations ?? []) {
      redemption.taken.set(
        allocation.lotId,
        (redemption.taken.get(allocation.lotId) ?? 0) + allocation.points,
      );
    }
  };
  const requireLot = (lotId: string | undefined, entry: LoyaltyEntry): Lot => {
    const lot = lotId === undefined ? undefined : lots.get(lotId);
    if (lot === undefined) {
      throw inconsistent(
        account,
        `entry ${entry.entryId} refers to lot ${lotId ?? '(none)'}, which does not exist.`,
        {
          entryId: entry.entryId,
          lotId,
        },
      );
    }
    return lot;
  };

  for (const entry of unique.values()) {
    for (const allocation of entry.allocations ?? []) {
      requireLot(allocation.lotId, entry).remaining -= allocation.points;
    }
    switch (entry.type) {
      case 'EARN_PENDING':
      case 'ADJUST':
        lifetime += entry.points;
        break;
      case 'EARN_ACTIVATE':
        requireLot(entry.lotId, entry);
        activated.add(entry.lotId ?? '');
        break;
      case 'REDEEM_HOLD': {
        const holdId = entry.holdId ?? '';
        holds.set(holdId, { entry, points: -entry.points, captured: 0, released: 0 });
        const redemption = redemptionOf(holdId);
        redemption.online = true;
        take(redemption, entry.allocations);
        break;
      }
      case 'REDEEM_CAPTURE':
        captures.push(entry);
        break;
      case 'REDEEM_RELEASE':
        releases.push(entry);
        break;
      case 'EARN_REVERSAL': {
        const lot = requireLot(entry.lotId, entry);
        const reversal = reversals.get(lot.lotId) ?? { points: 0, refundedValue: undefined };
        reversals.set(lot.lotId, {
          points: reversal.points - entry.points,
          refundedValue: addMoney(reversal.refundedValue, entry.value),
        });
        lifetime += entry.points;
        break;
      }
      case 'REDEMPTION_REFUND':
        refunds.push(entry);
        break;
      case 'EXPIRE': {
        const lot = requireLot(entry.lotId, entry);
        expired -= entry.points;
        expireCounts.set(lot.lotId, (expireCounts.get(lot.lotId) ?? 0) + 1);
        break;
      }
      case 'OFFLINE_OVERDRAFT':
        overdrafts.push(entry);
        break;
      default:
        assertNever(entry.type, 'loyalty entry type');
    }
  }

  for (const entry of captures) {
    const holdId = entry.holdId ?? '';
    const hold = holds.get(holdId);
    const redemption = redemptionOf(holdId);
    if (hold !== undefined) {
      if ((entry.allocations ?? []).length > 0) {
        throw inconsistent(account, `capture ${entry.entryId} of hold ${holdId} moves points itself.`, {
          entryId: entry.entryId,
        });
      }
      hold.captured -= entry.points;
    } else {
      take(redemption, entry.allocations);
    }
    redemption.capture = entry;
    redemption.points -= entry.points;
    redemption.value = addMoney(redemption.value, entry.value);
  }
  for (const entry of releases) {
    const hold = holds.get(entry.holdId ?? '');
    if (hold === undefined) {
      throw inconsistent(
        account,
        `release ${entry.entryId} names hold ${entry.holdId ?? ''}, which does not exist.`,
        {
          entryId: entry.entryId,
        },
      );
    }
    hold.released += entry.points;
    take(redemptionOf(entry.holdId ?? ''), entry.allocations);
  }
  for (const entry of overdrafts) {
    const cause = entry.causedBy === undefined ? undefined : unique.get(entry.causedBy);
    if (cause?.type === 'REDEEM_CAPTURE' && cause.holdId !== undefined) {
      const redemption = redemptionOf(cause.holdId);
      redemption.points -= entry.points;
      redemption.taken.set(entry.entryId, -entry.points);
    } else if (cause?.type === 'EARN_REVERSAL' && cause.lotId !== undefined) {
      const reversal = reversals.get(cause.lotId) ?? { points: 0, refundedValue: undefined };
      reversals.set(cause.lotId, {
        points: reversal.points - entry.points,
        refundedValue: reversal.refundedValue,
      });
      lifetime += entry.points;
    } else {
      throw inconsistent(
        account,
        `overdraft ${entry.entryId} is not caused by a capture or reversal in the ledger.`,
        {
          entryId: entry.entryId,
          causedBy: entry.causedBy,
        },
      );
    }
  }
  for (const entry of refunds) {
    const redemption = redemptions.get(entry.holdId ?? '');
    if (redemption?.capture === undefined) {
      throw inconsistent(
        account,
        `refund ${entry.entryId} names redemption ${entry.holdId ?? ''}, which was never captured.`,
        {
          entryId: entry.entryId,
        },
      );
    }
    redemption.refundedPoints += entry.points;
    redemption.refundedValue = addMoney(redemption.refundedValue, entry.value);
    take(redemption, entry.allocations);
  }

  for (const lot of lots.values()) {
    if (lot.kind !== 'overdraft' && lot.remaining < 0) {
      throw inconsistent(account, `lot ${lot.lotId} has ${-lot.remaining} more points taken than it holds.`, {
        lotId: lot.lotId,
      });
    }
  }
  for (const [holdId, hold] of holds) {
    if (hold.captured + hold.released > hold.points) {
      throw inconsistent(account, `hold ${holdId} was captured and released for more than it held.`, {
        holdId,
      });
    }
  }

  const { due, remaining } = planExpiries(lots, at);
  let pending = 0;
  let available = 0;
  let overdraft = 0;
  const lotViews = new Map<string, LotView>();
  for (const lot of lots.values()) {
    const left = remaining.get(lot.lotId) ?? lot.remaining;
    const status = lotStatus(lot, left, at);
    if (status === 'debt') {
      available += left;
      overdraft -= left;
    } else if (status === 'pending') pending += left;
    else if (status === 'available') available += left;
    lotViews.set(lot.lotId, {
      lotId: lot.lotId,
      kind: lot.kind,
      points: lot.points,
      availableAt: lot.availableAt,
      expiresAt: lot.expiresAt,
      remaining: left,
      status,
      sourceDoc: lot.sourceDoc,
      value: lot.value,
    });
  }
  for (const expiry of due) expired += expiry.expired;
  let held = 0;
  const holdViews = new Map<string, HoldView>();
  for (const [holdId, hold] of holds) {
    held += hold.points - hold.captured - hold.released;
    holdViews.set(holdId, {
      holdId,
      entry: hold.entry,
      points: hold.points,
      captured: hold.captured,
      released: hold.released,
      status: hold.captured > 0 ? 'captured' : hold.released > 0 ? 'released' : 'open',
    });
  }
  const redemptionViews = new Map<string, RedemptionView>();
  for (const [holdId, redemption] of redemptions) redemptionViews.set(holdId, { holdId, ...redemption });

  return {
    accountId: account,
    at,
    entries: unique,
    lots: lotViews,
    holds: holdViews,
    redemptions: redemptionViews,
    reversals,
    activated,
    expireCounts,
    expiriesDue: due,
    balances: { pending, available, held, expired, lifetime, overdraft },
  };
}

/** Balances of one account's entries at `at`. Entries are idempotent by entryId and order-free. */
export function balances(entries: Iterable<LoyaltyEntry>, at: number): LoyaltyBalances {
  return projectLoyaltyLedger(entries, at).balances;
}

/** Lots a redemption may take from at `at`, soonest-expiring first: usable, unexpired, with points left. */
export function consumableLots(view: LedgerView, exclude: ReadonlySet<string> = new Set()): LotView[] {
  return [...view.lots.values()]
    .filter((lot) => lot.status === 'available' && lot.remaining > 0 && !exclude.has(lot.lotId))
    .sort(compareLotsFefo);
}

/** Takes `points` from `lots` in the order given; the caller has checked there are enough. */
export function allocateInOrder(lots: readonly LotView[], points: number): LotAllocation[] {
  const allocations: LotAllocation[] = [];
  let left = points;
  for (const lot of lots) {
    if (left === 0) break;
    const taken = Math.min(left, lot.remaining);
    if (taken <= 0) continue;
    allocations.push({ lotId: lot.lotId, points: taken });
    left -= taken;
  }
  if (left > 0) {
    throw new DomainError('INTERNAL', 'loyalty.pointsAllocatedBeyondWhat', {}, { short: left });
  }
  return allocations;
}

/**
 * Gives `points` back to the lots a redemption took them from: its overdraft debt first (what was never
 * covered is forgiven before anything becomes spendable again), then the latest-expiring lot first, so
 * what comes back lasts as long as it can without outliving the lot it came from.
 */
export function restoreTaken(
  view: LedgerView,
  taken: ReadonlyMap<string, number>,
  points: number,
): LotAllocation[] {
  const sources = [...taken.entries()]
    .filter(([, amount]) => amount > 0)
    .map(([lotId, amount]) => ({ lot: view.lots.get(lotId), amount }))
    .filter((source): source is { lot: LotView; amount: number } => source.lot !== undefined)
    .sort((a, b) => {
      const aDebt = a.lot.kind === 'overdraft' ? 0 : 1;
      const bDebt = b.lot.kind === 'overdraft' ? 0 : 1;
      if (aDebt !== bDebt) return aDebt - bDebt;
      return compareLotsFefo(b.lot, a.lot);
    });
  const allocations: LotAllocation[] = [];
  let left = points;
  for (const source of sources) {
    if (left === 0) break;
    const given = Math.min(left, source.amount);
    allocations.push({ lotId: source.lot.lotId, points: -given });
    left -= given;
  }
  if (left > 0) {
    throw new DomainError(
      'INTERNAL',
      'loyalty.morePointsGivenBack',
      {},
      {
        short: left,
      },
    );
  }
  return allocations;
}

/** The EXPIRE entries to append at `at`: one per lot whose unused points reached their expiry. */
export function expireDue(entries: Iterable<LoyaltyEntry>, at: number): LoyaltyEntry[] {
  const view = projectLoyaltyLedger(entries, at);
  const accountId = view.accountId;
  if (accountId === undefined) return [];
  return view.expiriesDue.map((expiry) => {
    const settled = expiry.settlements.reduce((total, settlement) => total + settlement.points, 0);
    const allocations: LotAllocation[] = [
      { lotId: expiry.lotId, points: settled + expiry.expired },
      ...expiry.settlements.map((settlement) => ({
        lotId: settlement.debtLotId,
        points: -settlement.points,
      })),
    ];
    const occurrence = (view.expireCounts.get(expiry.lotId) ?? 0) + 1;
    return {
      entryId: loyaltyEntryIds.expire(expiry.lotId, occurrence),
      accountId,
      type: 'EXPIRE',
      points: negatePoints(expiry.expired),
      occurredAt: expiry.expiresAt,
      lotId: expiry.lotId,
      allocations,
      reason:
        settled > 0
          ? `${settled} points paid the account's overdraft before the rest expired.`
          : 'Points reached their expiry date unused.',
    } satisfies LoyaltyEntry;
  });
}

/**
 * EARN_ACTIVATE records to append at `at`: earn lots whose return window has passed with points left.
 * They document the moment points became usable (for the member's history and the feed); the balance
 * already counts them as available from `availableAt` on.
 */
export function activationsDue(entries: Iterable<LoyaltyEntry>, at: number): LoyaltyEntry[] {
  const view = projectLoyaltyLedger(entries, at);
  const accountId = view.accountId;
  if (accountId === undefined) return [];
  const due: LoyaltyEntry[] = [];
  for (const lot of view.lots.values()) {
    if (lot.kind !== 'earn' || lot.availableAt > at || view.activated.has(lot.lotId)) continue;
    const earn = view.entries.get(lot.lotId);
    const left = pointsLeftAtActivation(view, lot);
    if (left <= 0 || earn === undefined) continue;
    due.push({
      entryId: loyaltyEntryIds.activate(lot.lotId),
      accountId,
      type: 'EARN_ACTIVATE',
      points: left,
      occurredAt: lot.availableAt,
      lotId: lot.lotId,
      ...(earn.sourceDoc === undefined ? {} : { sourceDoc: earn.sourceDoc }),
    });
  }
  return due.sort((a, b) => a.occurredAt - b.occurredAt || (a.entryId < b.entryId ? -1 : 1));
}

function pointsLeftAtActivation(view: LedgerView, lot: LotView): number {
  // What the return window left of the lot: its points less what returns reversed. Later redemptions
  // and expiry do not change what became usable.
  const reversed = view.reversals.get(lot.lotId)?.points ?? 0;
  return Math.max(0, lot.points - reversed);
}

/** What a store caches for an account: the hub's balances at `takenAt` and the next expiry. */
export const LoyaltySnapshotSchema = z.object({
  accountId: entityIdSchema,
  /** When the hub computed it; the till trusts it offline only while it is young enough. */
  takenAt: epochMsSchema,
  pending: signedPointsSchema,
  available: signedPointsSchema,
  held: signedPointsSchema,
  expired: signedPointsSchema,
  lifetime: signedPointsSchema,
  overdraft: signedPointsSchema,
  /** The next points to expire, so the till can tell the member. */
  nextExpiry: z.object({ at: epochMsSchema, points: signedPointsSchema }).optional(),
});
export type LoyaltySnapshot = z.infer<typeof LoyaltySnapshotSchema>;

/** What the hub sends a store for an account: balances at `at` and the next expiry. */
export function loyaltySnapshot(
  accountId: string,
  entries: Iterable<LoyaltyEntry>,
  at: number,
): LoyaltySnapshot {
  const view = projectLoyaltyLedger(entries, at, accountId);
  let nextExpiry: { at: number; points: number } | undefined;
  for (const lot of view.lots.values()) {
    if (lot.expiresAt === undefined || lot.remaining <= 0 || lot.status === 'expired') continue;
    if (nextExpiry === undefined || lot.expiresAt < nextExpiry.at)
      nextExpiry = { at: lot.expiresAt, points: lot.remaining };
    else if (lot.expiresAt === nextExpiry.at)
      nextExpiry = { at: lot.expiresAt, points: nextExpiry.points + lot.remaining };
  }
  return { accountId, takenAt: at, ...view.balances, ...(nextExpiry === undefined ? {} : { nextExpiry }) };
}
