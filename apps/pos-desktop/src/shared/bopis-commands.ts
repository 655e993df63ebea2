import {
  BOPIS_STATUSES,
  CarrierSchema,
  FULFILMENT_TYPES,
  MAX_PARCELS,
  ParcelSchema,
  PickupAttemptSchema,
  TrackingNumberSchema,
  countedQtySchema,
  stockQtySchema,
} from '@retail/domain';
import { z } from 'zod';
import type { CommandAuth } from './roles';

/**
 * The BOPIS (buy online, pick up in store) part of the store node's command contract. Every command
 * works offline: the store's view of an order is the hub's latest state with this store's own steps
 * replayed on top, and each step goes to the hub as an event. Times are ISO 8601; quantities are pieces,
 * or grams for kg SKUs.
 */

const id = z.string().trim().min(1).max(100);
const isoTime = z.iso.datetime({ offset: true });
const quantity = z.number().int().safe();

/**
 * What staff should do with an order now:
 * - `accept`: routed here, nobody has taken it yet;
 * - `pick`: accepted or being picked (scan every unit, or report what is short);
 * - `hand_over`: ready and waiting for the customer at the till;
 * - `pack` (ship-to-home): every line is picked or marked short: pack it into weighed parcels;
 * - `ship` (ship-to-home): packed: hand the parcels to the carrier and record the tracking number;
 * - `wait_for_hub`: reported short, the hub is finding another store;
 * - `put_back`: units were staged for it but it will not be collected here (cancelled, expired, moved):
 *   put them back on the shelf and record it with `bopis-unstage`;
 * - `none`: nothing to do here (collected, closed, or now another store's).
 */
export const BOPIS_TASKS = [
  'accept',
  'pick',
  'hand_over',
  'pack',
  'ship',
  'wait_for_hub',
  'put_back',
  'none',
] as const;
export type BopisTask = (typeof BOPIS_TASKS)[number];

export const BopisOrderSummarySchema = z.object({
  orderId: id,
  orderNumber: z.string(),
  status: z.enum(BOPIS_STATUSES),
  /** Collected at a store (`pickup`), or packed and shipped to the customer (`ship`). */
  fulfilment: z.enum(FULFILMENT_TYPES),
  /** The order is this store's to fulfil now. */
  assignedHere: z.boolean(),
  customerName: z.string(),
  lineCount: quantity,
  units: quantity,
  /** Since when it has been waiting here: when the hub routed it to this store. */
  waitingSince: isoTime,
  readyAt: isoTime.nullable(),
  /** What the customer was told: collect before this. */
  pickupDeadline: isoTime.nullable(),
  /** When the hub takes it back if nobody came (deadline plus grace). */
  expiresAt: isoTime.nullable(),
  task: z.enum(BOPIS_TASKS),
  /** A sentence for staff when something needs explaining (cancelled, moved, put the items back). */
  message: z.string().nullable(),
  /** Steps taken here that the hub has not confirmed yet (offline, or the push is on its way). */
  pendingSync: z.boolean(),
});
export type BopisOrderSummary = z.infer<typeof BopisOrderSummarySchema>;

export const BopisOrderLineSchema = z.object({
  lineId: id,
  sku: id,
  /** From the store's catalog; null when the SKU is not in it yet. */
  name: z.string().nullable(),
  unit: z.enum(['each', 'kg']).nullable(),
  qty: quantity,
  pickedQty: quantity,
  remainingQty: quantity,
  shortPicked: z.boolean(),
});

export const BopisOrderDetailSchema = BopisOrderSummarySchema.extend({
  channel: z.string(),
  customer: z.object({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable() }),
  placedAt: isoTime,
  version: quantity,
  lines: z.array(BopisOrderLineSchema),
  /** Units of this order sitting in the staged area here. */
  staged: z.array(z.object({ sku: id, qty: quantity })),
  /** Ship-to-home: where it goes, and once packed the parcels (and carrier and tracking once shipped). */
  shipTo: z
    .object({
      name: z.string(),
      line1: z.string(),
      city: z.string(),
      postalCode: z.string(),
      country: z.string(),
    })
    .nullable(),
  shipment: z
    .object({
      parcels: z.array(z.object({ parcelId: id, weightGrams: quantity })),
      lines: z.array(z.object({ lineId: id, qty: quantity })),
      carrier: z.string().nullable(),
      trackingNumber: z.string().nullable(),
      shippedAt: isoTime.nullable(),
    })
    .nullable(),
  /** Whether the till may hand it over now, and if not why (a sentence for the cashier). */
  handover: z.object({ allowed: z.boolean(), reason: z.string().nullable() }),
  /** The order's history as this store sees it. */
  timeline: z.array(
    z.object({
      at: isoTime,
      action: z.string(),
      by: z.enum(['hub', 'store']),
      from: z.enum(BOPIS_STATUSES).nullable(),
      to: z.enum(BOPIS_STATUSES),
      detail: z.string().nullable(),
    }),
  ),
});
export type BopisOrderDetail = z.infer<typeof BopisOrderDetailSchema>;

export const BopisQueueCountsSchema = z.object({
  waiting: quantity,
  picking: quantity,
  ready: quantity,
  toPutBack: quantity,
  /** Ship-to-home orders picked and waiting to be packed, or packed and waiting for the carrier. */
  toPack: quantity,
  toShip: quantity,
  oldestWaitingSince: isoTime.nullable(),
});

