import {
  PHYSICAL_BUCKETS,
  countedQtySchema,
  denominationCountSchema,
  drawerAmountSchema,
  lineQtySchema,
  positiveAmountSchema,
  stockDeltaSchema,
  stockQtySchema,
  amountSchema,
  REFUND_TENDER_TYPES,
  LegalHeaderSchema,
  MAX_STOCK_QTY,
} from '@retail/domain';
import { z } from 'zod';
import { BOPIS_COMMANDS } from './bopis-commands';
import { ORDER_RETURN_COMMANDS } from './order-return-commands';
import { LANE_COMMANDS } from './lane-commands';
import {
  LOYALTY_COMMANDS,
  StoredValueNumberSchema,
  LOYALTY_TENDER_INPUTS,
  SaleCustomerSchema,
  TenderRedemptionSchema,
} from './loyalty-commands';
import { ROLES, type CommandAuth, type Role } from './roles';

/**
 * The store node's command contract: one typed map shared by the engine (which implements it), the
 * socket.io server (which validates it at the edge) and every client (renderer, tests, benchmarks).
 * Names are kebab-case, noun first. Amounts are integer minor units of the node's currency (see
 * `node-info`); quantities are integers in the SKU's counting unit (pieces, or grams for `kg` SKUs).
 * Requests hold amounts and quantities to the domain's bounds (packages/domain/src/bounds.ts), the ones
 * the hub's push validator uses; responses report running figures (levels, shift totals) as safe integers.
 */

export { ROLES, type CommandAuth, type Role } from './roles';

/** Actions a manager override can authorize; the next command of that kind consumes it. */
export const OVERRIDE_ACTIONS = [
  'cash-out-over-limit',
  'price-override',
  'sale-void',
  'sale-post-void',
  'return-without-receipt',
  'redemption-over-offline-cap',
  'discount-over-limit',
  'stock-count-write-off',
] as const;
export type OverrideAction = (typeof OVERRIDE_ACTIONS)[number];

/**
 * The least role that may authorize each action. A supervisor may approve what lies within a
 * supervisor's own authority (a discount up to the supervisor's limit, a stock write-off); the rest needs
 * a manager.
 */
export const OVERRIDE_APPROVER: Readonly<Record<OverrideAction, Role>> = {
  'cash-out-over-limit': 'manager',
  'price-override': 'manager',
  'sale-void': 'manager',
  'sale-post-void': 'manager',
  'return-without-receipt': 'manager',
  'redemption-over-offline-cap': 'manager',
  'discount-over-limit': 'supervisor',
  'stock-count-write-off': 'supervisor',
};

const id = z.string().trim().min(1).max(100);
const isoTime = z.iso.datetime({ offset: true });
/** In answers: any figure the node computed. Requests use the bounded schemas from @retail/domain. */
const minor = z.number().int().safe();
const positiveMinor = minor.positive();
const quantity = z.number().int().safe();
const positiveQuantity = quantity.positive();
const reason = z.string().trim().min(1).max(200);
const registerId = z.string().trim().min(1).max(40).default('main');

/** Why the cash drawer is opened; `no-sale` (change for a customer, a jammed note) needs a supervisor. */
export const DRAWER_OPEN_REASONS = ['sale', 'refund', 'cash-movement', 'no-sale'] as const;
export type DrawerOpenReason = (typeof DRAWER_OPEN_REASONS)[number];

export const StaffCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,32}$/, 'A staff code is 1 to 32 letters, digits, dots, dashes or underscores.');
export const PinSchema = z.string().regex(/^\d{4,12}$/, 'A PIN is 4 to 12 digits.');

export const StaffSummarySchema = z.object({
  staffId: id,
  staffCode: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  /** Until when the staff member is locked out after wrong PINs on the lane asking (null: not locked here). */
  lockedUntil: isoTime.nullable(),
  /** Every lane the staff member is locked out of now (wrong PINs count per lane). */
  lockouts: z.array(z.object({ laneId: z.string(), laneName: z.string(), lockedUntil: isoTime })).optional(),
});
export type StaffSummary = z.infer<typeof StaffSummarySchema>;

export const ShiftSummarySchema = z.object({
  shiftId: id,
  registerId: z.string(),
  staffId: id,
  currency: z.string(),
  float: minor,
  status: z.enum(['open', 'closed']),
  openedAt: isoTime,
  closedAt: isoTime.nullable(),
});
export type ShiftSummary = z.infer<typeof ShiftSummarySchema>;

export const CashMovementSchema = z.object({
  movementId: id,
  shiftId: id,
  direction: z.enum(['in', 'out']),
  amount: positiveMinor,
  reason: z.string(),
  staffId: id,
  overrideId: id.nullable(),
  movedAt: isoTime,
});

export const ShiftBreakdownSchema = z.object({
  /** Completed sales per tax rate: net taxable amount and the tax on it. */
  taxes: z.array(
    z.object({ rateId: z.string(), name: z.string(), percent: z.number(), taxable: minor, tax: minor }),
  ),
  /** Completed sales that carried a discount (promotions and manual), and what the discounts came to. */
  discounts: z.object({ count: quantity, total: minor }),
  /** Sales cancelled before payment, and completed sales voided afterwards with their total. */
  voids: z.object({ cancelledSales: quantity, postVoids: quantity, postVoidTotal: minor }),
  /** Manager overrides used in the shift, per action (price change, void, cash out over the limit...). */
  overrides: z.array(z.object({ action: z.string(), count: quantity })),
  /** Times the drawer was opened with no sale (each one audited with who opened it). */
  noSales: quantity,
  cashiers: z.array(
    z.object({
      staffId: id,
      name: z.string(),
      salesCount: quantity,
      salesTotal: minor,
      returnsCount: quantity,
      returnsTotal: minor,
    }),
  ),
  /** The legal header HQ set (`pos.receipt.legalHeader`), printed at the top of the report. */
  legal: LegalHeaderSchema.nullable(),
});
export type ShiftBreakdown = z.infer<typeof ShiftBreakdownSchema>;

