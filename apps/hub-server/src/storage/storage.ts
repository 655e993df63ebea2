import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  sql,
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
import type { AllocationNotice } from './commit-watermark';
import { preparePrivateDatabaseFile } from './private-files';
import {
  DEFAULT_WAL_BOUND_PAGES,
  startWalCheckpointer,
  type WalCheckpointer,
  type WalCheckpointerStats,
} from './wal-checkpointer';
import { createGroupCommit } from './group-commit';
import { migrationsFor } from './migrations/index';
import { withPreparedStatements } from './prepared-statements';
import type { HubDatabase } from './schema';

export type { BackendKind } from './backend-kind';
export type Db = Kysely<HubDatabase>;
export type Trx = Transaction<HubDatabase>;
/** Anything queries run on: the database or an open transaction. */
export type Executor = Kysely<HubDatabase>;

/**
 * Feed rows became visible: the scopes they were written in (CHAIN_SCOPE, `region:<id>` or a node id)
 * and the highest hubSeq of the transaction. Delivered after commit, never for a rolled-back attempt.
 * `origin` names the hub process that wrote them; on PostgreSQL other processes hear of them too.
 */
export interface FeedAppended {
  readonly scopes: readonly string[];
  readonly head: number;
  readonly origin: string;
}

/** `null`: notifications may have been missed (the listening connection was lost); assume everything moved. */
export type FeedListener = (event: FeedAppended | null) => void;

/** The PostgreSQL channel every hub process listens on; one NOTIFY per feed-writing transaction. */
export const FEED_CHANNEL = 'hub_feed_appended';
/** The PostgreSQL channel on which a revoked device is announced to every hub process. */
export const DEVICE_REVOKED_CHANNEL = 'hub_device_revoked';
/**
 * A device was revoked. `null`: announcements may have been missed (the listening connection was lost);
 * check every connected device.
 */
export type RevocationListener = (deviceId: string | null) => void;
/**
 * The PostgreSQL channel on which triggers (migration 0014) announce changes the open HQ dashboards follow:
 * exceptions, order states, device sync status. The payload is JSON the live module parses.
 */
export const LIVE_CHANNEL = 'hub_live_changed';
/** A dashboard change's JSON payload; `null`: announcements may have been missed, refresh everything. */
export type LiveChangeListener = (payload: string | null) => void;
/** NOTIFY payloads are limited to 8,000 bytes; past this many scopes, say "everything" instead. */
const MAX_NOTIFIED_SCOPES = 100;

/**
 * Opening a connection to an unreachable database (a failover to a host that drops packets) gives up
 * after this long, and the request fails with HUB_UNAVAILABLE (storage/database-errors.ts) instead of
 * hanging for minutes. Set on the client, not the pool: pg-pool's option also bounds the wait for a
 * free pooled connection, which under a burst of requests is normal queueing, not a lost database.
 */
const CONNECT_TIMEOUT_MS = 10_000;

export interface StorageOptions {
  /** PostgreSQL pool size; SQLite always has exactly one connection. */
  readonly poolSize?: number;
  /**
   * Register writers of the feed and the integration log so readers stop at the settled head
   * (PostgreSQL, storage/commit-watermark.ts). Always on in the product; the ordering tests turn it off
   * to prove they detect the skip it prevents.
   */
  readonly commitOrderGuard?: boolean;
  /** Stop after this migration (migration tests fill an older schema, then upgrade it). */
  readonly migrateUpTo?: string;
  /**
   * SQLite file databases: who checkpoints the write-ahead log. By default a worker thread does, shortly
   * after commits, and SQLite's automatic checkpoint stays as the bound at `boundPages`
   * (storage/wal-checkpointer.ts). `worker: false` leaves it all to SQLite's automatic checkpoint at
   * `boundPages` (default then SQLite's own 1,000).
   */
  readonly walCheckpoints?: {
    readonly worker?: boolean;
    readonly boundPages?: number;
    readonly delayMs?: number;
  };
}

/**
 * One storage interface over both backends. Queries are written once with Kysely; the backend shows
 * through only where SQL itself differs: row locks (PostgreSQL `FOR UPDATE`; SQLite has one writer) and
 * hubSeq allocation (feed/feed-store.ts).
 */
