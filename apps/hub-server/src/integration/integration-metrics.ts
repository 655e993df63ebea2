import { Gauge, type Registry } from 'prom-client';
import type { Executor } from '../storage/storage';
import { integrationHead } from './outbound-log';
import { listSubscriptions } from './subscriptions';

type Subscription = Awaited<ReturnType<typeof listSubscriptions>>[number];

const SUBSCRIPTION_GAUGES: readonly [
  name: string,
  help: string,
  value: (s: Subscription, now: number) => number,
][] = [
  [
    'hub_integration_subscription_lag_events',
    'Events a webhook subscription has not delivered yet (queued or not).',
    (s) => s.lagEvents,
  ],
  [
    'hub_integration_subscription_oldest_undelivered_seconds',
    'Age of the oldest undelivered event of a webhook subscription (0 when caught up).',
    (s, now) => (s.oldestUndeliveredAt === null ? 0 : Math.max(0, (now - s.oldestUndeliveredAt) / 1000)),
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

/**
 * Prometheus gauges of the outbound log and each webhook subscription, read from the database at scrape
 * time so every hub process reports the same figures, whichever one delivers.
 */
export class IntegrationGauges {
  private readonly head: Gauge;
  private readonly perSubscription: readonly [
    Gauge<'subscription' | 'id'>,
    (s: Subscription, now: number) => number,
  ][];

  constructor(registry: Registry) {
    this.head = new Gauge({
      name: 'hub_integration_log_head_seq',
      help: 'Highest position of the outbound integration log.',
      registers: [registry],
    });
    this.perSubscription = SUBSCRIPTION_GAUGES.map(([name, help, value]) => [
      new Gauge({ name, help, labelNames: ['subscription', 'id'] as const, registers: [registry] }),
      value,
    ]);
  }

  async refresh(executor: Executor, now: number): Promise<void> {
    this.head.set(await integrationHead(executor));
    const subscriptions = await listSubscriptions(executor);
    for (const [gauge, value] of this.perSubscription) {
      // A deleted subscription must leave the scrape, not linger with its last value.
      gauge.reset();
      for (const subscription of subscriptions) {
        gauge.set(
          { subscription: subscription.name, id: subscription.subscriptionId },
          value(subscription, now),
        );
      }
    }
  }
}
