import { z } from 'zod';
import { EventEnvelopeSchema } from '../envelope';
import { FeedChangeSchema } from '../feed';

/**
 * Wire shapes of the sync endpoints (HTTP `POST /sync/push`, `GET|POST /sync/pull`, `GET /sync/snapshot`);
 * the socket.io transport carries the same objects. A lost ack costs nothing: pushing again returns
 * `duplicate` for what was applied, and every pull echoes the device's `lastSeq`.
 */
export const MAX_PUSH_EVENTS = 500;
export const MAX_PULL_LIMIT = 1000;
export const DEFAULT_PULL_LIMIT = 500;

const deviceSeq = z.number().int().min(0).safe();

export const OutboxReportSchema = z.object({
  /**
   * Events left in the device's outbox once the hub has dealt with this batch (0 after the last batch of
   * a drain). The hub stores it with the batch's effects, so it is what HQ shows until the next push.
   */
  pending: z.number().int().min(0).safe(),
  /** When the oldest event left after this batch was written, by the device clock; absent when none is. */
  oldestPendingAt: z.iso.datetime({ offset: true }).optional(),
});
export type OutboxReport = z.infer<typeof OutboxReportSchema>;

export const PushRequestSchema = z.object({
  deviceId: z.string().min(1).max(100),
  storeId: z.string().min(1).max(100),
  /** Ordered by strictly increasing deviceSeq. */
  events: z.array(EventEnvelopeSchema).max(MAX_PUSH_EVENTS),
  outbox: OutboxReportSchema.optional(),
});
export type PushRequest = z.infer<typeof PushRequestSchema>;

/**
 * Per event: `accepted` (applied now), `duplicate` (applied earlier: ack again), `rejected` (invalid
 * forever; recorded in the hub's exception queue, `lastSeq` advanced past it, `reason` is for staff),
 * `refused` (not looked at because an earlier deviceSeq is missing: push again from `resumeFrom`).
 */
export const EVENT_ACK_STATUSES = ['accepted', 'duplicate', 'rejected', 'refused'] as const;
export type EventAckStatus = (typeof EVENT_ACK_STATUSES)[number];

export const EventAckSchema = z.object({
  eventId: z.string(),
  deviceSeq,
  status: z.enum(EVENT_ACK_STATUSES),
  reason: z.string().optional(),
  /**
   * On a `rejected` event whose deviceSeq the hub already holds for ANOTHER event: the id of the event
   * it holds. The device is reusing numbers (restored from a backup, or a copy of its data folder runs
   * elsewhere); nothing after it in the batch is applied. The till recovers as docs/sync.md §2 says.
   */
  conflictsWith: z.string().optional(),
});
export type EventAck = z.infer<typeof EventAckSchema>;

export const PushAckSchema = z.object({
  deviceId: z.string(),
  /** Highest contiguous deviceSeq the hub has durably dealt with (applied or rejected). */
  lastSeq: deviceSeq,
  results: z.array(EventAckSchema),
  /** Present when part of the batch was refused for a gap: the deviceSeq to push next. */
  resumeFrom: z.number().int().min(1).safe().optional(),
});
export type PushAck = z.infer<typeof PushAckSchema>;

export const PullRequestSchema = z.object({
  /** The highest hubSeq the store has applied; 0 for nothing. */
  cursor: z.coerce.number().int().min(0).safe(),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(DEFAULT_PULL_LIMIT),
  /** The feed epoch the cursor belongs to; a different hub epoch answers `mustRefetch`. */
  epoch: z.string().min(1).max(100).optional(),
});
export type PullRequest = z.infer<typeof PullRequestSchema>;

export const PullPageSchema = z.object({
  epoch: z.string(),
  changes: z.array(FeedChangeSchema),
  /** Save this with the applied changes; it may move past rows filtered out for this store. */
  cursor: deviceSeq,
  upToDate: z.boolean(),
  /** The device's lastSeq at the hub, so a lost push ack costs nothing. */
  lastSeq: deviceSeq,
  /** The cursor is from another feed epoch: throw the replica's hub data away and re-snapshot. */
  mustRefetch: z.boolean(),
});
export type PullPage = z.infer<typeof PullPageSchema>;

/**
 * Asked by the socket.io transport: the page comes back as the UTF-8 bytes of its JSON (a binary
 * attachment), not as an object. A hub serves it from the feed rows' stored JSON text without parsing and
 * re-serializing each row; a hub that predates it ignores the field and answers the object.
 */
export const SNAPSHOT_JSON_BYTES = 'json-bytes';

