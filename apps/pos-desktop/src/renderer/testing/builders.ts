import type {
  CatalogItem,
  CommandResponse,
  LocalStock,
  ReturnView,
  SaleView,
  ShiftReport,
  ShiftSummary,
  StaffSummary,
  SyncStatus,
  ZReport,
} from '../../shared/commands';
import type { CustomerSummary, LoyaltyStatus, StoredValueStatus } from '../../shared/loyalty-commands';

/** Contract-shaped answers for the fake store node, with sums that add up like the real node's. */

export const NODE_INFO: CommandResponse<'node-info'> = {
  storeId: 'store-1',
  storeCode: 'S001',
  storeName: 'Demo store',
  deviceId: '01900000-0000-7000-8000-000000000001',
  deviceNo: 1,
  currency: 'EUR',
  locale: 'en-IE',
  timezone: 'Europe/Dublin',
  cashRoundingIncrement: 1,
};

export const AT = '2026-11-23T10:00:00.000Z';

export function staff(
  role: StaffSummary['role'] = 'cashier',
  overrides: Partial<StaffSummary> = {},
): StaffSummary {
  const names = { cashier: 'Casey Cashier', supervisor: 'Sam Supervisor', manager: 'Morgan Manager' };
  const codes = { cashier: '3001', supervisor: '2001', manager: '1001' };
  return {
    staffId: `staff-${role}`,
    staffCode: codes[role],
    name: names[role],
    role,
    active: true,
    lockedUntil: null,
    ...overrides,
  };
}

export function signInAnswer(
  role: StaffSummary['role'] = 'cashier',
  session = `session-${role}`,
): CommandResponse<'staff-sign-in'> {
  return { session, expiresAt: '2026-11-23T22:00:00.000Z', staff: staff(role) };
}

export function catalogItem(overrides: Partial<CatalogItem> = {}): CatalogItem {
  return {
    sku: 'SKU0000001',
    name: 'Smooth Bread family size',
    unit: 'each',
    taxCategory: 'food',
    active: true,
    barcodes: ['4000000000013'],
    price: {
      unitPrice: 720,
      taxInclusive: true,
      priceBookId: 'chain',
      priceBookVersion: 1,
      tierMinQty: 1,
      reason: 'chain price',
    },
    ...overrides,
  };
}

type SaleLine = SaleView['lines'][number];

/** Builds a line; pass `extended: undefined` / `paid: undefined` to have them computed again. */
export function saleLine(given: Partial<SaleLine> & { lineId: string }): SaleLine {
  const overrides = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined),
  ) as Partial<SaleLine> & {
    lineId: string;
  };
  const qty = overrides.qty ?? 1;
  const unitPrice = overrides.unitPrice ?? 720;
  const unit = overrides.unit ?? 'each';
  const extended =
    overrides.extended ?? (unit === 'kg' ? Math.round((qty * unitPrice) / 1000) : qty * unitPrice);
  const adjustments = overrides.adjustments ?? [];
  const paid =
    overrides.paid ?? extended - adjustments.reduce((total, adjustment) => total + adjustment.amount, 0);
  return {
    sku: 'SKU0000001',
    name: 'Smooth Bread family size',
    unit,
    qty,
    unitPrice,
    taxInclusive: true,
    priceSource: 'price_book',
    priceBookId: 'chain',
    originalUnitPrice: null,
    extended,
    adjustments,
    discount: null,
    net: paid,
    tax: 0,
    paid,
    ...overrides,
  };
}

type Tender = SaleView['tenders'][number];

export function saleView(lines: readonly SaleLine[], overrides: Partial<SaleView> = {}): SaleView {
  const tenders: readonly Tender[] = overrides.tenders ?? [];
  // Gift cards sold or reloaded count in the totals as the node's do, untouched by discounts or tax.
  const loads = (overrides.giftCards ?? []).reduce((total, load) => total + load.amount, 0);
  const subtotal = lines.reduce((total, line) => total + line.extended, loads);
  const total = lines.reduce((total, line) => total + line.paid, loads);
  const applied = tenders.reduce((sum, tender) => sum + tender.amount, 0);
  const change = tenders.reduce((sum, tender) => sum + tender.change, 0);
  const remaining = Math.max(0, total - applied);
  return {
    saleId: 'sale-1',
    status: 'open',
    registerId: 'main',
    shiftId: 'shift-1',
    staffId: 'staff-cashier',
    customerId: null,
    currency: 'EUR',
    receiptNumber: null,
    lines: [...lines],
    orderDiscount: null,
    totals: { subtotal, discount: subtotal - total, tax: 0, total, cashDue: total },
    tenders: [...tenders],
    payment: {
      remaining,
      cashDue: remaining,
      change,
      cashRounding: 0,
      complete: remaining === 0 && (lines.length > 0 || loads > 0),
    },
    promotions: [],
    taxSummary: [],
    priceBookVersion: 'chain@1',
    exchange: null,
    startedAt: AT,
    completedAt: null,
    ...overrides,
  };
}

