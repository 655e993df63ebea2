import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type MigrationProvider,
  type SqliteDatabase,
  type SqliteStatement,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { DomainError } from '@retail/domain';
import type { BackendKind } from './backend-kind';
import { migrationsFor } from './migrations/index';
import type { HubDatabase } from './schema';

export type { BackendKind } from './backend-kind';
export type Db = Kysely<HubDatabase>;
export type Trx = Transaction<HubDatabase>;
/** Anything queries run on: the database or an open transaction. */
export type Executor = Kysely<HubDatabase>;

export interface StorageOptions {
  /** PostgreSQL pool size; SQLite always has exactly one connection. */
  readonly poolSize?: number;
  /**
   * Serialise hubSeq assignment with a transaction-level advisory lock (PostgreSQL). Always on in the
   * product; the feed concurrency test turns it off once to prove it detects the skip it prevents.
   */
  readonly feedOrderingLock?: boolean;
  /** Stop after this migration (migration tests fill an older schema, then upgrade it). */
  readonly migrateUpTo?: string;
}

/**
 * One storage interface over both backends. Queries are written once with Kysely; the backend shows
 * through only where SQL itself differs: row locks (PostgreSQL `FOR UPDATE`; SQLite has one writer) and
 * hubSeq allocation (feed/feed-store.ts).
 */
export interface Storage {
  readonly kind: BackendKind;
  readonly db: Db;
  readonly feedOrderingLock: boolean;
  /**
   * Runs `work` in one transaction. On PostgreSQL a serialization failure or deadlock rolls back and
   * retries `work` (so it must only touch the database); on SQLite transactions never interleave
   * because Kysely's driver serialises them on its single connection.
   */
  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const RETRYABLE_PG_CODES = new Set(['40001', '40P01']);

/**
 * Thrown inside a transaction when a concurrent writer changed something this transaction already
 * decided on (e.g. inserted the same movement id first). The transaction rolls back and runs again.
 */
export class RetryTransaction extends Error {
  override readonly name = 'RetryTransaction';
}
const MAX_ATTEMPTS = 8;

export function describeDatabaseUrl(url: string): { kind: BackendKind; location: string } {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    return { kind: 'postgres', location: `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}` };
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  return { kind: 'sqlite', location: path === ':memory:' ? path : resolve(path) };
}

export async function openStorage(url: string, options: StorageOptions = {}): Promise<Storage> {
  const { kind, location } = describeDatabaseUrl(url);
  const db = kind === 'postgres' ? openPostgres(url, options.poolSize ?? 10) : openSqlite(location);
  try {
    await migrate(db, kind, options.migrateUpTo);
    if (options.migrateUpTo === undefined) await ensureFeedEpoch(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createStorage(db, kind, options.feedOrderingLock ?? true);
}

function createStorage(db: Db, kind: BackendKind, feedOrderingLock: boolean): Storage {
  return {
    kind,
    db,
    feedOrderingLock,
    async transaction(work) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await db.transaction().execute(work);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          const retryable =
            error instanceof RetryTransaction ||
            (kind === 'postgres' && typeof code === 'string' && RETRYABLE_PG_CODES.has(code));
          if (!retryable) throw error;
          if (attempt >= MAX_ATTEMPTS) {
            throw new DomainError(
              'CONFLICT',
              'The hub is busy with conflicting changes; try again in a moment.',
              {
                attempts: attempt,
              },
            );
          }
          await new Promise((done) => setTimeout(done, Math.random() * 5 * attempt));
        }
      }
    },
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, poolSize: number): Db {
  const parseInteger = (value: string) => Number(value);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // bigint (20) and numeric (1700, what SUM(bigint) returns) come back as strings by default; every
    // quantity and timestamp here is a safe integer, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 || oid === 1700
          ? parseInteger
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries in flight get their own error.
  });
  return new Kysely<HubDatabase>({ dialect: new PostgresDialect({ pool }) });
}

function openSqlite(location: string): Db {
  if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
  const database = new BetterSqlite3(location);
  database.pragma('journal_mode = WAL');
  // better-sqlite3 builds default WAL databases to synchronous=NORMAL, which may lose the last commits on
  // power loss; the hub acknowledges pushes only after a durable commit.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<HubDatabase>({ dialect: new SqliteDialect({ database: cachedStatements(database) }) });
}

/**
 * Kysely prepares every query afresh; keeping prepared statements saves most of the per-query cost.
 * Kysely also opens transactions with a plain BEGIN, which takes the write lock only at the first write
 * and can fail with SQLITE_BUSY when another process (the CLI next to `serve`) writes meanwhile;
 * BEGIN IMMEDIATE waits for the lock (busy_timeout) up front instead.
 */
function cachedStatements(database: BetterSqlite3.Database, capacity = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const text = sql === 'begin' ? 'begin immediate' : sql;
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text) as unknown as SqliteStatement;
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

async function migrate(db: Db, kind: BackendKind, upTo: string | undefined): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(kind) };
  const migrator = new Migrator({ db, provider });
  const { error, results } =
    upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new DomainError(
      'INTERNAL',
      failed !== undefined
        ? `Database migration ${failed} failed: ${message}`
        : `This database cannot be used by this hub version: ${message}`,
      { migration: failed },
    );
  }
}

async function ensureFeedEpoch(db: Db): Promise<void> {
  await db
    .insertInto('hub_meta')
    .values({ key: 'feed_epoch', value: randomUUID() })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .execute();
}

export async function readFeedEpoch(executor: Executor): Promise<string> {
  const row = await executor
    .selectFrom('hub_meta')
    .select('value')
    .where('key', '=', 'feed_epoch')
    .executeTakeFirstOrThrow();
  return row.value;
}

/**
 * Starts a new feed epoch: every store's cursor becomes meaningless and its next pull answers
 * mustRefetch, so it re-snapshots. Run it after restoring the hub from a backup (stores may hold hubSeqs
 * the restored database never issued).
 */
export async function rotateFeedEpoch(executor: Executor): Promise<string> {
  const epoch = randomUUID();
  await executor.updateTable('hub_meta').set({ value: epoch }).where('key', '=', 'feed_epoch').execute();
  return epoch;
}
