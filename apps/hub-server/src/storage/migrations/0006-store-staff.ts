import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The staff of each store, as the hub learns them from the events stores push (DESIGN §5 "Trust
 * boundary": an event may name only its own store's staff). Staff seen on shifts recorded before this
 * migration belong to the store of the shift that first named them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema
    .createTable('store_staff')
    .addColumn('staff_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('first_event_id', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  const shifts = (await db
    .selectFrom('shifts')
    .select(['staff_id', 'node_id', 'shift_id', 'updated_at'])
    .orderBy('updated_at')
    .orderBy('shift_id')
    .execute()) as { staff_id: string; node_id: string; shift_id: string; updated_at: number | string }[];
  const seen = new Set<string>();
  for (const shift of shifts) {
    if (seen.has(shift.staff_id)) continue;
    seen.add(shift.staff_id);
    await db
      .insertInto('store_staff')
      .values({
        staff_id: shift.staff_id,
        node_id: shift.node_id,
        first_event_id: `shift:${shift.shift_id}`,
        first_seen_at: Number(shift.updated_at),
      })
      .execute();
  }
}
