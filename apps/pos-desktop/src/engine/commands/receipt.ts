import { DomainError } from '@retail/domain';
import type { CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { buildReceipt } from '../receipts/receipt';
import { ESCPOS_PRINTER_MODELS, renderReceiptEscPos, type PrinterModel } from '../receipts/receipt-escpos';
import { renderReceiptHtml } from '../receipts/receipt-html';
import { PRINT_GRANT_TTL_MS, signPrintGrant } from '../print-grant';

/** Prints of a receipt so far: every print is audited, so a reprint is known to be a copy. */
function printsSoFar(ctx: TxContext, receiptNumber: string): number {
  const row = sql(
    ctx.db,
    "SELECT COUNT(*) AS count FROM audit_log WHERE action = 'receipt-print' AND subject = ?",
  ).get(receiptNumber) as { count: number };
  return row.count;
}

function printerModel(model: string | undefined): PrinterModel | undefined {
  if (model === undefined) return undefined;
  if (!ESCPOS_PRINTER_MODELS.includes(model)) {
    throw new DomainError(
      'INVALID_INPUT',
      `The receipt printer model ${model} is not known. Choose one from the list, or none for a generic ESC/POS printer.`,
      { printerModel: model },
    );
  }
  return model as PrinterModel;
}

export const receiptHandlers = {
  'receipt-preview': {
    mutates: false,
    handle(ctx, input) {
      const receipt = buildReceipt(ctx, input.receiptNumber, printsSoFar(ctx, input.receiptNumber) > 0);
      return { receipt, html: renderReceiptHtml(receipt, input.paper) };
    },
  },
  'receipt-print': {
    mutates: true,
    handle(ctx, input) {
      const previous = printsSoFar(ctx, input.receiptNumber);
      const receipt = buildReceipt(ctx, input.receiptNumber, previous > 0);
      const paper = input.paper ?? '80mm';
      const escpos =
        input.escpos === undefined
          ? undefined
          : renderReceiptEscPos(receipt, {
              paper,
              cut: input.escpos.cut,
              drawerKick: input.escpos.drawerKick ?? null,
              ...(input.escpos.printerModel === undefined
                ? {}
                : { printerModel: printerModel(input.escpos.printerModel) }),
            });
      // The bytes the desktop shell may send to the raw printer: signed by this node, and never with a
      // drawer kick (the drawer opens only with its own grant, see drawer-grant.ts).
      const escposGrant =
        input.escpos === undefined || ctx.drawerKey === undefined
          ? undefined
          : signPrintGrant(
              ctx.drawerKey,
              ctx.newId(),
              input.escpos.drawerKick === undefined
                ? escpos!
                : renderReceiptEscPos(receipt, {
                    paper,
                    cut: input.escpos.cut,
                    drawerKick: null,
                    ...(input.escpos.printerModel === undefined
                      ? {}
                      : { printerModel: printerModel(input.escpos.printerModel) }),
                  }),
              ctx.nowMs + PRINT_GRANT_TTL_MS,
            );
      ctx.auditNote = {
        subject: input.receiptNumber,
        details: {
          printNo: previous + 1,
          copy: previous > 0,
          paper,
          ...(input.escpos === undefined
            ? {}
            : { format: 'escpos', drawerKick: input.escpos.drawerKick !== undefined }),
        },
      };
      return {
        receipt,
        html: renderReceiptHtml(receipt, paper),
        printNo: previous + 1,
        ...(escpos === undefined ? {} : { escpos: Buffer.from(escpos).toString('base64') }),
        ...(escposGrant === undefined ? {} : { escposGrant }),
      };
    },
  },
} satisfies Pick<CommandHandlers, 'receipt-preview' | 'receipt-print'>;
