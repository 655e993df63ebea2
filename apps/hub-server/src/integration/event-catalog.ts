import { z } from 'zod';

/**
 * The canonical event catalog: what the hub publishes to ERPs, warehouses and sales channels
 * (docs/integration.md). These shapes are a contract of their own, separate from the hub's tables and the
 * tills' event payloads, so an internal change never silently changes what a connector receives: a new
 * field is added as optional, anything else is a new `schemaVersion` (old versions stay listed here).
 *
 * Amounts are integers in minor units of the event's `currency` (cents); quantities are integers in the
 * SKU's counting unit (pieces, or grams for kg SKUs); times are ISO 8601 UTC; `businessDate` is the
 * store's local calendar date (its timezone) the fact belongs to.
 */

const id = z.string().min(1).max(240);
const minor = z.number().int().safe();
const qty = z.number().int().safe();
const currency = z.string().regex(/^[A-Z]{3}$/);
const isoTime = z.string().min(1).max(40);
const businessDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const TaxLineSchema = z.object({ rateId: id, name: z.string(), percent: z.number(), amount: minor });

/** Taxable base and tax of one rate, summed over a document's lines. Lines without tax use rateId "none". */
export const TaxByRateSchema = z.object({
  rateId: id,
  name: z.string(),
  percent: z.number(),
  taxable: minor,
  tax: minor,
});

export const TENDER_TYPES = ['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points'] as const;

const TenderSchema = z.object({
  tenderId: id,
  type: z.enum(TENDER_TYPES),
  /** What this tender paid towards the sale or refund (cash net of change). */
  amount: minor,
  /** Terminal reference, masked gift card number or store credit account; never card data. */
  reference: z.string().nullable(),
  points: qty.nullable(),
});

const DiscountSchema = z.object({
  kind: z.enum(['promotion', 'manual_line', 'manual_order']),
  promotionId: id.nullable(),
  /** Positive: what it took off the line. */
  amount: minor,
});

const StockLineSchema = z.object({
  sku: id,
  qty,
  bucket: z.enum(['sellable', 'staged', 'damaged', 'quality_control', 'in_transit']),
});

const MovementSchema = z.object({
  movementId: id,
  sku: id,
  type: z.string(),
  bucket: z.string(),
  delta: qty,
});

export const SaleCompletedData = z.object({
  saleId: id,
  receiptNumber: z.string(),
  nodeId: id,
  deviceId: id,
  shiftId: id,
  staffId: id,
  customerId: id.nullable(),
  currency,
  businessDate,
  completedAt: isoTime,
  lines: z.array(
    z.object({
      lineId: id,
      sku: id,
      name: z.string(),
      qty,
      unit: z.enum(['each', 'kg']),
      unitPrice: minor,
      taxInclusive: z.boolean(),
      /** unitPrice × qty before discounts. */
      extended: minor,
      discounts: z.array(DiscountSchema),
      /** Taxable amount without tax. */
      net: minor,
      taxes: z.array(TaxLineSchema),
      /** What the customer paid for the line (with tax and its share of cash rounding). */
      paid: minor,
    }),
  ),
  totals: z.object({
    subtotal: minor,
    discount: minor,
    tax: minor,
    total: minor,
    cashRounding: minor,
    paid: minor,
  }),
  taxes: z.array(TaxByRateSchema),
  tenders: z.array(TenderSchema),
  promotionIds: z.array(id),
  priceBookVersion: z.string(),
  /**
   * The loyalty account the till named. The points themselves are published as the hub books them
   * (`loyalty.entry_recorded`, sourceDocument = the sale), never as the till claimed them.
   */
  loyaltyAccountId: id.nullable(),
});

export const SaleVoidedData = z.object({
  saleId: id,
  receiptNumber: z.string(),
  nodeId: id,
  deviceId: id,
  currency,
  businessDate,
  voidedAt: isoTime,
  reason: z.string(),
  managerId: id,
  /** The tenders given back; the voided sale's own event says what it was. */
  refunds: z.array(TenderSchema),
  /** Whether the hub has the sale itself (a void can arrive for a sale it never received). */
  saleKnown: z.boolean(),
});

