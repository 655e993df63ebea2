import fc from 'fast-check';
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commitWithNextStatement, keepPrepared, readBeforeBegin } from './prepared-statements';
import type { HubDatabase } from './schema';
import type { Storage } from './storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';

/**
 * A transaction's BEGIN goes out with its first statement and, where the hub says so, its COMMIT with its
 * last (storage/begin-with-statement.ts, through the pool of prepared-statements.ts). What the database
 * ends up holding, and what each statement answers or throws, must be what separate BEGIN, statements
 * and COMMIT give: checked here against a plain node-postgres pool on the same database.
 */
describe.skipIf(!process.env.PG_URL)('storage/begin-with-statement on postgres', () => {
  let database: TestDatabase;
  let storage: Storage;
  let reference: Kysely<HubDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    storage = await database.open({ poolSize: 1 });
    reference = new Kysely<HubDatabase>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }),
    });
    for (const table of ['pipe_fast', 'pipe_ref', 'pipe_probe'])
      await storage.db.executeQuery(
        CompiledQuery.raw(`create table ${table} (k int primary key, v int not null)`, []),
      );
  });

  afterAll(async () => {
    await reference?.destroy();
    await storage?.close();
    await database?.dispose();
  });

  const run = (trx: Transaction<HubDatabase>, text: string, values: unknown[] = []) =>
    trx.executeQuery(CompiledQuery.raw(text, values));

  /** Round trips (node-postgres queries) `work` sends. */
  async function roundTrips(work: () => Promise<unknown>): Promise<{ sent: string[]; error?: unknown }> {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : String((first as { text?: unknown }).text));
      return (query as (...rest: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    try {
      await work();
      return { sent };
    } catch (error) {
      return { sent, error };
    } finally {
      spy.mockRestore();
    }
  }

  const count = async (table: string) =>
    (
      await storage.db.executeQuery<{ n: number }>(
        CompiledQuery.raw(`select count(*)::int as n from ${table}`, []),
      )
    ).rows[0]!.n;

  it('sends BEGIN with the first statement and COMMIT with the marked last: one round trip each', async () => {
    const insert = 'insert into pipe_probe (k, v) values ($1, $2)';
    keepPrepared(insert);
    const { sent, error } = await roundTrips(() =>
      storage.db.transaction().execute(async (trx) => {
        await run(trx, insert, [1, 10]);
        await run(trx, insert, [2, 20]);
        await commitWithNextStatement(trx, 'postgres');
        await run(trx, insert, [3, 30]);
      }),
    );
    expect(error).toBeUndefined();
    // Before: begin, three inserts, commit.
    expect(sent).toEqual([insert, insert, insert]);
    expect(await count('pipe_probe')).toBe(3);
    // Committed for everyone: another connection sees the rows.
    const seen = await reference.executeQuery<{ n: number }>(
      CompiledQuery.raw('select count(*)::int as n from pipe_probe', []),
    );
    expect(seen.rows[0]!.n).toBe(3);
    // A transaction that sends nothing sends nothing, BEGIN and COMMIT included.
    const empty = await roundTrips(() => storage.db.transaction().execute(async () => undefined));
    expect(empty.sent).toEqual([]);
  });

  it('sends a plain first read before BEGIN: a transaction that ends after it sends nothing else', async () => {
    const read = 'select count(*)::int as n from pipe_probe where k > $1';
    keepPrepared(read);
    const rowsBefore = await count('pipe_probe');
    const refused = await roundTrips(() =>
      storage.db.transaction().execute(async (trx) => {
        await readBeforeBegin(trx, 'postgres');
        await run(trx, read, [0]);
        throw new Error('refused from the read');
      }),
    );
    expect(refused.error).toMatchObject({ message: 'refused from the read' });
    // Before: begin, the read, rollback.
    expect(refused.sent).toEqual([read]);
    const insert = 'insert into pipe_probe (k, v) values ($1, $2)';
    const placed = await roundTrips(() =>
      storage.db.transaction().execute(async (trx) => {
        await readBeforeBegin(trx, 'postgres');
        await run(trx, read, [0]);
        await run(trx, insert, [50, 1]);
        throw new Error('failed after a write');
      }),
    );
    // BEGIN went with the insert, so the insert rolled back: nothing written.
    expect(placed.sent).toEqual([read, insert, 'rollback']);
    expect(await count('pipe_probe')).toBe(rowsBefore);
  });

  it('reads rows with the hub’s type parsers on the statement that carries BEGIN', async () => {
    const text = 'select count(*) as n, $1::bigint as m from pipe_probe';
    keepPrepared(text);
    const rows = await storage.db
      .transaction()
      .execute(async (trx) => (await run(trx, text, [7])).rows as { n: unknown; m: unknown }[]);
    expect(rows).toEqual([{ n: 3, m: 7 }]);
  });

  it('describes a kept statement once per connection, then reads its rows as described', async () => {
    const read =
      "select k, v::bigint as big, json_build_object('k', k) as doc, null::text as none from pipe_probe where k > $1 order by k";
    // Texts no other test sends on this connection.
    const insert = 'insert into pipe_probe (k, v) values ($1, $2) -- described once';
    keepPrepared(read);
    keepPrepared(insert);
    const describe = vi.spyOn(pg.Connection.prototype, 'describe');
    try {
      const first = await storage.db.executeQuery(CompiledQuery.raw(read, [0]));
      const again = [
        await storage.db.executeQuery(CompiledQuery.raw(read, [0])),
        // With BEGIN, and with COMMIT, on the same round trip.
        await storage.db.transaction().execute((trx) => run(trx, read, [0])),
        await storage.db.transaction().execute(async (trx) => {
          await run(trx, insert, [60, 6]);
          await commitWithNextStatement(trx, 'postgres');
          return run(trx, read, [0]);
        }),
      ];
      const empty = await storage.db.executeQuery(CompiledQuery.raw(read, [1000]));
      const inserted = await storage.db.executeQuery(CompiledQuery.raw(insert, [61, 7]));
      // Once for the read, once for the insert (no rows): node-postgres describes every execution.
      expect(describe).toHaveBeenCalledTimes(2);
      const expected = first.rows;
      expect(expected.length).toBeGreaterThan(0);
      expect(again[0]!.rows).toEqual(expected);
      expect(again[1]!.rows).toEqual(expected);
      expect(again[2]!.rows).toEqual([...expected, { k: 60, big: 6, doc: { k: 60 }, none: null }]);
      expect(empty.rows).toEqual([]);
      expect(inserted.numAffectedRows).toBe(1n);
      // The rows are the hub's types (bigint as a number, json parsed), as on a described execution.
      expect(expected[0]).toMatchObject({
        big: expect.any(Number),
        doc: { k: expect.any(Number) },
        none: null,
      });
    } finally {
      describe.mockRestore();
      await storage.db.executeQuery(CompiledQuery.raw('delete from pipe_probe where k >= 60', []));
    }
  });

  it('commits nothing when the statement carrying COMMIT fails, or cannot be bound', async () => {
    const insert = 'insert into pipe_probe (k, v) values ($1, $2)';
    const above = async () =>
      (
        await storage.db.executeQuery<{ n: number }>(
          CompiledQuery.raw('select count(*)::int as n from pipe_probe where k >= 100', []),
        )
      ).rows[0]!.n;
    await storage.db.transaction().execute(async (trx) => run(trx, insert, [100, 1]));
    const duplicate = await roundTrips(() =>
      storage.db.transaction().execute(async (trx) => {
        await run(trx, insert, [101, 40]);
        await commitWithNextStatement(trx, 'postgres');
        await run(trx, insert, [100, 10]);
      }),
    );
    expect(duplicate.error).toMatchObject({ code: '23505' });
    // A value node-postgres cannot serialise fails before the statement executes: COMMIT must not go.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const unbound = await roundTrips(() =>
      storage.db.transaction().execute(async (trx) => {
        await run(trx, insert, [102, 50]);
        await commitWithNextStatement(trx, 'postgres');
        await run(trx, 'insert into pipe_probe (k, v) values ($1, ($2::json->>0)::int)', [103, circular]);
      }),
    );
    expect(unbound.error).toBeInstanceOf(TypeError);
    expect(await above()).toBe(1);
    // The connection is clean afterwards: the next transaction commits alone.
    await storage.db.transaction().execute(async (trx) => run(trx, insert, [104, 40]));
    expect(await above()).toBe(2);
  });

  it('prepares a statement again after it failed to prepare on the round trip that carried BEGIN', async () => {
    const text = 'select count(*)::int as n from pipe_later where k > $1';
    keepPrepared(text);
    await expect(storage.db.transaction().execute(async (trx) => run(trx, text, [0]))).rejects.toMatchObject({
      code: '42P01',
    });
    await storage.db.executeQuery(CompiledQuery.raw('create table pipe_later (k int)', []));
    const rows = await storage.db.transaction().execute(async (trx) => (await run(trx, text, [0])).rows);
    expect(rows).toEqual([{ n: 0 }]);
  });

  /** One step of a generated transaction. */
  type Step =
    | { kind: 'insert'; k: number; v: number; named: boolean }
    | { kind: 'count'; named: boolean; parameters: boolean }
    | { kind: 'throw' };

  const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      k: fc.integer({ min: 1, max: 12 }),
      v: fc.integer({ min: 0, max: 99 }),
      named: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('count' as const), named: fc.boolean(), parameters: fc.boolean() }),
    fc.constant({ kind: 'throw' as const }),
  );

  /** Runs the transactions on `table`; marks each one's last statement when `mark`. What each did. */
  async function runAll(
    db: Kysely<HubDatabase>,
    table: string,
    transactions: { steps: Step[]; markLast: boolean; readFirst: boolean }[],
    mark: boolean,
  ): Promise<unknown[]> {
    const insert = `insert into ${table} (k, v) values ($1, $2)`;
    keepPrepared(insert);
    const countText = `select count(*)::int as n, coalesce(sum(v), 0)::int as s from ${table} where k > $1`;
    keepPrepared(countText);
    const outcomes: unknown[] = [];
    for (const { steps, markLast, readFirst } of transactions) {
      try {
        const answers = await db.transaction().execute(async (trx) => {
          const read: unknown[] = [];
          for (const [index, step] of steps.entries()) {
            const last = index === steps.length - 1;
            if (step.kind === 'throw') throw new Error('work failed');
            if (mark && readFirst && index === 0 && step.kind === 'count')
              await readBeforeBegin(trx, 'postgres');
            if (mark && markLast && last) await commitWithNextStatement(trx, 'postgres');
            if (step.kind === 'insert') {
              await run(trx, step.named ? insert : `${insert} -- not kept`, [step.k, step.v]);
            } else if (!step.parameters) {
              // No parameters and not kept: node-postgres's simple protocol, BEGIN and COMMIT apart.
              read.push((await run(trx, `select count(*)::int as n from ${table}`)).rows);
            } else {
              read.push((await run(trx, step.named ? countText : `${countText} -- not kept`, [0])).rows);
            }
          }
          return read;
        });
        outcomes.push({ answers });
      } catch (error) {
        outcomes.push({ failed: (error as { code?: string }).code ?? (error as Error).message });
      }
    }
    const rows = await db.executeQuery(CompiledQuery.raw(`select k, v from ${table} order by k`, []));
    outcomes.push({ rows: rows.rows });
    return outcomes;
  }

  it('leaves the same rows and answers as separate BEGIN, statements and COMMIT (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            steps: fc.array(stepArbitrary, { minLength: 0, maxLength: 5 }),
            markLast: fc.boolean(),
            readFirst: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (transactions) => {
          for (const table of ['pipe_fast', 'pipe_ref'])
            await storage.db.executeQuery(CompiledQuery.raw(`delete from ${table}`, []));
          const fast = await runAll(storage.db, 'pipe_fast', transactions, true);
          const slow = await runAll(reference, 'pipe_ref', transactions, false);
          expect(fast).toEqual(slow);
        },
      ),
      { numRuns: 60 },
    );
  });
});
