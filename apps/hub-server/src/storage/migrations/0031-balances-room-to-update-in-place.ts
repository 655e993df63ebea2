import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * PostgreSQL: stock balance pages keep 30 % free, so a balance update stays on its page as a heap-only
 * tuple (HOT) and writes no index entry. A balance is the hottest row of the hub: every push updates one
 * per SKU and store it moves (1.7 a sale in the ingest benchmark), and no update changes an indexed
 * column (`node_id`, `sku`), yet with full pages none was HOT: each wrote a new entry into both of the
 * table's indexes (docs/performance.md, hub ingest round 7). Pages written from now on keep the room;
 * pages already full gain it as their rows next move. SQLite updates a row in place and has no such
 * setting: nothing to do there.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  if (kind !== 'postgres') return;
  await sql`alter table stock_balances set (fillfactor = 70)`.execute(db);
}
