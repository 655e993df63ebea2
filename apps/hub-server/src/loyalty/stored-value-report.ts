import { z } from 'zod';
import {
  DomainError,
  STORED_VALUE_KINDS,
  storedValueSnapshot,
  type StoredValueEntry,
  type StoredValueEntryType,
} from '@retail/domain';
import { csvField } from '../integration/journal';
import type { Executor } from '../storage/storage';
import { storedValueAccountOf } from './ledger-store';
import { numberKeyWith, storedValueKey } from './stored-value-keys';

/**
 * Gift card and store credit accounts as HQ reads them: a searchable list with each account's balance
 * and issuing store, and each account's ledger a page at a time with where (store, till) and against what
 * (receipt, sale or return) every movement happened. Balances come from the domain's projection of the
 * ledger, the same one tills are answered with, so the report never disagrees with a lookup.
 */

/** A keyset position: the last row's time and id of the page before (newest first). */
export const ReportCursorSchema = z
  .string()
  .regex(/^\d{1,16}:.{1,120}$/, 'A cursor is the nextCursor of the page before.')
  .transform((value) => {
    const split = value.indexOf(':');
    return { at: Number(value.slice(0, split)), id: value.slice(split + 1) };
  });

export const StoredValueAccountQuerySchema = z.object({
  /** An account id (`sv-…`), the last digits shown on a receipt, a customer id, or the full card number. */
  q: z.string().trim().min(1).max(64).optional(),
  kind: z.enum(STORED_VALUE_KINDS).optional(),
  status: z.enum(['active', 'blocked']).optional(),
  /** The store that issued it. */
  nodeId: z.string().trim().min(1).max(100).optional(),
  cursor: ReportCursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type StoredValueAccountQuery = z.infer<typeof StoredValueAccountQuerySchema>;

export const StoredValueAccountRowSchema = z.object({
  accountId: z.string(),
  kind: z.enum(STORED_VALUE_KINDS),
  status: z.enum(['active', 'blocked']),
  maskedNumber: z.string().nullable(),
  customerId: z.string().nullable(),
  currency: z.string(),
  /** Minor units: spendable now, and held by open redemptions at tills. */
  available: z.number().int(),
  held: z.number().int(),
  issuedAt: z.number().int(),
  issuedAtNode: z.string().nullable(),
  lastMovementAt: z.number().int().nullable(),
});
export type StoredValueAccountRow = z.infer<typeof StoredValueAccountRowSchema>;

export const StoredValueAccountPageSchema = z.object({
  accounts: z.array(StoredValueAccountRowSchema),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});

/** What a ledger line means to someone reading it, beside the ledger's own entry type. */
export const STORED_VALUE_MOVEMENTS = [
  'load',
  'hold',
  'redemption',
  'release',
  'refund',
  'adjustment',
  'overdraft',
] as const;
const MOVEMENT_OF: Readonly<Record<StoredValueEntryType, (typeof STORED_VALUE_MOVEMENTS)[number]>> = {
  ISSUE: 'load',
  HOLD: 'hold',
  CAPTURE: 'redemption',
  RELEASE: 'release',
  REFUND: 'refund',
  ADJUST: 'adjustment',
  OFFLINE_OVERDRAFT: 'overdraft',
};

export const StoredValueLedgerQuerySchema = z.object({
  cursor: ReportCursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const StoredValueLedgerRowSchema = z.object({
  entryId: z.string(),
  type: z.enum(Object.keys(MOVEMENT_OF) as [StoredValueEntryType, ...StoredValueEntryType[]]),
  movement: z.enum(STORED_VALUE_MOVEMENTS),
  /** Minor units, signed as the balance moved. */
  amount: z.number().int(),
  currency: z.string(),
  occurredAt: z.number().int(),
  recordedAt: z.number().int(),
  storeId: z.string().nullable(),
  deviceId: z.string().nullable(),
  /** The sale, return or issue document the movement belongs to (the receipt). */
  receipt: z.string().nullable(),
  holdId: z.string().nullable(),
  reason: z.string().nullable(),
  eventId: z.string().nullable(),
  /** A hold's release time, while it is open. */
  expiresAt: z.number().int().nullable(),
});
export type StoredValueLedgerRow = z.infer<typeof StoredValueLedgerRowSchema>;

export const StoredValueLedgerPageSchema = z.object({
  account: StoredValueAccountRowSchema,
  entries: z.array(StoredValueLedgerRowSchema),
  nextCursor: z.string().nullable(),
});
export type StoredValueLedgerPage = z.infer<typeof StoredValueLedgerPageSchema>;

export async function listStoredValueAccounts(
  executor: Executor,
  storage: object,
  query: StoredValueAccountQuery,
  at: number,
): Promise<z.infer<typeof StoredValueAccountPageSchema>> {
  const numberKey = query.q === undefined ? undefined : await cardNumberKey(storage, executor, query.q);
  let select = executor.selectFrom('stored_value_accounts').selectAll();
  if (query.q !== undefined) {
    const q = query.q;
    const digits = q.replace(/\D/g, '');
    select = select.where((eb) =>
      eb.or([
        eb('account_id', '=', q),
        eb('customer_id', '=', q),
        ...(numberKey === undefined ? [] : [eb('number_hash', '=', numberKey)]),
        ...(digits.length >= 2 && digits.length <= 8 ? [eb('masked_number', 'like', `%${digits}`)] : []),
      ]),
    );
  }
  if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.nodeId !== undefined) select = select.where('issued_at_node', '=', query.nodeId);
  const cursor = query.cursor;
  if (cursor !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('issued_at', '<', cursor.at),
        eb.and([eb('issued_at', '=', cursor.at), eb('account_id', '<', cursor.id)]),
      ]),
    );
  }
  const rows = await select
    .orderBy('issued_at', 'desc')
    .orderBy('account_id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const entries = await entriesOf(
    executor,
    page.map((row) => row.account_id),
  );
  const accounts = page.map((row) => accountRow(row, entries.get(row.account_id) ?? [], at));
  const last = page.at(-1);
  return {
    accounts,
    nextCursor:
      rows.length > query.limit && last !== undefined ? `${Number(last.issued_at)}:${last.account_id}` : null,
  };
}

