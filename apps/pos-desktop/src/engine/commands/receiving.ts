import { DomainError, type MovementType } from '@retail/domain';
import { ReceivingDocumentSchema, type MovementPayload, type ReceivingDocument } from '@retail/sync';
import type { ReceivingDocumentView } from '../../shared/commands';
import type { CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { localStock } from '../local-stock';
import { recordMovements, requireSkus } from '../services/stock-movements';

/**
 * Receiving against the purchase orders and shipping notices HQ sent this store (issue 17): the stock
 * screen lists them, staff scan what arrived, and the receipt leaves as one stock.received event naming
 * the document. The hub reconciles the document with it; this till only keeps a second lane from
 * receiving the same delivery before the hub's new status comes back.
 */

interface DocumentRow {
  documentKey: string;
  data: string;
  receiptId: string | null;
  receivedAt: string | null;
}

interface SkuDetails {
  name: string;
  unit: 'each' | 'kg';
  barcodes: string[];
}

const DOCUMENT_COLUMNS = `d.document_key AS documentKey, d.data, r.receipt_id AS receiptId, r.received_at AS receivedAt
  FROM receiving_documents d LEFT JOIN receiving_document_receipts r ON r.document_key = d.document_key`;

function skuDetails(ctx: TxContext, sku: string): SkuDetails {
  const row = sql(ctx.db, 'SELECT name, unit, data FROM skus WHERE sku = ?').get(sku) as
    { name: string; unit: 'each' | 'kg'; data: string } | undefined;
  if (!row) return { name: sku, unit: 'each', barcodes: [] };
  const barcodes = (JSON.parse(row.data) as { barcodes?: string[] }).barcodes ?? [];
  return { name: row.name, unit: row.unit, barcodes };
}

/** Open at the hub: a notice until it is received, a purchase order until all of it arrived. */
function openAtHub(document: ReceivingDocument): boolean {
  return document.kind === 'shipping_notice'
    ? document.status === 'open'
    : document.status === 'open' || document.status === 'partially_received';
}

function toView(ctx: TxContext, row: DocumentRow, noticeOpenFor: ReadonlySet<string>): ReceivingDocumentView {
  const document = ReceivingDocumentSchema.parse(JSON.parse(row.data));
  const receivedHere =
    row.receiptId === null || row.receivedAt === null
      ? null
      : { receiptId: row.receiptId, receivedAt: row.receivedAt };
  const coveredByNotice = document.kind === 'purchase_order' && noticeOpenFor.has(document.documentId);
  return {
    documentKey: row.documentKey,
    kind: document.kind,
    documentId: document.documentId,
    number: document.number,
    supplier: document.supplier,
    purchaseOrderId: document.purchaseOrderId,
    status: document.status,
    expectedAt: document.expectedAt,
    receivedHere,
    receivable: openAtHub(document) && receivedHere === null && !coveredByNotice,
    lines: document.lines.map((line) => ({
      sku: line.sku,
      ...skuDetails(ctx, line.sku),
      expected: line.expected,
      received: line.received,
      open: Math.max(0, line.expected - line.received),
    })),
  };
}

/** Purchase orders with a notice still open at the hub: their delivery comes under the notice. */
function ordersWithOpenNotice(ctx: TxContext): Set<string> {
  const rows = sql(
    ctx.db,
    `SELECT ${DOCUMENT_COLUMNS} WHERE d.kind = 'shipping_notice'`,
  ).all() as DocumentRow[];
  const orders = new Set<string>();
  for (const row of rows) {
    const notice = ReceivingDocumentSchema.parse(JSON.parse(row.data));
    // Received here but not yet settled at the hub still covers its order: until the hub answers, the
    // order's quantities do not show what this till booked against the notice.
    if (notice.purchaseOrderId !== null && openAtHub(notice)) {
      orders.add(notice.purchaseOrderId);
    }
  }
  return orders;
}

function readDocument(ctx: TxContext, documentKey: string): ReceivingDocumentView | undefined {
  const row = sql(ctx.db, `SELECT ${DOCUMENT_COLUMNS} WHERE d.document_key = ?`).get(documentKey) as
    DocumentRow | undefined;
  return row === undefined ? undefined : toView(ctx, row, ordersWithOpenNotice(ctx));
}

function describe(document: ReceivingDocumentView): string {
  return `${document.kind === 'shipping_notice' ? 'Delivery' : 'Purchase order'} ${document.number} from ${document.supplier}`;
}

/** Why a document cannot be received here, as the sentence staff see; undefined when it can. */
function refusal(document: ReceivingDocumentView): DomainError | undefined {
  if (document.receivedHere !== null) {
    return new DomainError(
      'CONFLICT',
      'receiving.alreadyReceivedTillNot',
      { document: describe(document), receivedAt: document.receivedHere.receivedAt },
      { documentKey: document.documentKey, receiptId: document.receivedHere.receiptId },
    );
  }
  if (document.status === 'cancelled') {
    return new DomainError(
      'NOT_ALLOWED',
      'receiving.cancelledHqGoodsCame',
      { document: describe(document) },
      { documentKey: document.documentKey, status: document.status },
    );
  }
  if (!document.receivable && document.kind === 'purchase_order' && document.status !== 'received') {
    return new DomainError(
      'NOT_ALLOWED',
      'receiving.shippingNoticeStillOpen',
      { document: describe(document) },
      { documentKey: document.documentKey },
    );
  }
  if (!document.receivable) {
    return new DomainError(
      'NOT_ALLOWED',
      'receiving.alreadyHqExtraGoods',
      { document: describe(document), value: document.status.replaceAll('_', ' ') },
      { documentKey: document.documentKey, status: document.status },
    );
  }
  return undefined;
}

export const receivingHandlers = {
  'stock-receiving-documents': {
    mutates: false,
    handle(ctx, input) {
      const rows = sql(
        ctx.db,
        `SELECT ${DOCUMENT_COLUMNS} ORDER BY json_extract(d.data, '$.expectedAt') IS NULL, json_extract(d.data, '$.expectedAt'), d.number`,
      ).all() as DocumentRow[];
      const noticeOpenFor = ordersWithOpenNotice(ctx);
      const documents = rows
        .map((row) => toView(ctx, row, noticeOpenFor))
        .filter((document) => input.includeClosed || document.receivable);
      return { documents };
    },
  },
  'stock-receive-document': {
    mutates: true,
    handle(ctx, input) {
      const document = readDocument(ctx, input.documentKey);
      if (document === undefined) {
        throw new DomainError(
          'NOT_FOUND',
          'receiving.purchaseOrderShippingNotice',
          {},
          { documentKey: input.documentKey },
        );
      }
      const refused = refusal(document);
      if (refused !== undefined) throw refused;
      requireSkus(
        ctx,
        input.lines.map((line) => line.sku),
      );
      const counted = new Map(input.lines.map((line) => [line.sku, line]));
      // Every line of the document is on the receipt (0 for what did not come), then anything extra.
      const lines = [
        ...document.lines.map((line) => ({
          sku: line.sku,
          qty: counted.get(line.sku)?.qty ?? 0,
          bucket: counted.get(line.sku)?.bucket ?? ('sellable' as const),
          expected: line.open,
        })),
        ...input.lines
          .filter((line) => !document.lines.some((onDocument) => onDocument.sku === line.sku))
          .map((line) => ({ sku: line.sku, qty: line.qty, bucket: line.bucket, expected: 0 })),
      ];
      const receiptId = ctx.newId();
      const type: MovementType = 'RECEIPT';
      const kindName = document.kind === 'shipping_notice' ? 'shipping notice' : 'purchase order';
      const movements: MovementPayload[] = lines
        .filter((line) => line.qty > 0)
        .map((line) => ({
          movementId: ctx.newId(),
          sku: line.sku,
          type,
          bucket: line.bucket,
          delta: line.qty,
          reason: `${kindName} ${document.number}`,
        }));
      const event = ctx.appendEvent('stock.received', {
        receiptId,
        source: { type: document.kind, reference: document.number, documentId: document.documentId },
        lines,
        movements,
        receivedAt: ctx.nowIso,
      });
      recordMovements(ctx, movements, event.deviceSeq, receiptId);
      sql(
        ctx.db,
        'INSERT INTO receiving_document_receipts (document_key, receipt_id, device_seq, received_at) VALUES (?, ?, ?, ?)',
      ).run(document.documentKey, receiptId, event.deviceSeq, ctx.nowIso);
      const variances = lines
        .filter((line) => line.qty !== line.expected)
        .map((line) => ({ sku: line.sku, expected: line.expected, received: line.qty }));
      ctx.auditNote = {
        subject: receiptId,
        details: {
          documentKey: document.documentKey,
          number: document.number,
          lines: lines.length,
          variances,
        },
      };
      const after = readDocument(ctx, document.documentKey);
      if (after === undefined) throw new DomainError('INTERNAL', 'receiving.receivingDocumentVanishedWhile');
      return {
        receiptId,
        document: after,
        variances,
        levels: localStock(
          ctx.db,
          ctx.identity,
          lines.map((line) => line.sku),
        ),
      };
    },
  },
} satisfies Pick<CommandHandlers, 'stock-receiving-documents' | 'stock-receive-document'>;
