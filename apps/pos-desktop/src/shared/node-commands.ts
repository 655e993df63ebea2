import { z } from 'zod';
import { command, empty, id, isoTime, quantity } from './command-kit';
import { PinSchema, StaffCodeSchema } from './staff-commands';

// The node itself: who it is, setup, the hub link, backups, sync status and the audit log.
// Part of the command map, assembled in commands.ts.

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

export const NODE_COMMANDS = {
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
} as const;