export interface Storage {
  readonly kind: BackendKind;
  readonly db: Db;
  readonly commitOrderGuard: boolean;
  /**
   * Runs `work` in one transaction. On PostgreSQL a serialization failure or deadlock rolls back and
   * retries `work` (so it must only touch the database); on SQLite transactions never interleave
   * because Kysely's driver serialises them on its single connection.
   */
  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T>;
  /** This process's name in FeedAppended.origin. */
  readonly instanceId: string;
  /**
   * Announces feed rows written by `trx`: listeners in this process hear of them once the transaction
   * commits; on PostgreSQL a NOTIFY inside the transaction (delivered by the server only on commit)
   * tells every other hub process sharing the database.
   */
  feedAppended(
    trx: Trx,
    scopes: readonly string[],
    head: number,
    options?: { readonly notified?: boolean },
  ): Promise<void>;
  /**
   * PostgreSQL: the NOTIFY feedAppended sends for `scopes`, for the statement that allocates the hubSeqs
   * to send instead (commit-watermark's allocateNumbers sets its `head`); feedAppended is then told
   * `notified` and only arranges this process's after-commit delivery. `undefined` on SQLite.
   */
  feedNotice(scopes: readonly string[]): AllocationNotice | undefined;
  /**
   * Hears of feed rows from this process and, on PostgreSQL, from every process on the same database
   * (LISTEN on a dedicated connection, re-established with backoff; `null` after a reconnect).
   */
  onFeedAppended(listener: FeedListener): () => void;
  /**
   * Announces that `trx` revoked a device, the same way as feedAppended: this process hears of it after
   * commit, other processes through NOTIFY, so each can disconnect the device's socket at once.
   */
  deviceRevoked(trx: Trx, deviceId: string): Promise<void>;
  /** Hears of revoked devices from this process and, on PostgreSQL, from every other. */
  onDeviceRevoked(listener: RevocationListener): () => void;
  /**
   * PostgreSQL: hears the dashboard changes every hub process's transactions committed (LIVE_CHANNEL).
   * SQLite has no channel: the live module reads the `live_changes` table instead, and this never calls.
   */
  onLiveChange(listener: LiveChangeListener): () => void;
  /**
   * Whether other hub processes' feed notifications reach this one: `local` (SQLite, or nobody here
   * listens), `connecting` (the LISTEN connection is being (re-)established; pokes for their writes wait
   * for it, or for the tills' periodic pull) or `listening`.
   */
  feedNotifications(): FeedNotificationState;
  /** SQLite with the checkpoint worker: what it has done so far; otherwise `undefined`. */
  walCheckpoints(): WalCheckpointerStats | undefined;
  close(): Promise<void>;
}

export type FeedNotificationState = 'local' | 'connecting' | 'listening';

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

/**
 * SQLite rolls a transaction back by itself when it cannot write (SQLITE_FULL, SQLITE_IOERR); Kysely's
 * own ROLLBACK then fails with "no transaction is active", and that error would hide why. The statement's
 * own error is kept when there is one; a failed COMMIT leaves only the rollback's, so it is named for
 * what it means: nothing was written because the database could not be.
 */
function unmaskAutoRollback(thrown: unknown, failure: unknown): unknown {
  const masked = thrown instanceof Error && /cannot rollback - no transaction is active/.test(thrown.message);
  if (!masked) return thrown;
  if (failure !== undefined) return failure;
  return autoRolledBack(thrown);
}

function autoRolledBack(cause: unknown): Error {
  return Object.assign(
    new Error('SQLite rolled the transaction back by itself: the database could not be written.', {
      cause,
    }),
    { code: 'SQLITE_AUTO_ROLLBACK' },
  );
}

function tooManyAttempts(attempts: number): DomainError {
  return new DomainError(
    'CONFLICT',
    'hub.storage.hubBusyConflictingChanges',
    {},
    {
      attempts,
    },
  );
}

export async function openStorage(url: string, options: StorageOptions = {}): Promise<Storage> {
  const { kind, location } = describeDatabaseUrl(url);
  const opened =
    kind === 'postgres'
      ? { db: openPostgres(url, options.poolSize ?? 10), checkpointer: undefined }
      : openSqlite(location, options.walCheckpoints ?? {});
  const { db, checkpointer } = opened;
  try {
    await migrate(db, kind, options.migrateUpTo);
    if (options.migrateUpTo === undefined) await ensureFeedEpoch(db);
  } catch (error) {
    await checkpointer?.close();
    await db.destroy();
    throw error;
  }
  return createStorage(
    db,
    kind,
    options.commitOrderGuard ?? true,
    kind === 'postgres' ? url : undefined,
    checkpointer,
  );
}

