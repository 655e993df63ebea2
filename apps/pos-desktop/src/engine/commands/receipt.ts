import { DomainError } from '@retail/domain';
import type { CommandContext, CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import type { Receipt, ReceiptEmailStatus } from '../../shared/commands';
import { buildReceipt, holdsReceipt, hubSaleReceipt } from '../receipts/receipt';
import type { PreparedHubSale } from '../sales/hub-sale';
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
      'receipt.receiptPrinterModelNot',
      { model },
      { printerModel: model },
    );
  }
  return model as PrinterModel;
}

/**
 * This node's receipt, or the hub's record of one it does not hold (asked before the transaction, see
 * engine.ts): the hub's is always a copy. Offline, or when neither has it, the cashier is told which.
 */
function receiptFor(ctx: CommandContext, receiptNumber: string, copy: boolean): Receipt {
  if (holdsReceipt(ctx.db, receiptNumber)) return buildReceipt(ctx, receiptNumber, copy);
  const wanted = receiptNumber.trim();
  const answer = ctx.prepared as Partial<PreparedHubSale> | undefined;
  if (answer?.kind === 'hub-sale' && answer.receiptNumber === wanted && answer.sale) {
    return hubSaleReceipt(ctx, answer.sale);
  }
  if (answer?.kind === 'hub-sale' && answer.receiptNumber === wanted && answer.unreachable === undefined) {
    throw new DomainError('NOT_FOUND', 'receipt.neitherTillNorHub', { wanted }, { receiptNumber: wanted });
  }
  throw new DomainError(
    'NOT_FOUND',
    'receipt.receiptNotMadeTill',
    { wanted, online: ctx.sync.online ? 'yes' : 'no' },
    { receiptNumber: wanted, hubUnreachable: true },
  );
}

/**
 * A sale receipt this store issued (the store node holds every sale of its store), with the attached
 * customer's address: the only receipts the hub e-mails for this store.
 */
function storeSaleForEmail(ctx: TxContext, receiptNumber: string): { suggested: string | null } | undefined {
  const row = sql(
    ctx.db,
    `SELECT c.email AS email FROM sales s LEFT JOIN customers c ON c.customer_id = s.customer_id
      WHERE s.receipt_number = ? AND s.status IN ('completed', 'voided')`,
  ).get(receiptNumber.trim()) as { email: string | null } | undefined;
  return row === undefined ? undefined : { suggested: row.email ?? null };
}

/**
 * Where a receipt e-mail request is: in the outbox until the hub acknowledges it, then with the hub (which
 * sends the e-mail itself), or refused by the hub with its reason. An acknowledged row may since have been
 * pruned from the outbox; its audit entry still says it was asked for.
 */
function receiptEmailStatus(ctx: TxContext, requestId: string): ReceiptEmailStatus {
  const row = sql(
    ctx.db,
    `SELECT o.device_seq AS deviceSeq, o.payload AS payload, r.reason AS reason
       FROM outbox o LEFT JOIN outbox_rejections r ON r.event_id = o.event_id
      WHERE o.event_id = ? AND o.type = 'receipt.email_requested'`,
  ).get(requestId) as { deviceSeq: number; payload: string; reason: string | null } | undefined;
  if (row !== undefined) {
    const payload = JSON.parse(row.payload) as { receiptNumber: string; email: string };
    const { acked } = sql(ctx.db, 'SELECT last_acked_seq AS acked FROM sync_state').get() as {
      acked: number;
    };
    return {
      requestId,
      receiptNumber: payload.receiptNumber,
      email: payload.email,
      state: row.reason !== null ? 'rejected' : row.deviceSeq <= acked ? 'sent' : 'queued',
      reason: row.reason,
    };
  }
  const audited = sql(
    ctx.db,
    `SELECT subject, details FROM audit_log
      WHERE action = 'receipt-email' AND json_extract(details, '$.requestId') = ?`,
  ).get(requestId) as { subject: string; details: string } | undefined;
  if (audited === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'receipt.tillNoRecordReceipt',
      {},
      {
        requestId,
      },
    );
  }
  const details = JSON.parse(audited.details) as { email?: string };
  return {
    requestId,
    receiptNumber: audited.subject,
    email: details.email ?? '',
    state: 'sent',
    reason: null,
  };
}