export async function storedValueLedgerPage(
  executor: Executor,
  accountId: string,
  query: z.infer<typeof StoredValueLedgerQuerySchema>,
  at: number,
): Promise<StoredValueLedgerPage> {
  const row = await executor
    .selectFrom('stored_value_accounts')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.loyalty.noStoredValueAccountSearch',
      { accountId },
      { accountId },
    );
  }
  const all = (await entriesOf(executor, [accountId])).get(accountId) ?? [];
  let select = executor.selectFrom('stored_value_entries').selectAll().where('account_id', '=', accountId);
  const cursor = query.cursor;
  if (cursor !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('occurred_at', '<', cursor.at),
        eb.and([eb('occurred_at', '=', cursor.at), eb('entry_id', '<', cursor.id)]),
      ]),
    );
  }
  const rows = await select
    .orderBy('occurred_at', 'desc')
    .orderBy('entry_id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    account: accountRow(row, all, at),
    entries: page.map((entryRow) => {
      const entry = JSON.parse(entryRow.entry) as StoredValueEntry;
      return {
        entryId: entryRow.entry_id,
        type: entry.type,
        movement: MOVEMENT_OF[entry.type],
        amount: Number(entryRow.amount),
        currency: entryRow.currency,
        occurredAt: Number(entryRow.occurred_at),
        recordedAt: Number(entryRow.recorded_at),
        storeId: entryRow.origin_node,
        deviceId: entryRow.device_id,
        receipt: entryRow.source_doc,
        holdId: entryRow.hold_id,
        reason: entry.reason ?? null,
        eventId: entryRow.event_id,
        expiresAt: entryRow.expires_at === null ? null : Number(entryRow.expires_at),
      };
    }),
    nextCursor:
      rows.length > query.limit && last !== undefined ? `${Number(last.occurred_at)}:${last.entry_id}` : null,
  };
}

