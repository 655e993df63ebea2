import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * What the hub keeps to check a till's financial claims (DESIGN §5 "Trust boundary"): the loyalty
 * programme over time (a redemption is checked at its sale's rate; the programme in force now becomes the
 * first version), the card terminal references of sales (a reference used twice is flagged), points and
 * store credit held for HQ's review, and the store credit each store issued per day against HQ's limit.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('loyalty_programme_history')
    .addColumn('version_id', 'text', (c) => c.primaryKey())
    .addColumn('effective_from', ms, (c) => c.notNull())
    .addColumn('programme', 'text', (c) => c.notNull())
    .addColumn('saved_by', 'text', (c) => c.notNull())
    .execute();
  const current = (await db
    .selectFrom('loyalty_config')
    .select(['value', 'updated_by', 'updated_at'])
    .where('key', '=', 'programme')
    .executeTakeFirst()) as { value: string; updated_by: string; updated_at: number | string } | undefined;
  if (current !== undefined) {
    await db
      .insertInto('loyalty_programme_history')
      .values({
        version_id: `v0-${Number(current.updated_at)}`,
        effective_from: Number(current.updated_at),
        programme: current.value,
        saved_by: current.updated_by,
      })
      .execute();
  }

  await db.schema
    .createTable('card_references')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('tender_id', 'text', (c) => c.notNull())
    .addColumn('sale_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('card_references_pk', ['node_id', 'reference', 'tender_id'])
    .execute();

  const held = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('exception_id', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', ms)
      .addColumn('note', 'text');
  await held('held_points')
    .addColumn('hold_id', 'text', (c) => c.primaryKey())
    .addColumn('sale_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('eligible', 'bigint', (c) => c.notNull())
    .addColumn('points', 'bigint', (c) => c.notNull())
    .addColumn('tier_id', 'text')
    .addColumn('occurred_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('held_points_by_status')
    .on('held_points')
    .columns(['status', 'created_at'])
    .execute();
  await held('held_credits')
    .addColumn('credit_id', 'text', (c) => c.primaryKey())
    .addColumn('return_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('number_key', 'text')
    .addColumn('masked_number', 'text')
    .addColumn('account_id', 'text')
    .addColumn('customer_id', 'text')
    .execute();
  await db.schema
    .createIndex('held_credits_by_status')
    .on('held_credits')
    .columns(['status', 'created_at'])
    .execute();

  await db.schema
    .createTable('store_credit_issued')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_credit_issued_pk', ['node_id', 'day', 'currency'])
    .execute();
}
