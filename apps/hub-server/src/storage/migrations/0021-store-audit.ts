import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The stores' audit trail at HQ (issue 16 point 7): overrides, voids, no-receipt returns, drawer openings
 * and price overrides the tills record reach the hub as events and land in the same append-only log as
 * HQ's own changes, marked with the store they happened at (`node_id`, null for HQ's own entries).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema.alterTable('hq_audit').addColumn('node_id', 'text').execute();
  await db.schema.createIndex('hq_audit_by_node').on('hq_audit').columns(['node_id', 'at']).execute();
  await db.schema.createIndex('hq_audit_by_at').on('hq_audit').columns(['at']).execute();
}
