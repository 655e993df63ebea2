import { z } from 'zod';
import { DomainError, assertNever, invalid, type Result } from '../errors';
import {
  add,
  compare,
  formatMoney,
  isSupportedCurrency,
  max,
  min,
  money,
  negate,
  subtract,
  sum,
  zero,
  type Money,
} from '../money';
import {
  assertWithinAllowance,
  offlineAllowance,
  type OfflineAllowance,
  type QuantityOps,
} from './offline-limits';
import {
  MS_PER_DAY,
  assertTime,
  currencySchema,
  entityIdSchema,
  entryIdSchema,
  epochMsSchema,
  moneySchema,
  originFields,
  parseWithSchema,
  type EntryOrigin,
} from './schema-parts';

/**
 * Store credit and gift cards: a ledger in money with the same rules as points, without lots or expiry.
 * Accounts are chain-wide: store credit issued by a return at one store is spent at any other, because
 * nothing here looks at which node issued it. Balances are derived from the entries; online operations
 * never take `available` below zero; an offline redemption the balance cannot cover is applied anyway and
 * its shortfall recorded by exactly one OFFLINE_OVERDRAFT, which later credits net off.
 *
 * `amount` is signed by its effect on `available`:
 * ISSUE > 0 · HOLD < 0 (into `held`) · CAPTURE ≤ 0 (online: spends the hold, `available` unchanged;
 * offline: taken from `available` directly) · RELEASE > 0 · REFUND > 0 (gives back a captured
 * redemption) · ADJUST ≠ 0 · OFFLINE_OVERDRAFT < 0.
 */

export const STORED_VALUE_KINDS = ['store_credit', 'gift_card'] as const;
export type StoredValueKind = (typeof STORED_VALUE_KINDS)[number];

export const StoredValueAccountSchema = z.object({
  accountId: entityIdSchema,
  kind: z.enum(STORED_VALUE_KINDS),
  currency: currencySchema,
  /** Store credit belongs to a customer; a gift card to whoever holds it. */
  customerId: entityIdSchema.optional(),
  /** Printed on receipts and shown at the till: never the full number. */
  maskedNumber: z
    .string()
    .max(40)
    .refine((value) => !/\d{13,}/.test(value.replace(/[\s-]/g, '')), {
      error: 'Keep only the last digits of a card number; the full number must not be stored.',
    })
    .optional(),
  status: z.enum(['active', 'blocked']),
  issuedAt: epochMsSchema,
  issuedAtNode: entityIdSchema.optional(),
});
export type StoredValueAccount = z.infer<typeof StoredValueAccountSchema>;

export const STORED_VALUE_ENTRY_TYPES = [
  'ISSUE',
  'HOLD',
  'CAPTURE',
  'RELEASE',
  'REFUND',
  'ADJUST',
  'OFFLINE_OVERDRAFT',
] as const;
export type StoredValueEntryType = (typeof STORED_VALUE_ENTRY_TYPES)[number];

const SIGNS: Readonly<Record<StoredValueEntryType, 'positive' | 'negative' | 'non-positive' | 'non-zero'>> = {
  ISSUE: 'positive',
  HOLD: 'negative',
  CAPTURE: 'non-positive',
  RELEASE: 'positive',
  REFUND: 'positive',
  ADJUST: 'non-zero',
  OFFLINE_OVERDRAFT: 'negative',
};

