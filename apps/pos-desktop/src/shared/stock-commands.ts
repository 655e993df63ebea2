import {
  countedQtySchema,
  MAX_STOCK_QTY,
  PHYSICAL_BUCKETS,
  stockDeltaSchema,
  stockQtySchema,
} from '@retail/domain';
import { z } from 'zod';
import { command, id, isoTime, quantity, reason, stockLines } from './command-kit';

// Stock at this node: receiving, transfers, adjustments, counts, levels.
// Part of the command map, assembled in commands.ts.

/** Local stock of one SKU at this node: the hub's snapshot plus this node's movements it does not reflect yet. */
export const LocalStockSchema = z.object({
  sku: id,
  sellable: quantity,
  staged: quantity,
  damaged: quantity,
  qualityControl: quantity,
  onHand: quantity,
  incoming: quantity,
  reservedUnstaged: quantity,
  safetyStock: quantity,
  /** max(0, sellable − reservedUnstaged − safetyStock), recomputed with the local movements. */
  atp: quantity,
  /** This node's movements not yet reflected in the hub snapshot. */
  pendingMovements: quantity,
  /** Whether the hub ever sent a snapshot for this SKU at this node. */
  hasSnapshot: z.boolean(),
});
export type LocalStock = z.infer<typeof LocalStockSchema>;

/**
 * A purchase order or shipping notice as the stock screen shows it: the hub's document, each line with
 * the SKU's name and barcodes (to verify scans against) and what is still expected, and whether this
 * till already received it (its receipt may not have reached the hub yet).
 */
export const ReceivingDocumentViewSchema = z.object({
  documentKey: z.string(),
  kind: z.enum(['purchase_order', 'shipping_notice']),
  documentId: id,
  number: z.string(),
  supplier: z.string(),
  purchaseOrderId: z.string().nullable(),
  status: z.enum(['open', 'partially_received', 'received', 'received_with_variance', 'cancelled']),
  expectedAt: isoTime.nullable(),
  receivedHere: z.object({ receiptId: id, receivedAt: isoTime }).nullable(),
  /** Whether staff can receive it here now (open at the hub and not yet received by this till). */
  receivable: z.boolean(),
  lines: z.array(
    z.object({
      sku: id,
      name: z.string(),
      unit: z.enum(['each', 'kg']),
      barcodes: z.array(z.string()),
      /** Ordered (purchase order) or announced (notice). */
      expected: quantity,
      /** Already received at the hub against the document. */
      received: quantity,
      /** What this delivery should bring: expected − received, never below 0. */
      open: quantity,
    }),
  ),
});
export type ReceivingDocumentView = z.infer<typeof ReceivingDocumentViewSchema>;