export const ReturnCompletedData = z.object({
  returnId: id,
  receiptNumber: z.string(),
  nodeId: id,
  deviceId: id,
  shiftId: id,
  staffId: id,
  customerId: id.nullable(),
  originalSaleId: id.nullable(),
  originalReceiptNumber: z.string().nullable(),
  currency,
  businessDate,
  completedAt: isoTime,
  lines: z.array(
    z.object({
      returnLineId: id,
      originalLineId: id.nullable(),
      sku: id,
      qty,
      /** Refunded for the line, tax included (what was paid for those units). */
      refund: minor,
      /** The refund's tax per rate, in proportion to the original line; empty when the sale is unknown. */
      taxes: z.array(TaxLineSchema),
      disposition: z.enum(['sellable', 'damaged', 'quality_control', 'write_off']),
    }),
  ),
  refundTotal: minor,
  taxes: z.array(TaxByRateSchema),
  refunds: z.array(TenderSchema.extend({ originalTenderId: id.nullable() })),
});

export const ShiftClosedData = z.object({
  shiftId: id,
  nodeId: id,
  deviceId: id,
  staffId: id,
  currency,
  businessDate,
  closedAt: isoTime,
  float: minor,
  expectedCash: minor,
  countedCash: minor,
  /** Counted − expected: positive over, negative short. */
  overShort: minor,
  totals: z.object({
    sales: minor,
    returns: minor,
    cashIn: minor,
    cashOut: minor,
    byTender: z.record(z.string(), minor),
  }),
});

const StockDocumentBase = {
  nodeId: id,
  businessDate,
  /** `device:<id>` for a till, `user:<name>` or `api-key:<id>` for HQ and integrations. */
  recordedBy: z.string(),
  movements: z.array(MovementSchema),
};

export const StockReceivedData = z.object({
  receiptId: id,
  ...StockDocumentBase,
  receivedAt: isoTime,
  source: z.object({
    type: z.enum(['supplier', 'transfer', 'purchase_order', 'shipping_notice']),
    reference: z.string(),
  }),
  lines: z.array(StockLineSchema),
});

export const StockAdjustedData = z.object({
  adjustmentId: id,
  ...StockDocumentBase,
  adjustedAt: isoTime,
  reason: z.string(),
});

export const StockCountedData = z.object({
  countId: id,
  ...StockDocumentBase,
  countedAt: isoTime,
  sku: id,
  bucket: z.enum(['sellable', 'damaged', 'quality_control']),
  expectedQty: qty,
  countedQty: qty,
});

const TransferLineSchema = z.object({ sku: id, shipped: qty, received: qty });
const TransferBase = {
  transferId: id,
  /** The number people see on paperwork and screens (e.g. T-S001-000042). */
  transferNumber: z.string(),
  /** Null while only the arrival is known (the sender's till has not synced its shipment yet). */
  fromNodeId: id.nullable(),
  toNodeId: id,
  status: z.enum(['in_transit', 'received', 'received_with_variance', 'received_first']),
  lines: z.array(TransferLineSchema),
};

export const TransferShippedData = z.object({ ...TransferBase, shippedAt: isoTime });
export const TransferReceivedData = z.object({ ...TransferBase, receivedAt: isoTime });
export const TransferVarianceData = z.object({
  ...TransferBase,
  /** Lines where received ≠ shipped: received − shipped. */
  variances: z.array(z.object({ sku: id, shipped: qty, received: qty, difference: qty })),
});

export const AvailabilityChangedData = z.object({
  nodeId: id,
  sku: id,
  sellable: qty,
  staged: qty,
  damaged: qty,
  qualityControl: qty,
  incoming: qty,
  reservedUnstaged: qty,
  safetyStock: qty,
  /** Available to promise at the node: max(0, sellable − reserved − safety stock). */
  atp: qty,
});

export const ChannelAvailabilityChangedData = z.object({
  channel: id,
  sku: id,
  /** Σ node ATP over the nodes that take online orders. */
  networkAtp: qty,
  /** Units HQ holds back from this channel (the SKU's own buffer, else its nearest category's). */
  buffer: qty,
  bufferSource: z.enum(['sku', 'category', 'none']),
  /** What the channel may sell now: max(0, networkAtp − buffer). */
  sellable: qty,
});

export const PricesPublishedData = z.object({
  priceBookId: id,
  version: z.number().int(),
  name: z.string(),
  currency,
  taxInclusive: z.boolean(),
  scope: z.record(z.string(), z.unknown()),
  /** Prices set in this change (all of a new book's). */
  prices: z.array(
    z.object({
      sku: id,
      tiers: z.array(z.object({ minQty: qty, unitPrice: minor })),
    }),
  ),
  removedSkus: z.array(id),
});

export const PromotionPublishedData = z.object({
  promotionId: id,
  version: z.number().int(),
  promotion: z.record(z.string(), z.unknown()),
});

