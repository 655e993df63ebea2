import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * What each order (or each part of a split order) settled with its payment: capture an amount when its
 * goods left, or nothing when it will not be collected. One card authorisation covers a whole customer
 * order, and a PaymentIntent is captured once, so the provider call waits until every part has settled
 * and then captures their sum (or cancels the hold when nothing is to be charged).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema
    .createTable('payment_settlements')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('payment_order_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('settled_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('payment_settlements_payment')
    .on('payment_settlements')
    .column('payment_order_id')
    .execute();
}
