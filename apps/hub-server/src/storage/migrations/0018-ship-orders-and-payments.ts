import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Ship-to-home orders, payments through a provider, and online-order returns (issue 18).
 *
 * - Nodes get a ship-from-store switch and a pick capacity of their own for ship orders, apart from the
 *   pickup ones (a store may take 5 pickup picks and 20 ship picks at once). Existing nodes ship nothing.
 * - `bopis_orders.fulfilment` copies the order's fulfilment type so capacity counts and queues can filter.
 * - `order_payments`: the order's payment record at the provider (intent id, authorised / captured /
 *   refunded totals). `payment_operations` is the outbox of provider calls: written in the transaction
 *   that decides them (capture on shipment, refund on return), sent afterwards with the operation id as
 *   the provider's idempotency key, so a retry after a crash never charges twice.
 * - `payment_webhook_events`: provider event ids already applied (each applied once).
 * - `order_returns`: returns of online orders at a till or by mail (RMA).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .alterTable('nodes')
    .addColumn('ship_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('nodes')
    .addColumn('ship_pick_capacity', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('bopis_orders')
    .addColumn('fulfilment', 'text', (c) => c.notNull().defaultTo('pickup'))
    .execute();
  await db.schema
    .createIndex('bopis_orders_node_fulfilment')
    .on('bopis_orders')
    .columns(['node_id', 'fulfilment', 'status'])
    .execute();

  await db.schema
    .createTable('order_payments')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('intent_id', 'text', (c) => c.notNull().unique())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('authorised', 'bigint', (c) => c.notNull())
    .addColumn('captured', 'bigint', (c) => c.notNull())
    .addColumn('refunded', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('payment_operations')
    .addColumn('operation_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ms, (c) => c.notNull())
    .addColumn('lease_until', ms)
    .addColumn('provider_ref', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('done_at', ms)
    .execute();
  await db.schema
    .createIndex('payment_operations_due')
    .on('payment_operations')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('payment_operations_order')
    .on('payment_operations')
    .column('order_id')
    .execute();

  await db.schema
    .createTable('payment_webhook_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('intent_id', 'text')
    .addColumn('received_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('order_returns')
    .addColumn('return_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('refund_amount', 'bigint', (c) => c.notNull())
    .addColumn('refund_operation_id', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('received_at', ms)
    .execute();
  await db.schema.createIndex('order_returns_order').on('order_returns').column('order_id').execute();
}
