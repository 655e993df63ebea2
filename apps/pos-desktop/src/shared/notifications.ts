import { z } from 'zod';
import { BopisQueueCountsSchema } from './bopis-commands';
import { LocalStockSchema, ShiftSummarySchema, SyncStatusSchema } from './commands';

/**
 * Change notifications the store node pushes to every connected client after a command commits, so
 * screens stay live without polling: `socket.on('notification', ({ name, payload }) => ...)`.
 * They are hints for the UI; the commands remain the source of truth.
 */
export const STORE_NOTIFICATIONS = {
  /** Local stock of the SKUs a command changed, as `stock-levels` would return it now. */
  'stock-changed': z.object({ levels: z.array(LocalStockSchema) }),
  'shift-changed': z.object({ shift: ShiftSummarySchema }),
  /** After every command that appended outbox events, and whenever the sync agent changes state. */
  'sync-status': SyncStatusSchema,
  /**
   * A price book or promotion in the replica started or ended at `at` (the node's own timer, online or
   * not): a screen showing an open sale fetches it again to show the prices now in force.
   */
  'prices-changed': z.object({ at: z.iso.datetime({ offset: true }) }),
  /** Emitted by the sale commands (issue 3, phase 2). */
  'sale-completed': z.object({
    saleId: z.string(),
    receiptNumber: z.string(),
    total: z.number().int(),
    currency: z.string(),
  }),
  /**
   * After every BOPIS command and every feed page that changed an order: the queue's counts (waiting to be
   * accepted, being picked, ready for pickup, staged units to put back) and the oldest waiting order.
   */
  'bopis-queue': BopisQueueCountsSchema,
  /** The hub routed a new order to this store: show it at once (the queue itself comes with `bopis-list`). */
  'bopis-order-arrived': z.object({
    orderId: z.string(),
    orderNumber: z.string(),
    customerName: z.string(),
    lineCount: z.number().int().min(1),
    units: z.number().int().min(1),
    pickupDeadline: z.iso.datetime({ offset: true }).nullable(),
  }),
  /** A manager revoked a paired lane or display: its connections are closed, its screens list it as revoked. */
  'lane-revoked': z.object({ laneId: z.string() }),
  /** A lane or display just paired with a code: the Lanes screen lists it. */
  'lane-paired': z.object({ laneId: z.string() }),
} as const;

export type StoreNotifications = typeof STORE_NOTIFICATIONS;
export type NotificationName = keyof StoreNotifications;
export type NotificationPayload<N extends NotificationName> = z.output<StoreNotifications[N]>;
export type StoreNotification = {
  [N in NotificationName]: { name: N; payload: NotificationPayload<N> };
}[NotificationName];

export const NOTIFICATION_EVENT = 'notification';
