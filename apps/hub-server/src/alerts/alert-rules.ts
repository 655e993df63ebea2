import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { EXCEPTION_SEVERITIES, EXCEPTION_TYPES } from '../exceptions/exception-queue';
import type { HubContext } from '../hub-context';
import type { AlertDeliveryTable, AlertRuleTable } from '../storage/schema';
import type { Executor } from '../storage/storage';

/**
 * HQ's alert rules: "this exception kind (at least this severity, at this store) → a webhook or these
 * e-mail addresses". Each change names the version the operator saw, so two people editing one rule
 * never overwrite each other silently; the routes audit every change.
 */

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  exceptionType: z.enum(EXCEPTION_TYPES),
  /** The least severity that alerts; absent or null: every severity. */
  minSeverity: z.enum(EXCEPTION_SEVERITIES).nullable().default(null),
  /** Only exceptions at this store or warehouse; absent or null: anywhere. */
  nodeId: z.string().trim().min(1).max(100).nullable().default(null),
  enabled: z.boolean().default(true),
};
const webhookTarget = {
  channel: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/, error: 'Give an http(s) URL.' }).max(2000),
  /** The HMAC key the receiver verifies with (16–200 characters); the hub makes one when absent. */
  secret: z.string().min(16).max(200).optional(),
};
const emailTarget = {
  channel: z.literal('email'),
  emails: z
    .array(z.email({ error: 'Give e-mail addresses such as ops@example.com.' }).max(254))
    .min(1, 'Give at least one e-mail address.')
    .max(20, 'At most 20 addresses per rule; use a mailing list for more.'),
};

export const AlertRuleInputSchema = z.discriminatedUnion('channel', [
  z.object({ ...ruleFields, ...webhookTarget }),
  z.object({ ...ruleFields, ...emailTarget }),
]);
export type AlertRuleInput = z.output<typeof AlertRuleInputSchema>;

/** A change: the whole rule again plus the version the operator saw. */
export const AlertRuleUpdateSchema = z.discriminatedUnion('channel', [
  z.object({ ...ruleFields, ...webhookTarget, version: z.number().int().min(1) }),
  z.object({ ...ruleFields, ...emailTarget, version: z.number().int().min(1) }),
]);

