import type { CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { buildReceipt, renderReceiptHtml } from '../receipts/receipt';

/** Prints of a receipt so far: every print is audited, so a reprint is known to be a copy. */
function printsSoFar(ctx: TxContext, receiptNumber: string): number {
  const row = sql(
    ctx.db,
    "SELECT COUNT(*) AS count FROM audit_log WHERE action = 'receipt-print' AND subject = ?",
  ).get(receiptNumber) as { count: number };
  return row.count;
}

export const receiptHandlers = {
  'receipt-preview': {
    mutates: false,
    handle(ctx, input) {
      const receipt = buildReceipt(ctx, input.receiptNumber, printsSoFar(ctx, input.receiptNumber) > 0);
      return { receipt, html: renderReceiptHtml(receipt) };
    },
  },
  'receipt-print': {
    mutates: true,
    handle(ctx, input) {
      const previous = printsSoFar(ctx, input.receiptNumber);
      const receipt = buildReceipt(ctx, input.receiptNumber, previous > 0);
      ctx.auditNote = {
        subject: input.receiptNumber,
        details: { printNo: previous + 1, copy: previous > 0 },
      };
      return { receipt, html: renderReceiptHtml(receipt), printNo: previous + 1 };
    },
  },
} satisfies Pick<CommandHandlers, 'receipt-preview' | 'receipt-print'>;