export const StoredValueEntrySchema = z
  .object({
    entryId: entryIdSchema,
    accountId: entityIdSchema,
    type: z.enum(STORED_VALUE_ENTRY_TYPES),
    amount: moneySchema,
    occurredAt: epochMsSchema,
    sourceDoc: entityIdSchema.optional(),
    originNode: entityIdSchema.optional(),
    deviceId: entityIdSchema.optional(),
    /** HOLD, CAPTURE, RELEASE, REFUND, and an overdraft: the redemption (hold) id. */
    holdId: entityIdSchema.optional(),
    /** HOLD: when the hub releases it. */
    expiresAt: epochMsSchema.optional(),
    /** OFFLINE_OVERDRAFT: the capture whose shortfall it records. */
    causedBy: entryIdSchema.optional(),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .superRefine((entry, context) => {
    const amount = entry.amount.amount;
    const sign = SIGNS[entry.type];
    const ok =
      sign === 'positive'
        ? amount > 0
        : sign === 'negative'
          ? amount < 0
          : sign === 'non-positive'
            ? amount <= 0
            : amount !== 0;
    if (!ok) {
      context.addIssue({
        code: 'custom',
        message: `${entry.type} amounts must be ${sign}.`,
        path: ['amount'],
      });
    }
    const needsHold = ['HOLD', 'CAPTURE', 'RELEASE', 'REFUND', 'OFFLINE_OVERDRAFT'].includes(entry.type);
    if (needsHold && entry.holdId === undefined) {
      context.addIssue({ code: 'custom', message: `${entry.type} needs holdId.`, path: ['holdId'] });
    }
    if (entry.type === 'HOLD' && entry.expiresAt === undefined) {
      context.addIssue({ code: 'custom', message: 'HOLD needs expiresAt.', path: ['expiresAt'] });
    }
    if (entry.type === 'OFFLINE_OVERDRAFT' && entry.causedBy === undefined) {
      context.addIssue({ code: 'custom', message: 'OFFLINE_OVERDRAFT needs causedBy.', path: ['causedBy'] });
    }
    if (entry.type === 'ADJUST' && entry.reason === undefined) {
      context.addIssue({ code: 'custom', message: 'ADJUST needs a reason.', path: ['reason'] });
    }
  });
export type StoredValueEntry = z.infer<typeof StoredValueEntrySchema>;

export function parseStoredValueEntry(input: unknown): Result<StoredValueEntry> {
  return parseWithSchema(StoredValueEntrySchema, input, 'stored-value entry');
}

export const StoredValueSettingsSchema = z
  .object({
    currency: currencySchema,
    holdTtlMs: z.number().int().min(1_000).max(MS_PER_DAY),
    offline: z.object({
      maxSnapshotAgeMs: z
        .number()
        .int()
        .min(1)
        .max(30 * MS_PER_DAY),
      /** Keep these small: an offline gift card redemption is a loss if the card was already spent. */
      perTransactionCap: moneySchema,
      perDeviceDayCap: moneySchema,
    }),
  })
  .superRefine((settings, context) => {
    for (const field of ['perTransactionCap', 'perDeviceDayCap'] as const) {
      const cap = settings.offline[field];
      if (cap.currency !== settings.currency) {
        context.addIssue({
          code: 'custom',
          message: `The cap must be in ${settings.currency}.`,
          path: ['offline', field],
        });
      }
      if (cap.amount < 0) {
        context.addIssue({ code: 'custom', message: 'A cap cannot be negative.', path: ['offline', field] });
      }
    }
  });
export type StoredValueSettings = z.infer<typeof StoredValueSettingsSchema>;

export function parseStoredValueSettings(input: unknown): Result<StoredValueSettings> {
  return parseWithSchema(StoredValueSettingsSchema, input, 'stored-value settings');
}

export const storedValueEntryIds = {
  issue: (issueId: string) => `issue:${issueId}`,
  hold: (holdId: string) => `hold:${holdId}`,
  capture: (holdId: string) => `capture:${holdId}`,
  release: (holdId: string) => `release:${holdId}`,
  refund: (refundId: string) => `refund:${refundId}`,
  adjust: (adjustmentId: string) => `adjust:${adjustmentId}`,
  overdraft: (captureEntryId: string) => `overdraft:${captureEntryId}`,
} as const;

type AccountRef = Pick<StoredValueAccount, 'accountId' | 'kind' | 'currency'> & {
  readonly maskedNumber?: string | undefined;
};

export interface StoredValueBalances {
  readonly available: Money;
  readonly held: Money;
  /** Everything ever issued. */
  readonly issued: Money;
  /** Spent on sales, less refunds. */
  readonly redeemed: Money;
  /** What the account owes after offline redemptions it could not cover. */
  readonly overdraft: Money;
}

interface StoredHold {
  readonly entry: StoredValueEntry;
  readonly amount: Money;
  captured: Money;
  released: Money;
}

interface StoredRedemption {
  capture: StoredValueEntry | undefined;
  amount: Money;
  refunded: Money;
}

interface StoredValueView {
  readonly entries: ReadonlyMap<string, StoredValueEntry>;
  readonly holds: ReadonlyMap<string, StoredHold>;
  readonly redemptions: ReadonlyMap<string, StoredRedemption>;
  readonly balances: StoredValueBalances;
}

function describeAccount(account: AccountRef): string {
  const kind = account.kind === 'gift_card' ? 'Gift card' : 'Store credit';
  return account.maskedNumber === undefined ? kind : `${kind} ${account.maskedNumber}`;
}

function ledgerConflict(account: AccountRef, problem: string, details: Record<string, unknown>): DomainError {
  return new DomainError(
    'CONFLICT',
    'loyalty.ledgerInconsistentAskHq',
    { account: describeAccount(account).toLowerCase(), accountId: account.accountId, problem },
    details,
  );
}

function projectStoredValue(account: AccountRef, entries: Iterable<StoredValueEntry>): StoredValueView {
  const currency = account.currency;
  const unique = new Map<string, StoredValueEntry>();
  for (const entry of entries) {
    if (unique.has(entry.entryId)) continue;
    if (entry.accountId !== account.accountId) {
      throw invalid(
        'loyalty.entryBelongsAccountNot2',
        { entryId: entry.entryId, accountId: entry.accountId, accountId2: account.accountId },
        {
          entryId: entry.entryId,
        },
      );
    }
    if (entry.amount.currency !== currency) {
      throw new DomainError('CURRENCY_MISMATCH', 'loyalty.entryAccount', {
        entryId: entry.entryId,
        currency: entry.amount.currency,
        currency2: currency,
      });
    }
    unique.set(entry.entryId, entry);
  }
  const nothing = zero(currency);
  const holds = new Map<string, StoredHold>();
  const redemptions = new Map<string, StoredRedemption>();
  const redemptionOf = (holdId: string): StoredRedemption => {
    let redemption = redemptions.get(holdId);
    if (redemption === undefined) {
      redemption = { capture: undefined, amount: nothing, refunded: nothing };
      redemptions.set(holdId, redemption);
    }
    return redemption;
  };
  let available = nothing;
  let issued = nothing;
  for (const entry of unique.values()) {
    if (entry.type === 'HOLD') {
      holds.set(entry.holdId ?? '', {
        entry,
        amount: negate(entry.amount),
        captured: nothing,
        released: nothing,
      });
    }
  }
  const refunds: StoredValueEntry[] = [];
  for (const entry of unique.values()) {
    const holdId = entry.holdId ?? '';
    switch (entry.type) {
      case 'ISSUE':
        issued = add(issued, entry.amount);
        available = add(available, entry.amount);
        break;
      case 'ADJUST':
      case 'HOLD':
        available = add(available, entry.amount);
        break;
      case 'CAPTURE': {
        const hold = holds.get(holdId);
        const redemption = redemptionOf(holdId);
        redemption.capture = entry;
        redemption.amount = subtract(redemption.amount, entry.amount);
        if (hold === undefined) available = add(available, entry.amount);
        else hold.captured = subtract(hold.captured, entry.amount);
        break;
      }
      case 'RELEASE': {
        const hold = holds.get(holdId);
        if (hold === undefined) {
          throw ledgerConflict(
            account,
            `release ${entry.entryId} names hold ${holdId}, which does not exist.`,
            {
              entryId: entry.entryId,
            },
          );
        }
        hold.released = add(hold.released, entry.amount);
        available = add(available, entry.amount);
        break;
      }
      case 'REFUND':
        refunds.push(entry);
        available = add(available, entry.amount);
        break;
      case 'OFFLINE_OVERDRAFT': {
        const cause = entry.causedBy === undefined ? undefined : unique.get(entry.causedBy);
        if (cause?.type !== 'CAPTURE') {
          throw ledgerConflict(
            account,
            `overdraft ${entry.entryId} is not caused by a capture in the ledger.`,
            {
              entryId: entry.entryId,
            },
          );
        }
        const redemption = redemptionOf(cause.holdId ?? '');
        redemption.amount = subtract(redemption.amount, entry.amount);
        available = add(available, entry.amount);
        break;
      }
      default:
        assertNever(entry.type, 'stored-value entry type');
    }
  }
  for (const entry of refunds) {
    const redemption = redemptions.get(entry.holdId ?? '');
    if (redemption?.capture === undefined) {
      throw ledgerConflict(
        account,
        `refund ${entry.entryId} names redemption ${entry.holdId ?? ''}, which was never captured.`,
        {
          entryId: entry.entryId,
        },
      );
    }
    redemption.refunded = add(redemption.refunded, entry.amount);
    if (compare(redemption.refunded, redemption.amount) > 0) {
      throw ledgerConflict(account, `redemption ${entry.holdId ?? ''} was refunded more than it spent.`, {
        holdId: entry.holdId,
      });
    }
  }
  let held = nothing;
  for (const [holdId, hold] of holds) {
    const left = subtract(subtract(hold.amount, hold.captured), hold.released);
    if (left.amount < 0) {
      throw ledgerConflict(account, `hold ${holdId} was captured and released for more than it held.`, {
        holdId,
      });
    }
    held = add(held, left);
  }
  const redeemed = sum(
    [...redemptions.values()].map((redemption) => subtract(redemption.amount, redemption.refunded)),
    currency,
  );
  return {
    entries: unique,
    holds,
    redemptions,
    balances: { available, held, issued, redeemed, overdraft: max(nothing, negate(available)) },
  };
}

/** Balances of a store credit or gift card account; entries are idempotent by entryId and order-free. */
export function storedValueBalances(
  account: AccountRef,
  entries: Iterable<StoredValueEntry>,
): StoredValueBalances {
  return projectStoredValue(account, entries).balances;
}

/** What a store caches for a store credit or gift card account: the hub's balance at `takenAt`. */
export const StoredValueSnapshotSchema = z.object({
  accountId: entityIdSchema,
  available: moneySchema,
  held: moneySchema,
  takenAt: epochMsSchema,
});
export type StoredValueSnapshot = z.infer<typeof StoredValueSnapshotSchema>;

export function storedValueSnapshot(
  account: AccountRef,
  entries: Iterable<StoredValueEntry>,
  at: number,
): StoredValueSnapshot {
  assertTime(at);
  const { available, held } = storedValueBalances(account, entries);
  return { accountId: account.accountId, available, held, takenAt: at };
}

function positiveAmount(account: AccountRef, amount: Money, what: string): Money {
  const checked = money(amount.amount, amount.currency);
  if (checked.currency !== account.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'loyalty.error', {
      account: describeAccount(account),
      currency: account.currency,
      what,
      currency2: checked.currency,
    });
  }
  if (checked.amount <= 0) throw invalid('loyalty.mustMoreZero', { what }, { amount: checked.amount });
  return checked;
}

function assertActive(account: AccountRef & { readonly status?: string }): void {
  if (account.status === 'blocked') {
    throw new DomainError(
      'NOT_ALLOWED',
      'loyalty.blockedAskHqBefore',
      { account: describeAccount(account) },
      {
        accountId: account.accountId,
      },
    );
  }
}

function base(
  account: AccountRef,
  entryId: string,
  at: number,
  origin: EntryOrigin,
  sourceDoc: string | undefined,
) {
  return {
    entryId,
    accountId: account.accountId,
    occurredAt: at,
    ...(sourceDoc === undefined ? {} : { sourceDoc }),
    ...originFields(origin),
  };
}

export interface IssueRequest extends EntryOrigin {
  readonly issueId: string;
  readonly amount: Money;
  /** The return, sale (gift card sold) or HQ action that issued it. */
  readonly sourceDoc?: string;
  readonly reason?: string;
}

/** Puts value on the account (a return's store credit, a gift card sold or topped up). */
export function issueStoredValue(
  account: AccountRef,
  entries: readonly StoredValueEntry[],
  request: IssueRequest,
  at: number,
): StoredValueEntry[] {
  assertTime(at);
  const amount = positiveAmount(account, request.amount, 'The amount issued');
  const view = projectStoredValue(account, entries);
  const entryId = storedValueEntryIds.issue(request.issueId);
  const recorded = view.entries.get(entryId);
  if (recorded !== undefined) {
    if (compare(recorded.amount, amount) !== 0) {
      throw new DomainError('CONFLICT', 'loyalty.issueAlreadyRecorded', {
        issueId: request.issueId,
        amount: formatMoney(recorded.amount),
      });
    }
    return [];
  }
  return [
    {
      ...base(account, entryId, at, request, request.sourceDoc),
      type: 'ISSUE',
      amount,
      ...(request.reason === undefined ? {} : { reason: request.reason.trim().slice(0, 200) || 'Issued' }),
    },
  ];
}

function insufficientValue(
  account: AccountRef,
  view: StoredValueView,
  amount: Money,
  action: string,
): DomainError {
  const { available, held } = view.balances;
  const heldNote = held.amount > 0 ? ` ${formatMoney(held)} is held for a sale in progress.` : '';
  return new DomainError(
    'INSUFFICIENT_BALANCE',
    'loyalty.availableCannot',
    {
      account: describeAccount(account),
      currency: formatMoney(max(zero(account.currency), available)),
      amount: formatMoney(amount),
      action,
      heldNote,
    },
    { available: available.amount, held: held.amount, requested: amount.amount },
  );
}

export interface StoredValueHoldRequest extends EntryOrigin {
  readonly holdId: string;
  readonly amount: Money;
  readonly sourceDoc?: string;
}

export interface StoredValueHoldDecision {
  readonly entries: StoredValueEntry[];
  readonly expiresAt: number;
}

/** Holds `amount` for a sale in progress; INSUFFICIENT_BALANCE beyond what is available. */
export function placeStoredValueHold(
  account: AccountRef & { readonly status?: string },
  entries: readonly StoredValueEntry[],
  request: StoredValueHoldRequest,
  settings: StoredValueSettings,
  at: number,
): StoredValueHoldDecision {
  assertTime(at);
  assertActive(account);
  const amount = positiveAmount(account, request.amount, 'The amount to hold');
  const view = projectStoredValue(account, entries);
  const existing = view.holds.get(request.holdId);
  if (existing !== undefined) {
    if (compare(existing.amount, amount) !== 0) {
      throw new DomainError('CONFLICT', 'loyalty.holdAlreadyExistsUse', {
        holdId: request.holdId,
        amount: formatMoney(existing.amount),
      });
    }
    return { entries: [], expiresAt: existing.entry.expiresAt ?? at };
  }
  if (view.redemptions.has(request.holdId)) {
    throw new DomainError('CONFLICT', 'loyalty.idAlreadyUsedOffline', { holdId: request.holdId });
  }
  if (compare(view.balances.available, amount) < 0) throw insufficientValue(account, view, amount, 'held');
  const expiresAt = at + settings.holdTtlMs;
  return {
    entries: [
      {
        ...base(account, storedValueEntryIds.hold(request.holdId), at, request, request.sourceDoc),
        type: 'HOLD',
        amount: negate(amount),
        holdId: request.holdId,
        expiresAt,
      },
    ],
    expiresAt,
  };
}

function requireStoredHold(account: AccountRef, view: StoredValueView, holdId: string): StoredHold {
  const hold = view.holds.get(holdId);
  if (hold === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'loyalty.noHold',
      { holdId, account: describeAccount(account).toLowerCase() },
      {
        holdId,
      },
    );
  }
  return hold;
}

