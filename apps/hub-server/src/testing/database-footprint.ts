import { sql } from 'kysely';
import type { Storage } from '../storage/storage';

/** How much a PostgreSQL hub database holds and has written, for the chain simulator's report. */
export interface DatabaseFootprint {
  /** pg_database_size of the hub's database. */
  readonly databaseBytes: number;
  /** The server's WAL position now: pass it to `walBytesSince` later for the bytes written in between. */
  readonly walLsn: string;
  /** The largest tables with their indexes and TOAST, largest first. */
  readonly largestTables: readonly {
    readonly table: string;
    readonly bytes: number;
    readonly rows: number;
  }[];
}

/** The database's size, its largest tables and the WAL position (PostgreSQL only). */
export async function databaseFootprint(storage: Storage, tables = 10): Promise<DatabaseFootprint> {
  if (storage.kind !== 'postgres') throw new Error('databaseFootprint reads PostgreSQL statistics');
  const size = await sql<{
    bytes: string;
  }>`select pg_database_size(current_database())::text as bytes`.execute(storage.db);
  const wal = await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(storage.db);
  const largest = await sql<{ table: string; bytes: string; rows: string }>`
    select c.relname as "table", pg_total_relation_size(c.oid)::text as bytes,
           coalesce(s.n_live_tup, 0)::text as rows
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_stat_user_tables s on s.relid = c.oid
    where c.relkind = 'r' and n.nspname = current_schema()
    order by pg_total_relation_size(c.oid) desc
    limit ${tables}`.execute(storage.db);
  return {
    databaseBytes: Number(size.rows[0]?.bytes ?? 0),
    walLsn: wal.rows[0]?.lsn ?? '0/0',
    largestTables: largest.rows.map((row) => ({
      table: row.table,
      bytes: Number(row.bytes),
      rows: Number(row.rows),
    })),
  };
}

/** WAL bytes the whole server wrote since `lsn` (every database of the cluster). */
export async function walBytesSince(storage: Storage, lsn: string): Promise<number> {
  const diff = await sql<{ bytes: string }>`
    select pg_wal_lsn_diff(pg_current_wal_lsn(), ${lsn}::pg_lsn)::text as bytes`.execute(storage.db);
  return Number(diff.rows[0]?.bytes ?? 0);
}