export const LoyaltyEntryData = z.object({
  entryId: id,
  accountId: id,
  type: z.string(),
  points: qty,
  occurredAt: isoTime,
  nodeId: id.nullable(),
  sourceDocument: z.string().nullable(),
});

export const StoredValueEntryData = z.object({
  entryId: id,
  accountId: id,
  kind: z.enum(['gift_card', 'store_credit']),
  type: z.string(),
  /** Signed: + increases the balance (issue, load, refund to it), − decreases it (redeem, expire). */
  amount: minor,
  currency,
  occurredAt: isoTime,
  nodeId: id.nullable(),
  businessDate: businessDate.nullable(),
  sourceDocument: z.string().nullable(),
});

export const ExceptionData = z.object({
  exceptionId: id,
  exceptionType: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  nodeId: id.nullable(),
  sku: id.nullable(),
  status: z.enum(['open', 'resolved']),
  occurrences: z.number().int(),
  message: z.string(),
  causeEventIds: z.array(z.string()),
  resolutionNote: z.string().nullable(),
  resolvedBy: z.string().nullable(),
});

const OrderLineSchema = z.object({ lineId: id, sku: id, qty, pickedQty: qty.nullable() });
export const OrderData = z.object({
  orderId: id,
  orderNumber: z.string(),
  channel: z.string(),
  status: z.string(),
  version: z.number().int(),
  nodeId: id.nullable(),
  /** The node the order left (re-routed orders). */
  previousNodeId: id.nullable(),
  lines: z.array(OrderLineSchema),
  payment: z.object({ authorisationRef: z.string(), amount: minor, currency }),
  cancelReason: z.string().nullable(),
  at: isoTime,
});

export const OrderRefundedData = z.object({
  orderId: id,
  orderNumber: z.string(),
  refundId: id,
  reason: z.string(),
  status: z.enum(['pending', 'review']),
  amount: minor,
  currency,
  authorisationRef: z.string(),
  at: isoTime,
});

export const JournalData = z.object({
  nodeId: id,
  nodeCode: z.string(),
  businessDate,
  currency,
  /** 1 for the first summary of the day; a later one (events that arrived late) replaces it. */
  revision: z.number().int().min(1),
  sales: z.object({
    count: z.number().int(),
    /** Line prices before discounts (Σ subtotal). */
    gross: minor,
    discounts: minor,
    /** Tax of the sales (Σ byTaxRate.tax). */
    tax: minor.optional(),
    /** Cash rounding the customers were given or charged. */
    cashRounding: minor.optional(),
    /** What the customers paid (Σ tenders.sales). */
    paid: minor.optional(),
    byTaxRate: z.array(TaxByRateSchema),
  }),
  voids: z.object({ count: z.number().int(), amount: minor }),
  returns: z.object({ count: z.number().int(), amount: minor, byTaxRate: z.array(TaxByRateSchema) }),
  /** Per tender type: taken in sales, given back by voids and returns, net. */
  tenders: z.array(z.object({ type: z.string(), sales: minor, refunds: minor, net: minor })),
  cash: z.object({ shiftsClosed: z.number().int(), overShort: minor }),
  /** Change in what the chain owes on gift cards and store credit through this store today. */
  liabilities: z.array(
    z.object({ kind: z.enum(['gift_card', 'store_credit']), issued: minor, redeemed: minor, net: minor }),
  ),
  /** The events summarised, by event id (a consumer can check it has exactly these). */
  coveredEventIds: z.array(z.string()),
});

export const PurchaseOrderData = z.object({
  purchaseOrderId: id,
  poNumber: z.string(),
  supplier: z.string(),
  nodeId: id,
  status: z.enum(['open', 'partially_received', 'received', 'cancelled']),
  expectedAt: isoTime.nullable(),
  lines: z.array(z.object({ sku: id, ordered: qty, received: qty })),
  /** Set on the update that cancelled the order (or a notice): why, and who. */
  cancellation: z.object({ reason: z.string(), cancelledBy: z.string() }).optional(),
});

export const ShippingNoticeData = z.object({
  asnId: id,
  asnNumber: z.string(),
  purchaseOrderId: id.nullable(),
  supplier: z.string(),
  nodeId: id,
  status: z.enum(['open', 'received', 'received_with_variance', 'cancelled']),
  expectedAt: isoTime.nullable(),
  lines: z.array(z.object({ sku: id, expected: qty, received: qty })),
  cancellation: z.object({ reason: z.string(), cancelledBy: z.string() }).optional(),
});

