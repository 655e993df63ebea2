import { z } from 'zod';
import { MAX_STOCK_QTY } from '../bounds';
import { DomainError } from '../errors';
import { divideRounded } from '../money';
import type { BopisOrder } from './order';

/**
 * Ship-to-home specifics: parcels, carrier and tracking, and what the customer is charged when a ship
 * order leaves with fewer units than ordered (the payment is captured partially; the rest of the
 * authorisation is released by the provider).
 */

const entityId = z.string().min(1).max(100);
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

/** 70 kg: the heaviest parcel parcel carriers take. */
export const MAX_PARCEL_GRAMS = 70_000;
export const MAX_PARCELS = 50;

export const ParcelSchema = z.object({
  parcelId: entityId,
  weightGrams: z
    .number()
    .int('Weigh the parcel in whole grams.')
    .min(1, 'Weigh the parcel: its weight must be at least 1 g.')
    .max(MAX_PARCEL_GRAMS, `A parcel weighs at most ${MAX_PARCEL_GRAMS / 1000} kg; split it.`),
});
export type Parcel = z.infer<typeof ParcelSchema>;

export const CarrierSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 &._-]{0,39}$/, 'A carrier name is 1–40 letters, digits, spaces or & . _ -.');

/** Entered or scanned off the label; carriers use 8–40 letters and digits. */
export const TrackingNumberSchema = z
  .string()
  .trim()
  .transform((value) => value.replaceAll(' ', '').toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9]{8,40}$/, 'A tracking number is 8–40 letters and digits.'));

export const ShippedLineSchema = z.object({
  lineId: entityId,
  qty: z.number().int().min(1).max(MAX_STOCK_QTY),
});
export type ShippedLine = z.infer<typeof ShippedLineSchema>;

export const ShipmentSchema = z.object({
  parcels: z.array(ParcelSchema).min(1).max(MAX_PARCELS),
  packedAt: epochMs,
  /** Units in the parcels per line (lines found short carry fewer; lines with none are absent). */
  lines: z.array(ShippedLineSchema).min(1),
  /** Minor units to capture when it ships: the authorisation less what was not found. */
  captureAmount: z.number().int().min(0),
  carrier: CarrierSchema.optional(),
  trackingNumber: z.string().optional(),
  shippedAt: epochMs.optional(),
});
export type Shipment = z.infer<typeof ShipmentSchema>;

/**
 * What to capture for the units that leave: the authorised amount less, per short line, the part of the
 * line's amount for the missing units, rounded up (the customer never pays for a fraction of a unit they
 * did not get). A full shipment captures the whole authorisation (shipping fees included).
 */
export function captureAmountFor(order: BopisOrder, shipped: readonly ShippedLine[]): number {
  const shippedQty = new Map(shipped.map((line) => [line.lineId, line.qty]));
  let notShippedValue = 0n;
  for (const line of order.lines) {
    const missing = line.qty - (shippedQty.get(line.lineId) ?? 0);
    if (missing <= 0) continue;
    if (line.amount === undefined) {
      throw new DomainError(
        'NOT_ALLOWED',
        'bopis.orderCarriesNoLine',
        { orderNumber: order.orderNumber },
        { orderId: order.orderId, lineId: line.lineId },
      );
    }
    notShippedValue += divideRounded(BigInt(line.amount) * BigInt(missing), BigInt(line.qty), 'UP');
  }
  const capture = BigInt(order.payment.amount) - notShippedValue;
  return capture > 0n ? Number(capture) : 0;
}