function holdStatus(hold: StoredHold): 'open' | 'captured' | 'released' {
  if (hold.captured.amount > 0) return 'captured';
  return hold.released.amount > 0 ? 'released' : 'open';
}

export interface StoredValueCaptureRequest extends EntryOrigin {
  readonly holdId: string;
  /** What the sale used; at most the hold (default: all of it). The rest is released. */
  readonly amount?: Money;
  readonly sourceDoc?: string;
}

/** Spends an open hold with the sale; a partial capture releases the rest. Idempotent. */
export function captureStoredValueHold(
  account: AccountRef,
  entries: readonly StoredValueEntry[],
  request: StoredValueCaptureRequest,
  at: number,
): StoredValueEntry[] {
  assertTime(at);
  const view = projectStoredValue(account, entries);
  const hold = requireStoredHold(account, view, request.holdId);
  const amount = positiveAmount(account, request.amount ?? hold.amount, 'The amount captured');
  const status = holdStatus(hold);
  if (status === 'captured') {
    if (compare(hold.captured, amount) === 0) return [];
    throw new DomainError('CONFLICT', 'loyalty.holdAlreadyCaptured', {
      holdId: request.holdId,
      captured: formatMoney(hold.captured),
    });
  }
  if (status === 'released') {
    throw new DomainError('CONFLICT', 'loyalty.holdReleasedBeforeSale', { holdId: request.holdId });
  }
  if (compare(amount, hold.amount) > 0) {
    throw new DomainError('LIMIT_EXCEEDED', 'loyalty.saleUsedOnlyHeld', {
      amount: formatMoney(amount),
      amount2: formatMoney(hold.amount),
    });
  }
  const sourceDoc = request.sourceDoc ?? hold.entry.sourceDoc;
  const decided: StoredValueEntry[] = [
    {
      ...base(account, storedValueEntryIds.capture(request.holdId), at, request, sourceDoc),
      type: 'CAPTURE',
      amount: negate(amount),
      holdId: request.holdId,
    },
  ];
  const rest = subtract(hold.amount, amount);
  if (rest.amount > 0) {
    decided.push({
      ...base(account, storedValueEntryIds.release(request.holdId), at, request, sourceDoc),
      type: 'RELEASE',
      amount: rest,
      holdId: request.holdId,
      reason: `The sale used ${formatMoney(amount)} of the ${formatMoney(hold.amount)} held.`,
    });
  }
  return decided;
}