export function cashTender(tendered: number, amount: number, overrides: Partial<Tender> = {}): Tender {
  return {
    tenderId: `tender-${tendered}`,
    type: 'cash',
    tendered,
    amount,
    change: tendered - amount,
    reference: null,
    ...overrides,
  };
}

export function shift(overrides: Partial<ShiftSummary> = {}): ShiftSummary {
  return {
    shiftId: 'shift-1',
    registerId: 'main',
    staffId: 'staff-cashier',
    currency: 'EUR',
    float: 10000,
    status: 'open',
    openedAt: AT,
    closedAt: null,
    ...overrides,
  };
}

export function xReport(overrides: Partial<ShiftReport> = {}): ShiftReport {
  return {
    kind: 'X',
    shift: shift(),
    currency: 'EUR',
    float: 10000,
    salesCount: 3,
    salesTotal: 4520,
    returnsCount: 1,
    returnsTotal: 720,
    cashSales: 3800,
    cashRefunds: 720,
    cashIn: 0,
    cashOut: 2000,
    expectedCash: 11080,
    byTender: { cash: 3080, card: 720 },
    generatedAt: '2026-11-23T12:00:00.000Z',
    ...overrides,
  };
}

export function zReport(overrides: Partial<ZReport> = {}): ZReport {
  return {
    ...xReport(),
    kind: 'Z',
    shift: shift({ status: 'closed', closedAt: '2026-11-23T18:00:00.000Z' }),
    countedCash: 11000,
    overShort: -80,
    denominations: [
      { value: 5000, count: 2 },
      { value: 1000, count: 1 },
    ],
    ...overrides,
  };
}

export function localStock(overrides: Partial<LocalStock> & { sku: string }): LocalStock {
  return {
    sellable: 40,
    staged: 0,
    damaged: 0,
    qualityControl: 0,
    onHand: 40,
    incoming: 0,
    reservedUnstaged: 0,
    safetyStock: 2,
    atp: 38,
    pendingMovements: 0,
    hasSnapshot: true,
    ...overrides,
  };
}

export function syncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    hubUrl: null,
    agent: 'not-configured',
    lastDeviceSeq: 0,
    lastAckedSeq: 0,
    pendingEvents: 0,
    oldestPendingAt: null,
    oldestPendingAgeMs: null,
    feedEpoch: 'demo',
    feedCursor: 10,
    lastFeedAppliedAt: AT,
    deferredFeedChanges: 0,
    ...overrides,
  };
}

export function returnView(overrides: Partial<ReturnView> = {}): ReturnView {
  return {
    returnId: 'return-1',
    receiptNumber: 'S001-1-000002',
    originalSaleId: 'sale-1',
    originalReceiptNumber: 'S001-1-000001',
    registerId: 'main',
    shiftId: 'shift-1',
    staffId: 'staff-cashier',
    currency: 'EUR',
    lines: [
      {
        returnLineId: 'rl-1',
        originalLineId: 'line-1',
        sku: 'SKU0000001',
        name: 'Smooth Bread family size',
        unit: 'each',
        qty: 1,
        refund: 720,
        disposition: 'sellable',
      },
    ],
    refunds: [
      { tenderId: 'refund-1', type: 'cash', amount: 720, reference: null, originalTenderId: 'tender-1' },
    ],
    total: 720,
    notes: [],
    completedAt: AT,
    ...overrides,
  };
}

export type BopisDetail = CommandResponse<'bopis-get'>;