const ACCOUNT_COLUMNS = [
  'accountId',
  'kind',
  'status',
  'maskedNumber',
  'customerId',
  'currency',
  'available',
  'held',
  'issuedAt',
  'issuedAtNode',
  'lastMovementAt',
] as const satisfies readonly (keyof StoredValueAccountRow)[];

const LEDGER_COLUMNS = [
  'occurredAt',
  'movement',
  'type',
  'amount',
  'currency',
  'storeId',
  'deviceId',
  'receipt',
  'holdId',
  'reason',
  'entryId',
  'eventId',
  'recordedAt',
] as const satisfies readonly (keyof StoredValueLedgerRow)[];

/** Times as ISO 8601 UTC and amounts in minor units, like the other report CSVs. */
export function storedValueAccountsCsv(rows: readonly StoredValueAccountRow[]): string {
  return csv(ACCOUNT_COLUMNS, rows, new Set(['issuedAt', 'lastMovementAt']));
}

export function storedValueLedgerCsv(rows: readonly StoredValueLedgerRow[]): string {
  return csv(LEDGER_COLUMNS, rows, new Set(['occurredAt', 'recordedAt']));
}

/** Every page of a listing, for a CSV (bounded: a report is not a backup). */
export async function allPages<T>(
  first: (cursor: string | undefined) => Promise<{ rows: T[]; nextCursor: string | null }>,
  maxRows = 100_000,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await first(cursor);
    all.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && all.length < maxRows);
  return all;
}

function csv<Row extends Record<string, string | number | null>>(
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
  times: ReadonlySet<string>,
): string {
  const header = columns.map((column) => column.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
  const lines = [header.join(',')];
  for (const row of rows) {
    lines.push(
      columns
        .map((column) => {
          const value = row[column] ?? null;
          return csvField(
            times.has(column) && typeof value === 'number' ? new Date(value).toISOString() : value,
          );
        })
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A search that cannot be a card number (too short, other characters) is simply not looked up as one. */
async function cardNumberKey(storage: object, executor: Executor, q: string): Promise<string | undefined> {
  try {
    return numberKeyWith(await storedValueKey(storage, executor), q);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'INVALID_INPUT') return undefined;
    throw error;
  }
}

async function entriesOf(executor: Executor, accountIds: readonly string[]) {
  const byAccount = new Map<string, StoredValueEntry[]>();
  if (accountIds.length === 0) return byAccount;
  const rows = await executor
    .selectFrom('stored_value_entries')
    .select(['account_id', 'entry'])
    .where('account_id', 'in', accountIds)
    .orderBy('occurred_at')
    .orderBy('entry_id')
    .execute();
  for (const row of rows) {
    const list = byAccount.get(row.account_id) ?? [];
    list.push(JSON.parse(row.entry) as StoredValueEntry);
    byAccount.set(row.account_id, list);
  }
  return byAccount;
}

function accountRow(
  row: Parameters<typeof storedValueAccountOf>[0],
  entries: readonly StoredValueEntry[],
  at: number,
): StoredValueAccountRow {
  const account = storedValueAccountOf(row);
  const snapshot = storedValueSnapshot(account, entries, at);
  return {
    accountId: account.accountId,
    kind: account.kind,
    status: account.status,
    maskedNumber: account.maskedNumber ?? null,
    customerId: account.customerId ?? null,
    currency: account.currency,
    available: snapshot.available.amount,
    held: snapshot.held.amount,
    issuedAt: account.issuedAt,
    issuedAtNode: account.issuedAtNode ?? null,
    lastMovementAt: entries.reduce<number | null>(
      (latest, entry) => (latest === null || entry.occurredAt > latest ? entry.occurredAt : latest),
      null,
    ),
  };
}