const orderRef = z.object({ orderId: id }).strict();

function command<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  auth: CommandAuth;
  summary: string;
  request: Req;
  response: Res;
}) {
  return spec;
}

export const BOPIS_COMMANDS = {
  'bopis-list': command({
    auth: 'cashier',
    summary:
      'The BOPIS queue: orders routed here with their age, pickup deadline and what to do next (open ones, or all).',
    request: z
      .object({
        scope: z.enum(['open', 'all']).default('open'),
        /** Only pickups, or only ship-to-home orders; both when left out. */
        fulfilment: z.enum(FULFILMENT_TYPES).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    response: z.object({ orders: z.array(BopisOrderSummarySchema), queue: BopisQueueCountsSchema }),
  }),
  'bopis-get': command({
    auth: 'cashier',
    summary: 'One order with its lines, picking progress, staged units and history.',
    request: orderRef,
    response: BopisOrderDetailSchema,
  }),
  'bopis-accept': command({
    auth: 'cashier',
    summary: 'Take an order routed here (works offline).',
    request: orderRef,
    response: BopisOrderDetailSchema,
  }),
  'bopis-start-picking': command({
    auth: 'cashier',
    summary: 'Start picking an accepted order.',
    request: orderRef,
    response: BopisOrderDetailSchema,
  }),
  'bopis-pick-scan': command({
    auth: 'cashier',
    summary:
      'Pick by scanning: the scanned item must be on the order (and on the given line), and never more than ordered.',
    request: z
      .object({
        orderId: id,
        /** The scanned barcode (any GTIN spelling, or a scale label whose weight is the quantity). */
        code: z.string().trim().min(1).max(100).optional(),
        /** Keyed instead of scanned. */
        sku: id.optional(),
        /** Which line, when the order has several of the same SKU; otherwise the first that needs it. */
        lineId: id.optional(),
        /** Units (or grams) this scan stands for; default 1, or the weight of a scale label. */
        qty: stockQtySchema.optional(),
      })
      .strict()
      .refine((input) => (input.code === undefined) !== (input.sku === undefined), {
        message: 'Scan a code or key a SKU (one of them).',
        path: ['code'],
      }),
    response: z.object({
      order: BopisOrderDetailSchema,
      picked: z.object({
        lineId: id,
        sku: id,
        qty: quantity,
        pickedQty: quantity,
        remainingQty: quantity,
        lineComplete: z.boolean(),
      }),
    }),
  }),
  'bopis-short-pick': command({
    auth: 'cashier',
    summary:
      'Report that lines could not be found in full (found quantity per short line); the hub re-routes.',
    request: z
      .object({
        orderId: id,
        lines: z
          .array(z.object({ lineId: id, foundQty: countedQtySchema }).strict())
          .min(1)
          .max(200),
      })
      .strict(),
    response: BopisOrderDetailSchema,
  }),
  'bopis-mark-ready': command({
    auth: 'cashier',
    summary: 'Every line is picked: the units move sellable → staged here and the customer is told.',
    request: orderRef,
    response: BopisOrderDetailSchema,
  }),
  'bopis-short-line': command({
    auth: 'cashier',
    summary:
      'Ship-to-home: a line cannot be found in full; the rest of the order may still ship and the customer pays only for what leaves.',
    request: z.object({ orderId: id, lineId: id, foundQty: countedQtySchema }).strict(),
    response: BopisOrderDetailSchema,
  }),
  'bopis-pack': command({
    auth: 'cashier',
    summary:
      'Ship-to-home: what was picked goes into weighed parcels (sellable → staged here); works offline.',
    request: z
      .object({
        orderId: id,
        parcels: z
          .array(ParcelSchema.pick({ weightGrams: true }).strict())
          .min(1, 'Pack the order into at least one parcel.')
          .max(MAX_PARCELS),
      })
      .strict(),
    response: BopisOrderDetailSchema,
  }),
  'bopis-ship': command({
    auth: 'cashier',
    summary:
      'Ship-to-home: the packed parcels left with the carrier (tracking number typed or scanned); the hub captures the payment.',
    request: z.object({ orderId: id, carrier: CarrierSchema, trackingNumber: TrackingNumberSchema }).strict(),
    response: BopisOrderDetailSchema,
  }),
  'bopis-lookup': command({
    auth: 'cashier',
    summary:
      'Find the order a customer at the till came for (pickup code, or order number and name) and whether it can be handed over.',
    request: z.object({ attempt: PickupAttemptSchema }).strict(),
    response: BopisOrderDetailSchema,
  }),
  'bopis-handover': command({
    auth: 'cashier',
    summary:
      'Hand the order over at the till after checking the pickup code (or order number and name); refused once cancelled or expired.',
    request: z.object({ attempt: PickupAttemptSchema }).strict(),
    response: z.object({
      order: BopisOrderDetailSchema,
      verifiedBy: z.enum(['pickup_code', 'order_number_and_name']),
    }),
  }),
  'bopis-unstage': command({
    auth: 'cashier',
    summary:
      'Record that the staged units of an order that will not be collected here are back on the shelf (staged → sellable).',
    request: orderRef,
    response: z.object({
      order: BopisOrderDetailSchema,
      movedBack: z.array(z.object({ sku: id, qty: quantity })),
    }),
  }),
} as const;