export interface CatalogEntry {
  readonly version: number;
  /** What one event is about; deliveries are in order per aggregate. */
  readonly aggregate: string;
  readonly summary: string;
  readonly data: z.ZodType;
}

/** Every canonical event type with its current schema version. */
export const EVENT_CATALOG = {
  'order.placed': { version: 1, aggregate: 'order', summary: 'An online order was taken.', data: OrderData },
  'order.allocated': {
    version: 1,
    aggregate: 'order',
    summary: 'The hub routed the order to a store and promised its units there.',
    data: OrderData,
  },
  'order.rerouted': {
    version: 1,
    aggregate: 'order',
    summary: 'The order moved to another store (short pick, oversell, offline store or HQ).',
    data: OrderData,
  },
  'order.accepted': {
    version: 1,
    aggregate: 'order',
    summary: 'The store accepted the order.',
    data: OrderData,
  },
  'order.picked': {
    version: 1,
    aggregate: 'order',
    summary: 'The store picked the order (lines carry what was picked).',
    data: OrderData,
  },
  'order.short_picked': {
    version: 1,
    aggregate: 'order',
    summary: 'The store found fewer units than ordered.',
    data: OrderData,
  },
  'order.ready': {
    version: 1,
    aggregate: 'order',
    summary: 'The order is staged and waits for the customer.',
    data: OrderData,
  },
  'order.handed_over': {
    version: 1,
    aggregate: 'order',
    summary: 'The customer collected the order; payment is captured.',
    data: OrderData,
  },
  'order.shipped': {
    version: 1,
    aggregate: 'order',
    summary: 'The order left for the customer (ship-from-store; not produced by pickup orders).',
    data: OrderData,
  },
  'order.expired': {
    version: 1,
    aggregate: 'order',
    summary: 'The customer did not collect in time.',
    data: OrderData,
  },
  'order.cancelled': { version: 1, aggregate: 'order', summary: 'The order was cancelled.', data: OrderData },
  'order.refunded': {
    version: 1,
    aggregate: 'order',
    summary: 'A refund of the order was recorded (pending, or for review).',
    data: OrderRefundedData,
  },
  'sale.completed': {
    version: 1,
    aggregate: 'sale',
    summary: 'A sale at a till: lines, discounts, tax per rate, tenders.',
    data: SaleCompletedData,
  },
  'sale.voided': {
    version: 1,
    aggregate: 'sale',
    summary: 'A completed sale was voided.',
    data: SaleVoidedData,
  },
  'return.completed': {
    version: 1,
    aggregate: 'return',
    summary: 'A return at a till: lines with their tax, refund tenders.',
    data: ReturnCompletedData,
  },
  'shift.closed': {
    version: 1,
    aggregate: 'shift',
    summary: 'A till shift closed: Z report figures and cash over/short.',
    data: ShiftClosedData,
  },
  'stock.received': {
    version: 1,
    aggregate: 'stock_document',
    summary: 'Goods received at a node (supplier, purchase order, shipping notice or transfer).',
    data: StockReceivedData,
  },
  'stock.adjusted': {
    version: 1,
    aggregate: 'stock_document',
    summary: 'A stock adjustment (damage, write-off, correction).',
    data: StockAdjustedData,
  },
  'stock.counted': {
    version: 1,
    aggregate: 'stock_document',
    summary: 'A stock count.',
    data: StockCountedData,
  },
  'transfer.shipped': {
    version: 1,
    aggregate: 'transfer',
    summary: 'A transfer left its node; the units are in transit to the destination.',
    data: TransferShippedData,
  },
  'transfer.received': {
    version: 1,
    aggregate: 'transfer',
    summary: 'A transfer arrived at its destination.',
    data: TransferReceivedData,
  },
  'transfer.variance': {
    version: 1,
    aggregate: 'transfer',
    summary: 'A transfer arrived with other quantities than were shipped.',
    data: TransferVarianceData,
  },
  'availability.changed': {
    version: 1,
    aggregate: 'availability',
    summary: 'Stock and ATP of one SKU at one node after a change (one per SKU and node per transaction).',
    data: AvailabilityChangedData,
  },
  'channel.availability_changed': {
    version: 1,
    aggregate: 'channel_availability',
    summary:
      'What one sales channel may sell of one SKU after a stock or buffer change (channels HQ configured; one per SKU and channel per transaction).',
    data: ChannelAvailabilityChangedData,
  },
  'prices.published': {
    version: 1,
    aggregate: 'price_book',
    summary: 'A price book version was published, with the prices it changed.',
    data: PricesPublishedData,
  },
  'promotion.published': {
    version: 1,
    aggregate: 'promotion',
    summary: 'A promotion version was published.',
    data: PromotionPublishedData,
  },
  'loyalty.entry_recorded': {
    version: 1,
    aggregate: 'loyalty_account',
    summary: 'An entry in a loyalty account’s points ledger.',
    data: LoyaltyEntryData,
  },
  'stored_value.entry_recorded': {
    version: 1,
    aggregate: 'stored_value_account',
    summary: 'An entry in a gift card’s or store credit’s ledger.',
    data: StoredValueEntryData,
  },
  'exception.raised': {
    version: 1,
    aggregate: 'exception',
    summary: 'The hub raised an exception for a person to look at (or one recurred).',
    data: ExceptionData,
  },
  'exception.resolved': {
    version: 1,
    aggregate: 'exception',
    summary: 'An exception was resolved.',
    data: ExceptionData,
  },
  'journal.daily_summary': {
    version: 1,
    aggregate: 'journal',
    summary: 'The daily financial summary of one store (the ERP journal).',
    data: JournalData,
  },
  'purchase_order.created': {
    version: 1,
    aggregate: 'purchase_order',
    summary: 'A purchase order was created.',
    data: PurchaseOrderData,
  },
  'purchase_order.updated': {
    version: 1,
    aggregate: 'purchase_order',
    summary: 'A purchase order changed status or received quantities.',
    data: PurchaseOrderData,
  },
  'shipping_notice.created': {
    version: 1,
    aggregate: 'shipping_notice',
    summary: 'An advance shipping notice was created.',
    data: ShippingNoticeData,
  },
  'shipping_notice.received': {
    version: 1,
    aggregate: 'shipping_notice',
    summary: 'Goods were received against a shipping notice (variances are exceptions).',
    data: ShippingNoticeData,
  },
  'shipping_notice.cancelled': {
    version: 1,
    aggregate: 'shipping_notice',
    summary:
      'A shipping notice was withdrawn (the delivery will not come); alone or with its purchase order.',
    data: ShippingNoticeData,
  },
} as const satisfies Record<string, CatalogEntry>;

