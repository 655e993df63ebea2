import {
  BUCKETS,
  MAX_LINE_QTY,
  MAX_STOCK_QTY,
  MOVEMENT_TYPES,
  countedQtySchema,
  denominationCountSchema,
  signedAmountSchema,
  stockDeltaSchema,
} from '@retail/domain';
import { z } from 'zod';
import { STAFF_ROLES } from './feed';

/**
 * Store → hub events. Immutable facts pushed from the store node's outbox. Amounts are integer minor
 * units in the event's `currency`; quantities are integers in the SKU's counting unit (pieces, or grams
 * for `kg` SKUs). Never change the meaning of an event type: add a new type or a new schema version with
 * an upcaster.
 *
 * Amounts and quantities are held to the domain's bounds (packages/domain/src/bounds.ts), the same ones the
 * till's commands enforce, so the hub never refuses what a till accepted and never overflows summing it.
 * Running figures a till adds up over a whole shift, and stock levels, stay plain safe integers.
 */

const id = z.string().min(1).max(100);
/** One amount: a price, a line, a sale total, a tender, a refund, a float, a cash movement. */
const minor = signedAmountSchema;
/** Pieces (or grams) on one sale or return line. */
const lineQty = z.number().int().min(-MAX_LINE_QTY).max(MAX_LINE_QTY);
/** Units in one stock line or pick. */
const stockQty = z.number().int().min(-MAX_STOCK_QTY).max(MAX_STOCK_QTY);
/** A running figure over a shift, or a stock level. */
const runningTotal = z.number().int().safe();
const points = z.number().int().safe();
const currency = z.string().regex(/^[A-Z]{3}$/);
const isoTime = z.iso.datetime({ offset: true });

export const MovementSchema = z.object({
  movementId: id,
  sku: id,
  type: z.enum(MOVEMENT_TYPES),
  bucket: z.enum(BUCKETS),
  delta: stockDeltaSchema,
  reason: z.string().max(200).optional(),
});
export type MovementPayload = z.infer<typeof MovementSchema>;

export const ManagerOverrideSchema = z.object({
  managerId: id,
  reason: z.string().min(1).max(200),
  at: isoTime,
  /**
   * The till's audit reference for the authorisation (its override id, or the command's transaction id
   * when a manager authorised their own action). The hub freezes store credit a no-receipt return issues
   * without one. Optional so events written before it existed stay valid.
   */
  auditRef: id.optional(),
  /**
   * What was authorised, when a till says (`discount-over-limit`: the sale's manual discounts past their
   * giver's limit). The hub judges a discount approval by the approver's role limit.
   */
  action: z.string().min(1).max(60).optional(),
});

export const LineAdjustmentSchema = z.object({
  kind: z.enum(['promotion', 'manual_line', 'manual_order']),
  promotionId: id.optional(),
  amount: minor,
  reason: z.string().max(200),
  /** Who gave a manual discount (the approver when one approved it on the spot). */
  givenBy: id.optional(),
});

export const LineTaxSchema = z.object({
  rateId: id,
  name: z.string().max(100),
  percent: z.number(),
  amount: minor,
});

export const SaleLineSchema = z.object({
  lineId: id,
  sku: id,
  name: z.string().max(200),
  qty: lineQty,
  unit: z.enum(['each', 'kg']),
  taxCategory: id,
  /** The unit price charged: per piece, or per kilogram for kg SKUs. */
  unitPrice: minor,
  taxInclusive: z.boolean(),
  /** price_book: resolved from a book; label: printed on a scale label; override: a manager's price. */
  priceSource: z.enum(['price_book', 'label', 'override']),
  priceBookId: id.optional(),
  priceBookVersion: z.number().int().min(1).optional(),
  /** The book price an override replaced, kept for the audit. */
  originalUnitPrice: minor.optional(),
  /** unitPrice × qty (or the label price) before any adjustment. */
  extended: minor,
  adjustments: z.array(LineAdjustmentSchema),
  /** Taxable amount without tax, and the tax rows (net + Σ taxes is the line's price with tax). */
  net: minor,
  taxes: z.array(LineTaxSchema),
  /**
   * What the customer actually paid for this line: price with tax plus its share of cash rounding.
   * Σ paid over the lines = Σ tender amounts net of change. Returns refund exactly this.
   */
  paid: minor,
});

