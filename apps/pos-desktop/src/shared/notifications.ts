import { z } from 'zod';
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
  /** Emitted by the sale commands (issue 3, phase 2). */
  'sale-completed': z.object({
    saleId: z.string(),
    receiptNumber: z.string(),
    total: z.number().int(),
    currency: z.string(),
  }),
  /** Emitted by the BOPIS commands and feed (issue 6): counts per state and the oldest waiting order. */
  'bopis-queue': z.object({
    waiting: z.number().int().min(0),
    picking: z.number().int().min(0),
    ready: z.number().int().min(0),
    oldestWaitingSince: z.iso.datetime({ offset: true }).nullable(),
  }),
} as const;

export type StoreNotifications = typeof STORE_NOTIFICATIONS;
export type NotificationName = keyof StoreNotifications;
export type NotificationPayload<N extends NotificationName> = z.output<StoreNotifications[N]>;
export type StoreNotification = {
  [N in NotificationName]: { name: N; payload: NotificationPayload<N> };
}[NotificationName];

export const NOTIFICATION_EVENT = 'notification';