export interface StoredValueReleaseRequest extends EntryOrigin {
  readonly holdId: string;
  readonly reason: string;
}

/** Gives an open hold back (void, abandoned sale, timeout). Releasing twice is a no-op. */
export function releaseStoredValueHold(
  account: AccountRef,
  entries: readonly StoredValueEntry[],
  request: StoredValueReleaseRequest,
  at: number,
): StoredValueEntry[] {
  assertTime(at);
  const view = projectStoredValue(account, entries);
  const hold = requireStoredHold(account, view, request.holdId);
  const status = holdStatus(hold);
  if (status === 'released') return [];
  if (status === 'captured') {
    throw new DomainError('CONFLICT', 'loyalty.holdAlreadyUsedSale', { holdId: request.holdId });
  }
  const reason = request.reason.trim();
  if (reason === '') throw invalid('loyalty.sayWhyHoldReleased');
  return [
    {
      ...base(account, storedValueEntryIds.release(request.holdId), at, request, hold.entry.sourceDoc),
      type: 'RELEASE',
      amount: hold.amount,
      holdId: request.holdId,
      reason: reason.slice(0, 200),
    },
  ];
}

/** RELEASE entries for open holds whose time ran out by `at`. */
export function releaseExpiredStoredValueHolds(
  account: AccountRef,
  entries: readonly StoredValueEntry[],
  at: number,
): StoredValueEntry[] {
  assertTime(at);
  const view = projectStoredValue(account, entries);
  return [...view.holds.entries()]
    .filter(
      ([, hold]) => holdStatus(hold) === 'open' && (hold.entry.expiresAt ?? Number.POSITIVE_INFINITY) <= at,
    )
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([holdId, hold]) => ({
      ...base(account, storedValueEntryIds.release(holdId), at, {}, hold.entry.sourceDoc),
      type: 'RELEASE' as const,
      amount: hold.amount,
      holdId,
      reason: 'The hold timed out before the sale completed.',
    }));
}

