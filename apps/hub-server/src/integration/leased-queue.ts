import type { Kysely } from 'kysely';
import type { HubContext } from '../hub-context';
import type { HubDatabase } from '../storage/schema';
import type { Trx } from '../storage/storage';
import type { AttemptOutcome, ClaimedMessage, DeliveryQueue, Settlement } from './delivery-engine';

/**
 * An outbox table as a queue of the delivery engine. Every such table (alert deliveries, customer
 * notifications, receipt e-mails) keeps the same columns for its delivery state, so claiming due rows
 * under a lease and recording each attempt is written once, here: due `pending` rows are claimed with a
 * lease (FOR UPDATE SKIP LOCKED on PostgreSQL, so two deliverers never take the same row), and an
 * attempt's outcome is stored only while that lease still holds, so a slow deliverer whose lease ran out
 * never overwrites what the one that took over decided.
 */

/** The delivery state every leased outbox table carries. */
export interface LeasedRow {
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  last_status_code: number | null;
  updated_at: number;
  delivered_at: number | null;
}

type LeasedTableName = {
  [K in keyof HubDatabase]: HubDatabase[K] extends LeasedRow ? K : never;
}[keyof HubDatabase];

/** The id column of a leased table: a string column of its own row. */
type IdColumn<T extends LeasedTableName> = {
  [C in keyof HubDatabase[T]]: HubDatabase[T][C] extends string ? C : never;
}[keyof HubDatabase[T]] &
  string;

/** The one shape the shared statements are typed against; the table and id names are the caller's. */
interface LeasedTables {
  leased: LeasedRow & { row_id: string };
}

export interface Leased {
  /** The claimed row's id. */
  readonly rowId: string;
  readonly leaseUntil: number;
}

export interface LeasedQueueSpec<T extends LeasedTableName, M extends ClaimedMessage> {
  readonly table: T;
  readonly idColumn: IdColumn<T>;
  /** Turns claimed rows into messages, inside the claiming transaction (to read what they refer to). */
  toMessages(rows: readonly HubDatabase[T][], leaseUntil: number, trx: Trx): Promise<M[]> | M[];
  /** How a message is sent when it is not a signed webhook POST. */
  send?(message: M & Leased, at: number): Promise<AttemptOutcome>;
  /**
   * Runs once an attempt's outcome is stored (only when this deliverer still held the lease): what a
   * table records beyond the shared state, such as an exception for a message that finally failed.
   */
  afterSettle?(
    message: M & Leased,
    outcome: AttemptOutcome,
    next: { at: number; settlement: Settlement; nextAttemptAt: number },
  ): Promise<void>;
}

export function leasedQueue<T extends LeasedTableName, M extends ClaimedMessage>(
  hub: HubContext,
  spec: LeasedQueueSpec<T, M>,
): DeliveryQueue<M & Leased> {
  // Runtime SQL names the caller's table and id column; the types only know the shared columns.
  const table = spec.table as unknown as 'leased';
  const idColumn = spec.idColumn as unknown as 'row_id';
  const view = (db: Kysely<HubDatabase>) => db as unknown as Kysely<LeasedTables>;
  const queue: DeliveryQueue<M & Leased> = {
    claim: (limit, at, leaseUntil) =>
      hub.storage.transaction(async (trx) => {
        const rows = await view(trx)
          .selectFrom(table)
          .selectAll()
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', at)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
          .orderBy('next_attempt_at')
          .orderBy(idColumn)
          .limit(limit)
          .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate().skipLocked())
          .execute();
        if (rows.length === 0) return [];
        const ids = rows.map((row) => row[idColumn]);
        await view(trx)
          .updateTable(table)
          .set({ lease_until: leaseUntil })
          .where(idColumn, 'in', ids)
          .execute();
        const messages = await spec.toMessages(rows as unknown as HubDatabase[T][], leaseUntil, trx);
        return messages.map((message, index) => ({ ...message, rowId: ids[index]!, leaseUntil }));
      }),
    async settle(message, outcome, next) {
      const result = await view(hub.storage.db)
        .updateTable(table)
        .set({
          status:
            next.settlement === 'delivered' ? 'delivered' : next.settlement === 'dead' ? 'failed' : 'pending',
          attempts: message.attempts + 1,
          next_attempt_at: next.nextAttemptAt,
          lease_until: null,
          last_error: outcome.error,
          last_status_code: outcome.status,
          updated_at: next.at,
          delivered_at: next.settlement === 'delivered' ? next.at : null,
        })
        .where(idColumn, '=', message.rowId)
        .where('lease_until', '=', message.leaseUntil)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) await spec.afterSettle?.(message, outcome, next);
    },
  };
  if (spec.send !== undefined) queue.send = spec.send.bind(spec);
  return queue;
}
