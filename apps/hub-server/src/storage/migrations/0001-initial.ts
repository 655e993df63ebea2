import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The hub's first schema. Written once with Kysely's schema builder so both backends get the same
 * tables; the only difference is how hubSeq is allocated (a PostgreSQL sequence vs a counter row on
 * SQLite, see feed/feed-store.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  const ms = 'bigint';

  await db.schema
    .createTable('hub_meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('hub_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('nodes')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('pickup_enabled', 'integer', (c) => c.notNull())
    .addColumn('pick_capacity', 'integer', (c) => c.notNull())
    .addColumn('jurisdiction', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('device_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.node_id'))
    .addColumn('device_no', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credential_hash', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', ms, (c) => c.notNull())
    .addColumn('revoked_at', ms)
    .addColumn('last_seen_at', ms)
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_push_at', ms)
    .addColumn('outbox_pending', 'bigint')
    .addColumn('outbox_oldest_at', 'text')
    .addUniqueConstraint('devices_node_device_no', ['node_id', 'device_no'])
    .execute();

  await db.schema
    .createTable('enrollment_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.node_id'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('used_at', ms)
    .addColumn('device_id', 'text')
    .execute();

  await db.schema
    .createTable('hq_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('hq_users.user_id'))
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('api_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('last_used_at', ms)
    .addColumn('revoked_at', ms)
    .execute();

  await db.schema
    .createTable('categories')
    .addColumn('category_id', 'text', (c) => c.primaryKey())
    .addColumn('parent_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('products')
    .addColumn('product_id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('skus')
    .addColumn('sku', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('skus_product').on('skus').column('product_id').execute();
  await db.schema
    .createTable('barcodes')
    .addColumn('barcode_key', 'text', (c) => c.primaryKey())
    .addColumn('sku', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('barcodes_sku').on('barcodes').column('sku').execute();
  await db.schema
    .createTable('tax_rates')
    .addColumn('rate_id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('price_books')
    .addColumn('price_book_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('price_entries')
    .addColumn('price_book_id', 'text', (c) => c.notNull().references('price_books.price_book_id'))
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('price_entries_pk', ['price_book_id', 'sku'])
    .execute();
  await db.schema
    .createTable('promotions')
    .addColumn('promotion_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('entity_versions')
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_key', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('entity_versions_pk', ['entity', 'entity_key', 'version'])
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('loyalty_accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.customer_id'))
    .addColumn('card_number', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('loyalty_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('loyalty_accounts.account_id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('points', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source_doc', 'text')
    .addColumn('event_id', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('active_at', ms)
    .addColumn('expires_at', ms)
    .execute();
  await db.schema.createIndex('loyalty_entries_account').on('loyalty_entries').column('account_id').execute();

  await db.schema
    .createTable('inventory_movements')
    .addColumn('movement_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('delta', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('source_doc', 'text')
    .addColumn('event_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inventory_movements_node_sku')
    .on('inventory_movements')
    .columns(['node_id', 'sku', 'recorded_at'])
    .execute();
  await db.schema
    .createIndex('inventory_movements_sku')
    .on('inventory_movements')
    .columns(['sku', 'recorded_at'])
    .execute();

  await db.schema
    .createTable('stock_balances')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('sellable', 'bigint', (c) => c.notNull())
    .addColumn('staged', 'bigint', (c) => c.notNull())
    .addColumn('damaged', 'bigint', (c) => c.notNull())
    .addColumn('quality_control', 'bigint', (c) => c.notNull())
    .addColumn('in_transit', 'bigint', (c) => c.notNull())
    .addColumn('committed', 'bigint', (c) => c.notNull())
    .addColumn('safety_stock', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('stock_balances_pk', ['node_id', 'sku'])
    .execute();
  await db.schema.createIndex('stock_balances_sku').on('stock_balances').column('sku').execute();

  await db.schema
    .createTable('reservations')
    .addColumn('reservation_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('qty', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('order_ref', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('backorder', 'integer', (c) => c.notNull())
    .addColumn('expires_at', ms)
    .addColumn('replaced_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('reservations_node_sku_status')
    .on('reservations')
    .columns(['node_id', 'sku', 'status'])
    .execute();
  await db.schema.createIndex('reservations_order').on('reservations').column('order_ref').execute();
  await db.schema
    .createTable('reservation_history')
    .addColumn('reservation_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('reservation_history_pk', ['reservation_id', 'version'])
    .execute();

  await db.schema
    .createTable('ingested_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('device_seq', 'bigint', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('received_at', ms, (c) => c.notNull())
    .addUniqueConstraint('ingested_events_device_seq', ['device_id', 'device_seq'])
    .execute();

  await db.schema
    .createTable('sales')
    .addColumn('sale_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('receipt_number', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sales_receipt').on('sales').column('receipt_number').execute();
  await db.schema
    .createTable('returns')
    .addColumn('return_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('original_sale_id', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('refund_total', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('shifts')
    .addColumn('shift_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('float', 'bigint', (c) => c.notNull())
    .addColumn('expected_cash', 'bigint')
    .addColumn('counted_cash', 'bigint')
    .addColumn('over_short', 'bigint')
    .addColumn('opened_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transfers')
    .addColumn('transfer_id', 'text', (c) => c.primaryKey())
    .addColumn('from_node_id', 'text', (c) => c.notNull())
    .addColumn('to_node_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('received_at', ms)
    .execute();

  await db.schema
    .createTable('exceptions')
    .addColumn('exception_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('sku', 'text')
    .addColumn('condition_key', 'text')
    .addColumn('cause_event_ids', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .addColumn('resolution_note', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', ms)
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  // One open exception per condition: the partial unique index is the arbiter under concurrency.
  await db.schema
    .createIndex('exceptions_open_condition')
    .on('exceptions')
    .column('condition_key')
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
  await db.schema
    .createIndex('exceptions_status_created')
    .on('exceptions')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema.createIndex('exceptions_node_sku').on('exceptions').columns(['node_id', 'sku']).execute();

  await db.schema
    .createTable('feed_changes')
    .addColumn('hub_seq', 'bigint', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_key', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addUniqueConstraint('feed_changes_entity_key', ['entity', 'entity_key'])
    .execute();
  await db.schema
    .createIndex('feed_changes_scope_seq')
    .on('feed_changes')
    .columns(['scope', 'hub_seq'])
    .execute();

  await db.schema
    .createTable('import_jobs')
    .addColumn('import_id', 'text', (c) => c.primaryKey())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('rows_read', 'bigint', (c) => c.notNull())
    .addColumn('rows_valid', 'bigint', (c) => c.notNull())
    .addColumn('error_count', 'bigint', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('started_at', ms, (c) => c.notNull())
    .addColumn('finished_at', ms)
    .execute();
  await db.schema
    .createTable('import_rows')
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('line', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('entity_key', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_rows_pk', ['import_id', 'line'])
    .execute();

  if (kind === 'postgres') {
    // hubSeq on PostgreSQL comes from a sequence guarded by an advisory lock (feed/feed-store.ts).
    await sql`create sequence hub_seq as bigint minvalue 1 start 1`.execute(db);
  } else {
    await db.insertInto('hub_counters').values({ name: 'hub_seq', value: 0 }).execute();
  }
}