export interface StoredValueRefundRequest extends EntryOrigin {
  readonly refundId: string;
  /** The redemption refunded: the hold id online, the till's redemption id offline. */
  readonly holdId: string;
  readonly amount: Money;
  readonly sourceDoc?: string;
}

/** Gives back value a returned sale was paid with, never more than the redemption spent in total. */
export function refundStoredValue(
  account: AccountRef,
  entries: readonly StoredValueEntry[],
  request: StoredValueRefundRequest,
  at: number,
): StoredValueEntry[] {
  assertTime(at);
  const amount = positiveAmount(account, request.amount, 'The refund');
  const view = projectStoredValue(account, entries);
  const entryId = storedValueEntryIds.refund(request.refundId);
  const recorded = view.entries.get(entryId);
  if (recorded !== undefined) {
    if (compare(recorded.amount, amount) !== 0) {
      throw new DomainError('CONFLICT', 'loyalty.refundAlreadyRecorded', {
        refundId: request.refundId,
        amount: formatMoney(recorded.amount),
      });
    }
    return [];
  }
  const redemption = view.redemptions.get(request.holdId);
  if (redemption?.capture === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'loyalty.nothingSpentUnderRedemption',
      { account: describeAccount(account).toLowerCase(), holdId: request.holdId },
      { holdId: request.holdId },
    );
  }
  const left = subtract(redemption.amount, redemption.refunded);
  if (compare(amount, left) > 0) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'loyalty.onlySpentUnderRedemption',
      { left: formatMoney(left), amount: formatMoney(redemption.amount), holdId: request.holdId },
      { holdId: request.holdId },
    );
  }
  return [
    {
      ...base(account, entryId, at, request, request.sourceDoc),
      type: 'REFUND',
      amount,
      holdId: request.holdId,
    },
  ];
}

