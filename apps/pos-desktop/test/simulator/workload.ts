import { randomUUID } from 'node:crypto';
import type { EventPayloads } from '@retail/sync';

/** A seeded generator (mulberry32): one seed replays the same day of business. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * How busy a store is at `fraction` of its day (0 = opening, 1 = closing), relative to its average: a
 * quiet morning, a lunch peak and an after-work peak, as a store's hourly sales usually look.
 */
export function dayShape(fraction: number): number {
  return (
    0.5 + Math.exp(-(((fraction - 0.45) / 0.1) ** 2)) + 0.9 * Math.exp(-(((fraction - 0.85) / 0.08) ** 2))
  );
}

const SHAPE_SAMPLES = 1_000;
const MEAN_SHAPE =
  Array.from({ length: SHAPE_SAMPLES }, (_, i) => dayShape((i + 0.5) / SHAPE_SAMPLES)).reduce(
    (a, b) => a + b,
    0,
  ) / SHAPE_SAMPLES;
const MAX_SHAPE = Math.max(
  ...Array.from({ length: SHAPE_SAMPLES + 1 }, (_, i) => dayShape(i / SHAPE_SAMPLES)),
);

/** The peak hour's rate over the day's average rate (about 1.8). */
export const PEAK_TO_MEAN = MAX_SHAPE / MEAN_SHAPE;

/**
 * The next arrival after `from` (simulated seconds) of a process averaging `perHour` over a day of
 * `daySeconds` shaped by `dayShape`: a non-homogeneous Poisson process, sampled by thinning.
 */
export function nextArrival(random: () => number, from: number, perHour: number, daySeconds: number): number {
  const peakPerSecond = (perHour / 3_600) * PEAK_TO_MEAN;
  let at = from;
  for (;;) {
    at += -Math.log(1 - random()) / peakPerSecond;
    if (at >= daySeconds) return Number.POSITIVE_INFINITY;
    if (random() * MAX_SHAPE <= dayShape(at / daySeconds)) return at;
  }
}

type Sale = EventPayloads['sale.completed'];
type Movement = Sale['movements'][number];

function movement(
  sku: string,
  delta: number,
  type: Movement['type'],
  bucket: Movement['bucket'] = 'sellable',
) {
  return { movementId: randomUUID(), sku, type, bucket, delta } satisfies Movement;
}

/** A customer brings back the first line of `sale` in full, refunded to the card that paid for it. */
export function returnOf(sale: Sale, at: number): EventPayloads['return.completed'] {
  const line = sale.lines[0]!;
  const tender = sale.tenders[0]!;
  const returnId = randomUUID();
  return {
    returnId,
    receiptNumber: `RT-${returnId.slice(0, 8)}`,
    originalSaleId: sale.saleId,
    originalReceiptNumber: sale.receiptNumber,
    shiftId: sale.shiftId,
    staffId: sale.staffId,
    currency: sale.currency,
    lines: [
      {
        returnLineId: randomUUID(),
        originalLineId: line.lineId,
        sku: line.sku,
        qty: line.qty,
        refund: line.paid,
        disposition: 'sellable',
      },
    ],
    refunds: [
      {
        tenderId: randomUUID(),
        type: tender.type,
        amount: line.paid,
        originalTenderId: tender.tenderId,
        reference: `RF-${returnId.slice(0, 8)}`,
      },
    ],
    movements: [movement(line.sku, line.qty, 'RETURN_RESTOCK')],
    completedAt: new Date(at).toISOString(),
  };
}

/** A supplier delivery booked at the till: `qty` of each SKU into the sellable bucket. */
export function deliveryOf(
  skus: readonly string[],
  qty: number,
  at: number,
): EventPayloads['stock.received'] {
  const receiptId = randomUUID();
  return {
    receiptId,
    source: { type: 'supplier', reference: `DN-${receiptId.slice(0, 8)}` },
    lines: skus.map((sku) => ({ sku, qty, bucket: 'sellable' as const })),
    movements: skus.map((sku) => movement(sku, qty, 'RECEIPT')),
    receivedAt: new Date(at).toISOString(),
  };
}

/** A unit found broken on the shelf: moved from sellable to damaged. */
export function breakageOf(sku: string, at: number): EventPayloads['stock.adjusted'] {
  return {
    adjustmentId: randomUUID(),
    reason: 'Broken on the shelf',
    movements: [movement(sku, -1, 'BUCKET_MOVE', 'sellable'), movement(sku, 1, 'BUCKET_MOVE', 'damaged')],
    adjustedAt: new Date(at).toISOString(),
  };
}

/** A web order collected at `storeId`, as e-commerce posts it to `POST /api/orders`. */
export function pickupOrderOf(
  storeId: string,
  lines: readonly { sku: string; qty: number; unitPrice: number }[],
  sequence: number,
): Record<string, unknown> {
  const orderId = `sim-${storeId}-${sequence}`;
  const amount = lines.reduce((total, line) => total + line.qty * line.unitPrice, 0);
  return {
    orderId,
    orderNumber: `W-${storeId}-${sequence}`,
    channel: 'web',
    lines: lines.map((line, index) => ({
      lineId: `l${index + 1}`,
      sku: line.sku,
      qty: line.qty,
      amount: line.qty * line.unitPrice,
    })),
    customer: { name: `Customer ${sequence}`, email: `customer-${sequence}@example.com` },
    pickup: { type: 'store', storeId },
    payment: { authorisationRef: `auth-${orderId}`, amount, currency: 'EUR' },
  };
}