export const ShiftReportSchema = z.object({
  kind: z.enum(['X', 'Z']),
  shift: ShiftSummarySchema,
  currency: z.string(),
  float: minor,
  salesCount: quantity,
  /** Net sales: the completed sales' totals without gift card loads (stored value sold is a liability). */
  salesTotal: minor,
  /**
   * Gift cards activated or reloaded on the shift's sales, on their own line: not in `salesTotal`, while
   * the cash paid for them is in `cashSales` and the drawer. Absent on older nodes.
   */
  giftCardLoads: z.object({ count: quantity, total: minor }).optional(),
  returnsCount: quantity,
  returnsTotal: minor,
  /** Net cash taken for sales (tendered minus change), cash refunded for returns. */
  cashSales: minor,
  cashRefunds: minor,
  cashIn: minor,
  cashOut: minor,
  /** float + cashSales − cashRefunds + cashIn − cashOut: what the drawer should hold. */
  expectedCash: minor,
  /** Net amount per tender type over sales minus refunds. */
  byTender: z.record(z.string(), minor),
  generatedAt: isoTime,
  /** Per VAT rate, discounts, voids, overrides, no-sales and per cashier (issue 14); absent on older nodes. */
  breakdown: ShiftBreakdownSchema.optional(),
});
export type ShiftReport = z.infer<typeof ShiftReportSchema>;

export const DenominationSchema = z.object({ value: positiveMinor, count: quantity.min(0) });
const DenominationInputSchema = z.object({
  value: drawerAmountSchema.min(1, 'A denomination is worth more than zero.'),
  count: denominationCountSchema,
});

export const ZReportSchema = ShiftReportSchema.extend({
  kind: z.literal('Z'),
  countedCash: minor,
  /** counted − expected: positive is over, negative is short. */
  overShort: minor,
  denominations: z.array(DenominationSchema),
});
export type ZReport = z.infer<typeof ZReportSchema>;

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

/** An event the hub refused for ever, with its reason: staff must look at it (docs/sync.md §2). */
export const RejectedEventSchema = z.object({
  eventId: z.string(),
  deviceSeq: quantity,
  reason: z.string(),
  rejectedAt: isoTime,
});