export interface StoredValueAdjustmentRequest extends EntryOrigin {
  readonly adjustmentId: string;
  /** > 0 adds value, < 0 removes available value. */
  readonly amount: Money;
  readonly reason: string;
}

/** An HQ correction; a debit beyond what is available is refused (online never goes negative). */
export function adjustStoredValue(
  account: AccountRef,
  entries: readonly StoredValueEntry[],
  request: StoredValueAdjustmentRequest,
  at: number,
): StoredValueEntry[] {
  assertTime(at);
  const amount = money(request.amount.amount, request.amount.currency);
  if (amount.currency !== account.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'loyalty.not', {
      account: describeAccount(account),
      currency: account.currency,
      currency2: amount.currency,
    });
  }
  if (amount.amount === 0) throw invalid('loyalty.adjustmentMustChangeBalance');
  const reason = request.reason.trim();
  if (reason === '') throw invalid('loyalty.sayWhyBalanceAdjusted');
  const view = projectStoredValue(account, entries);
  const entryId = storedValueEntryIds.adjust(request.adjustmentId);
  const recorded = view.entries.get(entryId);
  if (recorded !== undefined) {
    if (compare(recorded.amount, amount) !== 0) {
      throw new DomainError('CONFLICT', 'loyalty.adjustmentAlreadyMade', {
        adjustmentId: request.adjustmentId,
        amount: formatMoney(recorded.amount),
      });
    }
    return [];
  }
  if (amount.amount < 0 && compare(view.balances.available, negate(amount)) < 0) {
    throw insufficientValue(account, view, negate(amount), 'removed');
  }
  return [
    {
      ...base(account, entryId, at, request, request.adjustmentId),
      type: 'ADJUST',
      amount,
      reason: reason.slice(0, 200),
    },
  ];
}

