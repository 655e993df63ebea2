import { z } from 'zod';
import { DomainError, type BopisNotification } from '@retail/domain';
import type { HubContext } from '../hub-context';
import {
  DEFAULT_RETRY_POLICY,
  deliverDue,
  retryDelayMs as engineRetryDelayMs,
  type ClaimedMessage,
  type DeliveryOptions,
  type DeliveryQueue,
  type DeliveryReport,
  type RetryPolicy,
} from '../integration/delivery-engine';
import { leasedQueue, type Leased } from '../integration/leased-queue';
import { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from '../integration/webhook-signature';
import type { Executor, Trx } from '../storage/storage';
import type { BopisNotificationTable } from '../storage/schema';

/**
 * Customer notifications (ready for pickup, re-routed, expired, cancelled) leave the hub through an
 * outbox table: the row is written in the same transaction as the order change that caused it, and a
 * deliverer POSTs it to the configured webhook afterwards, retrying with exponential backoff until the
 * receiver answers 2xx or the attempts run out. Several hub processes may deliver at once (PostgreSQL):
 * each claims rows with a lease (FOR UPDATE SKIP LOCKED), so a notification is sent by one of them.
 */

export const NOTIFICATION_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const NotificationViewSchema = z.object({
  notificationId: z.string(),
  orderId: z.string(),
  kind: z.enum(['ready_for_pickup', 'shipped', 'rerouted', 'expired', 'cancelled']),
  status: z.enum(NOTIFICATION_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.number().int(),
  deliveredAt: z.number().int().nullable(),
});
export type NotificationView = z.infer<typeof NotificationViewSchema>;

export function toNotificationView(row: BopisNotificationTable): NotificationView {
  return {
    notificationId: row.notification_id,
    orderId: row.order_id,
    kind: row.kind as BopisNotification,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : null,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

export async function enqueueNotification(
  trx: Trx,
  input: {
    notificationId: string;
    orderId: string;
    kind: BopisNotification;
    payload: Record<string, unknown>;
    at: number;
  },
): Promise<BopisNotificationTable> {
  const row: BopisNotificationTable = {
    notification_id: input.notificationId,
    order_id: input.orderId,
    kind: input.kind,
    payload: JSON.stringify(input.payload),
    status: 'pending',
    attempts: 0,
    next_attempt_at: input.at,
    lease_until: null,
    last_error: null,
    last_status_code: null,
    created_at: input.at,
    updated_at: input.at,
    delivered_at: null,
  };
  await trx.insertInto('bopis_notifications').values(row).execute();
  return row;
}

export const NotificationFilterSchema = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  orderId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Newest first (ids are UUIDv7). */
export async function listNotifications(
  executor: Executor,
  filter: z.infer<typeof NotificationFilterSchema>,
): Promise<NotificationView[]> {
  let query = executor.selectFrom('bopis_notifications').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.orderId !== undefined) query = query.where('order_id', '=', filter.orderId);
  const rows = await query.orderBy('notification_id', 'desc').limit(filter.limit).execute();
  return rows.map(toNotificationView);
}

/** Puts a notification that ran out of attempts back in the queue (HQ fixed the receiver). */
export async function retryNotification(hub: HubContext, notificationId: string): Promise<NotificationView> {
  const at = hub.now();
  const result = await hub.storage.db
    .updateTable('bopis_notifications')
    .set({ status: 'pending', next_attempt_at: at, lease_until: null, updated_at: at })
    .where('notification_id', '=', notificationId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  const row = await hub.storage.db
    .selectFrom('bopis_notifications')
    .selectAll()
    .where('notification_id', '=', notificationId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.orders.noNotification', { notificationId }, { notificationId });
  }
  if (Number(result.numUpdatedRows) === 0) {
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.orders.notificationOnlyFailed',
      { notificationId, rowStatus: row.status },
      { notificationId, status: row.status },
    );
  }
  return toNotificationView(row);
}

export interface WebhookConfig {
  /** Where notifications are POSTed (JSON). */
  readonly url: string;
  /** Shared with the receiver, which checks the signature header with it. */
  readonly secret: string;
  readonly timeoutMs?: number;
  /** After this many failed attempts the notification is `failed` (HQ can retry it). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature };
export const NOTIFICATION_ID_HEADER = 'x-retail-notification-id';
export const NOTIFICATION_KIND_HEADER = 'x-retail-event';

export type { DeliveryOptions, DeliveryReport };

/** Exponential backoff with jitter in [½, 1] of the step, capped: 1 s, 2 s, 4 s … up to the cap. */
export function retryDelayMs(attempts: number, config: WebhookConfig, random: () => number): number {
  return engineRetryDelayMs(attempts, policyOf(config), random);
}

function policyOf(config: WebhookConfig): RetryPolicy {
  return {
    maxAttempts: config.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    baseDelayMs: config.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: config.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
  };
}

/** Customer notifications as a leased queue of the delivery engine (integration/leased-queue.ts). */
export function notificationQueue(
  hub: HubContext,
  config: WebhookConfig,
): DeliveryQueue<ClaimedMessage & Leased> {
  const policy = policyOf(config);
  return leasedQueue(hub, {
    table: 'bopis_notifications',
    idColumn: 'notification_id',
    toMessages: (rows) =>
      rows.map((row) => ({
        url: config.url,
        secret: config.secret,
        body: row.payload,
        headers: {
          [NOTIFICATION_ID_HEADER]: row.notification_id,
          [NOTIFICATION_KIND_HEADER]: `order.${row.kind}`,
        },
        attempts: Number(row.attempts),
        policy,
        timeoutMs: config.timeoutMs ?? 10_000,
      })),
  });
}

/**
 * Sends every notification that is due, once each, through the delivery engine (the integration
 * runtime runs this; tests call it directly).
 */
export function deliverDueNotifications(
  hub: HubContext,
  config: WebhookConfig,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  return deliverDue(notificationQueue(hub, config), hub.now, options);
}
