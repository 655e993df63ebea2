import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

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
 */
export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const generations = new WeakMap<pg.PoolClient, number>();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = async (text: string, name: string, parameters: readonly unknown[]) => {
        const generation = generations.get(client) ?? 0;
        try {
          return await client.query({
            name: generation === 0 ? name : `${name}_${generation}`,
            text,
            values: [...parameters],
          });
        } catch (error) {
          if ((error as { code?: unknown }).code === RESULT_TYPE_CHANGED)
            generations.set(client, generation + 1);
          throw error;
        }
      };
      return {
        query: ((textOrCursor: unknown, parameters?: readonly unknown[]) => {
          const name = typeof textOrCursor === 'string' ? kept.nameOf(textOrCursor) : undefined;
          if (name === undefined) {
            return (client.query as (...args: unknown[]) => unknown)(textOrCursor, parameters);
          }
          return query(textOrCursor as string, name, parameters ?? []);
        }) as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}
