import type { Insertable } from 'kysely';
import type { HubContext } from '../hub-context';
import {
  DEFAULT_RETRY_POLICY,
  deliverDue,
  postSigned,
  type AttemptOutcome,
  type ClaimedMessage,
  type DeliveryOptions,
  type DeliveryQueue,
  type DeliveryReport,
  type RetryPolicy,
} from '../integration/delivery-engine';
import { chunks } from '../storage/chunks';
import type { AlertDeliveryTable, AlertRuleTable, ExceptionTable } from '../storage/schema';
import type { Executor } from '../storage/storage';
import { leasedQueue, type Leased } from '../integration/leased-queue';
import type { Mailer } from '../integration/mailer';

/**
 * The alert outbox. An exception that matches an HQ alert rule gets one delivery row per rule, written by
 * the statement batch that inserts the exception (same transaction: no alert without its exception, none
 * lost if the hub stops before sending). The integration runtime then sends them through the delivery
 * engine the webhooks use (lease, exponential backoff, last attempt → `failed`, which HQ sees and can
 * send again), by a signed webhook POST or by e-mail over SMTP.
 */

export const ALERT_ID_HEADER = 'x-retail-alert-id';
export const ALERT_EVENT_HEADER = 'x-retail-event';
export const ALERT_EVENT = 'alert.exception_raised';

const SEVERITY_RANK: Readonly<Record<string, number>> = { info: 0, warning: 1, critical: 2 };

type NewException = Pick<
  Insertable<ExceptionTable>,
  'exception_id' | 'type' | 'severity' | 'node_id' | 'sku' | 'details' | 'created_at'
>;

export function ruleMatches(
  rule: Pick<AlertRuleTable, 'exception_type' | 'min_severity' | 'node_id' | 'enabled'>,
  exception: Pick<NewException, 'type' | 'severity' | 'node_id'>,
): boolean {
  return (
    rule.enabled === 1 &&
    rule.exception_type === exception.type &&
    (rule.min_severity === null ||
      (SEVERITY_RANK[exception.severity] ?? 0) >= (SEVERITY_RANK[rule.min_severity] ?? 0)) &&
    (rule.node_id === null || rule.node_id === exception.node_id)
  );
}

/** The store or warehouse an exception is at, as people know it (its id means nothing to them). */
export interface AlertStore {
  readonly code: string;
  readonly name: string;
}

/** What a receiver gets (the webhook's JSON body; the e-mail's text is written from it). */
export function alertPayload(
  deliveryId: string,
  rule: Pick<AlertRuleTable, 'rule_id' | 'name'>,
  exception: NewException,
  store: AlertStore | null = null,
): Record<string, unknown> {
  const details = JSON.parse(exception.details) as Record<string, unknown>;
  return {
    alertId: deliveryId,
    type: ALERT_EVENT,
    rule: { ruleId: rule.rule_id, name: rule.name },
    exception: {
      exceptionId: exception.exception_id,
      type: exception.type,
      severity: exception.severity,
      nodeId: exception.node_id ?? null,
      store,
      sku: exception.sku ?? null,
      message: typeof details.message === 'string' ? details.message : null,
      details,
      raisedAt: new Date(Number(exception.created_at)).toISOString(),
    },
  };
}

/** Called with the exception rows a statement batch has just inserted, inside its transaction. */
export async function enqueueAlerts(
  executor: Executor,
  exceptions: readonly NewException[],
  at: number,
  newId: () => string,
): Promise<void> {
  if (exceptions.length === 0) return;
  const types = [...new Set(exceptions.map((exception) => exception.type))];
  const rules = await executor
    .selectFrom('alert_rules')
    .select(['rule_id', 'name', 'exception_type', 'min_severity', 'node_id', 'enabled', 'channel', 'target'])
    .where('exception_type', 'in', types)
    .where('enabled', '=', 1)
    .execute();
  if (rules.length === 0) return;
  const nodeIds = [...new Set(exceptions.flatMap((exception) => exception.node_id ?? []))];
  const stores = new Map(
    nodeIds.length === 0
      ? []
      : (
          await executor
            .selectFrom('nodes')
            .select(['node_id', 'code', 'name'])
            .where('node_id', 'in', nodeIds)
            .execute()
        ).map((node) => [node.node_id, { code: node.code, name: node.name }]),
  );
  const rows: AlertDeliveryTable[] = [];
  for (const exception of exceptions) {
    for (const rule of rules) {
      if (!ruleMatches(rule, exception)) continue;
      const deliveryId = newId();
      rows.push({
        delivery_id: deliveryId,
        rule_id: rule.rule_id,
        rule_name: rule.name,
        exception_id: exception.exception_id,
        exception_type: exception.type,
        channel: rule.channel,
        target: rule.target,
        payload: JSON.stringify(
          alertPayload(deliveryId, rule, exception, stores.get(exception.node_id ?? '') ?? null),
        ),
        status: 'pending',
        attempts: 0,
        next_attempt_at: at,
        lease_until: null,
        last_error: null,
        last_status_code: null,
        created_at: at,
        updated_at: at,
        delivered_at: null,
      });
    }
  }
  for (const chunk of chunks(rows, 200))
    await executor.insertInto('alert_deliveries').values(chunk).execute();
}

