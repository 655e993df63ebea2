import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Split orders and sales channels (issue 18).
 *
 * A split order is one customer order (`customer_orders`, which keeps the intake body, the split routing
 * decision and the caller's Idempotency-Key) with several parts; each part is an ordinary BOPIS order row
 * (`bopis_orders`) so picking, oversell re-routing and expiry work on a part alone.
 * `customer_order_parts` links them in part order.
 *
 * Sales channels: whether a channel accepts split orders, and the safety buffer of units held back from
 * it per SKU or per category (the sellable quantity the channel sees is network ATP minus the buffer).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';

  await db.schema
    .createTable('customer_orders')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('order_number', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('order_body', 'text', (c) => c.notNull())
    .addColumn('routing', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('customer_order_parts')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('part_no', 'integer', (c) => c.notNull())
    .addColumn('part_order_id', 'text', (c) => c.notNull().unique())
    .addPrimaryKeyConstraint('customer_order_parts_pk', ['order_id', 'part_no'])
    .execute();

  await db.schema
    .createTable('sales_channels')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('allow_split', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('channel_buffers')
    .addColumn('channel', 'text', (c) => c.notNull())
    /** 'sku' or 'category'. */
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_buffers_pk', ['channel', 'scope', 'scope_key'])
    .execute();
}