export const SnapshotRequestSchema = z.object({
  /** Fixed by the first page's answer; omit on the first request. */
  upTo: z.coerce.number().int().min(0).safe().optional(),
  after: z.coerce.number().int().min(0).safe().default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(DEFAULT_PULL_LIMIT),
  /** socket.io only (see SNAPSHOT_JSON_BYTES); the HTTP endpoint always answers JSON. */
  encoding: z.literal(SNAPSHOT_JSON_BYTES).optional(),
});
export type SnapshotRequest = z.infer<typeof SnapshotRequestSchema>;

export const SnapshotPageSchema = z.object({
  epoch: z.string(),
  /** The feed position the snapshot reflects: pull the feed from here once `done`. */
  upTo: deviceSeq,
  changes: z.array(FeedChangeSchema),
  /** Pass as `after` for the next page. */
  after: deviceSeq,
  done: z.boolean(),
  /** Rows in the whole snapshot, for a progress indicator. */
  total: z.number().int().min(0),
});
export type SnapshotPage = z.infer<typeof SnapshotPageSchema>;

const lookupId = z.string().min(1).max(100);
const lookupAmount = z.number().int().safe();

/**
 * A sale the hub knows, looked up by receipt number (`GET /sync/sales/:receiptNumber`, device
 * credential): a till that cannot find a receipt locally (another store's, or one from before the till
 * was set up) asks the hub while it is online. It carries only what a return needs: the lines with what
 * was paid and what is still returnable after every return at any store, and the tenders with what is
 * still refundable. Never who bought (customer or loyalty account), who sold (staff, shift, device) or
 * tender references (card terminal, gift card, store credit account).
 */
export const SaleLookupSchema = z.object({
  saleId: lookupId,
  receiptNumber: z.string().max(60),
  /** The store that made the sale. */
  storeId: lookupId,
  status: z.enum(['completed', 'voided']),
  currency: z.string().regex(/^[A-Z]{3}$/),
  completedAt: z.iso.datetime({ offset: true }),
  lines: z.array(
    z.object({
      lineId: lookupId,
      sku: lookupId,
      name: z.string().max(200),
      unit: z.enum(['each', 'kg']),
      qty: lookupAmount,
      unitPrice: lookupAmount,
      /** What the customer paid for the line; a return refunds its share of this. */
      paid: lookupAmount,
      returnedQty: lookupAmount,
      /** `qty − returnedQty` (0 for a voided sale). */
      returnableQty: lookupAmount,
    }),
  ),
  tenders: z.array(
    z.object({
      tenderId: lookupId,
      type: z.enum(['cash', 'card', 'store_credit', 'gift_card', 'loyalty_points']),
      amount: lookupAmount,
      /** Refunded against this tender by returns so far. */
      refunded: lookupAmount,
    }),
  ),
});
export type SaleLookup = z.infer<typeof SaleLookupSchema>;

export const SALE_LOOKUP_PATH = '/sync/sales';

/** The most stores a price check lists: the nearest ones are what a customer can walk or drive to. */
export const NEARBY_STOCK_LIMIT = 10;

/**
 * Stock of one SKU at the other stores of the chain, nearest first (`GET /sync/stock/:sku/nearby`, device
 * credential), for a till's price check while it is online. Ordered by straight-line distance from the
 * asking store when the hub has both locations (stores without one follow, own region first), otherwise by
 * region (the asking store's region first), then by code. Warehouses and inactive stores are left out: a
 * customer cannot go and buy there.
 */
export const NearbyStockSchema = z.object({
  sku: lookupId,
  orderedBy: z.enum(['distance', 'region']),
  stores: z
    .array(
      z.object({
        storeId: lookupId,
        code: z.string().max(20),
        name: z.string().max(200),
        region: z.string().max(100),
        /** Straight-line distance from the asking store; null when either location is unknown. */
        distanceMetres: z.number().int().min(0).nullable(),
        /** Units physically in the store (every bucket). */
        onHand: lookupAmount,
        /** What it can still sell: sellable less units promised to orders and its safety stock. */
        available: lookupAmount.min(0),
      }),
    )
    .max(NEARBY_STOCK_LIMIT),
});
export type NearbyStock = z.infer<typeof NearbyStockSchema>;

export const NEARBY_STOCK_PATH = '/sync/stock';

export function nearbyStockPath(sku: string): string {
  return `${NEARBY_STOCK_PATH}/${encodeURIComponent(sku)}/nearby`;
}

export const SYNC_ENROLL_PATH = '/sync/enroll';
export const SYNC_REENROLL_PATH = '/sync/re-enroll';

