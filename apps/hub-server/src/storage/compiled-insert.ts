import {
  CompiledQuery,
  PostgresAdapter,
  type Compilable,
  type InsertQueryBuilder,
  type InsertResult,
  type Insertable,
} from 'kysely';
import { sameValues } from './compiled-query';
import { keepPrepared } from './prepared-statements';
import type { Executor } from './storage';
import type { HubDatabase } from './schema';

type Table = keyof HubDatabase & string;
type Shape<T extends Table, R> = (query: InsertQueryBuilder<HubDatabase, T, InsertResult>) => Compilable<R>;

/** Statement texts kept per inserter and dialect; a text depends only on the columns and the row count. */
const CAPACITY = 256;

/**
 * A multi-row insert into `table` (with an optional ON CONFLICT / RETURNING `shape`) whose SQL text is
 * built by Kysely once per column list and row count, then reused with the rows' values as parameters.
 * Building and compiling a 100-row insert through Kysely's query tree cost more CPU than executing it on
 * the hub's hot ingest path. Rows whose values Kysely would not bind as plain parameters (an expression,
 * an undefined column, rows with different columns) go through Kysely as before, so the statement run is
 * always the one Kysely would have built.
 */
export function compiledInsert<T extends Table, R = never>(table: T, shape?: Shape<T, R>) {
  const texts = new WeakMap<object, Map<string, string>>();
  return async function insert(
    executor: Executor,
    rows: readonly Insertable<HubDatabase[T]>[],
  ): Promise<R[]> {
    if (rows.length === 0) return [];
    const build = (): Compilable<R> => {
      const query = executor.insertInto(table).values(rows as never) as unknown as InsertQueryBuilder<
        HubDatabase,
        T,
        InsertResult
      >;
      return shape === undefined ? (query as unknown as Compilable<R>) : shape(query);
    };
    const parameters = plainParameters(rows as readonly Record<string, unknown>[]);
    if (parameters === undefined) return (await executor.executeQuery(build())).rows;

    const adapter = executor.getExecutor().adapter;
    let byShape = texts.get(adapter);
    if (byShape === undefined) {
      byShape = new Map();
      texts.set(adapter, byShape);
    }
    const key = `${rows.length}\u0000${Object.keys(rows[0]!).join('\u0000')}`;
    const text = byShape.get(key);
    if (text !== undefined) {
      return (await executor.executeQuery(CompiledQuery.raw(text, parameters) as CompiledQuery<R>)).rows;
    }
    const compiled = build().compile();
    // Only a statement whose parameters are exactly the rows' values, in order, may be reused with others.
    if (sameValues(compiled.parameters, parameters)) {
      if (byShape.size >= CAPACITY) byShape.delete(byShape.keys().next().value as string);
      byShape.set(key, compiled.sql);
      if (adapter instanceof PostgresAdapter) keepPrepared(compiled.sql);
    }
    return (await executor.executeQuery(compiled)).rows;
  };
}

/** The rows' values, row by row in the first row's column order, or undefined if Kysely would not bind them all. */
function plainParameters(rows: readonly Record<string, unknown>[]): unknown[] | undefined {
  const columns = Object.keys(rows[0]!);
  const parameters: unknown[] = [];
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length) return undefined;
    for (const column of columns) {
      const value = row[column];
      if (!isPlain(value)) return undefined;
      parameters.push(value);
    }
  }
  return parameters;
}

function isPlain(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return true;
    case 'object':
      return value instanceof Uint8Array || value instanceof Date;
    default:
      return false;
  }
}
