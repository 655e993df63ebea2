import { DomainError } from '@retail/domain';
import { sql, type TxContext } from './context';
import { hasHoldSchema, hasSuccessionSchema, numberingHold, receiptOffset } from './sync/device-succession';

export interface ReceiptNumber {
  /** The till's own counter (unique over its life, whatever device it is). */
  readonly receiptSeq: number;
  /** `{storeCode}-{deviceNo}-{seq}`: unique across the chain without asking the hub, so it works offline. */
  readonly receiptNumber: string;
}

/** Digits the sequence is padded to, so receipt numbers of one device sort as text; it grows past them. */
export const RECEIPT_SEQ_DIGITS = 6;

export function formatReceiptNumber(storeCode: string, deviceNo: number, receiptSeq: number): string {
  return `${storeCode}-${deviceNo}-${String(receiptSeq).padStart(RECEIPT_SEQ_DIGITS, '0')}`;
}

/** The till's next receipt counter value and the offset this device's printed numbers count from. */
interface ReceiptSeq {
  readonly seq: number;
  readonly offset: number;
}

/**
 * The counter taken in one statement: the hold is the `WHERE` (a held copy updates no row), the offset of
 * the newest succession a subquery of `RETURNING`. For a schema with the hold and the succession table
 * (migration 0010); `takeReceiptSeqStepByStep` is the same, a statement at a time, for older ones, and
 * the reference `receipt-number.test.ts` holds this one to.
 */
export function takeReceiptSeq(ctx: TxContext): ReceiptSeq | 'held' {
  const row = sql(
    ctx.db,
    `UPDATE device_state SET last_receipt_seq = last_receipt_seq + 1
     WHERE singleton = 1 AND restore_hold_seq IS NULL
     RETURNING last_receipt_seq AS seq,
       COALESCE((SELECT receipt_offset FROM device_succession ORDER BY from_seq DESC LIMIT 1), 0) AS offset`,
  ).get() as ReceiptSeq | undefined;
  return row ?? 'held';
}

/** `takeReceiptSeq` a statement at a time: the hold, the counter, the offset. */
export function takeReceiptSeqStepByStep(ctx: TxContext): ReceiptSeq | 'held' {
  if (numberingHold(ctx.db) !== null) return 'held';
  const row = sql(
    ctx.db,
    'UPDATE device_state SET last_receipt_seq = last_receipt_seq + 1 WHERE singleton = 1 RETURNING last_receipt_seq AS seq',
  ).get() as { seq: number };
  return { seq: row.seq, offset: receiptOffset(ctx.db) };
}

/**
 * Takes the next receipt number for this device. Call it inside the sale's (or return's) transaction:
 * if the transaction rolls back the number is handed out again, so the sequence has no gaps, which
 * auditors in many countries require.
 */
export function allocateReceiptNumber(ctx: TxContext): ReceiptNumber {
  const taken =
    hasHoldSchema(ctx.db) && hasSuccessionSchema(ctx.db)
      ? takeReceiptSeq(ctx)
      : takeReceiptSeqStepByStep(ctx);
  // A restored copy may hold counters the hub has seen used already: no number until the hub was asked.
  if (taken === 'held') {
    throw new DomainError('NOT_ALLOWED', 'sync.numberingHold', {}, { reason: 'restored-from-backup' });
  }
  return {
    receiptSeq: taken.seq,
    // A till that became a new device (restored from a backup) numbers that device's receipts from 1.
    receiptNumber: formatReceiptNumber(
      ctx.identity.storeCode,
      ctx.identity.deviceNo,
      taken.seq - taken.offset,
    ),
  };
}