function moneyOps(account: AccountRef): QuantityOps<Money> {
  const label = account.kind === 'gift_card' ? 'Gift card balance' : 'Store credit balance';
  return {
    zero: zero(account.currency),
    add,
    subtract,
    compare,
    format: formatMoney,
    balanceLabel: label,
  };
}

/** What a till spent from a store credit or gift card without the hub, kept until the hub applied it. */
export const OfflineStoredValueRedemptionSchema = z.object({
  /** The till's id for it (e.g. the sale's tender id); the hub's entries derive from it. */
  redemptionId: entityIdSchema,
  accountId: entityIdSchema,
  amount: moneySchema,
  occurredAt: epochMsSchema,
  sourceDoc: entityIdSchema.optional(),
  originNode: entityIdSchema.optional(),
  deviceId: entityIdSchema.optional(),
});
export type OfflineStoredValueRedemption = z.infer<typeof OfflineStoredValueRedemptionSchema>;

export type StoredValueOfflineUse = Pick<OfflineStoredValueRedemption, 'accountId' | 'amount' | 'occurredAt'>;

/**
 * How much of a store credit or gift card a till may spend offline: the same rule as points, in money.
 * Uses in other currencies do not count against the device cap (the cap is per currency).
 */
export function storedValueOfflineAllowance(
  account: AccountRef,
  snapshot: Pick<StoredValueSnapshot, 'accountId' | 'available' | 'takenAt'>,
  deviceOfflineUses: readonly StoredValueOfflineUse[],
  settings: StoredValueSettings,
  at: number,
): OfflineAllowance<Money> {
  assertTime(at);
  if (!isSupportedCurrency(account.currency) || settings.currency !== account.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'loyalty.offlineLimitsSet', {
      account: describeAccount(account),
      currency: account.currency,
      currency2: settings.currency,
    });
  }
  if (snapshot.accountId !== account.accountId) {
    throw invalid('loyalty.snapshotAccountNot', {
      accountId: snapshot.accountId,
      accountId2: account.accountId,
    });
  }
  return offlineAllowance(moneyOps(account), {
    accountId: account.accountId,
    snapshotAvailable: money(snapshot.available.amount, account.currency),
    snapshotTakenAt: snapshot.takenAt,
    deviceUses: deviceOfflineUses
      .filter((use) => use.amount.currency === account.currency)
      .map((use) => ({ accountId: use.accountId, amount: use.amount, occurredAt: use.occurredAt })),
    maxSnapshotAgeMs: settings.offline.maxSnapshotAgeMs,
    perTransactionCap: settings.offline.perTransactionCap,
    perDeviceDayCap: settings.offline.perDeviceDayCap,
    at,
  });
}

