/**
 * Counts the SQL statements (each one a round trip) a benchmark process sends to PostgreSQL, by statement
 * shape, so a benchmark can say how much database work one operation costs: a figure that, unlike the wall
 * clock, does not move with the load of a shared machine.
 *
 * It wraps `pg.Client.prototype.query`, which Kysely's PostgreSQL driver calls for every statement
 * (BEGIN and COMMIT included). Start it before the storage opens its pool.
 *
 * Each statement costs one increment (and, with `shapes`, a regex pass): no `AsyncLocalStorage`, which would
 * make every promise of the process carry context, a cost a hub does not pay and a timed run should not.
 */
import pg from 'pg';

export interface StatementCounts {
  readonly total: number;
  /** Statement shape (SQL text, numbers and parameter lists folded) → count, largest first. */
  readonly byShape: [string, number][];
}

export interface StatementCounter {
  /** Counts from now on (what happened before, e.g. the pool's setup, is dropped). */
  reset(): void;
  counts(): StatementCounts;
  /**
   * Runs `work` and tells how many statements the process sent meanwhile: what `work` sent itself only when
   * nothing else of the process sends statements at the same time (one operation at a time).
   */
  measure<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown; statements: number }>;
}

function shapeOf(text: string): string {
  return text
    .replace(/\$\d+(\s*,\s*\$\d+)*/g, '$n')
    .replace(/\(\$n\)(\s*,\s*\(\$n\))+/g, '($n), …')
    .replace(/\s+/g, ' ')
    .slice(0, 160);
}

/** `shapes`: also count by statement shape (costs a regex pass per statement; off for timed runs). */
export function countStatements(options: { shapes: boolean }): StatementCounter {
  const byShape = new Map<string, number>();
  let total = 0;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
    if (options.shapes) {
      const first = args[0];
      const text =
        typeof first === 'string'
          ? first
          : typeof (first as { text?: unknown } | null)?.text === 'string'
            ? (first as { text: string }).text
            : '?';
      const shape = shapeOf(text);
      byShape.set(shape, (byShape.get(shape) ?? 0) + 1);
    }
    total += 1;
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
  return {
    reset() {
      byShape.clear();
      total = 0;
    },
    counts() {
      return { total, byShape: [...byShape].sort((a, b) => b[1] - a[1]) };
    },
    async measure(work) {
      const before = total;
      try {
        const value = await work();
        return { value, statements: total - before };
      } catch (error) {
        return { error, statements: total - before };
      }
    },
  };
}
