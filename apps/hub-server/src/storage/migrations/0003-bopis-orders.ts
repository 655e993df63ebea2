import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * BOPIS orders at the hub (issue 6). The order's whole state (packages/domain BopisOrderState) is one
 * JSON document, because the domain state machine reads and writes it as a whole; the columns next to it
 * are copies kept for the queries the hub runs (expiry sweep, store queues, short picks to re-route,
 * pickup-code uniqueness, idempotent intake). Reservations stay in `reservations`; `bopis_reservations`
 * says which order line each one serves. The timeline, refund records and the customer-notification
 * outbox are append-mostly tables of their own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';

  await db.schema
    .createTable('bopis_orders')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('order_number', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('pickup_code', 'text', (c) => c.notNull())
    .addColumn('expires_at', ms)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('routing', 'text')
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('payment_status', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('bopis_orders_status_expiry')
    .on('bopis_orders')
    .columns(['status', 'expires_at'])
    .execute();
  await db.schema
    .createIndex('bopis_orders_node_status')
    .on('bopis_orders')
    .columns(['node_id', 'status'])
    .execute();
  await db.schema.createIndex('bopis_orders_pickup_code').on('bopis_orders').column('pickup_code').execute();
  await db.schema.createIndex('bopis_orders_number').on('bopis_orders').column('order_number').execute();

  await db.schema
    .createTable('bopis_order_timeline')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bopis_order_timeline_pk', ['order_id', 'seq'])
    .execute();

  await db.schema
    .createTable('bopis_reservations')
    .addColumn('reservation_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('bopis_reservations_order')
    .on('bopis_reservations')
    .columns(['order_id', 'node_id'])
    .execute();

  await db.schema
    .createTable('bopis_refunds')
    .addColumn('refund_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('authorisation_ref', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('exception_id', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bopis_refunds_order').on('bopis_refunds').column('order_id').execute();

  await db.schema
    .createTable('bopis_notifications')
    .addColumn('notification_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ms, (c) => c.notNull())
    .addColumn('lease_until', ms)
    .addColumn('last_error', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('delivered_at', ms)
    .execute();
  await db.schema
    .createIndex('bopis_notifications_due')
    .on('bopis_notifications')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('bopis_notifications_order')
    .on('bopis_notifications')
    .column('order_id')
    .execute();
}
