import { DomainError } from '@retail/domain';
import { sql, type TxContext } from './context';
import { numberingHold, receiptOffset } from './sync/device-succession';

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

/**
 * Takes the next receipt number for this device. Call it inside the sale's (or return's) transaction:
 * if the transaction rolls back the number is handed out again, so the sequence has no gaps, which
 * auditors in many countries require.
 */
export function allocateReceiptNumber(ctx: TxContext): ReceiptNumber {
  // A restored copy may hold counters the hub has seen used already: no number until the hub was asked.
  if (numberingHold(ctx.db) !== null) {
    throw new DomainError('NOT_ALLOWED', 'sync.numberingHold', {}, { reason: 'restored-from-backup' });
  }
  const row = sql(
    ctx.db,
    'UPDATE device_state SET last_receipt_seq = last_receipt_seq + 1 WHERE singleton = 1 RETURNING last_receipt_seq AS seq',
  ).get() as { seq: number };
  return {
    receiptSeq: row.seq,
    // A till that became a new device (restored from a backup) numbers that device's receipts from 1.
    receiptNumber: formatReceiptNumber(
      ctx.identity.storeCode,
      ctx.identity.deviceNo,
      row.seq - receiptOffset(ctx.db),
    ),
  };
}
