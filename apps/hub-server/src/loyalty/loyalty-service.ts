import {
  DomainError,
  activationsDue,
  adjustPoints,
  applyOfflineRedemption,
  applyOfflineStoredValueRedemption,
  captureHold,
  captureStoredValueHold,
  expireDue,
  issueStoredValue,
  loyaltySnapshot,
  money,
  placeHold,
  placeStoredValueHold,
  projectLoyaltyLedger,
  releaseExpiredHolds,
  releaseExpiredStoredValueHolds,
  releaseHold,
  releaseStoredValueHold,
  storedValueSnapshot,
  type LoyaltyEntry,
  type LoyaltySnapshot,
  type StoredValueEntry,
} from '@retail/domain';
import type { HoldAnswer, HoldRequest, StoredValueAnswer } from '@retail/sync';
import type { HubContext } from '../hub-context';
import { inHubTransaction, type HubTx } from '../hub-tx';
import {
  appendLoyaltyEntries,
  appendStoredValueEntries,
  lockLoyaltyAccount,
  lockStoredValueAccount,
  refreshLoyaltyDue,
  refreshStoredValueDue,
  storedValueAccountOf,
  type LockedLoyaltyAccount,
  type LockedStoredValueAccount,
} from './ledger-store';
import { hashPassword, verifyPassword } from '../auth/secrets';
import { requireProgramme, requireStoredValueSettings } from './loyalty-config';
import { maskedNumberOf, newStoredValueAccountId, numberKeyWith, storedValueKey } from './stored-value-keys';

/**
 * Online redemption at the hub (holds placed and released for tills), redemption capture when a sale
 * arrives, stored-value issue, and the time-based housekeeping the loyalty job runs. Every operation is
 * one transaction with the account row locked.
 */

export interface DeviceOrigin {
  readonly deviceId: string;
  readonly storeId: string;
}

/** What the hub keeps of a card or slip number: the key it is found by, and its last digits. */
export async function numberTargetOf(
  tx: HubTx,
  number: string,
): Promise<{ numberKey: string; maskedNumber: string }> {
  return {
    numberKey: numberKeyWith(await storedValueKey(tx.hub.storage, tx.trx), number),
    maskedNumber: maskedNumberOf(number),
  };
}

async function requireLoyaltyAccount(tx: HubTx, accountId: string): Promise<LockedLoyaltyAccount> {
  const locked = await lockLoyaltyAccount(tx, accountId);
  if (locked === undefined) throw new DomainError('NOT_FOUND', 'hub.loyalty.noLoyaltyAccount', { accountId });
  if (locked.account.merged_into !== null) {
    throw new DomainError('CONFLICT', 'hub.loyalty.loyaltyAccountMergedUse', {
      accountId,
      merged_into: locked.account.merged_into,
    });
  }
  return locked;
}

async function requireStoredValue(tx: HubTx, accountId: string): Promise<LockedStoredValueAccount> {
  const locked = await lockStoredValueAccount(tx, accountId);
  if (locked === undefined)
    throw new DomainError('NOT_FOUND', 'hub.loyalty.noStoredValueAccount', { accountId });
  return locked;
}

/** A hold for a till's online redemption: points or stored value, refused when the balance is short. */
export async function placeRedemptionHold(
  hub: HubContext,
  device: DeviceOrigin,
  request: HoldRequest,
): Promise<HoldAnswer> {
  return inHubTransaction(hub, async (tx) => {
    const origin = { originNode: device.storeId, deviceId: device.deviceId };
    if (request.kind === 'points') {
      const programme = await requireProgramme(tx.trx);
      const locked = await requireLoyaltyAccount(tx, request.accountId);
      if (locked.account.status === 'blocked') {
        throw new DomainError('NOT_ALLOWED', 'loyalty.loyaltyAccountBlockedPoints');
      }
      const decision = placeHold(
        locked.entries,
        { accountId: request.accountId, holdId: request.holdId, points: request.points, ...origin },
        programme,
        tx.at,
      );
      const all = await appendLoyaltyEntries(tx, locked, decision.entries, { nodeId: device.storeId });
      return {
        holdId: decision.holdId,
        accountId: request.accountId,
        expiresAt: decision.expiresAt,
        loyalty: { snapshot: loyaltySnapshot(request.accountId, all, tx.at), programme },
      };
    }
    const locked = await requireStoredValue(tx, request.accountId);
    const settings = await requireStoredValueSettings(tx.trx, locked.account.currency);
    const decision = placeStoredValueHold(
      locked.account,
      locked.entries,
      { holdId: request.holdId, amount: money(request.amount, locked.account.currency), ...origin },
      settings,
      tx.at,
    );
    const all = await appendStoredValueEntries(tx, locked, decision.entries, { nodeId: device.storeId });
    const hold = all.find((entry) => entry.type === 'HOLD' && entry.holdId === request.holdId);
    return {
      holdId: request.holdId,
      accountId: request.accountId,
      expiresAt: hold?.expiresAt ?? tx.at + settings.holdTtlMs,
      storedValue: storedValueSnapshot(locked.account, all, tx.at),
    };
  });
}