export const AlertRuleSchema = z.object({
  ruleId: z.string(),
  name: z.string(),
  exceptionType: z.string(),
  minSeverity: z.enum(EXCEPTION_SEVERITIES).nullable(),
  nodeId: z.string().nullable(),
  channel: z.enum(['webhook', 'email']),
  url: z.string().nullable(),
  emails: z.array(z.string()).nullable(),
  enabled: z.boolean(),
  version: z.number().int(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** Deliveries of this rule that ran out of attempts and were not sent again. */
  failedDeliveries: z.number().int(),
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;

export const ALERT_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const AlertDeliverySchema = z.object({
  deliveryId: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  exceptionId: z.string(),
  exceptionType: z.string(),
  channel: z.enum(['webhook', 'email']),
  /** The URL or the addresses, comma-separated. */
  target: z.string(),
  status: z.enum(ALERT_DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  createdAt: z.number().int(),
  deliveredAt: z.number().int().nullable(),
});
export type AlertDelivery = z.infer<typeof AlertDeliverySchema>;

export const AlertDeliveryFilterSchema = z.object({
  status: z.enum(ALERT_DELIVERY_STATUSES).optional(),
  ruleId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

function targetOf(input: AlertRuleInput): string {
  return input.channel === 'webhook' ? input.url : JSON.stringify(input.emails);
}

function toDelivery(row: AlertDeliveryTable): AlertDelivery {
  return {
    deliveryId: row.delivery_id,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    exceptionId: row.exception_id,
    exceptionType: row.exception_type,
    channel: row.channel,
    target: row.channel === 'email' ? (JSON.parse(row.target) as string[]).join(', ') : row.target,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : null,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

async function ruleViews(executor: Executor, rows: readonly AlertRuleTable[]): Promise<AlertRule[]> {
  if (rows.length === 0) return [];
  const failed = await executor
    .selectFrom('alert_deliveries')
    .select(['rule_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', '=', 'failed')
    .where(
      'rule_id',
      'in',
      rows.map((row) => row.rule_id),
    )
    .groupBy('rule_id')
    .execute();
  return rows.map((row) => ({
    ruleId: row.rule_id,
    name: row.name,
    exceptionType: row.exception_type,
    minSeverity: row.min_severity,
    nodeId: row.node_id,
    channel: row.channel,
    url: row.channel === 'webhook' ? row.target : null,
    emails: row.channel === 'email' ? (JSON.parse(row.target) as string[]) : null,
    enabled: Number(row.enabled) === 1,
    version: Number(row.version),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    failedDeliveries: Number(failed.find((count) => count.rule_id === row.rule_id)?.count ?? 0),
  }));
}

async function requireRule(executor: Executor, ruleId: string): Promise<AlertRuleTable> {
  const row = await executor
    .selectFrom('alert_rules')
    .selectAll()
    .where('rule_id', '=', ruleId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.alerts.noAlertRuleMay',
      { ruleId },
      {
        ruleId,
      },
    );
  }
  return row;
}

async function requireNode(executor: Executor, nodeId: string | null): Promise<void> {
  if (nodeId === null) return;
  const node = await executor
    .selectFrom('nodes')
    .select('node_id')
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (node === undefined) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.alerts.noStoreWarehouse',
      { nodeId },
      {
        issues: [{ path: 'body.nodeId', message: 'unknown node' }],
      },
    );
  }
}

export async function listAlertRules(executor: Executor): Promise<AlertRule[]> {
  const rows = await executor
    .selectFrom('alert_rules')
    .selectAll()
    .orderBy('created_at')
    .orderBy('rule_id')
    .execute();
  return ruleViews(executor, rows);
}

export async function getAlertRule(executor: Executor, ruleId: string): Promise<AlertRule> {
  const [view] = await ruleViews(executor, [await requireRule(executor, ruleId)]);
  return view!;
}

/** A new rule; a webhook's signing secret is returned this once. */
export async function createAlertRule(
  hub: HubContext,
  input: AlertRuleInput,
  actor: string,
): Promise<{ rule: AlertRule; secret: string | null }> {
  await requireNode(hub.storage.db, input.nodeId);
  const secret =
    input.channel === 'webhook' ? (input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`) : null;
  const at = hub.now();
  const ruleId = hub.newId();
  await hub.storage.db
    .insertInto('alert_rules')
    .values({
      rule_id: ruleId,
      name: input.name,
      exception_type: input.exceptionType,
      min_severity: input.minSeverity,
      node_id: input.nodeId,
      channel: input.channel,
      target: targetOf(input),
      secret,
      enabled: input.enabled ? 1 : 0,
      version: 1,
      created_by: actor,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return { rule: await getAlertRule(hub.storage.db, ruleId), secret };
}

function conflict(ruleId: string, seen: number, current: number): DomainError {
  return new DomainError(
    'CONFLICT',
    'hub.alerts.alertRuleChangedSomeone',
    { ruleId, current, seen },
    { ruleId, version: current },
  );
}

/**
 * Replaces a rule if it is still at the version the operator saw. A webhook keeps its secret unless a new
 * one is given; switching to e-mail drops it. Alerts already queued keep the target they were queued for.
 */
export async function updateAlertRule(
  hub: HubContext,
  ruleId: string,
  input: z.output<typeof AlertRuleUpdateSchema>,
): Promise<{ rule: AlertRule; secret: string | null }> {
  const current = await requireRule(hub.storage.db, ruleId);
  await requireNode(hub.storage.db, input.nodeId);
  const newSecret =
    input.channel === 'webhook' && (input.secret !== undefined || current.secret === null)
      ? (input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`)
      : null;
  const result = await hub.storage.db
    .updateTable('alert_rules')
    .set({
      name: input.name,
      exception_type: input.exceptionType,
      min_severity: input.minSeverity,
      node_id: input.nodeId,
      channel: input.channel,
      target: targetOf(input),
      secret: input.channel === 'email' ? null : (newSecret ?? current.secret),
      enabled: input.enabled ? 1 : 0,
      version: input.version + 1,
      updated_at: hub.now(),
    })
    .where('rule_id', '=', ruleId)
    .where('version', '=', input.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw conflict(ruleId, input.version, Number(current.version));
  return { rule: await getAlertRule(hub.storage.db, ruleId), secret: newSecret };
}

/** Deletes a rule at the version the operator saw; its deliveries stay (failed ones still show). */
export async function deleteAlertRule(hub: HubContext, ruleId: string, version: number): Promise<void> {
  const current = await requireRule(hub.storage.db, ruleId);
  const result = await hub.storage.db
    .deleteFrom('alert_rules')
    .where('rule_id', '=', ruleId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw conflict(ruleId, version, Number(current.version));
}

/** Newest first (ids are UUIDv7). */
export async function listAlertDeliveries(
  executor: Executor,
  filter: z.output<typeof AlertDeliveryFilterSchema>,
): Promise<AlertDelivery[]> {
  const rows = await executor
    .selectFrom('alert_deliveries')
    .selectAll()
    .$if(filter.status !== undefined, (query) => query.where('status', '=', filter.status!))
    .$if(filter.ruleId !== undefined, (query) => query.where('rule_id', '=', filter.ruleId!))
    .orderBy('delivery_id', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map(toDelivery);
}

/** Puts an alert that ran out of attempts back in the queue (HQ fixed the receiver or the mail server). */
export async function retryAlertDelivery(hub: HubContext, deliveryId: string): Promise<AlertDelivery> {
  const at = hub.now();
  const result = await hub.storage.db
    .updateTable('alert_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: at, lease_until: null, updated_at: at })
    .where('delivery_id', '=', deliveryId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  const row = await hub.storage.db
    .selectFrom('alert_deliveries')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.alerts.noAlertDelivery', { deliveryId }, { deliveryId });
  }
  if (Number(result.numUpdatedRows) === 0) {
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.alerts.onlyFailedAlertResent',
      { deliveryId, rowStatus: row.status },
      { deliveryId, status: row.status },
    );
  }
  return toDelivery(row);
}