function createStorage(
  db: Db,
  kind: BackendKind,
  commitOrderGuard: boolean,
  postgresUrl: string | undefined,
  checkpointer: WalCheckpointer | undefined,
): Storage {
  const instanceId = randomUUID();
  const listeners = new Set<FeedListener>();
  /** Work to run once a transaction has committed, by transaction object (a retried attempt has its own). */
  const afterCommit = new WeakMap<Trx, (() => void)[]>();
  let listener: FeedNotificationListener | undefined;
  /** LISTEN connections being closed; close() waits for them so none outlives the storage. */
  const closing = new Set<Promise<void>>();
  const closeListener = () => {
    if (listener === undefined) return;
    const done = listener.close();
    listener = undefined;
    closing.add(done);
    void done.finally(() => closing.delete(done));
  };

  const revocationListeners = new Set<RevocationListener>();
  const liveListeners = new Set<LiveChangeListener>();
  const ensureListener = () => {
    if (postgresUrl !== undefined && listener === undefined) {
      listener = listenForFeedNotifications(postgresUrl, instanceId, {
        feed: emit,
        revoked: emitRevoked,
        live: emitLive,
      });
    }
  };
  const releaseListener = () => {
    if (listeners.size === 0 && revocationListeners.size === 0 && liveListeners.size === 0) closeListener();
  };

  function emitLive(payload: string | null): void {
    for (const each of [...liveListeners]) {
      try {
        each(payload);
      } catch {
        // A dashboard that cannot be told must never disturb the LISTEN connection the tills rely on.
      }
    }
  }

  function emitRevoked(deviceId: string | null): void {
    for (const each of [...revocationListeners]) {
      try {
        each(deviceId);
      } catch {
        // Disconnecting a socket must never fail the revocation that caused it.
      }
    }
  }

  function emit(event: FeedAppended | null): void {
    for (const each of [...listeners]) {
      try {
        each(event);
      } catch {
        // A listener's failure (a poke that could not be sent) must never fail the write that caused it.
      }
    }
  }

  async function ownTransaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      let failure: unknown;
      try {
        let committed: Trx | undefined;
        const result = await db.transaction().execute(async (trx) => {
          try {
            const value = await work(trx);
            committed = trx;
            return value;
          } catch (error) {
            failure = error;
            throw error;
          }
        });
        const callbacks = committed === undefined ? undefined : afterCommit.get(committed);
        for (const callback of callbacks ?? []) callback();
        return result;
      } catch (thrown) {
        const error = kind === 'sqlite' ? unmaskAutoRollback(thrown, failure) : thrown;
        const code = (error as { code?: unknown }).code;
        const retryable =
          error instanceof RetryTransaction ||
          (kind === 'postgres' && typeof code === 'string' && RETRYABLE_PG_CODES.has(code));
        if (!retryable) throw error;
        if (attempt >= MAX_ATTEMPTS) throw tooManyAttempts(attempt);
        await new Promise((done) => setTimeout(done, Math.random() * 5 * attempt));
      }
    }
  }

  /** What other processes hear of a feed append (its head aside). */
  function feedNotification(unique: readonly string[]): Omit<FeedAppended, 'head'> {
    return { scopes: unique.length > MAX_NOTIFIED_SCOPES ? [] : unique, origin: instanceId };
  }

  const groupCommit =
    kind === 'sqlite'
      ? createGroupCommit<HubDatabase>({
          db,
          alone: ownTransaction,
          shouldRetry: (error) => error instanceof RetryTransaction,
          tooManyAttempts,
          committed: (trx) => {
            for (const callback of afterCommit.get(trx) ?? []) callback();
          },
          lost: (cause) => autoRolledBack(cause),
          maxAttempts: MAX_ATTEMPTS,
        })
      : undefined;

  return {
    kind,
    db,
    commitOrderGuard,
    instanceId,
    transaction(work) {
      return groupCommit === undefined ? ownTransaction(work) : groupCommit.run(work);
    },
    async feedAppended(trx, scopes, head, options = {}) {
      const unique = [...new Set(scopes)];
      if (unique.length === 0) return;
      const event: FeedAppended = { scopes: unique, head, origin: instanceId };
      const callbacks = afterCommit.get(trx) ?? [];
      callbacks.push(() => emit(event));
      afterCommit.set(trx, callbacks);
      if (kind === 'postgres' && options.notified !== true) {
        const payload: FeedAppended = { ...feedNotification(unique), head };
        await sql`select pg_notify(${FEED_CHANNEL}, ${JSON.stringify(payload)})`.execute(trx);
      }
    },
    feedNotice(scopes) {
      if (kind !== 'postgres') return undefined;
      const unique = [...new Set(scopes)];
      return unique.length === 0
        ? undefined
        : { channel: FEED_CHANNEL, payload: { ...feedNotification(unique), head: 0 } };
    },
    onFeedAppended(feedListener) {
      listeners.add(feedListener);
      ensureListener();
      return () => {
        listeners.delete(feedListener);
        releaseListener();
      };
    },
    async deviceRevoked(trx, deviceId) {
      const callbacks = afterCommit.get(trx) ?? [];
      callbacks.push(() => emitRevoked(deviceId));
      afterCommit.set(trx, callbacks);
      if (kind === 'postgres') {
        const payload = JSON.stringify({ deviceId, origin: instanceId });
        await sql`select pg_notify(${DEVICE_REVOKED_CHANNEL}, ${payload})`.execute(trx);
      }
    },
    onDeviceRevoked(revocationListener) {
      revocationListeners.add(revocationListener);
      ensureListener();
      return () => {
        revocationListeners.delete(revocationListener);
        releaseListener();
      };
    },
    onLiveChange(liveListener) {
      if (postgresUrl === undefined) return () => undefined;
      liveListeners.add(liveListener);
      ensureListener();
      return () => {
        liveListeners.delete(liveListener);
        releaseListener();
      };
    },
    feedNotifications() {
      return listener?.state() ?? 'local';
    },
    walCheckpoints: () => checkpointer?.stats(),
    async close() {
      listeners.clear();
      revocationListeners.clear();
      liveListeners.clear();
      closeListener();
      await Promise.all(closing);
      // The worker's connection goes first: the main one, closing last, checkpoints and removes the log
      // (a worker left open would keep the log, and its thread, after the hub closed).
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

interface FeedNotificationListener {
  state(): 'connecting' | 'listening';
  /** Resolves once the LISTEN connection is gone. */
  close(): Promise<void>;
}

/**
 * LISTENs for other hub processes' feed notifications on a connection of its own (a pooled one would be
 * handed to queries). A lost connection (database restart, terminated backend, failover) is re-established
 * with backoff and LISTENs again; whatever was announced meanwhile is unknown, so listeners get `null`
 * (poke everyone) once it is back. Own notifications are skipped: this process announced them itself
 * after commit.
 */
function listenForFeedNotifications(
  url: string,
  instanceId: string,
  handlers: {
    feed: (event: FeedAppended | null) => void;
    revoked: RevocationListener;
    live: LiveChangeListener;
  },
): FeedNotificationListener {
  const emit = handlers.feed;
  let closed = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  const attempts = new Set<Promise<void>>();
  const lost = new WeakSet<pg.Client>();
  const ending = new Set<Promise<void>>();

  const retire = (which: pg.Client) => {
    const done = which.end().catch(() => undefined);
    ending.add(done);
    void done.finally(() => ending.delete(done));
  };

  const lose = (which: pg.Client) => {
    if (lost.has(which)) return;
    lost.add(which);
    if (client === which) client = undefined;
    retire(which);
    if (closed) return;
    failures += 1;
    // Capped low: until it is back, pokes for other processes' writes wait for the tills' periodic pull.
    retryTimer = setTimeout(connect, Math.min(5_000, 250 * 2 ** Math.min(failures, 5)));
    retryTimer.unref();
  };

  const connect = () => {
    const attempt = listen();
    attempts.add(attempt);
    void attempt.finally(() => attempts.delete(attempt));
  };

  const listen = async () => {
    if (closed) return;
    const next = new pg.Client({
      connectionString: url,
      // A failover can leave the socket half-open with no RST: keepalive notices the dead peer.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // Stays attached for the client's whole life: pg emits 'error' on a dead connection at any moment,
    // even after end() (a late ECONNRESET, the server's 57P01), and an 'error' nobody listens to ends
    // the hub process.
    next.on('error', () => lose(next));
    next.on('end', () => lose(next));
    next.on('notification', (message) => {
      if (message.channel === LIVE_CHANNEL) {
        handlers.live(message.payload ?? null);
        return;
      }
      if (message.channel === DEVICE_REVOKED_CHANNEL && message.payload !== undefined) {
        try {
          const revoked = JSON.parse(message.payload) as { deviceId: string; origin: string };
          if (revoked.origin !== instanceId) handlers.revoked(revoked.deviceId);
        } catch {
          handlers.revoked(null);
        }
        return;
      }
      if (message.channel !== FEED_CHANNEL || message.payload === undefined) return;
      try {
        const event = JSON.parse(message.payload) as FeedAppended;
        if (event.origin === instanceId) return;
        emit(event.scopes.length === 0 ? null : event);
      } catch {
        emit(null);
      }
    });
    try {
      await next.connect();
      // Feed last: its LISTEN is the connection's last statement, how operators (and tests) spot it.
      await next.query(`LISTEN ${DEVICE_REVOKED_CHANNEL}`);
      await next.query(`LISTEN ${LIVE_CHANNEL}`);
      await next.query(`LISTEN ${FEED_CHANNEL}`);
    } catch {
      lose(next);
      return;
    }
    if (lost.has(next)) return;
    if (closed) {
      lost.add(next);
      retire(next);
      return;
    }
    client = next;
    // After a reconnect, announcements made while this process was not listening are lost.
    if (failures > 0) {
      emit(null);
      handlers.revoked(null);
      handlers.live(null);
    }
    failures = 0;
  };
  connect();
  return {
    state: () => (client === undefined ? 'connecting' : 'listening'),
    async close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current !== undefined) {
        lost.add(current);
        retire(current);
      }
      // A connection attempt under way ends its client itself once it sees `closed`.
      await Promise.all(attempts);
      while (ending.size > 0) await Promise.all(ending);
    },
  };
}

class BoundedConnectClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

function openPostgres(url: string, poolSize: number): Db {
  const parseInteger = (value: string) => Number(value);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    Client: BoundedConnectClient,
    // A failover can leave sockets half-open with no RST: keepalive notices the dead peer.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
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
  // pg-pool listens for errors only while a client is idle and detaches that listener while the client
  // is lent out (inside a transaction, or between a request's queries). A database restart or a
  // terminated backend then emits 'error' on the lent client with nobody listening, which ends the hub
  // process. This listener stays for the client's life: the query in flight (or the next one) fails on
  // its own and the request gets HUB_UNAVAILABLE; the pool drops the dead client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return new Kysely<HubDatabase>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
}

/** SQLite's own default for `wal_autocheckpoint`. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

function openSqlite(
  location: string,
  checkpoints: NonNullable<StorageOptions['walCheckpoints']>,
): { db: Db; checkpointer: WalCheckpointer | undefined } {
  if (location !== ':memory:') preparePrivateDatabaseFile(location);
  const database = new BetterSqlite3(location);
  database.pragma('journal_mode = WAL');
  // better-sqlite3 builds default WAL databases to synchronous=NORMAL, which may lose the last commits on
  // power loss; the hub acknowledges pushes only after a durable commit.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const worker = location !== ':memory:' && checkpoints.worker !== false;
  const boundPages =
    checkpoints.boundPages ?? (worker ? DEFAULT_WAL_BOUND_PAGES : SQLITE_AUTOCHECKPOINT_PAGES);
  database.pragma(`wal_autocheckpoint = ${Math.max(0, Math.trunc(boundPages))}`);
  const checkpointer = worker
    ? startWalCheckpointer({
        location,
        ...(checkpoints.delayMs === undefined ? {} : { delayMs: checkpoints.delayMs }),
        // Without the worker, SQLite's own rule checkpoints in commits again, as it did before it.
        onLost: () => {
          if (database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
        },
      })
    : undefined;
  const dialect = new SqliteDialect({
    database: cachedStatements(
      database,
      checkpointer === undefined ? undefined : () => checkpointer.committed(),
    ),
  });
  return { db: new Kysely<HubDatabase>({ dialect }), checkpointer };
}

/**
 * Kysely prepares every query afresh; keeping prepared statements saves most of the per-query cost.
 * Kysely also opens transactions with a plain BEGIN, which takes the write lock only at the first write
 * and can fail with SQLITE_BUSY when another process (the CLI next to `serve`) writes meanwhile;
 * BEGIN IMMEDIATE waits for the lock (busy_timeout) up front instead.
 */
function cachedStatements(
  database: BetterSqlite3.Database,
  committed?: () => void,
  capacity = 500,
): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const text = sql === 'begin' ? 'begin immediate' : sql;
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text) as unknown as SqliteStatement;
        if (text === 'commit' && committed !== undefined) statement = reportingCommits(statement, committed);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}
/** `commit` that tells `committed` once it succeeded (Kysely ends every transaction with it). */
function reportingCommits(statement: SqliteStatement, committed: () => void): SqliteStatement {
  return {
    reader: false,
    run(parameters) {
      const result = statement.run(parameters);
      committed();
      return result;
    },
    all: (parameters) => statement.all(parameters),
    iterate: (parameters) => statement.iterate(parameters),
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
      failed !== undefined ? 'hub.storage.databaseMigrationFailed' : 'hub.storage.databaseCannotUsedHub',
      failed !== undefined ? { failed, message } : { message },
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