/** HQ's correction of an account: a credit (a new lot, usable at once) or a debit from usable points. */
export async function adjustAccountPoints(
  hub: HubContext,
  accountId: string,
  request: { adjustmentId: string; points: number; reason: string; expiresAt?: number },
): Promise<LoyaltySnapshot> {
  return inHubTransaction(hub, async (tx) => {
    const programme = await requireProgramme(tx.trx);
    const locked = await requireLoyaltyAccount(tx, accountId);
    const entries = adjustPoints(locked.entries, { accountId, ...request }, programme, tx.at);
    const all = await appendLoyaltyEntries(tx, locked, entries);
    return loyaltySnapshot(accountId, all, tx.at);
  });
}

/** Releases a hold whose tender was removed or whose sale was voided. Unknown or settled holds: false. */
export async function releaseRedemptionHold(
  hub: HubContext,
  device: DeviceOrigin,
  request: { kind: 'points' | 'stored_value'; holdId: string },
): Promise<{ holdId: string; released: boolean }> {
  const reason = 'Released by the till: the payment was removed or the sale voided.';
  return inHubTransaction(hub, async (tx) => {
    const origin = { originNode: device.storeId, deviceId: device.deviceId };
    if (request.kind === 'points') {
      const owner = await tx.trx
        .selectFrom('loyalty_entries')
        .select('account_id')
        .where('hold_id', '=', request.holdId)
        .where('type', '=', 'REDEEM_HOLD')
        .executeTakeFirst();
      if (owner === undefined) return { holdId: request.holdId, released: false };
      const locked = await requireLoyaltyAccount(tx, owner.account_id);
      const status = projectLoyaltyLedger(locked.entries, tx.at).holds.get(request.holdId)?.status;
      if (status !== 'open') return { holdId: request.holdId, released: status === 'released' };
      const entries = releaseHold(
        locked.entries,
        { accountId: owner.account_id, holdId: request.holdId, reason, ...origin },
        tx.at,
      );
      await appendLoyaltyEntries(tx, locked, entries, { nodeId: device.storeId });
      return { holdId: request.holdId, released: true };
    }
    const owner = await tx.trx
      .selectFrom('stored_value_entries')
      .select('account_id')
      .where('hold_id', '=', request.holdId)
      .where('type', '=', 'HOLD')
      .executeTakeFirst();
    if (owner === undefined) return { holdId: request.holdId, released: false };
    const locked = await requireStoredValue(tx, owner.account_id);
    if (storedValueHoldStatus(locked.entries, request.holdId) !== 'open') {
      return {
        holdId: request.holdId,
        released: storedValueHoldStatus(locked.entries, request.holdId) === 'released',
      };
    }
    const entries = releaseStoredValueHold(
      locked.account,
      locked.entries,
      { holdId: request.holdId, reason, ...origin },
      tx.at,
    );
    await appendStoredValueEntries(tx, locked, entries, { nodeId: device.storeId });
    return { holdId: request.holdId, released: true };
  });
}

export function storedValueHoldStatus(
  entries: readonly StoredValueEntry[],
  holdId: string,
): 'open' | 'captured' | 'released' | 'none' {
  if (!entries.some((entry) => entry.type === 'HOLD' && entry.holdId === holdId)) return 'none';
  if (entries.some((entry) => entry.type === 'CAPTURE' && entry.holdId === holdId)) return 'captured';
  if (entries.some((entry) => entry.type === 'RELEASE' && entry.holdId === holdId)) return 'released';
  return 'open';
}

/** The redemption id a till's tender is booked under: its hold, or its own id when there never was one. */
export function afterReleaseId(tenderId: string): string {
  return `${tenderId}:after-release`;
}