export const STOCK_COMMANDS = {
  'stock-receive': command({
    auth: 'cashier',
    summary: 'Receive goods from a supplier delivery or a transfer into sellable or quality control.',
    request: z
      .object({
        source: z.object({
          type: z.enum(['supplier', 'transfer']),
          reference: z.string().trim().min(1).max(100),
        }),
        lines: stockLines({
          sku: id,
          qty: stockQtySchema,
          bucket: z.enum(['sellable', 'quality_control']).default('sellable'),
        }),
      })
      .strict(),
    response: z.object({ receiptId: id, levels: z.array(LocalStockSchema) }),
  }),
  'stock-receiving-documents': command({
    auth: 'cashier',
    summary:
      'The purchase orders and shipping notices HQ sent this store, open first: what the stock screen receives against.',
    request: z.object({ includeClosed: z.boolean().default(false) }).strict(),
    response: z.object({ documents: z.array(ReceivingDocumentViewSchema) }),
  }),
  'stock-receive-document': command({
    auth: 'cashier',
    summary:
      'Receive a delivery against a shipping notice or a purchase order (blind receipt): the counted quantity of every line, 0 for what did not arrive; over and under are recorded against what the document expected.',
    request: z
      .object({
        documentKey: z.string().min(1).max(140),
        lines: z
          .array(
            z.object({
              sku: id,
              qty: z.number().int().min(0).max(MAX_STOCK_QTY),
              bucket: z.enum(['sellable', 'quality_control']).default('sellable'),
            }),
          )
          .min(1)
          .max(1000)
          .refine((lines) => new Set(lines.map((line) => line.sku)).size === lines.length, {
            message: 'List each SKU once.',
          })
          .refine((lines) => lines.some((line) => line.qty > 0), {
            message: 'Nothing arrived: count at least one item, or leave the delivery open.',
          }),
      })
      .strict(),
    response: z.object({
      receiptId: id,
      document: ReceivingDocumentViewSchema,
      variances: z.array(z.object({ sku: id, expected: quantity, received: quantity })),
      levels: z.array(LocalStockSchema),
    }),
  }),
  'stock-transfer-in': command({
    auth: 'cashier',
    summary: 'Receive a transfer from another node (the same as stock-receive with a transfer source).',
    request: z
      .object({
        transferId: z.string().trim().min(1).max(100),
        lines: stockLines({ sku: id, qty: stockQtySchema }),
      })
      .strict(),
    response: z.object({ receiptId: id, levels: z.array(LocalStockSchema) }),
  }),
  'stock-adjust': command({
    auth: 'supervisor',
    summary: 'Correct stock in a bucket with a reason (breakage, theft, found stock).',
    request: z
      .object({
        reason,
        lines: stockLines({
          sku: id,
          bucket: z.enum(PHYSICAL_BUCKETS),
          delta: stockDeltaSchema.refine((delta) => delta !== 0, 'An adjustment must change the quantity.'),
        }),
      })
      .strict(),
    response: z.object({ adjustmentId: id, levels: z.array(LocalStockSchema) }),
  }),
  'stock-count': command({
    auth: 'cashier',
    summary:
      'Record a shelf count; refused with CONFLICT if stock changed since the count started. A cashier writing off more than the store allows needs a supervisor (stock-count-write-off).',
    request: z
      .object({
        overrideId: id.optional(),
        sku: id,
        bucket: z.enum(['sellable', 'damaged', 'quality_control']).default('sellable'),
        /** The level the counter was shown when the count started (may exceed one movement's bound). */
        expectedQty: quantity,
        countedQty: countedQtySchema,
      })
      .strict(),
    response: z.object({ countId: id, difference: quantity, level: LocalStockSchema }),
  }),
  'stock-transfer-out': command({
    auth: 'cashier',
    summary:
      'Ship sellable stock to another store or warehouse; the answer carries the transfer number (T-{store}-{device}-{seq}) the receiving store types, and what a transfer slip prints.',
    request: z.object({ toNodeId: id, lines: stockLines({ sku: id, qty: stockQtySchema }) }).strict(),
    response: z.object({
      /** The transfer number: short, unique across the chain, given offline by this till. */
      transferId: id,
      shippedAt: isoTime,
      to: z.object({ nodeId: id, code: z.string(), name: z.string() }),
      lines: z.array(z.object({ sku: id, name: z.string(), unit: z.enum(['each', 'kg']), qty: quantity })),
      levels: z.array(LocalStockSchema),
    }),
  }),
  'stock-destinations': command({
    auth: 'cashier',
    summary: 'The stores and warehouses this node may transfer stock to, by code and name.',
    request: z.object({}).strict(),
    response: z.object({
      nodes: z.array(z.object({ nodeId: id, code: z.string(), name: z.string() })),
    }),
  }),
  'stock-levels': command({
    auth: 'cashier',
    summary: 'Local stock for up to 200 SKUs.',
    request: z.object({ skus: z.array(id).min(1).max(200) }).strict(),
    response: z.object({ levels: z.array(LocalStockSchema) }),
  }),
} as const;
