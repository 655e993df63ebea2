import {
  LoyaltyEntrySchema,
  StoredValueEntrySchema,
  activationsDue,
  expireDue,
  projectLoyaltyLedger,
  releaseExpiredHolds,
  releaseExpiredStoredValueHolds,
  type LoyaltyEntry,
  type StoredValueAccount,
  type StoredValueEntry,
} from '@retail/domain';
import type { HubTx } from '../hub-tx';
import type { LoyaltyAccountTable, StoredValueAccountTable } from '../storage/schema';
import { aliasKeyWith, storedValueKey } from './stored-value-keys';

/**
 * The hub's append-only ledgers. Every write to an account happens in one transaction that first locks
 * the account row (PostgreSQL `FOR UPDATE`; SQLite has one writer), reads all its entries, asks a pure
 * domain function what to append, and appends it: concurrent holds, captures or offline redemptions on one
 * account queue instead of both spending the same points. Entry ids derive from the causing document, so a
 * retry appends nothing (and the primary key would refuse a second copy anyway).
 */

/** Far enough ahead to ask the domain which time-based entries an account will ever need. */
const END_OF_TIME = 8_640_000_000_000_000;

export interface LockedLoyaltyAccount {
  readonly account: LoyaltyAccountTable;
  readonly entries: LoyaltyEntry[];
}

export async function lockLoyaltyAccount(
  tx: HubTx,
  accountId: string,
): Promise<LockedLoyaltyAccount | undefined> {
  const account = await tx.trx
    .selectFrom('loyalty_accounts')
    .selectAll()
    .where('account_id', '=', accountId)
    .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
  if (account === undefined) return undefined;
  const rows = await tx.trx
    .selectFrom('loyalty_entries')
    .select('entry')
    .where('account_id', '=', accountId)
    .orderBy('occurred_at')
    .orderBy('entry_id')
    .execute();
  return { account, entries: rows.map((row) => LoyaltyEntrySchema.parse(JSON.parse(row.entry))) };
}

/** When the account next needs the loyalty job: an activation, an expiry or a hold timeout. */
function nextLoyaltyDue(entries: readonly LoyaltyEntry[], at: number, after = -1): number | null {
  const view = projectLoyaltyLedger(entries, at);
  const times: number[] = [];
  for (const activation of activationsDue(entries, END_OF_TIME)) {
    const lot = activation.lotId === undefined ? undefined : view.lots.get(activation.lotId);
    if (lot) times.push(lot.availableAt);
  }
  for (const expiry of expireDue(entries, END_OF_TIME)) {
    const lot = expiry.lotId === undefined ? undefined : view.lots.get(expiry.lotId);
    if (lot?.expiresAt !== undefined) times.push(lot.expiresAt);
  }
  for (const release of releaseExpiredHolds(entries, END_OF_TIME)) {
    const hold = release.holdId === undefined ? undefined : view.holds.get(release.holdId);
    if (hold?.entry.expiresAt !== undefined) times.push(hold.entry.expiresAt);
  }
  const later = times.filter((time) => time > after);
  return later.length === 0 ? null : Math.min(...later);
}

/**
 * Records when the account next needs the loyalty job. `after`: only times later than it count (the job
 * found nothing due, so whatever the marker said is not due by time alone).
 */
export async function refreshLoyaltyDue(
  tx: HubTx,
  accountId: string,
  entries: readonly LoyaltyEntry[],
  after?: number,
): Promise<void> {
  await tx.trx
    .updateTable('loyalty_accounts')
    .set({ next_due_at: nextLoyaltyDue(entries, tx.at, after), updated_at: tx.at })
    .where('account_id', '=', accountId)
    .execute();
}

/**
 * Appends what a domain decision returned, raises one LOYALTY_OVERDRAFT exception per overdraft entry
 * (with the event that caused it), and records when the account is next due. Returns the full ledger.
 */
export async function appendLoyaltyEntries(
  tx: HubTx,
  locked: LockedLoyaltyAccount,
  entries: readonly LoyaltyEntry[],
  cause: { eventId?: string; nodeId?: string } = {},
): Promise<LoyaltyEntry[]> {
  const all = [...locked.entries];
  if (entries.length === 0) return all;
  const known = new Set(all.map((entry) => entry.entryId));
  const fresh = entries
    .filter((entry) => !known.has(entry.entryId))
    .map((entry) => LoyaltyEntrySchema.parse(entry));
  if (fresh.length === 0) return all;
  await tx.trx
    .insertInto('loyalty_entries')
    .values(
      fresh.map((entry) => ({
        entry_id: entry.entryId,
        account_id: entry.accountId,
        type: entry.type,
        points: entry.points,
        occurred_at: entry.occurredAt,
        available_at: entry.availableAt ?? null,
        expires_at: entry.expiresAt ?? null,
        lot_id: entry.lotId ?? null,
        hold_id: entry.holdId ?? null,
        source_doc: entry.sourceDoc ?? null,
        caused_by: entry.causedBy ?? null,
        origin_node: entry.originNode ?? null,
        device_id: entry.deviceId ?? null,
        event_id: cause.eventId ?? null,
        entry: JSON.stringify(entry),
        recorded_at: tx.at,
      })),
    )
    .execute();
  all.push(...fresh);
  tx.events.loyaltyEntriesAppended(fresh, cause.eventId);
  for (const entry of fresh) {
    if (entry.type !== 'OFFLINE_OVERDRAFT') continue;
    tx.raise({
      type: 'LOYALTY_OVERDRAFT',
      severity: 'warning',
      nodeId: cause.nodeId ?? entry.originNode,
      causeEventIds: cause.eventId === undefined ? [] : [cause.eventId],
      details: {
        accountId: entry.accountId,
        points: -entry.points,
        causedBy: entry.causedBy,
        message: `Loyalty account ${entry.accountId} went ${-entry.points} points below zero: points were spent offline that the account no longer had. Later points net the debt; check the account if it recurs.`,
      },
    });
  }
  await refreshLoyaltyDue(tx, locked.account.account_id, all);
  return all;
}

