import { z } from 'zod';
import { MAX_AMOUNT, MAX_STOCK_QTY } from '../bounds';
import { fail, ok, type Result } from '../errors';
import { currencyCodeSchema } from '../currency-code';
import { GeoPointSchema } from '../routing/geo';
import { MAX_ROUTING_LINES, PickupTargetSchema } from '../routing/route-order';

/**
 * A BOPIS (buy online, pick up in store) order as e-commerce submits it to the hub's intake and as the
 * hub stores and feeds it to the store it is routed to. Immutable after intake: everything that changes
 * lives in the order state (lifecycle.ts).
 */

export const BOPIS_CHANNELS = ['web', 'app', 'phone', 'marketplace'] as const;
export type BopisChannel = (typeof BOPIS_CHANNELS)[number];

/** Matches the hub's reservation priorities: 0 is ordinary, higher is more important. */
export const MAX_BOPIS_PRIORITY = 1000;

const entityId = z.string().min(1).max(100);
const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);

export const OrderIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/,
    'An order id is 1–100 letters, digits or . _ : - and starts with a letter or digit.',
  );

export const BopisLineSchema = z.object({
  lineId: entityId,
  sku: entityId,
  /** Pieces, or grams for kg SKUs. */
  qty: z
    .number()
    .int('A line quantity must be a whole number of units (or grams).')
    .min(1, 'A line quantity must be at least 1.')
    .max(MAX_STOCK_QTY),
  /**
   * What the customer paid for the whole line, in minor units of the payment currency. Needed to charge a
   * ship order that leaves short (partial capture); without it a short ship order is re-routed instead.
   */
  amount: z.number().int('A line amount must be whole minor units.').min(0).max(MAX_AMOUNT).optional(),
});
export type BopisLine = z.infer<typeof BopisLineSchema>;

export const CustomerSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'The customer name is needed to verify the pickup.')
      .max(200)
      .refine((name) => /[\p{L}\p{N}]/u.test(name), 'The customer name needs at least one letter or digit.'),
    email: z.email('The email address is not valid.').max(254).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ().-]{6,24}$/, 'The phone number may hold digits, spaces, ( ) . - and a leading +.')
      .optional(),
  })
  .refine((customer) => customer.email !== undefined || customer.phone !== undefined, {
    message: 'Give an email address or a phone number so the customer can be told when the order is ready.',
    path: ['email'],
  });
export type Customer = z.infer<typeof CustomerSchema>;

export const PaymentAuthorisationSchema = z.object({
  /** The payment provider's authorisation reference; captured at pickup, voided on cancel or expiry. */
  authorisationRef: z.string().trim().min(1, 'The payment authorisation reference is missing.').max(200),
  /** Authorised amount in integer minor units of `currency`. */
  amount: z
    .number()
    .int('The authorised amount must be whole minor units.')
    .min(0)
    .max(MAX_AMOUNT, 'The authorised amount is too large.'),
  currency: currencyCodeSchema(),
});
export type PaymentAuthorisation = z.infer<typeof PaymentAuthorisationSchema>;

const addressText = (what: string, max: number) =>
  z.string().trim().min(1, `The ${what} is missing.`).max(max, `The ${what} is at most ${max} characters.`);

/** Where a ship-to-home order goes. `location` is the geocoded address: routing measures distance from it. */
export const ShipToSchema = z.object({
  name: addressText('recipient name', 200),
  line1: addressText('first address line', 200),
  line2: z.string().trim().max(200).optional(),
  city: addressText('city', 100),
  postalCode: addressText('postal code', 20),
  region: z.string().trim().max(100).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'The country is a two-letter ISO 3166 code such as GB or DE.'),
  location: GeoPointSchema,
});
export type ShipTo = z.infer<typeof ShipToSchema>;

export const FULFILMENT_TYPES = ['pickup', 'ship'] as const;
export type FulfilmentType = (typeof FULFILMENT_TYPES)[number];

export const FulfilmentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pickup') }),
  z.object({ type: z.literal('ship'), shipTo: ShipToSchema }),
]);
export type Fulfilment = z.infer<typeof FulfilmentSchema>;

export function isShipOrder(order: { readonly fulfilment: Fulfilment }): boolean {
  return order.fulfilment.type === 'ship';
}

export const PickupDeadlinePolicySchema = z.object({
  /** How long a ready order waits for the customer; this is the deadline the customer is told. */
  holdHours: z.number().int().min(1, 'Hold a ready order at least 1 hour.').max(720, 'Hold at most 30 days.'),
  /** Extra time after the deadline before the hub expires it, so a customer a little late is still served. */
  graceMinutes: z.number().int().min(0).max(1440).default(0),
});
export type PickupDeadlinePolicy = z.infer<typeof PickupDeadlinePolicySchema>;

export const BopisOrderSchema = z.object({
  orderId: OrderIdSchema,
  /** What the customer sees on the confirmation and gives at the till, e.g. "W-10234". */
  orderNumber: z
    .string()
    .trim()
    .regex(
      /^#?[A-Za-z0-9][A-Za-z0-9 -]{0,39}$/,
      'An order number is 1–40 letters, digits, spaces or dashes.',
    ),
  channel: z.enum(BOPIS_CHANNELS),
  lines: z
    .array(BopisLineSchema)
    .min(1, 'An order needs at least one line.')
    .max(MAX_ROUTING_LINES, `An order has at most ${MAX_ROUTING_LINES} lines.`)
    .refine((lines) => new Set(lines.map((line) => line.lineId)).size === lines.length, {
      message: 'Each order line needs its own lineId.',
    }),
  customer: CustomerSchema,
  /** Pickup orders: where the customer collects. Ship orders: the origin routing measures from. */
  pickup: PickupTargetSchema,
  fulfilment: FulfilmentSchema.default({ type: 'pickup' }),
  /** The customer agreed to collect parts of the order from different stores. */
  splitConsent: z.boolean().default(false),
  payment: PaymentAuthorisationSchema,
  priority: z.number().int().min(0).max(MAX_BOPIS_PRIORITY).default(0),
  placedAt: epochMs,
  pickupPolicy: PickupDeadlinePolicySchema,
});
export type BopisOrder = z.infer<typeof BopisOrderSchema>;
export type BopisOrderInput = z.input<typeof BopisOrderSchema>;

function describeIssuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'order' : path.map(String).join('.');
}

export interface BopisIssueList {
  readonly problems: readonly { readonly path: string; readonly message: string }[];
  readonly summary: string;
}

export function describeBopisIssues(error: z.ZodError): BopisIssueList {
  const problems = error.issues.map((issue) => ({
    path: describeIssuePath(issue.path),
    message: issue.message,
  }));
  return { problems, summary: problems.map((problem) => `${problem.path}: ${problem.message}`).join(' ') };
}

declare const parsedBopisOrder: unique symbol;

/**
 * An order parseBopisOrder validated: what BopisOrderSchema makes of it, so code holding one (the hub's
 * intake placing it with placeParsedBopisOrder) need not parse it again. Only parseBopisOrder makes one.
 */
export type ParsedBopisOrder = BopisOrder & { readonly [parsedBopisOrder]: true };

/**
 * Validates an order at intake (e-commerce API body, import file) and says what is wrong in sentences an
 * operator can fix, with every bad field path in `details.problems`.
 */
export function parseBopisOrder(input: unknown): Result<ParsedBopisOrder> {
  const parsed = BopisOrderSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data as ParsedBopisOrder);
  const { problems, summary } = describeBopisIssues(parsed.error);
  return fail('INVALID_INPUT', 'bopis.orderNotValid', { summary }, { problems });
}
