import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { recordAudit } from '../audit/hq-audit';
import { closeSettledException } from '../exceptions/exception-queue';
import type { HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { chunks } from '../storage/chunks';
import type { IntegrationDeliveryTable, IntegrationSubscriptionTable } from '../storage/schema';
import type { Executor } from '../storage/storage';
import {
  DEFAULT_RETRY_POLICY,
  deliverDue,
  type ClaimedMessage,
  type DeliveryOptions,
  type DeliveryQueue,
  type DeliveryReport,
  type RetryPolicy,
} from './delivery-engine';
import { CURSOR_PATTERN, currentEpochTag, parseCursor, resumePosition } from './log-cursor';
import { integrationHead, positionBefore, readIntegrationEvents } from './outbound-log';
import { expandTypes } from './pull';

/**
 * Webhook subscriptions: the push side of the outbound log (docs/integration.md). Each subscription
 * queues the events it wants as delivery rows (in log order, from its position), and the delivery engine
 * sends them: signed, at least once, one at a time per aggregate (an order's events arrive in order),
 * with retries and a dead letter after the last attempt, which holds back that aggregate's later events
 * until an operator sends it again or skips it.
 */

export const EVENT_ID_HEADER = 'x-retail-event-id';
export const EVENT_TYPE_HEADER = 'x-retail-event';
export const SUBSCRIPTION_HEADER = 'x-retail-subscription';
export const ATTEMPT_HEADER = 'x-retail-delivery-attempt';

const typePattern = z
  .string()
  .min(1)
  .max(100)
  .refine((value) => {
    try {
      expandTypes([value]);
      return true;
    } catch {
      return false;
    }
  }, 'Name an event type of the catalog, or a family such as order.*.');

const startSchema = z
  .object({
    after: z.string().max(80).regex(CURSOR_PATTERN).optional(),
    since: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((value) => value.after === undefined || value.since === undefined, {
    message: 'Give either `after` (a cursor) or `since` (a time), not both.',
  });

export const SubscriptionInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  url: z.url({ protocol: /^https?$/, error: 'Give an http(s) URL.' }).max(2000),
  /** Event types or families (`order.*`); empty: every type. */
  types: z.array(typePattern).max(100).default([]),
  /** The HMAC key the receiver verifies with (16–200 characters); the hub makes one when absent. */
  secret: z.string().min(16).max(200).optional(),
  maxAttempts: z.number().int().min(1).max(100).default(DEFAULT_RETRY_POLICY.maxAttempts),
  /** The oldest undelivered event may wait this long before the hub raises INTEGRATION_LAG. */
  maxLagSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(900),
  /** Where delivery starts: a cursor, a time, or (default) events from now on. */
  start: startSchema.optional(),
});
export type SubscriptionInput = z.input<typeof SubscriptionInputSchema>;

export const ReplaySchema = startSchema;

/**
 * An HQ edit of an endpoint, made on the version the operator saw. New event types apply to events not
 * queued yet; deliveries already queued keep going out as they were.
 */
export const SubscriptionUpdateSchema = SubscriptionInputSchema.pick({
  name: true,
  url: true,
  types: true,
  maxAttempts: true,
  maxLagSeconds: true,
})
  .partial()
  .extend({
    /** `paused` disables the endpoint (events keep being queued, so nothing is missed). */
    status: z.enum(['active', 'paused']).optional(),
    expectedVersion: z.number().int().min(1),
  });

export const RotateSecretSchema = z.object({
  expectedVersion: z.number().int().min(1),
  /** The receiver's new HMAC key (16–200 characters); the hub makes one when absent. */
  secret: z.string().min(16).max(200).optional(),
});

export const SubscriptionSchema = z.object({
  subscriptionId: z.string(),
  name: z.string(),
  url: z.string(),
  types: z.array(z.string()),
  status: z.enum(['active', 'paused']),
  /** Events are queued for it up to this log position. */
  position: z.number().int(),
  maxAttempts: z.number().int(),
  maxLagSeconds: z.number().int(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  /** Queued and not yet delivered. */
  pending: z.number().int(),
  /** Out of attempts, holding back their aggregates. */
  deadLetters: z.number().int(),
  /** Pending deliveries whose last attempt failed. */
  failing: z.number().int(),
  /** Events behind the head of the log: undelivered plus not yet queued. */
  lagEvents: z.number().int(),
  /** When the oldest undelivered event was queued (null when caught up). */
  oldestUndeliveredAt: z.number().int().nullable(),
  lastDeliveredAt: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** What an edit names as the version it was made on. */
  version: z.number().int(),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

export const DeliverySchema = z.object({
  seq: z.number().int(),
  eventId: z.string(),
  aggregate: z.string(),
  status: z.enum(['pending', 'delivered', 'dead', 'skipped']),
  attempts: z.number().int(),
  nextAttemptAt: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  createdAt: z.number().int(),
  deliveredAt: z.number().int().nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const DeliveryFilterSchema = z.object({
  status: z.enum(['pending', 'delivered', 'dead', 'skipped']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

function toDelivery(row: IntegrationDeliveryTable): Delivery {
  return {
    seq: Number(row.seq),
    eventId: row.event_id,
    aggregate: row.aggregate_key,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : null,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

async function startPosition(
  executor: Executor,
  start: z.output<typeof startSchema> | undefined,
): Promise<number> {
  if (start?.since !== undefined) return positionBefore(executor, Date.parse(start.since));
  if (start?.after !== undefined) {
    return resumePosition(executor, parseCursor(start.after), await currentEpochTag(executor));
  }
  return integrationHead(executor);
}

/** A new subscription; its secret is returned this once. */
export async function createSubscription(
  hub: HubContext,
  input: z.output<typeof SubscriptionInputSchema>,
  actor: string,
): Promise<{ subscription: Subscription; secret: string }> {
  const secret = input.secret ?? newSigningSecret();
  const at = hub.now();
  const row: IntegrationSubscriptionTable = {
    subscription_id: hub.newId(),
    name: input.name,
    url: input.url,
    secret,
    types: JSON.stringify(input.types),
    status: 'active',
    scan_position: await startPosition(hub.storage.db, input.start),
    max_attempts: input.maxAttempts,
    max_lag_seconds: input.maxLagSeconds,
    created_by: actor,
    created_at: at,
    updated_at: at,
    version: 1,
  };
  await hub.storage.db.insertInto('integration_subscriptions').values(row).execute();
  return { subscription: await getSubscription(hub.storage.db, row.subscription_id), secret };
}

async function requireSubscription(
  executor: Executor,
  subscriptionId: string,
): Promise<IntegrationSubscriptionTable> {
  const row = await executor
    .selectFrom('integration_subscriptions')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.integration.noWebhookSubscription',
      { subscriptionId },
      {
        subscriptionId,
      },
    );
  }
  return row;
}

async function subscriptionViews(
  executor: Executor,
  rows: readonly IntegrationSubscriptionTable[],
): Promise<Subscription[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.subscription_id);
  // Events past a subscription's position that it wants: not queued yet (the next pass queues them).
  const unqueued = new Map<string, number>();
  for (const row of rows) {
    const patterns = JSON.parse(row.types) as string[];
    const types = patterns.length === 0 ? undefined : expandTypes(patterns);
    const count = await executor
      .selectFrom('integration_events')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('seq', '>', row.scan_position)
      .$if(types !== undefined, (query) => query.where('type', 'in', types!))
      .executeTakeFirstOrThrow();
    unqueued.set(row.subscription_id, Number(count.count));
  }
  const stats = await executor
    .selectFrom('integration_deliveries')
    .select((eb) => [
      'subscription_id',
      'status',
      eb.fn.countAll<number>().as('count'),
      eb.fn.min('created_at').as('oldest'),
      eb.fn.max('delivered_at').as('lastDelivered'),
      eb.fn.sum<number>(eb.case().when('attempts', '>', 0).then(1).else(0).end()).as('failing'),
    ])
    .where('subscription_id', 'in', ids)
    .groupBy(['subscription_id', 'status'])
    .execute();
  const lastErrors = await executor
    .selectFrom('integration_deliveries')
    .select(['subscription_id', 'last_error', 'seq'])
    .where('subscription_id', 'in', ids)
    .where('status', 'in', ['pending', 'dead'])
    .where('last_error', 'is not', null)
    .orderBy('seq', 'desc')
    .execute();
  return rows.map((row) => {
    const mine = stats.filter((stat) => stat.subscription_id === row.subscription_id);
    const of = (status: string) => mine.find((stat) => stat.status === status);
    const pending = Number(of('pending')?.count ?? 0);
    const deadLetters = Number(of('dead')?.count ?? 0);
    const oldest = [of('pending')?.oldest, of('dead')?.oldest]
      .filter((value) => value !== null && value !== undefined)
      .map(Number);
    const lastDelivered = of('delivered')?.lastDelivered;
    return {
      subscriptionId: row.subscription_id,
      name: row.name,
      url: row.url,
      types: JSON.parse(row.types) as string[],
      status: row.status,
      position: Number(row.scan_position),
      maxAttempts: Number(row.max_attempts),
      maxLagSeconds: Number(row.max_lag_seconds),
      createdBy: row.created_by,
      createdAt: Number(row.created_at),
      pending,
      deadLetters,
      failing: Number(of('pending')?.failing ?? 0),
      lagEvents: pending + deadLetters + (unqueued.get(row.subscription_id) ?? 0),
      oldestUndeliveredAt: oldest.length === 0 ? null : Math.min(...oldest),
      lastDeliveredAt: lastDelivered === null || lastDelivered === undefined ? null : Number(lastDelivered),
      lastError:
        lastErrors.find((error) => error.subscription_id === row.subscription_id)?.last_error ?? null,
      version: Number(row.version),
    };
  });
}

export async function listSubscriptions(executor: Executor): Promise<Subscription[]> {
  const rows = await executor
    .selectFrom('integration_subscriptions')
    .selectAll()
    .orderBy('created_at')
    .execute();
  return subscriptionViews(executor, rows);
}

export async function getSubscription(
  executor: Executor,
  subscriptionId: string,
  _at?: number,
): Promise<Subscription> {
  const [view] = await subscriptionViews(executor, [await requireSubscription(executor, subscriptionId)]);
  return view!;
}

export async function setSubscriptionStatus(
  hub: HubContext,
  subscriptionId: string,
  status: 'active' | 'paused',
): Promise<Subscription> {
  await requireSubscription(hub.storage.db, subscriptionId);
  await hub.storage.db
    .updateTable('integration_subscriptions')
    .set((eb) => ({ status, updated_at: hub.now(), version: eb('version', '+', 1) }))
    .where('subscription_id', '=', subscriptionId)
    .execute();
  return getSubscription(hub.storage.db, subscriptionId);
}

/** The row, locked, if it is still at the version the operator saw; otherwise a CONFLICT to reload on. */
async function subscriptionAtVersion(
  hub: HubContext,
  trx: Executor,
  subscriptionId: string,
  expectedVersion: number,
): Promise<IntegrationSubscriptionTable> {
  const row = await trx
    .selectFrom('integration_subscriptions')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.integration.noWebhookSubscription',
      { subscriptionId },
      {
        subscriptionId,
      },
    );
  }
  if (Number(row.version) !== expectedVersion) {
    throw new DomainError(
      'CONFLICT',
      'hub.integration.webhookEndpointChangedSomeone',
      { rowName: row.name, version: row.version },
      { reason: 'STALE_VERSION', subscriptionId, version: Number(row.version) },
    );
  }
  return row;
}

function auditedFields(row: IntegrationSubscriptionTable) {
  return {
    name: row.name,
    url: row.url,
    types: JSON.parse(row.types) as unknown,
    status: row.status,
    maxAttempts: Number(row.max_attempts),
    maxLagSeconds: Number(row.max_lag_seconds),
    version: Number(row.version),
  };
}

export async function updateSubscription(
  hub: HubContext,
  subscriptionId: string,
  update: z.output<typeof SubscriptionUpdateSchema>,
  actor: string,
): Promise<Subscription> {
  await hub.storage.transaction(async (trx) => {
    const current = await subscriptionAtVersion(hub, trx, subscriptionId, update.expectedVersion);
    const next: IntegrationSubscriptionTable = {
      ...current,
      ...(update.name === undefined ? {} : { name: update.name }),
      ...(update.url === undefined ? {} : { url: update.url }),
      ...(update.types === undefined ? {} : { types: JSON.stringify(update.types) }),
      ...(update.maxAttempts === undefined ? {} : { max_attempts: update.maxAttempts }),
      ...(update.maxLagSeconds === undefined ? {} : { max_lag_seconds: update.maxLagSeconds }),
      ...(update.status === undefined ? {} : { status: update.status }),
      version: Number(current.version) + 1,
      updated_at: hub.now(),
    };
    const { subscription_id: _id, created_at: _created, created_by: _by, secret: _secret, ...changes } = next;
    await trx
      .updateTable('integration_subscriptions')
      .set(changes)
      .where('subscription_id', '=', subscriptionId)
      .execute();
    await recordAudit(
      trx,
      {
        actor,
        action: 'integration.subscriptions.update',
        subject: `integration:${subscriptionId}`,
        before: auditedFields(current),
        after: auditedFields(next),
      },
      next.updated_at,
      hub.newId,
    );
  });
  return getSubscription(hub.storage.db, subscriptionId);
}

/** A new signing secret, used from the next delivery attempt on and returned this once. */
export async function rotateSubscriptionSecret(
  hub: HubContext,
  subscriptionId: string,
  input: z.output<typeof RotateSecretSchema>,
  actor: string,
): Promise<{ subscription: Subscription; secret: string }> {
  const secret = input.secret ?? newSigningSecret();
  await hub.storage.transaction(async (trx) => {
    const current = await subscriptionAtVersion(hub, trx, subscriptionId, input.expectedVersion);
    const version = Number(current.version) + 1;
    const at = hub.now();
    await trx
      .updateTable('integration_subscriptions')
      .set({ secret, version, updated_at: at })
      .where('subscription_id', '=', subscriptionId)
      .execute();
    await recordAudit(
      trx,
      {
        actor,
        action: 'integration.subscriptions.rotate-secret',
        subject: `integration:${subscriptionId}`,
        before: { version: current.version },
        after: { version, secretRotated: true },
      },
      at,
      hub.newId,
    );
  });
  return { subscription: await getSubscription(hub.storage.db, subscriptionId), secret };
}

function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export async function deleteSubscription(hub: HubContext, subscriptionId: string): Promise<void> {
  await requireSubscription(hub.storage.db, subscriptionId);
  await hub.storage.transaction(async (trx) => {
    await trx.deleteFrom('integration_deliveries').where('subscription_id', '=', subscriptionId).execute();
    await trx.deleteFrom('integration_subscriptions').where('subscription_id', '=', subscriptionId).execute();
  });
}

/**
 * Delivers everything after a cursor or time again: the queue is rebuilt from there (events already
 * delivered go out again; consumers de-duplicate by event id), earlier ones stay as they were.
 */
export async function replaySubscription(
  hub: HubContext,
  subscriptionId: string,
  from: z.output<typeof ReplaySchema>,
): Promise<Subscription> {
  await requireSubscription(hub.storage.db, subscriptionId);
  if (from.after === undefined && from.since === undefined) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.integration.sayWhereReplayAfter',
      {},
      {
        issues: [{ path: 'body.after', message: 'required' }],
      },
    );
  }
  const position = await startPosition(hub.storage.db, from);
  await hub.storage.transaction(async (trx) => {
    await trx
      .deleteFrom('integration_deliveries')
      .where('subscription_id', '=', subscriptionId)
      .where('seq', '>', position)
      .execute();
    await trx
      .updateTable('integration_subscriptions')
      .set({ scan_position: position, updated_at: hub.now() })
      .where('subscription_id', '=', subscriptionId)
      .execute();
  });
  return getSubscription(hub.storage.db, subscriptionId);
}

export async function listDeliveries(
  executor: Executor,
  subscriptionId: string,
  filter: z.output<typeof DeliveryFilterSchema>,
): Promise<Delivery[]> {
  await requireSubscription(executor, subscriptionId);
  const rows = await executor
    .selectFrom('integration_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .$if(filter.status !== undefined, (query) => query.where('status', '=', filter.status!))
    .orderBy('seq', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map(toDelivery);
}

/** A dead letter sent again (`retry`) or let go so its aggregate's later events move on (`skip`). */
export async function settleDeadLetter(
  hub: HubContext,
  subscriptionId: string,
  seq: number,
  action: 'retry' | 'skip',
): Promise<Delivery> {
  const at = hub.now();
  const result = await hub.storage.db
    .updateTable('integration_deliveries')
    .set(
      action === 'retry'
        ? { status: 'pending', attempts: 0, next_attempt_at: at, lease_until: null }
        : { status: 'skipped', lease_until: null },
    )
    .where('subscription_id', '=', subscriptionId)
    .where('seq', '=', seq)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  const row = await hub.storage.db
    .selectFrom('integration_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.integration.subscriptionNoDeliveryEvent',
      { subscriptionId, seq },
      {
        subscriptionId,
        seq,
      },
    );
  }
  if (Number(result.numUpdatedRows) === 0) {
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.integration.deliveryEventOnlyDead',
      { seq, rowStatus: row.status },
      { subscriptionId, seq, status: row.status },
    );
  }
  return toDelivery(row);
}

/** Events the subscription wants, from its position on, become delivery rows (in log order). */
async function queueFor(
  hub: HubContext,
  subscription: IntegrationSubscriptionTable,
  limit: number,
): Promise<number> {
  const patterns = JSON.parse(subscription.types) as string[];
  const types = patterns.length === 0 ? undefined : expandTypes(patterns);
  const page = await readIntegrationEvents(hub.storage.db, {
    after: Number(subscription.scan_position),
    limit,
    types,
  });
  if (page.position === Number(subscription.scan_position)) return 0;
  const at = hub.now();
  return hub.storage.transaction(async (trx) => {
    // Moved only from where this pass read it: another process (or a replay) that moved it meanwhile wins.
    const moved = await trx
      .updateTable('integration_subscriptions')
      .set({ scan_position: page.position })
      .where('subscription_id', '=', subscription.subscription_id)
      .where('scan_position', '=', subscription.scan_position)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return 0;
    const rows: IntegrationDeliveryTable[] = page.events.map((event) => ({
      subscription_id: subscription.subscription_id,
      seq: event.seq,
      event_id: event.eventId,
      aggregate_key: `${event.aggregate.type}:${event.aggregate.id}`,
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      lease_until: null,
      last_error: null,
      last_status_code: null,
      created_at: at,
      delivered_at: null,
    }));
    for (const chunk of chunks(rows, 300)) {
      await trx
        .insertInto('integration_deliveries')
        .values(chunk)
        .onConflict((conflict) => conflict.columns(['subscription_id', 'seq']).doNothing())
        .execute();
    }
    return rows.length;
  });
}

/** Queues new events for every subscription (paused ones too, so their lag shows). */
export async function queueNewEvents(hub: HubContext, limit = 1000): Promise<number> {
  const subscriptions = await hub.storage.db.selectFrom('integration_subscriptions').selectAll().execute();
  let queued = 0;
  for (const subscription of subscriptions) queued += await queueFor(hub, subscription, limit);
  return queued;
}

interface ClaimedDelivery extends ClaimedMessage {
  readonly subscriptionId: string;
  readonly subscriptionName: string;
  readonly seq: number;
  readonly leaseUntil: number;
}

/**
 * Deliveries as a queue of the delivery engine. A delivery is due when it is pending, its time has come,
 * its subscription is active and no earlier delivery of the same aggregate is still undelivered (pending
 * or dead): so at most one per aggregate is ever in flight, and an order's events arrive in order.
 */
export function subscriptionQueue(
  hub: HubContext,
  timeoutMs = 10_000,
  retry: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> = DEFAULT_RETRY_POLICY,
): DeliveryQueue<ClaimedDelivery> {
  return {
    async claim(limit, at, leaseUntil) {
      const due = await hub.storage.db
        .selectFrom('integration_deliveries as d')
        .innerJoin('integration_subscriptions as s', 's.subscription_id', 'd.subscription_id')
        .innerJoin('integration_events as e', 'e.seq', 'd.seq')
        .select([
          'd.subscription_id',
          'd.seq',
          'd.attempts',
          's.name',
          's.url',
          's.secret',
          's.max_attempts',
          'e.event_id',
          'e.type',
          'e.schema_version',
          'e.aggregate_type',
          'e.aggregate_id',
          'e.node_id',
          'e.source_event_id',
          'e.occurred_at',
          'e.recorded_at',
          'e.data',
        ])
        .where('s.status', '=', 'active')
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', at)
        .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<=', at)]))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('integration_deliveries as earlier')
                .select('earlier.seq')
                .whereRef('earlier.subscription_id', '=', 'd.subscription_id')
                .whereRef('earlier.aggregate_key', '=', 'd.aggregate_key')
                .whereRef('earlier.seq', '<', 'd.seq')
                .where('earlier.status', 'in', ['pending', 'dead']),
            ),
          ),
        )
        .orderBy('d.seq')
        .limit(limit)
        .execute();
      const claimed: ClaimedDelivery[] = [];
      for (const row of due) {
        // Taken only if nobody leased it since the read: one statement, atomic on both backends.
        const taken = await hub.storage.db
          .updateTable('integration_deliveries')
          .set({ lease_until: leaseUntil })
          .where('subscription_id', '=', row.subscription_id)
          .where('seq', '=', row.seq)
          .where('status', '=', 'pending')
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 0) continue;
        const body = JSON.stringify({
          eventId: row.event_id,
          type: row.type,
          schemaVersion: Number(row.schema_version),
          seq: Number(row.seq),
          aggregate: { type: row.aggregate_type, id: row.aggregate_id },
          nodeId: row.node_id,
          sourceEventId: row.source_event_id,
          occurredAt: new Date(Number(row.occurred_at)).toISOString(),
          recordedAt: new Date(Number(row.recorded_at)).toISOString(),
          data: JSON.parse(row.data) as unknown,
        });
        claimed.push({
          subscriptionId: row.subscription_id,
          subscriptionName: row.name,
          seq: Number(row.seq),
          leaseUntil,
          url: row.url,
          secret: row.secret,
          body,
          headers: {
            [EVENT_ID_HEADER]: row.event_id,
            [EVENT_TYPE_HEADER]: row.type,
            [SUBSCRIPTION_HEADER]: row.subscription_id,
            [ATTEMPT_HEADER]: String(Number(row.attempts) + 1),
          },
          attempts: Number(row.attempts),
          policy: { ...DEFAULT_RETRY_POLICY, ...retry, maxAttempts: Number(row.max_attempts) },
          timeoutMs,
        });
      }
      return claimed;
    },
    async settle(message, outcome, next) {
      const status =
        next.settlement === 'delivered' ? 'delivered' : next.settlement === 'dead' ? 'dead' : 'pending';
      const values = {
        status,
        attempts: message.attempts + 1,
        next_attempt_at: next.nextAttemptAt,
        lease_until: null,
        last_error: outcome.error,
        last_status_code: outcome.status,
        delivered_at: status === 'delivered' ? next.at : null,
      } as const;
      if (status !== 'dead') {
        await hub.storage.db
          .updateTable('integration_deliveries')
          .set(values)
          .where('subscription_id', '=', message.subscriptionId)
          .where('seq', '=', message.seq)
          .where('lease_until', '=', message.leaseUntil)
          .execute();
        return;
      }
      // A dead letter holds back its aggregate: a person must know (one open exception per subscription).
      await inHubTransaction(hub, async (tx) => {
        const updated = await tx.trx
          .updateTable('integration_deliveries')
          .set(values)
          .where('subscription_id', '=', message.subscriptionId)
          .where('seq', '=', message.seq)
          .where('lease_until', '=', message.leaseUntil)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        tx.raise({
          type: 'INTEGRATION_DEAD_LETTER',
          severity: 'critical',
          causeEventIds: [],
          conditionKey: `INTEGRATION_DEAD_LETTER:${message.subscriptionId}`,
          details: {
            subscriptionId: message.subscriptionId,
            subscription: message.subscriptionName,
            seq: message.seq,
            attempts: message.attempts + 1,
            lastError: outcome.error,
            message: `Webhook subscription ${message.subscriptionName} gave up on event ${message.seq} after ${message.attempts + 1} attempts (${outcome.error ?? 'failed'}); later events of the same aggregate wait until it is sent again or skipped.`,
          },
        });
      });
    },
  };
}