export interface AlertDeliveryConfig {
  /** Without one, e-mail alerts fail each attempt with a sentence saying so (and stay visible). */
  readonly mailer?: Mailer | undefined;
  readonly retry?: Partial<RetryPolicy>;
  readonly timeoutMs?: number;
}

interface ClaimedAlert extends ClaimedMessage {
  readonly channel: 'webhook' | 'email';
  readonly recipients: readonly string[];
  /** Null when the rule was deleted after the alert was queued (nothing to sign a webhook with). */
  readonly ruleSecret: string | null;
}

/** Alert deliveries as a leased queue of the delivery engine (integration/leased-queue.ts). */
export function alertQueue(
  hub: HubContext,
  config: AlertDeliveryConfig = {},
): DeliveryQueue<ClaimedAlert & Leased> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...config.retry };
  const timeoutMs = config.timeoutMs ?? 10_000;
  return leasedQueue(hub, {
    table: 'alert_deliveries',
    idColumn: 'delivery_id',
    async toMessages(rows, _leaseUntil, trx) {
      const secrets = new Map(
        (
          await trx
            .selectFrom('alert_rules')
            .select(['rule_id', 'secret'])
            .where('rule_id', 'in', [...new Set(rows.map((row) => row.rule_id))])
            .execute()
        ).map((rule) => [rule.rule_id, rule.secret]),
      );
      return rows.map((row) => ({
        channel: row.channel,
        recipients: row.channel === 'email' ? (JSON.parse(row.target) as string[]) : [],
        ruleSecret: secrets.get(row.rule_id) ?? null,
        url: row.channel === 'webhook' ? row.target : '',
        secret: secrets.get(row.rule_id) ?? '',
        body: row.payload,
        headers: { [ALERT_ID_HEADER]: row.delivery_id, [ALERT_EVENT_HEADER]: ALERT_EVENT },
        attempts: Number(row.attempts),
        policy,
        timeoutMs,
      }));
    },
    async send(message, at): Promise<AttemptOutcome> {
      if (message.channel === 'webhook') {
        if (message.ruleSecret === null) {
          return {
            ok: false,
            status: null,
            error: 'The alert rule was deleted before this alert was sent; its webhook secret is gone.',
          };
        }
        return postSigned(message, at, fetch);
      }
      if (config.mailer === undefined) {
        return {
          ok: false,
          status: null,
          error:
            'No SMTP server is configured (pos-hub serve --smtp-host); the e-mail waits to be sent again.',
        };
      }
      return config.mailer.send(message.recipients, alertEmail(JSON.parse(message.body) as AlertBody));
    },
  });
}

interface AlertBody {
  readonly rule: { readonly name: string };
  readonly exception: {
    readonly exceptionId: string;
    readonly type: string;
    readonly severity: string;
    readonly nodeId: string | null;
    /** Absent from alerts queued before stores were named in them. */
    readonly store?: AlertStore | null;
    readonly sku: string | null;
    readonly message: string | null;
    readonly raisedAt: string;
  };
}

export function alertEmail(body: AlertBody): { subject: string; text: string } {
  const { exception } = body;
  const store =
    exception.store != null ? `${exception.store.name} (${exception.store.code})` : exception.nodeId;
  const where = store === null ? '' : ` at ${store}`;
  const subject = `[${exception.severity}] ${exception.type}${where}`;
  const lines = [
    exception.message ?? `The hub raised a ${exception.type} exception${where}.`,
    '',
    `Kind: ${exception.type}`,
    `Severity: ${exception.severity}`,
    ...(store === null ? [] : [`Store: ${store}`]),
    ...(exception.sku === null ? [] : [`SKU: ${exception.sku}`]),
    `Raised: ${exception.raisedAt}`,
    `Exception: ${exception.exceptionId}`,
    '',
    `Sent by the alert rule "${body.rule.name}". Open the exception in the HQ dashboard to resolve it.`,
  ];
  return { subject, text: `${lines.join('\n')}\n` };
}

/** Sends every alert that is due, once each (the integration runtime runs this; tests call it directly). */
export function deliverDueAlerts(
  hub: HubContext,
  config: AlertDeliveryConfig = {},
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  return deliverDue(alertQueue(hub, config), hub.now, options);
}
