import { z } from 'zod';
import { DomainError, type BopisNotification } from '@retail/domain';
import type { HubContext } from '../hub-context';
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
  kind: z.enum(['ready_for_pickup', 'rerouted', 'expired', 'cancelled']),
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
): Promise<void> {
  await trx
    .insertInto('bopis_notifications')
    .values({
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
    })
    .execute();
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
    throw new DomainError('NOT_FOUND', `There is no notification ${notificationId}.`, { notificationId });
  }
  if (Number(result.numUpdatedRows) === 0) {
    throw new DomainError(
      'NOT_ALLOWED',
      `Notification ${notificationId} is ${row.status}; only a failed notification can be sent again.`,
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

export interface DeliveryOptions {
  readonly limit?: number;
  /** How long a claimed row is ours before another deliverer may take it. */
  readonly leaseMs?: number;
  /** In [0, 1): the jitter of the backoff. Injected so tests are deterministic. */
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
}

export interface DeliveryReport {
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

/** Exponential backoff with jitter in [½, 1] of the step, capped: 1 s, 2 s, 4 s … up to the cap. */
export function retryDelayMs(attempts: number, config: WebhookConfig, random: () => number): number {
  const base = config.baseDelayMs ?? 1000;
  const cap = config.maxDelayMs ?? 30 * 60_000;
  const step = Math.min(cap, base * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(step * (0.5 + random() / 2));
}

async function claimDue(hub: HubContext, limit: number, leaseMs: number) {
  const at = hub.now();
  return hub.storage.transaction(async (trx) => {
    const rows = await trx
      .selectFrom('bopis_notifications')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', at)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
      .orderBy('next_attempt_at')
      .orderBy('notification_id')
      .limit(limit)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate().skipLocked())
      .execute();
    if (rows.length === 0) return [];
    const leaseUntil = at + leaseMs;
    await trx
      .updateTable('bopis_notifications')
      .set({ lease_until: leaseUntil })
      .where(
        'notification_id',
        'in',
        rows.map((row) => row.notification_id),
      )
      .execute();
    return rows.map((row) => ({ ...row, lease_until: leaseUntil }));
  });
}

async function post(
  config: WebhookConfig,
  row: BopisNotificationTable,
  at: number,
  fetchImpl: typeof fetch,
): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  const body = row.payload;
  try {
    const response = await fetchImpl(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(config.secret, body, at),
        [NOTIFICATION_ID_HEADER]: row.notification_id,
        [NOTIFICATION_KIND_HEADER]: `order.${row.kind}`,
      },
      body,
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
    });
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    return response.ok
      ? { ok: true, status: response.status, error: null }
      : { ok: false, status: response.status, error: `The receiver answered HTTP ${response.status}.` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, status: null, error: `The receiver could not be reached: ${reason}` };
  }
}

/**
 * Sends every notification that is due, once each. A 2xx answer delivers it; anything else (status,
 * timeout, refused connection) schedules the next attempt with backoff, or marks it failed after
 * `maxAttempts`. The outcome is stored only if our lease still holds, so a slow deliverer whose lease
 * ran out cannot overwrite the outcome of the one that took over.
 */
export async function deliverDueNotifications(
  hub: HubContext,
  config: WebhookConfig,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const rows = await claimDue(hub, options.limit ?? 50, options.leaseMs ?? 60_000);
  const random = options.random ?? Math.random;
  const maxAttempts = config.maxAttempts ?? 12;
  let delivered = 0;
  let retrying = 0;
  let failed = 0;
  for (const row of rows) {
    const outcome = await post(config, row, hub.now(), options.fetch ?? fetch);
    const at = hub.now();
    const attempts = Number(row.attempts) + 1;
    const gaveUp = !outcome.ok && attempts >= maxAttempts;
    await hub.storage.db
      .updateTable('bopis_notifications')
      .set({
        status: outcome.ok ? 'delivered' : gaveUp ? 'failed' : 'pending',
        attempts,
        next_attempt_at: outcome.ok || gaveUp ? at : at + retryDelayMs(attempts, config, random),
        lease_until: null,
        last_error: outcome.error,
        last_status_code: outcome.status,
        updated_at: at,
        delivered_at: outcome.ok ? at : null,
      })
      .where('notification_id', '=', row.notification_id)
      .where('lease_until', '=', row.lease_until)
      .execute();
    if (outcome.ok) delivered += 1;
    else if (gaveUp) failed += 1;
    else retrying += 1;
  }
  return { attempted: rows.length, delivered, retrying, failed };
}

/** When the deliverer next has work: the earliest pending attempt, if any. */
export async function nextNotificationAt(executor: Executor): Promise<number | undefined> {
  const row = await executor
    .selectFrom('bopis_notifications')
    .select((eb) => eb.fn.min<number>('next_attempt_at').as('next'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
}