export function deliverDueEvents(
  hub: HubContext,
  options: DeliveryOptions = {},
  retry?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
): Promise<DeliveryReport> {
  return deliverDue(subscriptionQueue(hub, 10_000, retry), hub.now, options);
}

/**
 * Raises INTEGRATION_LAG for an active subscription whose oldest undelivered event waited longer than it
 * allows (one open exception per subscription, recurring while it stays behind), and closes it once the
 * subscription has caught up.
 */
export async function checkSubscriptionLag(hub: HubContext): Promise<{ behind: string[] }> {
  const now = hub.now();
  const views = await listSubscriptions(hub.storage.db);
  const behind: string[] = [];
  for (const view of views) {
    const key = `INTEGRATION_LAG:${view.subscriptionId}`;
    const lagMs = view.oldestUndeliveredAt === null ? 0 : now - view.oldestUndeliveredAt;
    if (view.status === 'active' && lagMs > view.maxLagSeconds * 1000) {
      behind.push(view.subscriptionId);
      const open = await hub.storage.db
        .selectFrom('exceptions')
        .select('exception_id')
        .where('condition_key', '=', key)
        .where('status', '=', 'open')
        .executeTakeFirst();
      // Recorded once per episode; the details keep the figures of when it was found.
      if (open !== undefined) continue;
      await inHubTransaction(hub, async (tx) => {
        tx.raise({
          type: 'INTEGRATION_LAG',
          severity: 'warning',
          causeEventIds: [],
          conditionKey: key,
          details: {
            subscriptionId: view.subscriptionId,
            subscription: view.name,
            lagEvents: view.lagEvents,
            lagSeconds: Math.round(lagMs / 1000),
            deadLetters: view.deadLetters,
            lastError: view.lastError,
            message: `Webhook subscription ${view.name} is ${Math.round(lagMs / 1000)} s behind (${view.lagEvents} events undelivered${view.lastError === null ? '' : `; last error: ${view.lastError}`}).`,
          },
        });
      });
      continue;
    }
    const open = await hub.storage.db
      .selectFrom('exceptions')
      .select('exception_id')
      .where('condition_key', '=', key)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open !== undefined && lagMs <= view.maxLagSeconds * 1000) {
      await inHubTransaction(hub, async (tx) => {
        await closeSettledException(tx.trx, open.exception_id, 'The subscription caught up.', 'hub', tx.at);
        tx.events.exceptionResolved(open.exception_id);
      });
    }
  }
  return { behind };
}