export interface LockedStoredValueAccount {
  readonly row: StoredValueAccountTable;
  readonly account: StoredValueAccount;
  readonly entries: StoredValueEntry[];
}

export function storedValueAccountOf(row: StoredValueAccountTable): StoredValueAccount {
  return {
    accountId: row.account_id,
    kind: row.kind,
    currency: row.currency,
    ...(row.customer_id === null ? {} : { customerId: row.customer_id }),
    maskedNumber: row.masked_number,
    status: row.status,
    issuedAt: Number(row.issued_at),
    ...(row.issued_at_node === null ? {} : { issuedAtNode: row.issued_at_node }),
  };
}

/**
 * Locks an account and reads its entries. An id from before migration 0010 (a till's event written before
 * the upgrade) finds its account through its alias.
 */
export async function lockStoredValueAccount(
  tx: HubTx,
  accountId: string,
): Promise<LockedStoredValueAccount | undefined> {
  const lock = (id: string) =>
    tx.trx
      .selectFrom('stored_value_accounts')
      .selectAll()
      .where('account_id', '=', id)
      .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
  let row = await lock(accountId);
  if (row === undefined) {
    const alias = await tx.trx
      .selectFrom('stored_value_aliases')
      .select('account_id')
      .where('alias_key', '=', aliasKeyWith(await storedValueKey(tx.hub.storage, tx.trx), accountId))
      .executeTakeFirst();
    if (alias !== undefined) row = await lock(alias.account_id);
  }
  if (row === undefined) return undefined;
  const rows = await tx.trx
    .selectFrom('stored_value_entries')
    .select('entry')
    .where('account_id', '=', row.account_id)
    .orderBy('occurred_at')
    .orderBy('entry_id')
    .execute();
  return {
    row,
    account: storedValueAccountOf(row),
    entries: rows.map((entry) => StoredValueEntrySchema.parse(JSON.parse(entry.entry))),
  };
}

export async function appendStoredValueEntries(
  tx: HubTx,
  locked: LockedStoredValueAccount,
  entries: readonly StoredValueEntry[],
  cause: { eventId?: string; nodeId?: string; businessAt?: number } = {},
): Promise<StoredValueEntry[]> {
  const all = [...locked.entries];
  const known = new Set(all.map((entry) => entry.entryId));
  const fresh = entries
    .filter((entry) => !known.has(entry.entryId))
    .map((entry) => StoredValueEntrySchema.parse(entry));
  if (fresh.length === 0) return all;
  await tx.trx
    .insertInto('stored_value_entries')
    .values(
      fresh.map((entry) => ({
        entry_id: entry.entryId,
        account_id: entry.accountId,
        type: entry.type,
        amount: entry.amount.amount,
        currency: entry.amount.currency,
        occurred_at: entry.occurredAt,
        hold_id: entry.holdId ?? null,
        expires_at: entry.expiresAt ?? null,
        source_doc: entry.sourceDoc ?? null,
        caused_by: entry.causedBy ?? null,
        origin_node: entry.originNode ?? null,
        device_id: entry.deviceId ?? null,
        event_id: cause.eventId ?? null,
        entry: JSON.stringify(entry),
        recorded_at: tx.at,
      })),
    )
    .execute();
  all.push(...fresh);
  tx.events.storedValueEntriesAppended(locked.account.kind, fresh, cause.eventId, cause.businessAt);
  for (const entry of fresh) {
    if (entry.type !== 'OFFLINE_OVERDRAFT') continue;
    tx.raise({
      type: 'STORED_VALUE_OVERDRAFT',
      severity: 'warning',
      nodeId: cause.nodeId ?? entry.originNode,
      causeEventIds: cause.eventId === undefined ? [] : [cause.eventId],
      details: {
        accountId: entry.accountId,
        kind: locked.account.kind,
        maskedNumber: locked.account.maskedNumber,
        amount: -entry.amount.amount,
        currency: entry.amount.currency,
        causedBy: entry.causedBy,
        message: `${locked.account.kind === 'gift_card' ? 'Gift card' : 'Store credit'} ${locked.account.maskedNumber ?? entry.accountId} was spent offline beyond its balance and is now below zero.`,
      },
    });
  }
  await refreshStoredValueDue(tx, locked, all);
  return all;
}

/** Records when the account's next open hold times out (the loyalty job releases it). */
export async function refreshStoredValueDue(
  tx: HubTx,
  locked: LockedStoredValueAccount,
  entries: readonly StoredValueEntry[],
  after = -1,
): Promise<void> {
  const releases = releaseExpiredStoredValueHolds(locked.account, entries, END_OF_TIME);
  const holdTimes = releases.flatMap((release) => {
    const hold = entries.find((entry) => entry.type === 'HOLD' && entry.holdId === release.holdId);
    return hold?.expiresAt === undefined || hold.expiresAt <= after ? [] : [hold.expiresAt];
  });
  await tx.trx
    .updateTable('stored_value_accounts')
    .set({ next_due_at: holdTimes.length === 0 ? null : Math.min(...holdTimes), updated_at: tx.at })
    .where('account_id', '=', locked.row.account_id)
    .execute();
}