/**
 * Books the points a completed sale was paid with: captures the open hold, or, when the till was offline
 * (no hold) or its hold already timed out, applies it as an offline redemption that never refuses and
 * records exactly one overdraft when the points are no longer there.
 */
export async function capturePoints(
  tx: HubTx,
  locked: LockedLoyaltyAccount,
  tender: { tenderId: string; points: number; amount: number; currency: string },
  sale: { saleId: string; occurredAt: number; eventId: string; nodeId: string; deviceId: string },
): Promise<LockedLoyaltyAccount> {
  const programme = await requireProgramme(tx.trx);
  const accountId = locked.account.account_id;
  const hold = projectLoyaltyLedger(locked.entries, tx.at, accountId).holds.get(tender.tenderId);
  const value = money(tender.amount, tender.currency);
  const origin = { originNode: sale.nodeId, deviceId: sale.deviceId };
  let entries: LoyaltyEntry[];
  if (hold?.status === 'open' || hold?.status === 'captured') {
    entries = captureHold(
      locked.entries,
      { accountId, holdId: tender.tenderId, points: tender.points, value, sourceDoc: sale.saleId, ...origin },
      tx.at,
    );
  } else {
    entries = applyOfflineRedemption(
      locked.entries,
      {
        redemptionId: hold === undefined ? tender.tenderId : afterReleaseId(tender.tenderId),
        accountId,
        points: tender.points,
        value,
        occurredAt: sale.occurredAt,
        sourceDoc: sale.saleId,
        ...origin,
      },
      programme,
      tx.at,
    ).entries;
  }
  const all = await appendLoyaltyEntries(tx, locked, entries, { eventId: sale.eventId, nodeId: sale.nodeId });
  return { account: locked.account, entries: all };
}

/** The stored-value equivalent of capturePoints. */
export async function captureStoredValue(
  tx: HubTx,
  locked: LockedStoredValueAccount,
  tender: { tenderId: string; amount: number },
  sale: { saleId: string; occurredAt: number; eventId: string; nodeId: string; deviceId: string },
): Promise<void> {
  const status = storedValueHoldStatus(locked.entries, tender.tenderId);
  const amount = money(tender.amount, locked.account.currency);
  const origin = { originNode: sale.nodeId, deviceId: sale.deviceId };
  const entries =
    status === 'open' || status === 'captured'
      ? captureStoredValueHold(
          locked.account,
          locked.entries,
          { holdId: tender.tenderId, amount, sourceDoc: sale.saleId, ...origin },
          tx.at,
        )
      : applyOfflineStoredValueRedemption(
          locked.account,
          locked.entries,
          {
            redemptionId: status === 'none' ? tender.tenderId : afterReleaseId(tender.tenderId),
            accountId: locked.account.accountId,
            amount,
            occurredAt: sale.occurredAt,
            sourceDoc: sale.saleId,
            ...origin,
          },
          tx.at,
        ).entries;
  await appendStoredValueEntries(tx, locked, entries, {
    eventId: sale.eventId,
    nodeId: sale.nodeId,
    businessAt: sale.occurredAt,
  });
}

/**
 * Store credit issued under a number (a no-receipt return's slip, an offline card refund): the account is
 * chain-wide, so the slip is spent at any store. Issuing again under the same issue id adds nothing.
 */
export async function issueStoredCredit(
  tx: HubTx,
  request: ({ number: string } | { numberKey: string; maskedNumber: string } | { accountId: string }) & {
    issueId: string;
    amount: number;
    currency: string;
    kind?: 'store_credit' | 'gift_card';
    /** A PIN the hub asks for on lookup from now on (a new card only; hashed like a password). */
    pin?: string;
    customerId?: string;
    sourceDoc?: string;
    nodeId?: string;
    deviceId?: string;
    /** When the store issued it (its return or sale time), for the day's journal. */
    businessAt?: number;
    eventId?: string;
  },
): Promise<string> {
  if ('accountId' in request) return issueInto(tx, request.accountId, request);
  const { numberKey: hash, maskedNumber } =
    'number' in request ? await numberTargetOf(tx, request.number) : request;
  const existing = await tx.trx
    .selectFrom('stored_value_accounts')
    .select('account_id')
    .where('number_hash', '=', hash)
    .executeTakeFirst();
  // Random, so the id a till or a receipt shows says nothing about the number.
  const accountId = existing?.account_id ?? newStoredValueAccountId();
  if (existing === undefined) {
    await tx.trx
      .insertInto('stored_value_accounts')
      .values({
        account_id: accountId,
        kind: request.kind ?? 'store_credit',
        currency: request.currency,
        customer_id: request.customerId ?? null,
        masked_number: maskedNumber,
        number_hash: hash,
        status: 'active',
        issued_at: tx.at,
        issued_at_node: request.nodeId ?? null,
        next_due_at: null,
        created_at: tx.at,
        updated_at: tx.at,
        pin_hash: request.pin === undefined ? null : await hashPassword(request.pin),
        pin_failures: 0,
        pin_locked_until: null,
      })
      .execute();
  }
  return issueInto(tx, accountId, request);
}

