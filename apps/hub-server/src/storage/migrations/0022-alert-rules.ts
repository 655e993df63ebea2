import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Alert rules (issue 16 point 5): HQ sends an exception kind (optionally of some severity or store) to a
 * webhook or e-mail addresses. When an exception is raised, one `alert_deliveries` row per matching rule
 * is written in the same transaction; the integration runtime delivers them afterwards with retries, so
 * an alert survives a hub restart and never slows the ingest that raised it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('alert_rules')
    .addColumn('rule_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('exception_type', 'text', (c) => c.notNull())
    // The least severity that alerts; null: every severity.
    .addColumn('min_severity', 'text')
    // Only exceptions at this store or warehouse; null: anywhere (and exceptions of no node).
    .addColumn('node_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    // A URL (webhook) or a JSON array of e-mail addresses.
    .addColumn('target', 'text', (c) => c.notNull())
    // The webhook's HMAC key: needed in clear to sign; returned only when the rule is created.
    .addColumn('secret', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_rules_by_type').on('alert_rules').columns(['exception_type']).execute();
  await db.schema
    .createTable('alert_deliveries')
    .addColumn('delivery_id', 'text', (c) => c.primaryKey())
    // No foreign key: a delivery (failed ones above all) stays visible after its rule is deleted.
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('rule_name', 'text', (c) => c.notNull())
    .addColumn('exception_id', 'text', (c) => c.notNull())
    .addColumn('exception_type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
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
    .createIndex('alert_deliveries_due')
    .on('alert_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
}