/** An order routed here: two lines, nothing picked yet; override per test. */
export function bopisOrder(overrides: Partial<BopisDetail> = {}): BopisDetail {
  return {
    orderId: 'order-1',
    orderNumber: 'W-10042',
    status: 'ROUTED',
    fulfilment: 'pickup',
    assignedHere: true,
    customerName: 'Alex Doe',
    lineCount: 2,
    units: 3,
    waitingSince: '2026-11-23T09:30:00.000Z',
    readyAt: null,
    pickupDeadline: '2026-11-24T18:00:00.000Z',
    expiresAt: '2026-11-25T18:00:00.000Z',
    task: 'accept',
    message: null,
    pendingSync: false,
    channel: 'web',
    customer: { name: 'Alex Doe', email: 'alex@example.com', phone: null },
    placedAt: '2026-11-23T09:25:00.000Z',
    version: 2,
    lines: [
      {
        lineId: 'ol-1',
        sku: 'SKU0000001',
        name: 'Smooth Bread family size',
        unit: 'each',
        qty: 2,
        pickedQty: 0,
        remainingQty: 2,
        shortPicked: false,
      },
      {
        lineId: 'ol-2',
        sku: 'SKU0000002',
        name: 'Smooth Bread 6 pack',
        unit: 'each',
        qty: 1,
        pickedQty: 0,
        remainingQty: 1,
        shortPicked: false,
      },
    ],
    staged: [],
    shipTo: null,
    shipment: null,
    handover: { allowed: false, reason: 'The order is not ready for pickup yet.' },
    timeline: [
      {
        at: '2026-11-23T09:30:00.000Z',
        action: 'route',
        by: 'hub',
        from: 'PLACED',
        to: 'ROUTED',
        detail: null,
      },
    ],
    ...overrides,
  };
}

export function bopisSummary(order: BopisDetail): CommandResponse<'bopis-list'>['orders'][number] {
  const {
    channel: _channel,
    customer: _customer,
    placedAt: _placedAt,
    version: _version,
    lines: _lines,
    staged: _staged,
    shipTo: _shipTo,
    shipment: _shipment,
    handover: _handover,
    timeline: _timeline,
    ...summary
  } = order;
  return summary;
}

export function customerSummary(overrides: Partial<CustomerSummary> = {}): CustomerSummary {
  return {
    customerId: 'cust-1',
    temporary: false,
    name: 'Robin Member',
    phone: '+353871234567',
    email: 'robin@example.com',
    loyalty: {
      accountId: 'la-1',
      cardNumber: '9900000000017',
      tierId: 'silver',
      tierName: 'Silver',
      status: 'active',
    },
    ...overrides,
  };
}

/** Points as the hub just reported them: 1 point pays 1 cent, nothing limits spending online. */
export function loyaltyStatus(overrides: Partial<LoyaltyStatus> = {}): LoyaltyStatus {
  return {
    accountId: 'la-1',
    source: 'hub',
    takenAt: AT,
    ageMs: 0,
    pending: 0,
    available: 1200,
    held: 0,
    lifetime: 5000,
    overdraft: 0,
    nextExpiry: null,
    pointValue: { points: 1, value: 1 },
    offline: { allowed: 1200, limitedBy: 'online', reason: null },
    ...overrides,
  };
}

export function storedValueStatus(overrides: Partial<StoredValueStatus> = {}): StoredValueStatus {
  return {
    accountId: 'sv-1',
    kind: 'gift_card',
    maskedNumber: '•••• 4417',
    currency: 'EUR',
    status: 'active',
    source: 'hub',
    takenAt: AT,
    ageMs: 0,
    available: 2500,
    held: 0,
    offline: { allowed: 2500, limitedBy: 'online', reason: null },
    ...overrides,
  };
}

/** A sale receipt as receipt-preview carries it (the screens show its HTML, not these fields). */
export function saleReceipt(receiptNumber: string): CommandResponse<'receipt-preview'>['receipt'] {
  return {
    kind: 'sale',
    copy: false,
    voided: false,
    receiptNumber,
    originalReceiptNumber: null,
    issuedAt: AT,
    currency: 'EUR',
    locale: 'en-IE',
    timezone: 'Europe/Dublin',
    store: { code: 'S001', name: 'Demo store' },
    deviceNo: 1,
    staffName: 'Casey Cashier',
    lines: [],
    totals: { subtotal: 0, discount: 0, tax: 0, total: 0, cashRounding: 0, change: 0 },
    taxes: [],
    payments: [],
    promotions: [],
    loyalty: null,
    notes: [],
    barcode: { symbology: 'code128', value: receiptNumber },
  };
}