export const SyncStatusSchema = z.object({
  hubUrl: z.string().nullable(),
  /**
   * The sync agent in a few words for the status bar. `offline` also covers an agent stopped by an
   * error only a person can fix: `state` and `error` say which.
   */
  agent: z.enum(['not-configured', 'not-running', 'offline', 'connecting', 'catching-up', 'live']),
  lastDeviceSeq: quantity,
  lastAckedSeq: quantity,
  pendingEvents: quantity,
  oldestPendingAt: isoTime.nullable(),
  oldestPendingAgeMs: quantity.nullable(),
  feedEpoch: z.string().nullable(),
  feedCursor: quantity,
  lastFeedAppliedAt: isoTime.nullable(),
  deferredFeedChanges: quantity,
  /** Connected to the hub right now (card refunds need it). Absent from nodes older than the agent. */
  online: z.boolean().optional(),
  /** The agent's own state (packages/sync SYNC_STATES), including `error` and `stopped`. */
  state: z.enum(['stopped', 'offline', 'connecting', 'catching_up', 'live', 'error']).optional(),
  /** When the feed was last pulled up to date, and the outbox last acknowledged. */
  lastPullAt: isoTime.nullable().optional(),
  lastPushAt: isoTime.nullable().optional(),
  /** Events the hub refused for ever, with its reasons, oldest first. */
  rejected: z.array(RejectedEventSchema).optional(),
  /** A snapshot download in progress (first sync, or after the hub's feed was reset). */
  snapshot: z.object({ received: quantity, total: quantity }).nullable().optional(),
  /** What is wrong when the agent is in `error`, or the failure being retried. */
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  /** When the agent tries again by itself. */
  nextRetryAt: isoTime.nullable().optional(),
  /** This till's device number (it changes once if a till restored from a backup became a new device). */
  deviceNo: z.number().int().optional(),
  /**
   * Why no sale or return can be completed on this till right now (it was restored from a backup and the
   * hub has not yet said which receipt numbers are free), or null.
   */
  numberingHold: z.string().nullable().optional(),
  /**
   * The HQ settings version this till runs (the last one its feed applied, kept while offline), or null
   * while HQ has published none to this store.
   */
  settingsVersion: z
    .object({ version: z.number().int().min(0), publishedAt: isoTime })
    .nullable()
    .optional(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const AuditEntrySchema = z.object({
  auditId: quantity,
  at: isoTime,
  action: z.string(),
  staffId: id.nullable(),
  subject: z.string().nullable(),
  overrideId: id.nullable(),
  txId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const CatalogPriceSchema = z.object({
  /** Per piece, or per kilogram for kg SKUs. */
  unitPrice: minor,
  taxInclusive: z.boolean(),
  priceBookId: z.string(),
  priceBookVersion: z.number().int(),
  tierMinQty: quantity,
  reason: z.string(),
});
export type CatalogPrice = z.infer<typeof CatalogPriceSchema>;

export const CatalogItemSchema = z.object({
  sku: id,
  name: z.string(),
  unit: z.enum(['each', 'kg']),
  taxCategory: z.string(),
  active: z.boolean(),
  barcodes: z.array(z.string()),
  /** The price right now for one piece (or, after a scale label scan, for the weighed quantity); null if unpriced. */
  price: CatalogPriceSchema.nullable(),
});
export type CatalogItem = z.infer<typeof CatalogItemSchema>;

/** A cashier's manual discount: a percentage of what remains of the line or order, or a fixed amount. */
export const ManualDiscountInputSchema = z.union([
  z.object({ percent: z.number().gt(0).max(100) }).strict(),
  z.object({ amount: positiveAmountSchema }).strict(),
]);

export const SaleLineViewSchema = z.object({
  lineId: id,
  sku: id,
  name: z.string(),
  unit: z.enum(['each', 'kg']),
  /** Pieces, or grams for kg SKUs. */
  qty: quantity,
  unitPrice: minor,
  taxInclusive: z.boolean(),
  priceSource: z.enum(['price_book', 'label', 'override']),
  priceBookId: z.string().nullable(),
  /** The book price an override replaced. */
  originalUnitPrice: minor.nullable(),
  extended: minor,
  adjustments: z.array(
    z.object({
      kind: z.enum(['promotion', 'manual_line', 'manual_order']),
      promotionId: z.string().nullable(),
      amount: minor,
      reason: z.string(),
    }),
  ),
  discount: ManualDiscountInputSchema.nullable(),
  net: minor,
  tax: minor,
  /** What the customer pays for the line, tax included. */
  paid: minor,
  /** On a sale the hub answered for (returns anywhere): what is still returnable after every store's returns. */
  returnableQty: z.number().int().min(0).safe().optional(),
});

export const SaleTenderViewSchema = z.object({
  tenderId: id,
  /**
   * store_credit is the credit of an exchange (no `redemption`) or a store credit account spent on this
   * sale (with `redemption`); gift_card and loyalty_points always carry `redemption`.
   */
  type: z.enum(['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points']),
  tendered: minor,
  amount: minor,
  change: minor,
  reference: z.string().nullable(),
  /** Points spent by a loyalty_points tender. */
  points: quantity.optional(),
  /** How a points, store credit or gift card payment is secured: an online hold or the offline allowance. */
  redemption: TenderRedemptionSchema.nullable().optional(),
});

/** A refund as a customer reads it: no account ids, a store credit slip by its code, a card masked. */
export const ExchangeRefundSchema = z.object({
  type: z.enum(REFUND_TENDER_TYPES),
  amount: minor,
  /** Points given back, for a loyalty_points refund. */
  points: quantity.nullable(),
  reference: z.string().nullable(),
});

export const SaleViewSchema = z.object({
  saleId: id,
  status: z.enum(['open', 'parked', 'completed', 'voided']),
  registerId: z.string(),
  shiftId: id.nullable(),
  staffId: id,
  customerId: z.string().nullable(),
  /** The attached customer with their points balance and its age (absent on nodes older than issue 7). */
  customer: SaleCustomerSchema.nullable().optional(),
  currency: z.string(),
  receiptNumber: z.string().nullable(),
  lines: z.array(SaleLineViewSchema),
  /**
   * Gift cards sold (`activate`: a card the hub and this till did not know) or reloaded on the sale. The
   * hub loads each card once when the sale reaches it; until then the card cannot be spent.
   */
  giftCards: z
    .array(
      z.object({
        lineId: id,
        kind: z.enum(['activate', 'reload']),
        maskedNumber: z.string(),
        amount: minor,
      }),
    )
    .optional(),
  orderDiscount: ManualDiscountInputSchema.nullable(),
  totals: z.object({
    subtotal: minor,
    discount: minor,
    tax: minor,
    /** Σ line paid before cash rounding. */
    total: minor,
    /** What to ask for if the whole sale is paid in cash (cash-rounded). */
    cashDue: minor,
  }),
  tenders: z.array(SaleTenderViewSchema),
  payment: z.object({
    /** Still owed, exact. */
    remaining: minor,
    /** What to ask for if the rest is paid in cash now (cash-rounded). */
    cashDue: minor,
    change: minor,
    cashRounding: minor,
    complete: z.boolean(),
  }),
  promotions: z.array(
    z.object({ promotionId: z.string(), version: z.number().int(), name: z.string(), total: minor }),
  ),
  taxSummary: z.array(
    z.object({ rateId: z.string(), name: z.string(), percent: z.number(), taxable: minor, tax: minor }),
  ),
  priceBookVersion: z.string(),
  /** Items brought back against another receipt in the same transaction (an exchange). */
  exchange: z
    .object({
      receiptNumber: z.string(),
      lines: z.array(z.object({ lineId: id, sku: z.string(), qty: positiveQuantity, refund: minor })),
      /** What the returned items refund. */
      refund: minor,
      /** The part of it spent on this sale. */
      credit: minor,
      /** The rest, refunded to the original tenders when the sale completes. */
      refundDue: minor,
      /** Once completed: the receipt number of the exchange's return half. */
      returnReceiptNumber: z.string().nullable().optional(),
      /**
       * Once completed: how `refundDue` went back, each as the customer reads it (points with their count,
       * a new store credit slip with its code, a gift card by its masked number), so none of it is hidden.
       */
      refunds: z.array(ExchangeRefundSchema).optional(),
    })
    .nullable(),
  startedAt: isoTime,
  completedAt: isoTime.nullable(),
  /** Present when this till does not hold the sale and the hub answered for it: the store that sold it. */
  soldAt: z.object({ storeId: z.string(), source: z.literal('hub') }).optional(),
});
export type SaleView = z.infer<typeof SaleViewSchema>;

export const DISPOSITIONS = ['sellable', 'damaged', 'quality_control', 'write_off'] as const;

export const ReturnViewSchema = z.object({
  returnId: id,
  receiptNumber: z.string(),
  originalSaleId: id.nullable(),
  originalReceiptNumber: z.string().nullable(),
  registerId: z.string(),
  shiftId: id,
  staffId: id,
  currency: z.string(),
  lines: z.array(
    z.object({
      returnLineId: id,
      originalLineId: id.nullable(),
      sku: id,
      name: z.string(),
      unit: z.enum(['each', 'kg']),
      qty: positiveQuantity,
      refund: minor,
      disposition: z.enum(DISPOSITIONS),
    }),
  ),
  refunds: z.array(
    z.object({
      tenderId: id,
      type: z.enum(REFUND_TENDER_TYPES),
      amount: minor,
      reference: z.string().nullable(),
      /** Points given back by a loyalty_points refund. */
      points: quantity.nullable().optional(),
      originalTenderId: id.nullable(),
    }),
  ),
  total: minor,
  /** Why the money goes back the way it does (offline card shares, no receipt), for the cashier. */
  notes: z.array(z.string()),
  completedAt: isoTime,
});
export type ReturnView = z.infer<typeof ReturnViewSchema>;

/** What a receipt shows, independent of how it is printed (80 mm HTML today, ESC/POS later). */
export const ReceiptSchema = z.object({
  kind: z.enum(['sale', 'return']),
  /** A reprint: the receipt says COPY so it cannot pass for a second purchase. */
  copy: z.boolean(),
  /** Sale voided after completion: the receipt says VOID. */
  voided: z.boolean(),
  receiptNumber: z.string(),
  originalReceiptNumber: z.string().nullable(),
  issuedAt: isoTime,
  currency: z.string(),
  locale: z.string(),
  timezone: z.string(),
  store: z.object({ code: z.string(), name: z.string().nullable() }),
  deviceNo: z.number().int(),
  staffName: z.string().nullable(),
  lines: z.array(
    z.object({
      sku: z.string(),
      name: z.string(),
      unit: z.enum(['each', 'kg']),
      qty: quantity,
      unitPrice: minor.nullable(),
      amount: minor,
      adjustments: z.array(z.object({ label: z.string(), amount: minor })),
      note: z.string().nullable(),
    }),
  ),
  totals: z.object({
    subtotal: minor,
    discount: minor,
    tax: minor,
    total: minor,
    cashRounding: minor,
    change: minor,
  }),
  taxes: z.array(z.object({ name: z.string(), percent: z.number(), taxable: minor, tax: minor })),
  payments: z.array(
    z.object({
      type: z.string(),
      amount: minor,
      tendered: minor,
      change: minor,
      reference: z.string().nullable(),
      /** Points paid or refunded by a loyalty_points payment. */
      points: quantity.nullable().optional(),
    }),
  ),
  promotions: z.array(z.object({ name: z.string(), total: minor })),
  /**
   * The items an exchange took back and how what they refunded beyond the new items went back (issue 14,
   * bug 4); null on any other receipt.
   */
  exchange: z
    .object({
      returnReceiptNumber: z.string(),
      originalReceiptNumber: z.string(),
      lines: z.array(
        z.object({ name: z.string(), unit: z.enum(['each', 'kg']), qty: quantity, amount: minor }),
      ),
      refunds: z.array(ExchangeRefundSchema),
    })
    .nullable()
    .optional(),
  /** The store's legal header from HQ (`pos.receipt.legalHeader`): company, address, VAT number. */
  legal: LegalHeaderSchema.nullable().optional(),
  /**
   * Store credit this receipt issues (a return's, or an exchange's refund beyond the new items), printed as
   * a slip the customer keeps: the short code spends it, the customer's name when one was attached.
   */
  storeCreditSlips: z
    .array(z.object({ code: z.string(), amount: minor, customerName: z.string().nullable() }))
    .optional(),
  /** Loyalty points earned or redeemed (issue 7); null until the sale carries them. */
  loyalty: z.object({ earned: quantity, redeemed: quantity, balance: quantity.nullable() }).nullable(),
  notes: z.array(z.string()),
  barcode: z.object({ symbology: z.literal('code128'), value: z.string() }),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

/** Thermal rolls a receipt is laid out for: the page size of the HTML, the column count of ESC/POS. */
export const PaperWidthSchema = z.enum(['80mm', '58mm']);

/**
 * Raw ESC/POS for a receipt printer without an OS driver: the printer model (its code pages and font
 * widths; generic Epson-compatible when absent), whether to cut, and a drawer kick before printing.
 */
export const EscPosRequestSchema = z
  .object({
    printerModel: z.string().trim().min(1).max(40).optional(),
    cut: z.boolean().default(true),
    drawerKick: z
      .object({
        pin: z.union([z.literal(0), z.literal(1)]).default(0),
        onMs: z.number().int().min(2).max(510).default(100),
        offMs: z.number().int().min(2).max(510).default(500),
      })
      .strict()
      .optional(),
  })
  .strict();

const hubUrl = z.url({
  protocol: /^https?$/,
  error: 'The hub address must be an http(s) URL such as https://hub.example.com.',
});

/** The first manager of a new till: without one nobody could sign in (staff do not come from the hub). */
export const FirstManagerSchema = z
  .object({ staffCode: StaffCodeSchema, name: z.string().trim().min(1).max(100), pin: PinSchema })
  .strict();

/** How a new till is set up: what `pos-store init` takes, as the desktop app's first-run screen sends it. */
const setupDetails = {
  locale: z.string().trim().min(2).max(35).optional(),
  timezone: z.string().trim().min(1).max(64).optional(),
  cashRoundingIncrement: z.number().int().min(1).max(100_000).optional(),
  firstManager: FirstManagerSchema,
};
export const NodeSetupRequestSchema = z.discriminatedUnion('mode', [
  /** Enrolled with the hub: store, device number, currency and time zone come from HQ. */
  z
    .object({
      mode: z.literal('enroll'),
      hubUrl,
      code: z.string().trim().min(4, 'Type the enrollment code from the HQ dashboard.').max(100),
      /** How HQ sees this till in its device list (the register's name). */
      deviceName: z.string().trim().min(1).max(100).optional(),
      ...setupDetails,
    })
    .strict(),
  /** A store without a hub (a demo, a single shop): this till says who it is. */
  z
    .object({
      mode: z.literal('standalone'),
      storeId: z.string().trim().min(1).max(100),
      storeCode: z.string().trim().min(1).max(12),
      deviceNo: z.number().int().min(1).max(999),
      currency: z.string().trim().length(3),
      ...setupDetails,
    })
    .strict(),
]);
export type NodeSetupRequest = z.input<typeof NodeSetupRequestSchema>;

export const NodeSetupStatusSchema = z.discriminatedUnion('state', [
  /** A new till: only node-setup is answered until it is set up. */
  z.object({ state: z.literal('needs-setup'), hubUrl: z.string().nullable() }),
  z.object({
    state: z.literal('ready'),
    storeCode: z.string(),
    deviceNo: z.number().int(),
    hubUrl: z.string().nullable(),
    /** Whether the till holds a device credential from the hub (it syncs). */
    enrolled: z.boolean(),
  }),
]);
export type NodeSetupStatus = z.infer<typeof NodeSetupStatusSchema>;

/** Commands that do their work outside a database transaction (network, files); see engine/node-admin. */
export const NODE_ADMIN_COMMANDS = ['node-hub-connect', 'node-backup'] as const;
export type NodeAdminCommandName = (typeof NODE_ADMIN_COMMANDS)[number];

const saleId = z.object({ saleId: id });

const stockLines = <T extends z.ZodRawShape>(shape: T) => z.array(z.object(shape)).min(1).max(500);

function command<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  auth: CommandAuth;
  summary: string;
  request: Req;
  response: Res;
}) {
  return spec;
}

const empty = z.object({}).strict();

export const STORE_COMMANDS = {
  'node-info': command({
    auth: 'none',
    summary: 'Who this store node is: store, device, currency, locale.',
    request: empty,
    response: z.object({
      storeId: id,
      storeCode: z.string(),
      storeName: z.string().nullable(),
      deviceId: id,
      deviceNo: z.number().int(),
      currency: z.string(),
      locale: z.string(),
      timezone: z.string(),
      cashRoundingIncrement: z.number().int(),
    }),
  }),
  'staff-sign-in': command({
    auth: 'none',
    summary: 'Sign in with staff code and PIN; returns a session for the following commands.',
    request: z.object({ staffCode: StaffCodeSchema, pin: PinSchema }).strict(),
    response: z.object({ session: z.string(), expiresAt: isoTime, staff: StaffSummarySchema }),
  }),
  'staff-session': command({
    auth: 'cashier',
    summary: 'The staff member the session belongs to.',
    request: empty,
    response: z.object({ staff: StaffSummarySchema, expiresAt: isoTime }),
  }),
  'staff-sign-out': command({
    auth: 'cashier',
    summary: 'End the session.',
    request: empty,
    response: z.object({ signedOutAt: isoTime }),
  }),
  'staff-override': command({
    auth: 'cashier',
    summary: 'A manager authorizes one action with their PIN; the next command of that kind consumes it.',
    request: z
      .object({
        managerCode: StaffCodeSchema,
        managerPin: PinSchema,
        action: z.enum(OVERRIDE_ACTIONS),
        reason,
      })
      .strict(),
    response: z.object({
      overrideId: id,
      action: z.enum(OVERRIDE_ACTIONS),
      managerId: id,
      managerName: z.string(),
      expiresAt: isoTime,
    }),
  }),
  'staff-create': command({
    auth: 'manager',
    summary: 'Add a staff member with a role and PIN.',
    request: z
      .object({
        staffCode: StaffCodeSchema,
        name: z.string().trim().min(1).max(100),
        role: z.enum(ROLES),
        pin: PinSchema,
      })
      .strict(),
    response: StaffSummarySchema,
  }),
  'staff-unlock': command({
    auth: 'manager',
    summary: 'Lift a PIN lockout: on one lane, or on every lane when no lane is given.',
    request: z.object({ staffCode: StaffCodeSchema, laneId: id.optional() }).strict(),
    response: StaffSummarySchema,
  }),
  'staff-list': command({
    auth: 'supervisor',
    summary: 'All staff with role and lockout state.',
    request: empty,
    response: z.object({ staff: z.array(StaffSummarySchema) }),
  }),
  'shift-open': command({
    auth: 'cashier',
    summary: 'Open a shift on a register with a cash float.',
    request: z.object({ registerId, float: drawerAmountSchema }).strict(),
    response: ShiftSummarySchema,
  }),
  'shift-current': command({
    auth: 'cashier',
    summary: 'The open shift on a register, if any.',
    request: z.object({ registerId }).strict(),
    response: z.object({ shift: ShiftSummarySchema.nullable() }),
  }),
  'shift-cash-in': command({
    auth: 'cashier',
    summary: 'Put cash into the drawer (e.g. change from the safe).',
    request: z
      .object({ registerId, amount: drawerAmountSchema.min(1, 'An amount must be more than zero.'), reason })
      .strict(),
    response: CashMovementSchema,
  }),
  'shift-cash-out': command({
    auth: 'cashier',
    summary: 'Take cash out of the drawer with a reason; above the limit a manager override is needed.',
    request: z
      .object({
        registerId,
        amount: drawerAmountSchema.min(1, 'An amount must be more than zero.'),
        reason,
        overrideId: id.optional(),
      })
      .strict(),
    response: CashMovementSchema,
  }),
  'shift-x-report': command({
    auth: 'cashier',
    summary: 'Mid-shift report: takings so far and the cash the drawer should hold.',
    request: z.object({ registerId }).strict(),
    response: ShiftReportSchema,
  }),
  'shift-close': command({
    auth: 'cashier',
    summary: 'Close the shift with the counted cash by denomination; returns the Z report.',
    request: z
      .object({
        registerId,
        denominations: z
          .array(DenominationInputSchema)
          .max(40)
          .refine((list) => new Set(list.map((d) => d.value)).size === list.length, {
            message: 'List each denomination once.',
          }),
      })
      .strict(),
    response: ZReportSchema,
  }),
  'drawer-open': command({
    auth: 'cashier',
    summary:
      'Authorize one opening of the cash drawer (audited): for a cash sale, refund or cash movement, or with no sale (supervisor and above). The desktop shell kicks the drawer only with the grant this returns.',
    request: z.object({ registerId, reason: z.enum(DRAWER_OPEN_REASONS), reference: id.optional() }).strict(),
    response: z.object({
      openingId: id,
      openedAt: isoTime,
      /** Null when this node has no drawer connected to it (a headless node, a browser lane's view). */
      grant: z.string().nullable(),
      expiresAt: isoTime,
    }),
  }),
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
  'sale-start': command({
    auth: 'cashier',
    summary: 'Start a sale on a register; the register needs an open shift.',
    request: z.object({ registerId }).strict(),
    response: SaleViewSchema,
  }),
  'sale-current': command({
    auth: 'cashier',
    summary: 'The sale in progress on a register, if any (a lane picks it up again after a restart).',
    request: z.object({ registerId }).strict(),
    response: z.object({ sale: SaleViewSchema.nullable() }),
  }),
  'sale-get': command({
    auth: 'cashier',
    summary: 'A sale as it stands: lines, promotions, tax, totals, tenders.',
    request: saleId.strict(),
    response: SaleViewSchema,
  }),
  'sale-add-line': command({
    auth: 'cashier',
    summary:
      'Add an item by scanned code (GTIN, store code or scale label with weight or price) or by SKU; qty is pieces, or grams for weighed goods.',
    request: z
      .object({
        saleId: id,
        code: z.string().trim().min(1).max(100).optional(),
        sku: id.optional(),
        qty: lineQtySchema.optional(),
      })
      .strict()
      .refine((input) => (input.code === undefined) !== (input.sku === undefined), {
        message: 'Give either a scanned code or a SKU.',
      }),
    response: SaleViewSchema,
  }),
  'sale-add-gift-card': command({
    auth: 'cashier',
    summary:
      'Sell a gift card (a number the hub does not know yet) or reload one, for `amount`; the hub loads the card once the sale reaches it.',
    request: z.object({ saleId: id, number: StoredValueNumberSchema, amount: positiveAmountSchema }).strict(),
    response: SaleViewSchema,
  }),
  'sale-set-qty': command({
    auth: 'cashier',
    summary: 'Change the quantity (pieces, or grams) of a line.',
    request: z.object({ saleId: id, lineId: id, qty: lineQtySchema }).strict(),
    response: SaleViewSchema,
  }),
  'sale-remove-line': command({
    auth: 'cashier',
    summary: 'Take a line off the sale.',
    request: z.object({ saleId: id, lineId: id }).strict(),
    response: SaleViewSchema,
  }),
  'sale-override-price': command({
    auth: 'cashier',
    summary: "Replace a line's unit price; needs a manager override (price-override).",
    request: z
      .object({ saleId: id, lineId: id, unitPrice: amountSchema, reason, overrideId: id.optional() })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-discount-line': command({
    auth: 'cashier',
    summary:
      "Give (or with null, remove) a manual discount on a line; beyond the role's limit a supervisor or manager approves it (discount-over-limit).",
    request: z
      .object({
        saleId: id,
        lineId: id,
        discount: ManualDiscountInputSchema.nullable(),
        overrideId: id.optional(),
      })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-discount-order': command({
    auth: 'cashier',
    summary:
      "Give (or with null, remove) a manual discount on the whole sale; beyond the role's limit a supervisor or manager approves it (discount-over-limit).",
    request: z
      .object({ saleId: id, discount: ManualDiscountInputSchema.nullable(), overrideId: id.optional() })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-attach-customer': command({
    auth: 'cashier',
    summary:
      'Attach (or with null, detach) a customer to the sale; the sale view then carries the customer and their points balance with its age.',
    request: z.object({ saleId: id, customerId: id.nullable() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-park': command({
    auth: 'cashier',
    summary: 'Put a sale aside to serve someone else; it keeps its lines.',
    request: saleId.strict(),
    response: SaleViewSchema,
  }),
  'sale-resume': command({
    auth: 'cashier',
    summary: 'Bring a parked sale back onto a register with an open shift.',
    request: z.object({ saleId: id, registerId }).strict(),
    response: SaleViewSchema,
  }),
  'sale-list-parked': command({
    auth: 'cashier',
    summary: 'Parked sales, oldest first.',
    request: empty,
    response: z.object({
      sales: z.array(
        z.object({
          saleId: id,
          registerId: z.string(),
          staffId: id,
          parkedAt: isoTime,
          lines: quantity,
          total: minor,
        }),
      ),
    }),
  }),
  'sale-add-tender': command({
    auth: 'cashier',
    summary:
      'Add a payment: cash (amount handed over), card (amount charged, terminal reference), loyalty points, store credit or gift card (held at the hub when it answers, else within the offline allowance: OFFLINE_LIMIT beyond it).',
    request: z
      .object({
        saleId: id,
        tender: z.discriminatedUnion('type', [
          z.object({ type: z.literal('cash'), amount: positiveAmountSchema }).strict(),
          z
            .object({
              type: z.literal('card'),
              amount: positiveAmountSchema,
              reference: z.string().trim().min(1).max(100),
            })
            .strict(),
          ...LOYALTY_TENDER_INPUTS,
        ]),
      })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-remove-tender': command({
    auth: 'cashier',
    summary:
      'Take a payment off the sale before it completes (a points, store credit or gift card hold is released).',
    request: z.object({ saleId: id, tenderId: id }).strict(),
    response: SaleViewSchema,
  }),
  'sale-set-exchange': command({
    auth: 'cashier',
    summary:
      'Turn the sale into an exchange: items of an earlier receipt come back in the same transaction and what they refund pays for this sale (null removes it).',
    request: z
      .object({
        saleId: id,
        exchange: z
          .object({
            receiptNumber: z.string().trim().min(1).max(60),
            lines: z
              .array(
                z.object({
                  lineId: id,
                  qty: lineQtySchema,
                  disposition: z.enum(DISPOSITIONS).default('sellable'),
                }),
              )
              .min(1)
              .max(200),
          })
          .nullable(),
      })
      .strict(),
    response: SaleViewSchema,
  }),
  'sale-complete': command({
    auth: 'cashier',
    summary:
      "Complete a fully paid sale in one transaction: receipt number, lines, tax, tenders, stock movements and the sale.completed event. Manual discounts are checked against the final cart: beyond the role's limit a supervisor or manager approves them (discount-over-limit).",
    request: z.object({ saleId: id, overrideId: id.optional() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-void': command({
    auth: 'cashier',
    summary: 'Abandon a sale that is not completed; needs a manager override (sale-void).',
    request: z.object({ saleId: id, reason, overrideId: id.optional() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-post-void': command({
    auth: 'cashier',
    summary:
      'Cancel a completed sale during the same shift: tenders refunded, stock put back; needs a manager override (sale-post-void).',
    request: z.object({ saleId: id, reason, overrideId: id.optional() }).strict(),
    response: SaleViewSchema,
  }),
  'sale-find': command({
    auth: 'cashier',
    summary: 'A completed or voided sale by its receipt number.',
    request: z.object({ receiptNumber: z.string().trim().min(1).max(60) }).strict(),
    response: SaleViewSchema,
  }),
  'return-create': command({
    auth: 'cashier',
    summary:
      'Return items of a receipt: at most what was sold minus earlier returns, refunded per line as paid, to the original tenders (card shares go to cash or store credit while the hub is offline).',
    request: z
      .object({
        registerId,
        receiptNumber: z.string().trim().min(1).max(60),
        lines: z
          .array(
            z.object({
              lineId: id,
              qty: lineQtySchema,
              disposition: z.enum(DISPOSITIONS).default('sellable'),
            }),
          )
          .min(1)
          .max(200),
        /**
         * The customer a new store credit slip from this return belongs to (optional; found with
         * customer-find first): the hub opens the credit under that customer, and the slip names them.
         */
        customerId: id.optional(),
      })
      .strict(),
    response: ReturnViewSchema,
  }),
  'return-without-receipt': command({
    auth: 'cashier',
    summary:
      'Return items without a receipt: needs a manager override, refunds store credit only, at the lowest price of the item in the recent window.',
    request: z
      .object({
        registerId,
        lines: z
          .array(
            z.object({
              sku: id,
              qty: lineQtySchema,
              disposition: z.enum(DISPOSITIONS).default('sellable'),
            }),
          )
          .min(1)
          .max(50),
        reason,
        overrideId: id.optional(),
        /**
         * The number on the receipt the customer brought when neither the till nor the hub could find it
         * (the hub offline): the no-receipt rules apply, and the hub links the return to the sale later.
         */
        originalReceiptNumber: z.string().trim().min(1).max(60).optional(),
        /**
         * The customer a new store credit slip from this return belongs to (optional; found with
         * customer-find first): the hub opens the credit under that customer, and the slip names them.
         */
        customerId: id.optional(),
      })
      .strict(),
    response: ReturnViewSchema,
  }),
  'return-get': command({
    auth: 'cashier',
    summary: 'A return by its receipt number.',
    request: z.object({ receiptNumber: z.string().trim().min(1).max(60) }).strict(),
    response: ReturnViewSchema,
  }),
  'receipt-list': command({
    auth: 'cashier',
    summary:
      "This node's own sale and return receipts, newest first: the most recent, or those of one day in the store's time zone.",
    request: z
      .object({
        /** A day in the store's time zone (YYYY-MM-DD); without it, the most recent receipts. */
        date: z.iso.date().optional(),
        limit: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
    response: z.object({
      receipts: z.array(
        z.object({
          receiptNumber: z.string(),
          kind: z.enum(['sale', 'return']),
          issuedAt: isoTime,
          total: minor,
          currency: z.string(),
          voided: z.boolean(),
        }),
      ),
    }),
  }),
  'receipt-preview': command({
    auth: 'cashier',
    summary:
      "The receipt of a sale or return and its HTML for an 80 mm (default) or 58 mm roll, without recording a print; a receipt this node does not hold (another store's sale, an online order) is asked of the hub and shown as a COPY.",
    request: z
      .object({
        receiptNumber: z.string().trim().min(1).max(60),
        paper: PaperWidthSchema.optional(),
        /** Shown as a copy even if no print was recorded (receipt lookup: the customer has left). */
        copy: z.literal(true).optional(),
      })
      .strict(),
    response: z.object({ receipt: ReceiptSchema, html: z.string() }),
  }),
  'receipt-print': command({
    auth: 'cashier',
    summary:
      "The receipt to print now (HTML for the roll, and raw ESC/POS bytes when asked for); every print after the first, and every print of a receipt asked of the hub (another store's sale, an online order), is marked COPY, and every print is audited.",
    request: z
      .object({
        receiptNumber: z.string().trim().min(1).max(60),
        paper: PaperWidthSchema.optional(),
        escpos: EscPosRequestSchema.optional(),
        /**
         * Printed as a COPY even if no print was recorded: a receipt found by receipt lookup is reprinted
         * after the customer left with the sale, so it must not pass for a second purchase.
         */
        copy: z.literal(true).optional(),
      })
      .strict(),
    response: z.object({
      receipt: ReceiptSchema,
      html: z.string(),
      printNo: z.number().int().min(1),
      /** The same receipt as ESC/POS bytes (base64), when `escpos` was asked for. */
      escpos: z.base64().optional(),
      /**
       * On a desktop till: the ESC/POS bytes (without a drawer kick) signed for the shell's main process,
       * which sends only signed bytes to the raw printer (engine/print-grant.ts). The page passes it on.
       */
      escposGrant: z.string().optional(),
    }),
  }),
  'node-setup-status': command({
    auth: 'none',
    summary:
      'Whether this node is set up yet (a new till shows its setup screen) and which hub it syncs with.',
    request: empty,
    response: NodeSetupStatusSchema,
  }),
  'node-setup': command({
    auth: 'none',
    summary:
      'Set a new till up, enrolled with the hub or standalone, with its first manager; answered only by a node that is not set up yet.',
    request: NodeSetupRequestSchema,
    response: z.object({
      storeId: id,
      storeCode: z.string(),
      storeName: z.string().nullable(),
      deviceNo: z.number().int(),
      hubUrl: z.string().nullable(),
      managerStaffCode: z.string(),
    }),
  }),
  'node-hub-connect': command({
    auth: 'manager',
    summary:
      'Point this till at a (moved) hub, or enroll a till that is not enrolled yet with a one-time code from HQ; the sync agent restarts without restarting the node.',
    request: z
      .object({
        hubUrl,
        code: z.string().trim().min(4).max(100).optional(),
        deviceName: z.string().trim().min(1).max(100).optional(),
      })
      .strict(),
    response: z.object({ hubUrl: z.string(), enrolled: z.boolean() }),
  }),
  'node-backup': command({
    auth: 'manager',
    summary:
      "Back the node's database up online (consistent while sales go on) into the data folder's backups, integrity-checked.",
    request: empty,
    response: z.object({ file: z.string(), pages: z.number().int(), schema: z.string(), createdAt: isoTime }),
  }),
  'catalog-search': command({
    auth: 'cashier',
    summary: 'Find products by words of their name or SKU code (prefix match), best matches first.',
    request: z
      .object({ query: z.string().max(100), limit: z.number().int().min(1).max(50).default(20) })
      .strict(),
    response: z.object({ items: z.array(CatalogItemSchema) }),
  }),
  'price-check': command({
    auth: 'cashier',
    summary:
      'Price check without a sale: an item by scanned code or SKU, its price now, the promotions in force that concern it, and its stock here.',
    request: z
      .object({ code: z.string().trim().min(1).max(100).optional(), sku: id.optional() })
      .strict()
      .refine((input) => (input.code === undefined) !== (input.sku === undefined), {
        message: 'Give either a scanned code or a SKU.',
      }),
    response: z.object({
      item: CatalogItemSchema,
      promotions: z.array(
        z.object({
          promotionId: id,
          name: z.string(),
          /** What the rule does, in words ("3 for €5.00"). */
          description: z.string(),
          /** Until when it runs (null: no end). */
          endsAt: isoTime.nullable(),
        }),
      ),
      /** This store's stock of the item, from the till's own copy. */
      stock: LocalStockSchema,
    }),
  }),
  'price-check-nearby': command({
    auth: 'cashier',
    summary:
      "A price check's stock at the chain's other stores, nearest first, asked of the hub while it is online; offline (or the hub not answering) it says so instead.",
    request: z.object({ sku: id }).strict(),
    response: z.discriminatedUnion('source', [
      z.object({
        source: z.literal('hub'),
        /** By straight-line distance from this store, or by region when the hub has no locations. */
        orderedBy: z.enum(['distance', 'region']),
        stores: z.array(
          z.object({
            storeId: id,
            code: z.string(),
            name: z.string(),
            region: z.string(),
            distanceMetres: z.number().int().min(0).nullable(),
            onHand: quantity,
            /** What the store can still sell (less units promised to orders and its safety stock). */
            available: quantity,
          }),
        ),
      }),
      z.object({
        source: z.literal('none'),
        /** `offline`: the hub is not reachable now; `refused`: the hub answered with the message. */
        reason: z.enum(['offline', 'refused']),
        message: z.string(),
      }),
    ]),
  }),
  'catalog-scan': command({
    auth: 'cashier',
    summary: 'Look up a scanned or keyed barcode, including scale labels with an embedded weight or price.',
    request: z.object({ code: z.string().trim().min(1).max(100) }).strict(),
    response: z.object({
      item: CatalogItemSchema,
      scan: z.object({
        kind: z.enum(['gtin', 'variable', 'code']),
        key: z.string(),
        weightGrams: quantity.nullable(),
        embeddedPrice: minor.nullable(),
      }),
    }),
  }),
  'sync-status': command({
    auth: 'none',
    summary: 'Outbox and feed state for the status bar.',
    request: empty,
    response: SyncStatusSchema,
  }),
  'sync-now': command({
    auth: 'cashier',
    summary: 'Try the hub again now: forget waits after failures, reconnect if needed, push and pull.',
    request: empty,
    response: SyncStatusSchema,
  }),
  'sync-network-back': command({
    auth: 'none',
    summary:
      "The operating system reports the network back (the till window's online event): a sync agent that is waiting to retry tries the hub now; a live one is left alone.",
    request: empty,
    response: SyncStatusSchema,
  }),
  'audit-log-list': command({
    auth: 'supervisor',
    summary: 'The audit log, newest first.',
    request: z
      .object({
        limit: z.number().int().min(1).max(500).default(100),
        beforeId: z.number().int().positive().optional(),
        action: z.string().max(60).optional(),
      })
      .strict(),
    response: z.object({ entries: z.array(AuditEntrySchema) }),
  }),
  ...BOPIS_COMMANDS,
  ...ORDER_RETURN_COMMANDS,
  ...LOYALTY_COMMANDS,
  ...LANE_COMMANDS,
} as const;

export type StoreCommands = typeof STORE_COMMANDS;
export type CommandName = keyof StoreCommands;
export const COMMAND_NAMES = Object.keys(STORE_COMMANDS) as CommandName[];
/** What a caller sends (defaults may be left out). */
export type CommandInput<N extends CommandName> = z.input<StoreCommands[N]['request']>;
/** What a handler receives, after validation and defaults. */
export type CommandRequest<N extends CommandName> = z.output<StoreCommands[N]['request']>;
export type CommandResponse<N extends CommandName> = z.output<StoreCommands[N]['response']>;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(STORE_COMMANDS, name);
}

export const ROLE_RANK: Readonly<Record<Role, number>> = { cashier: 1, supervisor: 2, manager: 3 };

/** The socket.io event that carries commands, and its payload: `socket.emit('command', message, ack)`. */
export const COMMAND_EVENT = 'command';
export const CommandMessageSchema = z.object({
  name: z.string().min(1).max(60),
  input: z.unknown(),
  /** The session from `staff-sign-in`, for commands that need a signed-in staff member. */
  session: z.string().min(1).max(200).optional(),
});
export type CommandMessage = z.infer<typeof CommandMessageSchema>;
