import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Webhook subscriptions to the outbound log (integration/subscriptions.ts): each subscription queues the
 * events it wants as delivery rows, which the delivery engine sends in order per aggregate, with retries,
 * a dead-letter state and replay. `hub_leases` lets exactly one hub process run background delivery.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('integration_subscriptions')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // The HMAC key: needed in clear to sign; never returned after creation.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('types', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scan_position', 'bigint', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('max_lag_seconds', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('integration_deliveries')
    .addColumn('subscription_id', 'text', (c) =>
      c.notNull().references('integration_subscriptions.subscription_id').onDelete('cascade'),
    )
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('aggregate_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ms, (c) => c.notNull())
    .addColumn('lease_until', ms)
    .addColumn('last_error', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('delivered_at', ms)
    .addPrimaryKeyConstraint('integration_deliveries_pk', ['subscription_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('integration_deliveries_due')
    .on('integration_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('integration_deliveries_aggregate')
    .on('integration_deliveries')
    .columns(['subscription_id', 'aggregate_key', 'seq'])
    .execute();
  await db.schema
    .createTable('hub_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('until', ms, (c) => c.notNull())
    .execute();
}
