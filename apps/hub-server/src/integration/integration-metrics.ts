import type { Executor } from '../storage/storage';
import { integrationHead } from './outbound-log';
import { listSubscriptions } from './subscriptions';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * Prometheus gauges of the outbound log and each webhook subscription, read from the database at scrape
 * time so every hub process reports the same figures, whichever one delivers.
 */
export async function integrationMetricLines(executor: Executor, now: number): Promise<string[]> {
  const lines = [
    '# HELP hub_integration_log_head_seq Highest position of the outbound integration log.',
    '# TYPE hub_integration_log_head_seq gauge',
    `hub_integration_log_head_seq ${await integrationHead(executor)}`,
  ];
  const subscriptions = await listSubscriptions(executor);
  const gauges: [name: string, help: string, value: (s: (typeof subscriptions)[number]) => number][] = [
    [
      'hub_integration_subscription_lag_events',
      'Events a webhook subscription has not delivered yet (queued or not).',
      (s) => s.lagEvents,
    ],
    [
      'hub_integration_subscription_oldest_undelivered_seconds',
      'Age of the oldest undelivered event of a webhook subscription (0 when caught up).',
      (s) => (s.oldestUndeliveredAt === null ? 0 : Math.max(0, (now - s.oldestUndeliveredAt) / 1000)),
    ],
    [
      'hub_integration_subscription_failing',
      'Deliveries of a webhook subscription whose last attempt failed and that will be tried again.',
      (s) => s.failing,
    ],
    [
      'hub_integration_subscription_dead_letters',
      'Deliveries of a webhook subscription that ran out of attempts (their aggregates wait).',
      (s) => s.deadLetters,
    ],
    [
      'hub_integration_subscription_paused',
      'Whether a webhook subscription is paused (1) or not (0).',
      (s) => (s.status === 'paused' ? 1 : 0),
    ],
  ];
  for (const [name, help, value] of gauges) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const subscription of subscriptions) {
      lines.push(
        `${name}{subscription="${label(subscription.name)}",id="${subscription.subscriptionId}"} ${value(subscription)}`,
      );
    }
  }
  return lines;
}