/** The most events of a restored till the hub compares with its own record (docs/sync.md §2). */
export const MAX_RESTORE_EVENTS = 20_000;
/**
 * The same through `POST /sync/enroll` with a one-time code: that request is read before anyone is
 * authenticated, so it stays small. Events past them are sent again anyway; those the hub already holds
 * are refused by their ids, never applied twice.
 */
export const MAX_RESTORE_EVENTS_BY_CODE = 100;

/**
 * What a till restored from a backup (or a copy of one) reports about the device it was, so the hub can
 * tell which of its events it already holds and which the till must send again as its successor. The
 * events are the till's own, after `ackedSeq`, in deviceSeq order; receipt numbers let the hub name the
 * receipts that were issued twice.
 */
export const RestoredDeviceSchema = z.object({
  deviceId: z.string().min(1).max(100),
  /** Highest deviceSeq of that device this till knows the hub acknowledged. */
  ackedSeq: deviceSeq,
  /** Highest deviceSeq this till wrote as that device. */
  writtenSeq: deviceSeq,
  events: z
    .array(
      z.object({
        deviceSeq: z.number().int().min(1).safe(),
        eventId: z.string().min(1).max(100),
        type: z.string().min(1).max(60),
        receiptNumber: z.string().max(60).optional(),
      }),
    )
    .max(MAX_RESTORE_EVENTS),
});
export type RestoredDevice = z.infer<typeof RestoredDeviceSchema>;

/**
 * The hub's answer about the replaced device: it holds that device's events up to `hubLastSeq`, of which
 * the till's agree up to `keptUpTo`; the till sends its events after `keptUpTo` again as the new device,
 * numbered from 1. `exceptionId` is the DEVICE_RESTORED exception that tells HQ.
 */
export const ReplacedDeviceSchema = z.object({
  deviceId: z.string(),
  deviceNo: z.number().int(),
  hubLastSeq: deviceSeq,
  keptUpTo: deviceSeq,
  exceptionId: z.string(),
});
export type ReplacedDevice = z.infer<typeof ReplacedDeviceSchema>;

/**
 * `POST /sync/re-enroll` with the device credential: a till that found it was restored from a backup
 * becomes a new device of the same store (new id, number and credential; the old device is revoked), so
 * it never reuses a receipt or sequence number the hub may hold.
 */
export const ReEnrollRequestSchema = z.object({
  deviceName: z.string().trim().min(1).max(100).optional(),
  restored: RestoredDeviceSchema,
});
export type ReEnrollRequest = z.infer<typeof ReEnrollRequestSchema>;

/** `POST /sync/enroll`: a till trades a one-time code from HQ for its device credential. */
export const EnrollRequestSchema = z.object({
  code: z.string().min(4).max(40),
  deviceName: z.string().trim().min(1).max(100).default('POS'),
  /**
   * A till set up before it was enrolled already numbers its events and receipts with its own device id,
   * number and store: it asks to keep them. The hub refuses (without using up the code) when the code is
   * for another store, or the id or number is taken.
   */
  deviceId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lowercase UUID')
    .optional(),
  deviceNo: z.number().int().min(1).max(999).optional(),
  storeId: z.string().min(1).max(100).optional(),
  /**
   * A till that is already a device of this store (restored from a backup, or its credential revoked)
   * enrolls as a new device and names the old one: the hub revokes it, and answers which of the till's
   * events it already holds (`replaced`), so the till sends the rest again. Not with deviceId/deviceNo.
   */
  replaces: RestoredDeviceSchema.extend({
    events: RestoredDeviceSchema.shape.events.max(MAX_RESTORE_EVENTS_BY_CODE),
  }).optional(),
  /**
   * A random key the till saved before calling. If the till dies before it stores the answer, the same
   * code with the same key answers the same device again (with a new credential) until the code expires,
   * instead of "already used". Not with `replaces`.
   */
  retryKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,128}$/, '32 to 128 URL-safe base64 characters')
    .optional(),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({
  deviceId: z.string(),
  storeId: z.string(),
  storeCode: z.string(),
  deviceNo: z.number().int(),
  /** Shown once: the device keeps it and sends it as `Authorization: Bearer …`; the hub stores a hash. */
  credential: z.string(),
  /** What a till set up by enrollment needs before its first snapshot arrives. */
  storeName: z.string().optional(),
  currency: z.string().optional(),
  timezone: z.string().optional(),
  region: z.string().optional(),
  /** Present when the till replaced a device of the store (`replaces`, or `/sync/re-enroll`). */
  replaced: ReplacedDeviceSchema.optional(),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;
