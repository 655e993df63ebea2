import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Staff HQ manages (issue 16 "central staff"): the hub holds only the scrypt hash of each PIN, which the
 * tills verify offline. `staff_code_key` is the code in lower case, because tills compare codes without
 * case. And the HQ audit log: every admin change with who, when, and the state before and after.
 * The log is append-only in the database itself, so no code path (present or future) can rewrite it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  await db.schema
    .createTable('hq_staff')
    .addColumn('staff_id', 'text', (c) => c.primaryKey())
    .addColumn('staff_code', 'text', (c) => c.notNull())
    .addColumn('staff_code_key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('pin_hash', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('stores', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deactivated_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('hq_audit')
    .addColumn('audit_id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema.createIndex('hq_audit_by_subject').on('hq_audit').columns(['subject', 'at']).execute();
  if (kind === 'postgres') {
    await sql`
      create function hq_audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'the HQ audit log is append-only';
      end
      $$`.execute(db);
    await sql`create trigger hq_audit_append_only before update or delete on hq_audit
      for each row execute function hq_audit_append_only()`.execute(db);
    return;
  }
  for (const operation of ['update', 'delete']) {
    await sql
      .raw(
        `create trigger hq_audit_no_${operation} before ${operation} on hq_audit
         begin select raise(abort, 'the HQ audit log is append-only'); end`,
      )
      .execute(db);
  }
}
