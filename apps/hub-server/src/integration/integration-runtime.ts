import { deliverDueAlerts, type AlertDeliveryConfig } from '../alerts/alert-outbox';
import type { HubContext } from '../hub-context';
import { deliverDueNotifications, type WebhookConfig } from '../orders/notification-outbox';
import { deliverDueReceiptEmails, type ReceiptEmailConfig } from '../receipts/receipt-emails';
import type { DeliveryOptions, DeliveryReport, RetryPolicy } from './delivery-engine';
import { DEFAULT_JOURNAL_POLICY, publishDueJournals, type JournalPolicy } from './journal';
import { acquireLease, releaseLease } from './lease';
import { checkSubscriptionLag, deliverDueEvents, queueNewEvents } from './subscriptions';

/**
 * The integration layer's background work, run by exactly one hub process at a time (the holder of the
 * `integration` lease in the database; the others stand by and take over when it lapses): publish the
 * journals of store days that are over, queue new
 * events for webhook subscriptions, deliver what is due (events, customer notifications, alerts and receipt e-mails, through the
 * one delivery engine), and watch for subscriptions falling behind. Runs when kicked (a transaction
 * appended to the log), and at least every `intervalMs`.
 */

export const INTEGRATION_LEASE = 'integration';

export interface IntegrationRuntimeLogger {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface IntegrationRuntimeOptions {
  /** Customer notifications go nowhere without it (they wait in their outbox, visible via the API). */
  readonly notifications?: WebhookConfig;
  /** Alert rules' deliveries (webhooks always; e-mail once a mailer is configured). */
  readonly alerts?: AlertDeliveryConfig;
  /** Receipt e-mails tills asked for (they wait in their outbox until a mailer is configured). */
  readonly receiptEmails?: ReceiptEmailConfig;
  readonly delivery?: DeliveryOptions;
  /** Backoff of subscription deliveries (default 1 s doubling to 30 min). */
  readonly retry?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  readonly journal?: JournalPolicy;
  readonly intervalMs?: number;
  readonly leaseMs?: number;
  readonly logger?: IntegrationRuntimeLogger;
}

export interface IntegrationPassReport {
  /** False when another hub process holds the lease: this one did nothing. */
  readonly leader: boolean;
  /** Store days whose journal (or a new revision of it) was published. */
  readonly journals: number;
  readonly queued: number;
  readonly events: DeliveryReport | null;
  readonly notifications: DeliveryReport | null;
  readonly alerts: DeliveryReport | null;
  readonly receiptEmails: DeliveryReport | null;
  readonly behind: readonly string[];
}

export async function runIntegrationPass(
  hub: HubContext,
  options: IntegrationRuntimeOptions = {},
): Promise<IntegrationPassReport> {
  const leaseMs = options.leaseMs ?? 30_000;
  const leader = await acquireLease(
    hub.storage.db,
    INTEGRATION_LEASE,
    hub.storage.instanceId,
    leaseMs,
    hub.now(),
  );
  if (!leader)
    return {
      leader,
      journals: 0,
      queued: 0,
      events: null,
      notifications: null,
      alerts: null,
      receiptEmails: null,
      behind: [],
    };
  const journals = await publishDueJournals(hub, options.journal ?? DEFAULT_JOURNAL_POLICY);
  const queued = await queueNewEvents(hub);
  // Claims last well inside the lease, so a successor never takes a message still in flight here.
  const delivery = { leaseMs: Math.floor(leaseMs / 2), ...options.delivery };
  const events = await deliverDueEvents(hub, delivery, options.retry);
  const notifications =
    options.notifications === undefined
      ? null
      : await deliverDueNotifications(hub, options.notifications, delivery);
  const alerts = await deliverDueAlerts(
    hub,
    { ...options.alerts, retry: { ...options.retry, ...options.alerts?.retry } },
    delivery,
  );
  const receiptEmails = await deliverDueReceiptEmails(
    hub,
    { ...options.receiptEmails, retry: { ...options.retry, ...options.receiptEmails?.retry } },
    delivery,
  );
  const { behind } = await checkSubscriptionLag(hub);
  return { leader, journals, queued, events, notifications, alerts, receiptEmails, behind };
}

export interface IntegrationRuntime {
  kick(): void;
  runOnce(): Promise<IntegrationPassReport>;
  stop(): Promise<void>;
}

export function startIntegrationRuntime(
  hub: HubContext,
  options: IntegrationRuntimeOptions = {},
): IntegrationRuntime {
  const intervalMs = options.intervalMs ?? 1000;
  let running: Promise<IntegrationPassReport | undefined> | undefined;
  let again = false;
  let stopped = false;
  // The last pass found another process holding the lease: feed appends (every push of every process)
  // need not ask again, the interval does (the lease lasts `leaseMs`, far longer than the interval).
  let standingBy = false;

  const pass = async () => {
    try {
      const report = await runIntegrationPass(hub, options);
      standingBy = !report.leader;
      const busy =
        report.journals > 0 ||
        report.queued > 0 ||
        (report.events?.attempted ?? 0) > 0 ||
        (report.notifications?.attempted ?? 0) > 0 ||
        (report.alerts?.attempted ?? 0) > 0 ||
        (report.receiptEmails?.attempted ?? 0) > 0;
      if (busy) options.logger?.info({ ...report }, 'integration pass');
      return report;
    } catch (error) {
      options.logger?.error({ err: error }, 'integration pass failed');
      standingBy = false;
      return undefined;
    }
  };
  const start = () => {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        start();
      }
    });
  };
  const timer = setInterval(start, intervalMs);
  timer.unref();
  // Most changes that publish events also move the stores' feed: a cheap, cross-process wake-up.
  const unsubscribe = hub.storage.onFeedAppended(() => {
    if (!standingBy) start();
  });
  start();

  return {
    kick: start,
    async runOnce() {
      while (running !== undefined) await running;
      return runIntegrationPass(hub, options);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      while (running !== undefined) await running;
      await releaseLease(hub.storage.db, INTEGRATION_LEASE, hub.storage.instanceId).catch(() => undefined);
    },
  };
}
