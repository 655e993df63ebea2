import { CompiledQuery, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { BackendKind } from './backend-kind';
import type { Trx } from './storage';
import type pg from 'pg';
import {
  deferredBeginResult,
  COMMIT_WITH_NEXT_STATEMENT,
  READ_BEFORE_BEGIN,
  endsTransaction,
  isPlainBegin,
  sendPipelined,
  unsentTransactionEnd,
} from './begin-with-statement';

/**
 * How many statement texts the hub keeps prepared on each PostgreSQL connection, at most. Each costs the
 * backend its parse tree and cached plan; the hot paths' shapes (an order intake's, a push's, the feed's
 * and the log's appends) fit well inside.
 */
export const MAX_PREPARED_TEXTS = 256;

/** Statement texts and the names they are prepared under: a name always means the same text. */
export class PreparedTexts {
  private readonly names = new Map<string, string>();

  constructor(private readonly capacity = MAX_PREPARED_TEXTS) {}

  /** Keeps `text` unless it is kept already or `capacity` texts are. */
  keep(text: string): void {
    if (this.names.has(text) || this.names.size >= this.capacity) return;
    this.names.set(text, `hub_${this.names.size + 1}`);
  }

  nameOf(text: string): string | undefined {
    return this.names.get(text);
  }
}

const kept = new PreparedTexts();

/** A statement sent with neither BEGIN nor COMMIT. */
const NEITHER = Object.freeze({ begin: false, commit: false });

/**
 * Marks a statement text a hot path sends again and again (the texts `compiledQuery` and
 * `compiledInsert` build once per shape): on PostgreSQL it is then prepared once per connection under a
 * name and afterwards only bound and executed. Sent unnamed, PostgreSQL parses, analyses and plans every
 * statement every time: in the order storm that was about a sixth of the database's CPU per order (see
 * docs/performance.md, order storm round 6). The first MAX_PREPARED_TEXTS texts are kept for the process's
 * life; later ones run unnamed, as before.
 */
export function keepPrepared(text: string): void {
  kept.keep(text);
}

/** The name a kept text is prepared under, if it is kept. */
export function preparedName(text: string): string | undefined {
  return kept.nameOf(text);
}

/** What PostgreSQL answers when a prepared statement's columns changed under it (`ALTER TABLE`). */
const RESULT_TYPE_CHANGED = '0A000';

/**
 * The pool Kysely draws connections from, sending kept texts as named statements. node-postgres prepares
 * a named statement on a connection the first time it sends it there and afterwards sends only Bind and
 * Execute; a new connection (after a restart or a failover) prepares it again.
 *
 * A statement prepared before another hub instance migrated the schema can fail with "cached plan must
 * not change result type" (a `select *` whose table gained a column). That one call fails (its
 * transaction is retried or refused as any failed transaction is); the connection then prepares its kept
 * texts again under new names, instead of failing the same way for the rest of its life.
 *
 * A transaction's BEGIN goes out with its first statement, in one round trip (`begin-with-statement.ts`):
 * Kysely's `begin` is answered at once and remembered, and the next statement carries it. A transaction
 * that ends before sending anything sends nothing. Every transaction saves a round trip: an order placed
 * whole sent six, now five (docs/performance.md, order storm round 10).
 */
export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const generations = new WeakMap<pg.PoolClient, number>();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      // Kysely's BEGIN, not sent yet: it goes out with the transaction's first statement.
      let beginPending = false;
      // The hub said the next statement is the transaction's last: it goes out with COMMIT.
      let commitNext = false;
      // The transaction's COMMIT went out with its last statement (which succeeded).
      let committed = false;
      // The hub said the transaction's first statement is a plain read: it goes out before BEGIN.
      let readFirst = false;
      const nameFor = (text: string): string | undefined => {
        const name = kept.nameOf(text);
        if (name === undefined) return undefined;
        const generation = generations.get(client) ?? 0;
        return generation === 0 ? name : `${name}_${generation}`;
      };
      const noticed = async <T>(sent: Promise<T>): Promise<T> => {
        try {
          return await sent;
        } catch (error) {
          if ((error as { code?: unknown }).code === RESULT_TYPE_CHANGED)
            generations.set(client, (generations.get(client) ?? 0) + 1);
          throw error;
        }
      };
      const passThrough = (text: unknown, parameters: readonly unknown[] | undefined): Promise<unknown> =>
        (client.query as (...args: unknown[]) => Promise<unknown>)(text, parameters);
      const send = (text: unknown, parameters: readonly unknown[] | undefined): Promise<unknown> => {
        // A plain read first: sent alone, BEGIN still waits for the statement after it.
        const begin = beginPending && !readFirst;
        const commit = commitNext;
        beginPending = beginPending && readFirst;
        readFirst = false;
        commitNext = false;
        if (typeof text !== 'string') {
          // Not a statement text (a cursor): BEGIN goes first on its own, COMMIT stays Kysely's.
          commitNext = commit;
          return begin
            ? client.query('begin').then(() => passThrough(text, parameters))
            : passThrough(text, parameters);
        }
        const name = nameFor(text);
        const values = [...(parameters ?? [])];
        if (begin || commit) {
          const statement = { text, ...(name === undefined ? {} : { name }), values };
          return noticed(sendPipelined(client, statement, { begin, commit })).then((result) => {
            committed = commit;
            return result;
          });
        }
        // A kept text goes through the same statement wrapper: once its rows are known on this
        // connection, it is sent without a Describe (begin-with-statement.ts).
        return name === undefined
          ? passThrough(text, parameters)
          : noticed(sendPipelined(client, { text, name, values }, NEITHER));
      };
      return {
        query: ((text: unknown, parameters?: readonly unknown[]) => {
          if (text === COMMIT_WITH_NEXT_STATEMENT) {
            commitNext = true;
            return Promise.resolve(unsentTransactionEnd('commit'));
          }
          if (text === READ_BEFORE_BEGIN) {
            // Only a transaction's first statement may go before its BEGIN.
            readFirst = beginPending;
            return Promise.resolve(deferredBeginResult());
          }
          if (isPlainBegin(text, parameters) && !beginPending) {
            beginPending = true;
            committed = false;
            return Promise.resolve(deferredBeginResult());
          }
          if (endsTransaction(text)) {
            // BEGIN never left (nothing was sent), or COMMIT went out with the last statement.
            const unsent = beginPending || committed;
            beginPending = false;
            commitNext = false;
            committed = false;
            readFirst = false;
            if (unsent) return Promise.resolve(unsentTransactionEnd(text));
          }
          return send(text, parameters);
        }) as PostgresPoolClient['query'],
        release: () => {
          beginPending = false;
          commitNext = false;
          committed = false;
          readFirst = false;
          client.release();
        },
      };
    },
    end: () => pool.end(),
  };
}

