import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The reason the hub rejected an event, next to the event in the log: a till that pushes a rejected
 * event again (its ack was lost) is told `rejected` with the reason again, not `duplicate`, so staff
 * learn about it. Rejections recorded before this migration get the reason their exception holds.
 * Returns get an index by original sale: a till looking up a receipt of another store asks the hub what
 * was already returned against it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema.alterTable('ingested_events').addColumn('reject_reason', 'text').execute();
  await db.schema.createIndex('returns_by_original_sale').on('returns').column('original_sale_id').execute();
  const exceptions = (await db
    .selectFrom('exceptions')
    .select(['cause_event_ids', 'details'])
    .where('type', '=', 'REJECTED_EVENT')
    .execute()) as { cause_event_ids: string; details: string }[];
  for (const exception of exceptions) {
    const eventIds = JSON.parse(exception.cause_event_ids) as unknown;
    const reason = (JSON.parse(exception.details) as { reason?: unknown }).reason;
    if (!Array.isArray(eventIds) || typeof reason !== 'string') continue;
    for (const eventId of eventIds) {
      if (typeof eventId !== 'string') continue;
      await db
        .updateTable('ingested_events')
        .set({ reject_reason: reason })
        .where('event_id', '=', eventId)
        .where('status', '=', 'rejected')
        .execute();
    }
  }
}
