import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compiledInsert } from './compiled-insert';
import { insertAllAsJson } from './json-rows';
import type { Storage } from './storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';

const insertAudit = compiledInsert('hq_audit');

// Any text PostgreSQL can hold (no NUL), with what JSON escapes and lone surrogates (a client can send them).
const text = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('\ud800', '\udfff', '\\', '"', '\n', '\u2028', '\\ud800'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  })
  .filter((value) => !value.includes('\u0000'));

const auditRow = fc.record({
  at: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  actor: text,
  action: text,
  subject: text,
  before: fc.option(text, { nil: null }),
  after: fc.option(text, { nil: null }),
});

describe.skipIf(!process.env.PG_URL)('storage/json-rows on postgres', () => {
  let database: TestDatabase;
  let storage: Storage;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    storage = await database.open();
  });
  afterAll(async () => {
    await storage.close();
    await database.dispose();
  });

  const audit = (ids: string[]) =>
    storage.db
      .selectFrom('hq_audit')
      .selectAll()
      .where('audit_id', 'in', ids)
      .orderBy('audit_id')
      .execute()
      .then((rows) => rows.map(({ audit_id: _id, ...row }) => ({ ...row, at: Number(row.at) })));

  it('stores every value as the bound-parameter insert stores it', async () => {
    let batch = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(auditRow, { minLength: 1, maxLength: 4 }), async (drawn) => {
        batch += 1;
        const viaJson = drawn.map((row, index) => ({ audit_id: `j${batch}-${index}`, ...row }));
        const viaParameters = drawn.map((row, index) => ({ audit_id: `p${batch}-${index}`, ...row }));
        await storage.transaction((trx) => insertAllAsJson(trx, [{ table: 'hq_audit', rows: viaJson }]));
        await insertAudit(storage.db, viaParameters);
        const json = await audit(viaJson.map((row) => row.audit_id));
        expect(json).toEqual(await audit(viaParameters.map((row) => row.audit_id)));
        expect(json).toHaveLength(drawn.length);
      }),
      { numRuns: 60 },
    );
  });

  it('writes several tables in one statement, and nothing when one row breaks a unique key', async () => {
    const meta = (key: string) => ({ key, value: `value of ${key}` });
    const row = (id: string) => ({
      audit_id: id,
      at: 1,
      actor: 'a',
      action: 'b',
      subject: 'c',
      before: null,
      after: null,
    });
    let statements = 0;
    await storage.transaction(async (trx) => {
      const counted = trx.withPlugin({
        transformQuery: (args) => {
          statements += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      expect(
        await insertAllAsJson(counted, [
          { table: 'hq_audit', rows: [row('m-1'), row('m-2')] },
          { table: 'hub_meta', rows: [meta('json-rows-1')] },
          { table: 'hq_audit', rows: [] },
        ]),
      ).toBe(true);
    });
    expect(statements).toBe(1);
    expect(await audit(['m-1', 'm-2'])).toHaveLength(2);

    const failed = await storage
      .transaction((trx) =>
        insertAllAsJson(trx, [
          { table: 'hq_audit', rows: [row('m-3')] },
          { table: 'hub_meta', rows: [meta('json-rows-2'), meta('json-rows-1')] },
        ]),
      )
      .catch((error: unknown) => error);
    expect((failed as { code?: string }).code).toBe('23505');
    expect(await audit(['m-3'])).toHaveLength(0);
    const kept = await storage.db
      .selectFrom('hub_meta')
      .select('key')
      .where('key', 'in', ['json-rows-1', 'json-rows-2'])
      .execute();
    expect(kept.map((entry) => entry.key)).toEqual(['json-rows-1']);
  });

  it('declines rows whose columns differ, writing nothing', async () => {
    const written = await storage.transaction((trx) =>
      insertAllAsJson(trx, [
        {
          table: 'hq_audit',
          rows: [
            { audit_id: 'd-1', at: 1, actor: 'a', action: 'b', subject: 'c', before: null, after: null },
            { audit_id: 'd-2', at: 1, actor: 'a', action: 'b', subject: 'c', after: null, before: null },
          ],
        },
      ]),
    );
    expect(written).toBe(false);
    const undefinedValue = await storage.transaction((trx) =>
      insertAllAsJson(trx, [
        {
          table: 'hq_audit',
          rows: [{ audit_id: 'd-3', at: 1, actor: 'a', action: 'b', subject: 'c', before: undefined }],
        },
      ]),
    );
    expect(undefinedValue).toBe(false);
    expect(await audit(['d-1', 'd-2', 'd-3'])).toHaveLength(0);
  });
});
