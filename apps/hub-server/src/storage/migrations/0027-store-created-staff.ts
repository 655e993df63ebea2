import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Staff a store created itself (`staff.created` events): who created them, with which role, and what the
 * hub believes of that role after checking the creator against its own records. `staff_role_doubts`
 * links a sale's exception to the staff whose role the till claimed before the hub knew them, so the
 * exception is closed when their creation arrives and is verified.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('store_created_staff')
    .addColumn('staff_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('staff_code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // What the till said, and what the hub believes: the claimed role once verified, else cashier.
    .addColumn('claimed_role', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // verified | rejected | unverified (the creator is not known to the hub yet)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    // The till's time of the creation, and when the hub recorded and last judged it.
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .addColumn('judged_at', ms, (c) => c.notNull())
    // The exception raised when the claim was not believed (open until verified or looked at).
    .addColumn('exception_id', 'text')
    .execute();
  await db.schema
    .createIndex('store_created_staff_by_creator')
    .on('store_created_staff')
    .columns(['created_by'])
    .execute();
  await db.schema
    .createIndex('store_created_staff_by_node')
    .on('store_created_staff')
    .columns(['node_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('staff_role_doubts')
    .addColumn('exception_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('claimed_role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('staff_role_doubts_pk', ['exception_id', 'staff_id'])
    .execute();
  await db.schema
    .createIndex('staff_role_doubts_by_staff')
    .on('staff_role_doubts')
    .columns(['staff_id'])
    .execute();
}
