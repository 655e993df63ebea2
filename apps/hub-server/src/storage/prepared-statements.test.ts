import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledInsert } from './compiled-insert';
import { PreparedTexts, keepPrepared, preparedName } from './prepared-statements';
import type { Storage } from './storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';

describe('storage/prepared-statements', () => {
  it('names each kept text once, for good, and keeps at most its capacity', () => {
    const texts = new PreparedTexts(3);
    texts.keep('select 1');
    const name = texts.nameOf('select 1');
    expect(name).toMatch(/^hub_\d+$/);
    texts.keep('select 1');
    texts.keep('select 2');
    texts.keep('select 3');
    texts.keep('select 4');
    expect(texts.nameOf('select 1')).toBe(name);
    const names = ['select 1', 'select 2', 'select 3'].map((text) => texts.nameOf(text));
    expect(new Set(names).size).toBe(3);
    expect(texts.nameOf('select 4')).toBeUndefined();
  });
});

const insertAudit = compiledInsert('hq_audit');

describe.each(backendKinds().filter((kind) => kind === 'postgres'))(
  'storage/prepared-statements on %s',
  (kind) => {
    let database: TestDatabase;
    let storage: Storage;
    beforeAll(async () => {
      database = await createTestDatabase(kind);
      storage = await database.open({ poolSize: 1 });
    });
    afterAll(async () => {
      await storage.close();
      await database.dispose();
    });

    it('prepares a hot statement once per connection, then only executes it', async () => {
      const row = (id: string) => ({
        audit_id: id,
        at: 1,
        actor: 'a',
        action: 'x',
        subject: 's',
        before: null,
        after: null,
      });
      // One connection: the first insert builds and keeps the text, the later ones reuse it by name.
      for (const id of ['p1', 'p2', 'p3']) await insertAudit(storage.db, [row(id)]);
      const prepared = await sql<{ name: string; statement: string }>`
      select name, statement from pg_prepared_statements where name like 'hub\\_%'`.execute(storage.db);
      const insert = prepared.rows.find((statement) =>
        statement.statement.startsWith('insert into "hq_audit"'),
      );
      expect(insert).toBeDefined();
      expect(preparedName(insert!.statement)).toBe(insert!.name);
      const stored = await storage.db
        .selectFrom('hq_audit')
        .select('audit_id')
        .where('audit_id', 'in', ['p1', 'p2', 'p3'])
        .execute();
      expect(stored).toHaveLength(3);
    });

    it('prepares its statements again after another instance changed a table under them', async () => {
      await sql`create table prepared_probe (id int primary key)`.execute(storage.db);
      await sql`insert into prepared_probe values (1)`.execute(storage.db);
      const text = 'select * from prepared_probe order by id';
      keepPrepared(text);
      const probe = () => storage.db.executeQuery(CompiledQuery.raw(text, []));
      expect((await probe()).rows).toEqual([{ id: 1 }]);
      // Another hub instance migrates the schema: the statement's columns change under it.
      const other = await database.open({ poolSize: 1 });
      try {
        await sql`alter table prepared_probe add column note text`.execute(other.db);
      } finally {
        await other.close();
      }
      await expect(probe()).rejects.toMatchObject({ code: '0A000' });
      expect((await probe()).rows).toEqual([{ id: 1, note: null }]);
      expect((await probe()).rows).toEqual([{ id: 1, note: null }]);
    });
  },
);
