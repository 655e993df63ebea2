import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Purchase orders and advance shipping notices (purchasing/purchasing.ts): what an ERP or HQ expects a
 * store or warehouse to receive, so receipts reference a document instead of free text and a delivery
 * that differs from its notice becomes an exception.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('purchase_orders')
    .addColumn('purchase_order_id', 'text', (c) => c.primaryKey())
    .addColumn('po_number', 'text', (c) => c.notNull().unique())
    .addColumn('supplier', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.node_id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('expected_at', ms)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('purchase_order_lines')
    .addColumn('purchase_order_id', 'text', (c) =>
      c.notNull().references('purchase_orders.purchase_order_id').onDelete('cascade'),
    )
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('ordered', 'integer', (c) => c.notNull())
    .addColumn('received', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('purchase_order_lines_pk', ['purchase_order_id', 'sku'])
    .execute();
  await db.schema
    .createTable('shipping_notices')
    .addColumn('asn_id', 'text', (c) => c.primaryKey())
    .addColumn('asn_number', 'text', (c) => c.notNull().unique())
    .addColumn('purchase_order_id', 'text', (c) => c.references('purchase_orders.purchase_order_id'))
    .addColumn('supplier', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.node_id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('expected_at', ms)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('shipping_notice_lines')
    .addColumn('asn_id', 'text', (c) => c.notNull().references('shipping_notices.asn_id').onDelete('cascade'))
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('expected', 'integer', (c) => c.notNull())
    .addColumn('received', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('shipping_notice_lines_pk', ['asn_id', 'sku'])
    .execute();
  await db.schema
    .createIndex('shipping_notices_node_status')
    .on('shipping_notices')
    .columns(['node_id', 'status'])
    .execute();
  await db.schema
    .createIndex('purchase_orders_node_status')
    .on('purchase_orders')
    .columns(['node_id', 'status'])
    .execute();
}