/** OFFLINE_LIMIT with the till's sentence when `amount` exceeds the allowance. */
export function assertStoredValueOfflineAllowed(
  account: AccountRef,
  amount: Money,
  allowance: OfflineAllowance<Money>,
): void {
  assertWithinAllowance(moneyOps(account), positiveAmount(account, amount, 'The amount'), allowance);
}

export interface OfflineStoredValueDecision {
  readonly entries: StoredValueEntry[];
  readonly covered: Money;
  readonly overdraft: Money;
}

/**
 * Applies at the hub what a till spent offline. Never refused: the available balance covers what it can
 * and the rest is one OFFLINE_OVERDRAFT; later credits (issue, refund, adjustment) net the debt. Applying
 * the same redemption again returns no entries.
 */
export function applyOfflineStoredValueRedemption(
  account: AccountRef,
  entries: readonly StoredValueEntry[],
  redemption: OfflineStoredValueRedemption,
  at: number,
): OfflineStoredValueDecision {
  assertTime(at);
  assertTime(redemption.occurredAt);
  if (redemption.accountId !== account.accountId) {
    throw invalid('loyalty.redemptionAccountNot', {
      redemptionId: redemption.redemptionId,
      accountId: redemption.accountId,
      accountId2: account.accountId,
    });
  }
  const amount = positiveAmount(account, redemption.amount, 'The amount spent offline');
  const view = projectStoredValue(account, entries);
  const captureId = storedValueEntryIds.capture(redemption.redemptionId);
  const overdraftId = storedValueEntryIds.overdraft(captureId);
  const recorded = view.entries.get(captureId);
  const nothing = zero(account.currency);
  if (recorded !== undefined) {
    const overdraft = view.entries.get(overdraftId);
    return {
      entries: [],
      covered: negate(recorded.amount),
      overdraft: overdraft === undefined ? nothing : negate(overdraft.amount),
    };
  }
  if (view.holds.has(redemption.redemptionId)) {
    throw new DomainError('CONFLICT', 'loyalty.redemptionOnlineHoldCapture', {
      redemptionId: redemption.redemptionId,
    });
  }
  const covered = min(amount, max(nothing, view.balances.available));
  const shortfall = subtract(amount, covered);
  const decided: StoredValueEntry[] = [
    {
      ...base(account, captureId, redemption.occurredAt, redemption, redemption.sourceDoc),
      type: 'CAPTURE',
      amount: negate(covered),
      holdId: redemption.redemptionId,
      reason: 'Spent at a till without a hub connection.',
    },
  ];
  if (shortfall.amount > 0) {
    decided.push({
      ...base(account, overdraftId, at, redemption, redemption.sourceDoc),
      type: 'OFFLINE_OVERDRAFT',
      amount: negate(shortfall),
      holdId: redemption.redemptionId,
      causedBy: captureId,
      reason: `${formatMoney(shortfall)} spent offline was not on the account; later credits settle it.`,
    });
  }
  return { entries: decided, covered, overdraft: shortfall };
}