export type IntegrationEventType = keyof typeof EVENT_CATALOG;

/** The financial events a store's daily journal summarises (journal.ts). */
export const JOURNAL_SOURCE_TYPES = [
  'sale.completed',
  'sale.voided',
  'return.completed',
  'shift.closed',
  'stored_value.entry_recorded',
] as const satisfies readonly IntegrationEventType[];
export const INTEGRATION_EVENT_TYPES = Object.keys(EVENT_CATALOG) as IntegrationEventType[];
export type EventData<T extends IntegrationEventType> = z.input<(typeof EVENT_CATALOG)[T]['data']>;

export function isIntegrationEventType(value: string): value is IntegrationEventType {
  return Object.hasOwn(EVENT_CATALOG, value);
}

/** The envelope every event travels in, pulled or pushed. */
export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    /** Stable: the same fact always has the same id, also when the hub derives it again. De-duplicate on it. */
    eventId: z.string(),
    type: z.string(),
    schemaVersion: z.number().int(),
    /** Position in the hub's outbound log (total order). */
    seq: z.number().int(),
    aggregate: z.object({ type: z.string(), id: z.string() }),
    nodeId: z.string().nullable(),
    /** The till event this one came from, or null for what the hub did itself. */
    sourceEventId: z.string().nullable(),
    occurredAt: z.string(),
    recordedAt: z.string(),
    data,
  });
}

export const IntegrationEventSchema = envelopeSchema(z.record(z.string(), z.unknown()));
export type IntegrationEvent = z.infer<typeof IntegrationEventSchema>;

/** JSON Schema (2020-12) of one event type's envelope with its data. */
export function eventJsonSchema(type: IntegrationEventType): Record<string, unknown> {
  const entry = EVENT_CATALOG[type];
  const schema = z.toJSONSchema(
    envelopeSchema(entry.data).extend({
      type: z.literal(type),
      schemaVersion: z.literal(entry.version),
      aggregate: z.object({ type: z.literal(entry.aggregate), id: z.string() }),
    }),
    { io: 'output', unrepresentable: 'any' },
  ) as Record<string, unknown>;
  return {
    ...schema,
    $id: `urn:retail-hub:integration:${type}:v${entry.version}`,
    title: type,
    description: entry.summary,
  };
}