export const TenderSchema = z.object({
  tenderId: id,
  type: z.enum(['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points']),
  /** What this tender pays towards the sale (or refund): tendered − change. */
  amount: minor,
  /** What was handed over or charged; differs from `amount` only on cash with change. */
  tendered: minor.optional(),
  /** Cash handed back, only ever on cash tenders. */
  change: minor.optional(),
  /** Card terminal reference, gift card number (masked), store credit account: never card data. */
  reference: z.string().max(100).optional(),
  points: points.optional(),
});

/**
 * A gift card sold (activated) or reloaded on the sale, paid by the sale's tenders like any line. The hub
 * loads the card when it applies the sale, once per `lineId`. The till never sends the number: only its
 * SHA-256 (what the hub's HMAC key is made from) and its last digits.
 */
export const GiftCardLoadSchema = z.object({
  lineId: id,
  /** What the till believed: a card it did not know (activate) or one the hub or its cache knew (reload). */
  kind: z.enum(['activate', 'reload']),
  numberDigest: z.string().regex(/^[0-9a-f]{64}$/),
  maskedNumber: z.string().max(40),
  amount: minor.refine((amount) => amount > 0, 'A gift card load is more than zero.'),
});

export const SaleCompletedV1 = z
  .object({
    saleId: id,
    receiptNumber: z.string().max(60),
    shiftId: id,
    staffId: id,
    customerId: id.optional(),
    currency,
    /** Every price book version used, e.g. "pb-chain@7+pb-store-1@3" (pricing/priceBookVersionTag). */
    priceBookVersion: z.string().max(2000),
    promotionIds: z.array(id),
    /** The version of each applied promotion, so the hub audits against exactly what the till had. */
    promotions: z.array(z.object({ promotionId: id, version: z.number().int().min(1) })).default([]),
    /** Items sold; empty only when the sale loads gift cards and nothing else. */
    lines: z.array(SaleLineSchema),
    /** Gift cards sold or reloaded: Σ line paid + Σ load amount = Σ tender amounts. */
    giftCards: z.array(GiftCardLoadSchema).max(50).optional(),
    totals: z.object({
      /** Items and gift card loads, before discounts. */
      subtotal: minor,
      discount: minor,
      tax: minor,
      /** Σ line price with tax, exact. */
      total: minor,
      /** + when cash paid more than the exact total, − when less. */
      cashRounding: minor,
      /** Σ tender amounts = total + cashRounding. */
      paid: minor,
      change: minor,
    }),
    tenders: z.array(TenderSchema).min(1),
    loyalty: z
      .object({ accountId: id, pointsEarned: points, pointsRedeemed: points, holdId: id.optional() })
      .optional(),
    overrides: z.array(ManagerOverrideSchema).default([]),
    /** The store settings version the till ran (`pos.settings.version`): its discount limits are judged by it. */
    settingsVersion: z.number().int().min(0).safe().optional(),
    /**
     * The role, as the till knew it, of each person who gave or approved a manual discount. The hub
     * believes its own record for staff HQ manages and this for staff a store created itself.
     */
    staffRoles: z.record(id, z.enum(STAFF_ROLES)).optional(),
    movements: z.array(MovementSchema),
    completedAt: isoTime,
  })
  .refine((sale) => sale.lines.length + (sale.giftCards?.length ?? 0) > 0, {
    message: 'A sale has at least one item or gift card.',
    path: ['lines'],
  });

export const SaleVoidedV1 = z.object({
  saleId: id,
  receiptNumber: z.string().max(60),
  reason: z.string().min(1).max(200),
  override: ManagerOverrideSchema,
  currency,
  refunds: z.array(TenderSchema),
  movements: z.array(MovementSchema),
  voidedAt: isoTime,
});

export const ReturnCompletedV1 = z.object({
  returnId: id,
  receiptNumber: z.string().max(60),
  originalSaleId: id.optional(),
  originalReceiptNumber: z.string().max(60).optional(),
  shiftId: id,
  staffId: id,
  customerId: id.optional(),
  currency,
  lines: z
    .array(
      z.object({
        returnLineId: id,
        originalLineId: id.optional(),
        sku: id,
        qty: lineQty,
        refund: minor,
        disposition: z.enum(['sellable', 'damaged', 'quality_control', 'write_off']),
      }),
    )
    .min(1),
  refunds: z
    .array(
      TenderSchema.extend({
        /** The sale tender this refund is charged against (absent for no-receipt store credit). */
        originalTenderId: id.optional(),
      }),
    )
    .min(1),
  loyalty: z.object({ accountId: id, pointsReversed: points, pointsRefunded: points }).optional(),
  override: ManagerOverrideSchema.optional(),
  movements: z.array(MovementSchema),
  completedAt: isoTime,
});