async function issueInto(
  tx: HubTx,
  accountId: string,
  request: {
    issueId: string;
    amount: number;
    currency: string;
    sourceDoc?: string;
    nodeId?: string;
    deviceId?: string;
    eventId?: string;
    businessAt?: number;
  },
): Promise<string> {
  const locked = await requireStoredValue(tx, accountId);
  const entries = issueStoredValue(
    locked.account,
    locked.entries,
    {
      issueId: request.issueId,
      amount: money(request.amount, request.currency),
      ...(request.sourceDoc === undefined ? {} : { sourceDoc: request.sourceDoc }),
      ...(request.nodeId === undefined ? {} : { originNode: request.nodeId }),
      ...(request.deviceId === undefined ? {} : { deviceId: request.deviceId }),
    },
    tx.at,
  );
  await appendStoredValueEntries(tx, locked, entries, {
    ...(request.eventId === undefined ? {} : { eventId: request.eventId }),
    ...(request.nodeId === undefined ? {} : { nodeId: request.nodeId }),
    ...(request.businessAt === undefined ? {} : { businessAt: request.businessAt }),
  });
  return accountId;
}

/** Wrong PINs in a row before a card is locked, and for how long. */
export const PIN_ATTEMPTS = 5;
export const PIN_LOCK_MS = 15 * 60_000;

/**
 * A gift card or store credit by its number, with its balance and the offline rules, for a till. A card
 * with a PIN answers only with the right PIN; after PIN_ATTEMPTS wrong ones in a row it is locked for
 * PIN_LOCK_MS whatever is entered (the count is kept, so guessing from several tills does not help).
 */
export async function storedValueByNumber(
  hub: HubContext,
  request: { number: string; pin?: string | undefined },
): Promise<StoredValueAnswer> {
  const executor = hub.storage.db;
  const row = await executor
    .selectFrom('stored_value_accounts')
    .selectAll()
    .where('number_hash', '=', numberKeyWith(await storedValueKey(hub.storage, executor), request.number))
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError('NOT_FOUND', 'loyalty.noGiftCardStore');
  }
  if (row.pin_hash !== null && row.pin_hash !== undefined) await checkPin(hub, row.account_id, request.pin);
  const account = storedValueAccountOf(row);
  const entries = (
    await executor
      .selectFrom('stored_value_entries')
      .select('entry')
      .where('account_id', '=', row.account_id)
      .execute()
  ).map((entry) => JSON.parse(entry.entry) as StoredValueEntry);
  return {
    account: {
      accountId: account.accountId,
      kind: account.kind,
      maskedNumber: account.maskedNumber ?? '',
      currency: account.currency,
      status: account.status,
      pinProtected: row.pin_hash !== null && row.pin_hash !== undefined,
    },
    snapshot: storedValueSnapshot(account, entries, hub.now()),
    settings: await requireStoredValueSettings(executor, account.currency),
  };
}

function cardLocked(lockedUntil: number): DomainError {
  return new DomainError(
    'LOCKED_OUT',
    'hub.loyalty.tooManyWrongPINs',
    { lockedUntil: new Date(lockedUntil).toISOString() },
    { lockedUntil },
  );
}

/**
 * Every guess takes its attempt (and, at the last one, locks the card) in one transaction before its hash
 * is checked, so guesses sent in parallel from several tills get no more than PIN_ATTEMPTS checks between
 * them per lock period. The right PIN then gives its attempt back, lifting the lock it set, if any.
 */
