import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Customers, loyalty and stored value in the domain's shapes (packages/domain loyalty/). The first
 * migration's loyalty_entries never held a row and did not match LoyaltyEntry, so it is replaced by an
 * append-only ledger whose columns are the entry's fields (the whole validated entry is kept as JSON next
 * to them, so allocations and values round-trip exactly). Customers get their lookup keys as columns
 * (normalised phone and email, indexed) and the temporary/merge fields; accounts get a tier and the time
 * their next activation, expiry or hold timeout is due, which the loyalty job looks for.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .alterTable('customers')
    .addColumn('temporary', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('customers').addColumn('name', 'text').execute();
  await db.schema.alterTable('customers').addColumn('phone', 'text').execute();
  await db.schema.alterTable('customers').addColumn('email', 'text').execute();
  await db.schema.alterTable('customers').addColumn('merged_into', 'text').execute();
  await db.schema.alterTable('customers').addColumn('origin_node', 'text').execute();
  await db.schema.createIndex('customers_by_phone').on('customers').column('phone').execute();
  await db.schema.createIndex('customers_by_email').on('customers').column('email').execute();

  await db.schema.alterTable('loyalty_accounts').addColumn('tier_id', 'text').execute();
  await db.schema.alterTable('loyalty_accounts').addColumn('merged_into', 'text').execute();
  await db.schema.alterTable('loyalty_accounts').addColumn('next_due_at', ms).execute();
  await db.schema
    .createIndex('loyalty_accounts_by_customer')
    .on('loyalty_accounts')
    .column('customer_id')
    .execute();
  await db.schema.createIndex('loyalty_accounts_due').on('loyalty_accounts').column('next_due_at').execute();

  await db.schema.dropTable('loyalty_entries').execute();
  await db.schema
    .createTable('loyalty_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('loyalty_accounts.account_id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('points', 'bigint', (c) => c.notNull())
    .addColumn('occurred_at', ms, (c) => c.notNull())
    .addColumn('available_at', ms)
    .addColumn('expires_at', ms)
    .addColumn('lot_id', 'text')
    .addColumn('hold_id', 'text')
    .addColumn('source_doc', 'text')
    .addColumn('caused_by', 'text')
    .addColumn('origin_node', 'text')
    .addColumn('device_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('loyalty_entries_account').on('loyalty_entries').column('account_id').execute();
  await db.schema.createIndex('loyalty_entries_hold').on('loyalty_entries').column('hold_id').execute();
  await db.schema.createIndex('loyalty_entries_source').on('loyalty_entries').column('source_doc').execute();

  await db.schema
    .createTable('stored_value_accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('masked_number', 'text', (c) => c.notNull())
    .addColumn('number_hash', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('issued_at', ms, (c) => c.notNull())
    .addColumn('issued_at_node', 'text')
    .addColumn('next_due_at', ms)
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('stored_value_accounts_due')
    .on('stored_value_accounts')
    .column('next_due_at')
    .execute();
  await db.schema
    .createTable('stored_value_entries')
    .addColumn('entry_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('stored_value_accounts.account_id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('occurred_at', ms, (c) => c.notNull())
    .addColumn('hold_id', 'text')
    .addColumn('expires_at', ms)
    .addColumn('source_doc', 'text')
    .addColumn('caused_by', 'text')
    .addColumn('origin_node', 'text')
    .addColumn('device_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('stored_value_entries_account')
    .on('stored_value_entries')
    .column('account_id')
    .execute();

  await db.schema
    .createTable('loyalty_config')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
}
