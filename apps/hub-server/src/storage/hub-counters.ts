import { NoResultError } from 'kysely';
import { compiledQuery } from './compiled-query';
import type { Trx } from './storage';

const counterRows = compiledQuery<{ value: number | string }>();

/**
 * SQLite's log positions: adds `count` to the `hub_counters` row `name` and returns the `count` numbers
 * handed out, in order. SQLite has one writer, so a counter row is enough (PostgreSQL uses sequences,
 * storage/commit-watermark.ts). The statement is built once: every push of the ingest takes numbers for
 * the feed and the integration log.
 */
export async function takeCounterNumbers(trx: Trx, name: string, count: number): Promise<number[]> {
  const build = () =>
    trx
      .updateTable('hub_counters')
      .set((eb) => ({ value: eb('value', '+', count) }))
      .where('name', '=', name)
      .returning('value');
  const [row] = await counterRows(trx, 'hub_counters.add', [count, name], build);
  if (row === undefined) throw new NoResultError(build().toOperationNode());
  const last = Number(row.value);
  return Array.from({ length: count }, (_, index) => last - count + 1 + index);
}