async function checkPin(hub: HubContext, accountId: string, pin: string | undefined): Promise<void> {
  const attempt = await inHubTransaction(hub, async (tx) => {
    const row = await tx.trx
      .selectFrom('stored_value_accounts')
      .select(['pin_hash', 'pin_failures', 'pin_locked_until'])
      .where('account_id', '=', accountId)
      .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirstOrThrow();
    const lockedUntil =
      row.pin_locked_until === null || row.pin_locked_until === undefined ? 0 : Number(row.pin_locked_until);
    if (lockedUntil > tx.at) return { kind: 'locked' as const, lockedUntil };
    if (pin === undefined) return { kind: 'missing' as const };
    const failures = Number(row.pin_failures ?? 0) + 1;
    const lock = failures >= PIN_ATTEMPTS ? tx.at + PIN_LOCK_MS : null;
    await tx.trx
      .updateTable('stored_value_accounts')
      .set({ pin_failures: lock === null ? failures : 0, pin_locked_until: lock })
      .where('account_id', '=', accountId)
      .execute();
    return { kind: 'taken' as const, pinHash: row.pin_hash ?? '', failures, lock };
  });
  if (attempt.kind === 'locked') throw cardLocked(attempt.lockedUntil);
  if (attempt.kind === 'missing') {
    throw new DomainError(
      'FORBIDDEN',
      'hub.loyalty.cardPinAskCustomer',
      {},
      {
        pinRequired: true,
      },
    );
  }
  // Hashing takes a while: outside any transaction.
  if (await verifyPassword(pin ?? '', attempt.pinHash)) {
    await inHubTransaction(hub, async (tx) => {
      await tx.trx
        .updateTable('stored_value_accounts')
        .set({ pin_failures: 0 })
        .where('account_id', '=', accountId)
        .execute();
      if (attempt.lock !== null) {
        await tx.trx
          .updateTable('stored_value_accounts')
          .set({ pin_locked_until: null })
          .where('account_id', '=', accountId)
          .where('pin_locked_until', '=', attempt.lock)
          .execute();
      }
    });
    return;
  }
  if (attempt.lock !== null) throw cardLocked(attempt.lock);
  throw new DomainError(
    'FORBIDDEN',
    'hub.loyalty.pinWrongAskCustomer',
    {},
    {
      pinRequired: true,
      attemptsLeft: PIN_ATTEMPTS - attempt.failures,
    },
  );
}

export interface LoyaltyPassReport {
  readonly loyaltyAccounts: number;
  readonly storedValueAccounts: number;
  readonly entries: number;
}

/**
 * The loyalty job: for every account whose next activation, expiry or hold timeout is due, appends what
 * time did (EARN_ACTIVATE, EXPIRE, REDEEM_RELEASE / RELEASE). Safe to repeat: the domain returns nothing
 * for what is already recorded.
 */
export async function runLoyaltyPass(hub: HubContext, limit = 200): Promise<LoyaltyPassReport> {
  const at = hub.now();
  let entries = 0;
  const loyaltyDue = await hub.storage.db
    .selectFrom('loyalty_accounts')
    .select('account_id')
    .where('next_due_at', '<=', at)
    .orderBy('next_due_at')
    .limit(limit)
    .execute();
  for (const { account_id: accountId } of loyaltyDue) {
    entries += await inHubTransaction(hub, async (tx) => {
      const locked = await lockLoyaltyAccount(tx, accountId);
      if (locked === undefined) return 0;
      const activations = activationsDue(locked.entries, tx.at);
      const withActivations = [...locked.entries, ...activations];
      const expiries = expireDue(withActivations, tx.at);
      const releases = releaseExpiredHolds([...withActivations, ...expiries], tx.at);
      const due = [...activations, ...expiries, ...releases];
      if (due.length > 0) await appendLoyaltyEntries(tx, locked, due);
      // Nothing was due by time alone: move the marker past now so the job does not spin on it.
      else await refreshLoyaltyDue(tx, accountId, locked.entries, tx.at);
      return due.length;
    });
  }
  const storedDue = await hub.storage.db
    .selectFrom('stored_value_accounts')
    .select('account_id')
    .where('next_due_at', '<=', at)
    .orderBy('next_due_at')
    .limit(limit)
    .execute();
  for (const { account_id: accountId } of storedDue) {
    entries += await inHubTransaction(hub, async (tx) => {
      const locked = await lockStoredValueAccount(tx, accountId);
      if (locked === undefined) return 0;
      const releases = releaseExpiredStoredValueHolds(locked.account, locked.entries, tx.at);
      if (releases.length > 0) await appendStoredValueEntries(tx, locked, releases);
      else await refreshStoredValueDue(tx, locked, locked.entries, tx.at);
      return releases.length;
    });
  }
  return { loyaltyAccounts: loyaltyDue.length, storedValueAccounts: storedDue.length, entries };
}