export const StockReceivedV1 = z.object({
  receiptId: id,
  source: z.object({ type: z.enum(['supplier', 'transfer']), reference: z.string().max(100) }),
  lines: z
    .array(z.object({ sku: id, qty: stockQty, bucket: z.enum(['sellable', 'quality_control']) }))
    .min(1),
  movements: z.array(MovementSchema),
  receivedAt: isoTime,
});

/**
 * v2: a receipt can be booked against a document the hub sent the till (a shipping notice, or a purchase
 * order received without one: a blind receipt), named by its id; each line may say what the document
 * expected, so over and under deliveries are on record as the till saw them. v1 receipts upcast unchanged.
 */
const ReceiptSourceV2 = z.discriminatedUnion('type', [
  z.object({ type: z.literal('supplier'), reference: z.string().max(100) }),
  z.object({ type: z.literal('transfer'), reference: z.string().max(100) }),
  z.object({ type: z.literal('shipping_notice'), reference: z.string().max(100), documentId: id }),
  z.object({ type: z.literal('purchase_order'), reference: z.string().max(100), documentId: id }),
]);

export const StockReceivedV2 = StockReceivedV1.extend({
  source: ReceiptSourceV2,
  lines: z
    .array(
      z.object({
        sku: id,
        qty: stockQty,
        bucket: z.enum(['sellable', 'quality_control']),
        expected: stockQty.optional(),
      }),
    )
    .min(1),
});

export const StockAdjustedV1 = z.object({
  adjustmentId: id,
  reason: z.string().min(1).max(200),
  movements: z.array(MovementSchema).min(1),
  adjustedAt: isoTime,
});

export const StockCountedV1 = z.object({
  countId: id,
  sku: id,
  bucket: z.enum(['sellable', 'damaged', 'quality_control']),
  /** The level the counter saw: a running figure, not a movement. */
  expectedQty: runningTotal,
  countedQty: countedQtySchema,
  movements: z.array(MovementSchema),
  /** Who approved a cashier's count that wrote off more than the store allows (absent before issue 11). */
  override: ManagerOverrideSchema.optional(),
  countedAt: isoTime,
});

export const StockTransferredOutV1 = z.object({
  transferId: id,
  toNodeId: id,
  lines: z.array(z.object({ sku: id, qty: stockQty })).min(1),
  movements: z.array(MovementSchema),
  shippedAt: isoTime,
});

export const ShiftOpenedV1 = z.object({
  shiftId: id,
  staffId: id,
  currency,
  float: minor,
  openedAt: isoTime,
});

export const ShiftCashMovedV1 = z.object({
  shiftId: id,
  movementId: id,
  direction: z.enum(['in', 'out']),
  amount: minor,
  reason: z.string().min(1).max(200),
  staffId: id,
  override: ManagerOverrideSchema.optional(),
  movedAt: isoTime,
});

export const ShiftClosedV1 = z.object({
  shiftId: id,
  staffId: id,
  currency,
  float: minor,
  expectedCash: runningTotal,
  countedCash: minor,
  overShort: runningTotal,
  denominations: z.array(z.object({ value: minor, count: denominationCountSchema })),
  totals: z.object({
    sales: runningTotal,
    returns: runningTotal,
    cashIn: runningTotal,
    cashOut: runningTotal,
    byTender: z.record(z.string(), runningTotal),
  }),
  closedAt: isoTime,
});

/**
 * The cash drawer was opened (for a cash sale, a refund, a cash movement, or with no sale). It moves no
 * money by itself; HQ reads it as the store's audit trail (the no-sale openings above all).
 */
export const DrawerOpenedV1 = z.object({
  openingId: id,
  shiftId: id,
  registerId: id,
  staffId: id,
  reason: z.string().min(1).max(40),
  /** The sale, refund or cash movement it was opened for. */
  reference: id.optional(),
  openedAt: isoTime,
});

