import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compiledInsert } from './compiled-insert';
import type { Storage } from './storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';

const insertAudit = compiledInsert('hq_audit');
const insertMeta = compiledInsert('hub_meta', (query) =>
  query.onConflict((conflict) => conflict.column('key').doNothing()).returning('key'),
);

const auditRow = fc.record(
  {
    at: fc.integer({ min: 0, max: 2 ** 40 }),
    actor: fc.string({ maxLength: 8 }),
    action: fc.constantFrom('a', 'b'),
    subject: fc.string({ maxLength: 8 }),
    before: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
    after: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
    // Absent, undefined (Kysely leaves the column to its default) or a value: the reused text must
    // never bind a row whose columns differ from the text's.
    node_id: fc.option(fc.option(fc.string({ maxLength: 4 }), { nil: null }), { nil: undefined }),
  },
  { requiredKeys: ['at', 'actor', 'action', 'subject', 'before', 'after'] },
);

describe.each(backendKinds())('storage/compiled-insert on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
  });
  afterAll(async () => {
    await storage.close();
    await database.dispose();
  });

  it('writes exactly the rows given, whether its statement text is new or reused', async () => {
    let batch = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(auditRow, { minLength: 1, maxLength: 4 }), async (drawn) => {
        batch += 1;
        const rows = drawn.map((row, index) => ({ audit_id: `b${batch}-${index}`, ...row }));
        const ids = rows.map((row) => row.audit_id);
        await insertAudit(storage.db, rows);
        const stored = await storage.db
          .selectFrom('hq_audit')
          .selectAll()
          .where('audit_id', 'in', ids)
          .orderBy('audit_id')
          .execute();
        const expected = [...rows]
          .sort((a, b) => (a.audit_id < b.audit_id ? -1 : 1))
          .map((row) => ({ ...row, node_id: row.node_id ?? null }));
        expect(stored.map((row) => ({ ...row, at: Number(row.at) }))).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the conflict and returning clauses of its shape', async () => {
    const first = await insertMeta(storage.db, [
      { key: 'ci-1', value: 'one' },
      { key: 'ci-2', value: 'two' },
    ]);
    expect(first.map((row) => row.key)).toEqual(['ci-1', 'ci-2']);
    // The same shape again: the reused text skips the existing key and returns only the new one.
    const second = await insertMeta(storage.db, [
      { key: 'ci-2', value: 'changed' },
      { key: 'ci-3', value: 'three' },
    ]);
    expect(second.map((row) => row.key)).toEqual(['ci-3']);
    const values = await storage.db
      .selectFrom('hub_meta')
      .select(['key', 'value'])
      .where('key', 'in', ['ci-1', 'ci-2', 'ci-3'])
      .orderBy('key')
      .execute();
    expect(values).toEqual([
      { key: 'ci-1', value: 'one' },
      { key: 'ci-2', value: 'two' },
      { key: 'ci-3', value: 'three' },
    ]);
  });

  it('runs inside a transaction like any other statement', async () => {
    await expect(
      storage.db.transaction().execute(async (trx) => {
        await insertMeta(trx, [{ key: 'ci-rolled-back', value: 'x' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const row = await storage.db
      .selectFrom('hub_meta')
      .select('key')
      .where('key', '=', 'ci-rolled-back')
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });
});
