import { CompiledQuery, PostgresAdapter, type Compilable } from 'kysely';
import { keepPrepared } from './prepared-statements';
import type { Executor } from './storage';

/** Statement texts kept per query and dialect; a text depends only on the shape the caller names. */
const CAPACITY = 64;

/** What a reused statement did, for the tests that check a hot statement is not built again. */
export const compiledQueryStats = { built: 0, reused: 0 };

/**
 * A query on a hot path (an order intake sends it every time) whose SQL text Kysely builds once per
 * `shape` and dialect, then reuses with the caller's `parameters`: building and compiling a query
 * through Kysely's immutable query tree cost a fifth of the order storm's CPU, more than sending it.
 *
 * `shape` must name everything the text depends on (list lengths, optional parts), and `parameters` be
 * the values in the order the compiled statement binds them. Both are checked the first time: when the
 * compiled statement's parameters are not exactly `parameters`, it runs as compiled and is not kept, so
 * a caller that gets the order wrong is slow, never wrong.
 */
export function compiledQuery<R>() {
  const texts = new WeakMap<object, Map<string, string>>();
  return async function run(
    executor: Executor,
    shape: string,
    parameters: readonly unknown[],
    build: () => Compilable<unknown>,
  ): Promise<R[]> {
    const adapter = executor.getExecutor().adapter;
    let byShape = texts.get(adapter);
    if (byShape === undefined) {
      byShape = new Map();
      texts.set(adapter, byShape);
    }
    const text = byShape.get(shape);
    if (text !== undefined) {
      compiledQueryStats.reused += 1;
      return (await executor.executeQuery(CompiledQuery.raw(text, [...parameters]) as CompiledQuery<R>)).rows;
    }
    compiledQueryStats.built += 1;
    const compiled = build().compile();
    if (sameValues(compiled.parameters, parameters)) {
      if (byShape.size >= CAPACITY) byShape.delete(byShape.keys().next().value as string);
      byShape.set(shape, compiled.sql);
      if (adapter instanceof PostgresAdapter) keepPrepared(compiled.sql);
    }
    return (await executor.executeQuery(compiled as CompiledQuery<R>)).rows;
  };
}

export function sameValues(compiled: readonly unknown[], parameters: readonly unknown[]): boolean {
  if (compiled.length !== parameters.length) return false;
  for (let index = 0; index < compiled.length; index += 1) {
    if (compiled[index] !== parameters[index]) return false;
  }
  return true;
}