/**
 * BOPIS steps a store takes on an order routed to it, made offline if need be. Each carries the domain
 * transition (packages/domain bopis/lifecycle.ts): its id, the order head the store saw (`basedOn`) and
 * when; the hub applies it with applyBopisTransition and the conflict rule (a handover made offline wins
 * over a cancel or expiry that reached the hub first). Steps that move stock carry the movements the
 * store recorded: PICK sellable→staged on ready, PICKUP_HANDOVER −staged on handover, UNSTAGE when the
 * store puts the units of a cancelled, expired or moved order back on the shelf.
 */
const BopisBasedOnSchema = z.object({ version: z.number().int().min(1).safe(), transitionId: id });
const bopisStep = {
  orderId: id,
  transitionId: id,
  basedOn: BopisBasedOnSchema,
  staffId: id.optional(),
  at: isoTime,
};

export const BopisAcceptedV1 = z.object(bopisStep);
export const BopisPickingStartedV1 = z.object(bopisStep);
export const BopisPickedV1 = z.object({
  ...bopisStep,
  lineId: id,
  /** The SKU the scanned code resolved to; the hub checks it against the line again. */
  scannedSku: id,
  qty: stockQty.min(1),
});
export const BopisShortPickedV1 = z.object({
  ...bopisStep,
  /** What was found of each short line (fewer than ordered). */
  found: z
    .array(z.object({ lineId: id, foundQty: stockQty.min(0) }))
    .min(1)
    .max(200),
});
export const BopisReadyV1 = z.object({ ...bopisStep, movements: z.array(MovementSchema).min(1) });
export const BopisHandedOverV1 = z.object({
  ...bopisStep,
  verifiedBy: z.enum(['pickup_code', 'order_number_and_name']),
  movements: z.array(MovementSchema).min(1),
});
/** Ship orders: a line found short while picking (the rest may still ship; the customer pays for what leaves). */
export const BopisLineShortV1 = z.object({ ...bopisStep, lineId: id, foundQty: stockQty.min(0) });
/** Ship orders: packed into weighed parcels; carries PICK sellable→staged of what went in. */
export const BopisPackedV1 = z.object({
  ...bopisStep,
  parcels: z
    .array(z.object({ parcelId: id, weightGrams: z.number().int().min(1).max(70_000) }))
    .min(1)
    .max(50),
  movements: z.array(MovementSchema).min(1),
});
/** Ship orders: handed to the carrier; carries SHIPMENT −staged of what left. */
export const BopisShippedV1 = z.object({
  ...bopisStep,
  carrier: z.string().min(1).max(40),
  trackingNumber: z.string().min(1).max(60),
  lines: z
    .array(z.object({ lineId: id, qty: stockQty.min(1) }))
    .min(1)
    .max(200),
  movements: z.array(MovementSchema).min(1),
});
export const BopisUnstagedV1 = z.object({
  orderId: id,
  unstageId: id,
  staffId: id.optional(),
  movements: z.array(MovementSchema).min(1),
  at: isoTime,
});

/**
 * A customer created at a till while it could not reach the hub: a temporary id the hub merges into an
 * existing customer with the same phone or email (or makes permanent), before it applies that device's
 * later events, so no ledger entry is ever written under a temporary id. Phone, email and card number are
 * normalised by the till (packages/domain loyalty/lookup-keys); the hub checks them again.
 */
export const CustomerCreatedV1 = z.object({
  customerId: id,
  name: z.string().trim().min(1).max(200).optional(),
  phone: z.string().max(20).optional(),
  email: z.string().max(254).optional(),
  cardNumber: z.string().max(32).optional(),
  createdAt: isoTime,
});

/**
 * A cashier asked for a copy of one of this store's receipts by e-mail. The till records it even offline;
 * the hub checks the receipt is this store's, renders it and sends it through its mail outbox, once per
 * event id.
 */
export const ReceiptEmailRequestedV1 = z.object({
  receiptNumber: z.string().trim().min(1).max(60),
  email: z.email({ error: 'not an e-mail address' }).max(254),
  staffId: id,
  requestedAt: isoTime,
});