const RECENT_RECEIPTS = 30;
const DAY_MS = 86_400_000;

interface ListedReceipt {
  receiptNumber: string;
  kind: 'sale' | 'return';
  issuedAt: string;
  total: number;
  currency: string;
  voided: number;
}

/**
 * This node's receipts, newest first. A day is the store's calendar day: rows from a UTC window wide enough
 * for any time zone are read, then kept when their local date is the one asked for. The unary `+` keeps the
 * planner off the partial receipt index (0018), which would read every receipt's row through it: a plain
 * scan of the sales is ~25 % less CPU on a year of them.
 */
function listReceipts(ctx: TxContext, date: string | undefined, limit: number) {
  const window =
    date === undefined
      ? { from: 0, to: Number.MAX_SAFE_INTEGER }
      : { from: Date.parse(`${date}T00:00:00Z`) - DAY_MS, to: Date.parse(`${date}T00:00:00Z`) + 2 * DAY_MS };
  const rows = sql(
    ctx.db,
    `SELECT receipt_number AS receiptNumber, 'sale' AS kind, completed_at AS issuedAt, total, currency,
            status = 'voided' AS voided, completed_at_ms AS at
       FROM sales WHERE +receipt_number IS NOT NULL AND completed_at_ms BETWEEN ? AND ?
     UNION ALL
     SELECT receipt_number, 'return', completed_at, refund_total, currency, 0, completed_at_ms
       FROM returns WHERE completed_at_ms BETWEEN ? AND ?
     ORDER BY at DESC, receiptNumber DESC`,
  ).all(window.from, window.to, window.from, window.to) as (ListedReceipt & { at: number })[];
  const localDay = new Intl.DateTimeFormat('en-CA', {
    timeZone: ctx.identity.timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return rows
    .filter((row) => date === undefined || localDay.format(row.at) === date)
    .slice(0, limit)
    .map((row) => ({
      receiptNumber: row.receiptNumber,
      kind: row.kind,
      issuedAt: row.issuedAt,
      total: row.total,
      currency: row.currency,
      voided: row.voided === 1,
    }));
}

export const receiptHandlers = {
  'receipt-list': {
    mutates: false,
    handle: (ctx, input) => ({
      receipts: listReceipts(
        ctx,
        input.date,
        input.limit ?? (input.date === undefined ? RECENT_RECEIPTS : 200),
      ),
    }),
  },
  'receipt-preview': {
    mutates: false,
    handle(ctx, input) {
      const receipt = receiptFor(
        ctx,
        input.receiptNumber,
        input.copy === true || printsSoFar(ctx, input.receiptNumber) > 0,
      );
      return {
        receipt,
        html: renderReceiptHtml(receipt, input.paper),
        emailTo: storeSaleForEmail(ctx, input.receiptNumber) ?? null,
      };
    },
  },
  'receipt-email': {
    mutates: true,
    handle(ctx, input) {
      const staff = ctx.staff();
      const receiptNumber = input.receiptNumber.trim();
      if (storeSaleForEmail(ctx, receiptNumber) === undefined) {
        throw new DomainError(
          'NOT_FOUND',
          'receipt.receiptNotSaleStore',
          { receiptNumber },
          { receiptNumber },
        );
      }
      const appended = ctx.appendEvent('receipt.email_requested', {
        receiptNumber,
        email: input.email,
        staffId: staff.staffId,
        requestedAt: ctx.nowIso,
      });
      ctx.auditNote = {
        subject: receiptNumber,
        details: { requestId: appended.eventId, email: input.email },
      };
      return {
        requestId: appended.eventId,
        receiptNumber,
        email: input.email,
        state: 'queued' as const,
        reason: null,
      };
    },
  },
  'receipt-email-status': {
    mutates: false,
    handle: (ctx, input) => receiptEmailStatus(ctx, input.requestId),
  },
  'receipt-print': {
    mutates: true,
    handle(ctx, input) {
      const previous = printsSoFar(ctx, input.receiptNumber);
      const receipt = receiptFor(ctx, input.receiptNumber, input.copy === true || previous > 0);
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
          copy: receipt.copy,
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
} satisfies Pick<
  CommandHandlers,
  'receipt-list' | 'receipt-preview' | 'receipt-print' | 'receipt-email' | 'receipt-email-status'
>;
