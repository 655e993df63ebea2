import { DomainError } from '@retail/domain';
import { sql, type TxContext } from './context';
import { RECEIPT_SEQ_DIGITS } from './receipt-number';
import { numberingHold } from './sync/device-succession';

/**
 * `T-{storeCode}-{deviceNo}-{seq}`: short enough to read out and type at the receiving store, unique across
 * the chain without asking the hub (store codes are unique, the device number is this till's at the hub),
 * so a transfer shipped offline has its number at once. A till restored from a backup becomes a new device
 * with a new number, so numbers its old self already used cannot come back.
 */
export function formatTransferNumber(storeCode: string, deviceNo: number, transferSeq: number): string {
  return `T-${storeCode}-${deviceNo}-${String(transferSeq).padStart(RECEIPT_SEQ_DIGITS, '0')}`;
}

/** What staff type is matched whatever the case: the numbers this till gives are upper case. */
export function normaliseTransferNumber(typed: string): string {
  return /^t-/i.test(typed) ? typed.toUpperCase() : typed;
}

/**
 * Whether the database has migration 0014's counter: always, except when a migration test drives this
 * engine against a database it keeps at an older version (transfers there keep the long id they had).
 */
function hasTransferCounter(ctx: TxContext): boolean {
  return (
    sql(
      ctx.db,
      "SELECT 1 AS present FROM pragma_table_info('device_state') WHERE name = 'last_transfer_seq'",
    ).get() !== undefined
  );
}

/** The next transfer number; inside the shipping transaction, so a rolled-back shipment gives it back. */
export function allocateTransferNumber(ctx: TxContext): string {
  if (!hasTransferCounter(ctx)) return ctx.newId();
  // A restored copy may hold a counter the hub has seen used already: no number until the hub was asked.
  if (numberingHold(ctx.db) !== null) {
    throw new DomainError('NOT_ALLOWED', 'sync.numberingHold', {}, { reason: 'restored-from-backup' });
  }
  const row = sql(
    ctx.db,
    'UPDATE device_state SET last_transfer_seq = last_transfer_seq + 1 WHERE singleton = 1 RETURNING last_transfer_seq AS seq',
  ).get() as { seq: number };
  return formatTransferNumber(ctx.identity.storeCode, ctx.identity.deviceNo, row.seq);
}