/**
 * A staff member a store created itself (`staff-create` at a till, possibly offline). The hub records it
 * and believes the role only if `createdBy` was entitled to give it by the hub's own records (DESIGN §5
 * "Trust boundary"); otherwise the person counts as a cashier at the hub. The PIN and its hash never
 * leave the store: the hub signs nobody in with them, and a hash would only be something to guess at.
 */
export const StaffCreatedV1 = z.object({
  staffId: id,
  staffCode: z.string().trim().min(1).max(32),
  name: z.string().trim().min(1).max(200),
  role: z.enum(STAFF_ROLES),
  /** The signed-in staff member who created them. */
  createdBy: id,
  createdAt: isoTime,
});

/** Every event type with its schema per version. Old versions stay here forever (see upcasters). */
export const EVENT_SCHEMAS = {
  'sale.completed': { 1: SaleCompletedV1 },
  'sale.voided': { 1: SaleVoidedV1 },
  'return.completed': { 1: ReturnCompletedV1 },
  'stock.received': { 1: StockReceivedV1, 2: StockReceivedV2 },
  'stock.adjusted': { 1: StockAdjustedV1 },
  'stock.counted': { 1: StockCountedV1 },
  'stock.transferred_out': { 1: StockTransferredOutV1 },
  'shift.opened': { 1: ShiftOpenedV1 },
  'shift.cash_moved': { 1: ShiftCashMovedV1 },
  'shift.closed': { 1: ShiftClosedV1 },
  'drawer.opened': { 1: DrawerOpenedV1 },
  'bopis.accepted': { 1: BopisAcceptedV1 },
  'bopis.picking_started': { 1: BopisPickingStartedV1 },
  'bopis.picked': { 1: BopisPickedV1 },
  'bopis.short_picked': { 1: BopisShortPickedV1 },
  'bopis.ready': { 1: BopisReadyV1 },
  'bopis.handed_over': { 1: BopisHandedOverV1 },
  'bopis.unstaged': { 1: BopisUnstagedV1 },
  'bopis.line_short': { 1: BopisLineShortV1 },
  'bopis.packed': { 1: BopisPackedV1 },
  'bopis.shipped': { 1: BopisShippedV1 },
  'customer.created': { 1: CustomerCreatedV1 },
  'receipt.email_requested': { 1: ReceiptEmailRequestedV1 },
  'staff.created': { 1: StaffCreatedV1 },
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export type EventPayloads = {
  'sale.completed': z.infer<typeof SaleCompletedV1>;
  'sale.voided': z.infer<typeof SaleVoidedV1>;
  'return.completed': z.infer<typeof ReturnCompletedV1>;
  'stock.received': z.infer<typeof StockReceivedV2>;
  'stock.adjusted': z.infer<typeof StockAdjustedV1>;
  'stock.counted': z.infer<typeof StockCountedV1>;
  'stock.transferred_out': z.infer<typeof StockTransferredOutV1>;
  'shift.opened': z.infer<typeof ShiftOpenedV1>;
  'shift.cash_moved': z.infer<typeof ShiftCashMovedV1>;
  'shift.closed': z.infer<typeof ShiftClosedV1>;
  'drawer.opened': z.infer<typeof DrawerOpenedV1>;
  'bopis.accepted': z.infer<typeof BopisAcceptedV1>;
  'bopis.picking_started': z.infer<typeof BopisPickingStartedV1>;
  'bopis.picked': z.infer<typeof BopisPickedV1>;
  'bopis.short_picked': z.infer<typeof BopisShortPickedV1>;
  'bopis.ready': z.infer<typeof BopisReadyV1>;
  'bopis.handed_over': z.infer<typeof BopisHandedOverV1>;
  'bopis.unstaged': z.infer<typeof BopisUnstagedV1>;
  'bopis.line_short': z.infer<typeof BopisLineShortV1>;
  'bopis.packed': z.infer<typeof BopisPackedV1>;
  'bopis.shipped': z.infer<typeof BopisShippedV1>;
  'customer.created': z.infer<typeof CustomerCreatedV1>;
  'receipt.email_requested': z.infer<typeof ReceiptEmailRequestedV1>;
  'staff.created': z.infer<typeof StaffCreatedV1>;
};

/** The newest schema version of each event type: what a store node writes today. */
export const CURRENT_VERSION: { readonly [K in EventType]: number } = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, Math.max(...Object.keys(EVENT_SCHEMAS[type]).map(Number))]),
) as { [K in EventType]: number };