/**
 * Tells the transaction's connection that its next statement is its last: on PostgreSQL it goes out with
 * the COMMIT, in one round trip, and Kysely's own COMMIT afterwards sends nothing. Call it only right
 * before a statement after which nothing of the transaction can fail: once that statement succeeds the
 * transaction has committed. If the statement fails, COMMIT is not run and the transaction rolls back as
 * before. A transaction that sends no further statement commits as usual. Nothing on SQLite.
 */
export async function commitWithNextStatement(trx: Trx, kind: BackendKind): Promise<void> {
  if (kind !== 'postgres') return;
  await trx.executeQuery(CompiledQuery.raw(COMMIT_WITH_NEXT_STATEMENT, []));
}

/**
 * Tells the transaction's connection that its next statement, the transaction's first, is a plain read
 * (a SELECT without locking clauses or data-modifying CTEs): on PostgreSQL it is sent before BEGIN, which
 * then goes out with the statement after it. Under READ COMMITTED, the hub's isolation level, every
 * statement reads from a snapshot of its own, so that read sees exactly what it would see as the
 * transaction's first statement, and a plain SELECT holds no lock the transaction needs. A transaction
 * that then ends without another statement (a refusal decided from the read, a replay) sends no BEGIN
 * and no ROLLBACK or COMMIT: one round trip in all. Ignored when the transaction has already sent a
 * statement, and on SQLite.
 */
export async function readBeforeBegin(trx: Trx, kind: BackendKind): Promise<void> {
  if (kind !== 'postgres') return;
  await trx.executeQuery(CompiledQuery.raw(READ_BEFORE_BEGIN, []));
}
