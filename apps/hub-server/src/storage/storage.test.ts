import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index';
import { describeDatabaseUrl, readFeedEpoch } from './storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';

describe('storage/storage', () => {
  describe('describeDatabaseUrl', () => {
    it('tells PostgreSQL URLs from SQLite paths', () => {
      expect(describeDatabaseUrl('postgres://u@h:5433/db')).toEqual({
        kind: 'postgres',
        location: 'h:5433/db',
      });
      expect(describeDatabaseUrl('postgresql://u@h/db').kind).toBe('postgres');
      expect(describeDatabaseUrl('./data/hub.db').kind).toBe('sqlite');
      expect(describeDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', location: ':memory:' });
    });
  });

  describe.each(backendKinds())('openStorage on %s', (kind) => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.dispose();
      database = undefined;
    });

    it('migrates an empty database, keeps data and the feed epoch when reopened', async () => {
      database = await createTestDatabase(kind);
      const first = await database.open();
      const epoch = await readFeedEpoch(first.db);
      await first.db.insertInto('hub_meta').values({ key: 'probe', value: 'kept' }).execute();
      await first.close();
      const second = await database.open();
      expect(await readFeedEpoch(second.db)).toBe(epoch);
      const probe = await second.db
        .selectFrom('hub_meta')
        .select('value')
        .where('key', '=', 'probe')
        .executeTakeFirst();
      expect(probe?.value).toBe('kept');
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        second.db,
      );
      expect(applied.rows.map((row) => row.name)).toEqual(MIGRATIONS.map(([name]) => name));
      await second.close();
    });

    it('refuses a database that applied a migration this hub does not know', async () => {
      database = await createTestDatabase(kind);
      const storage = await database.open();
      await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01')`.execute(
        storage.db,
      );
      await storage.close();
      await expect(database.open()).rejects.toThrow(
        /cannot be used by this hub version|9999-from-the-future/,
      );
    });

    it('0002 keeps a filled feed and lets one key live in several scopes', async () => {
      database = await createTestDatabase(kind);
      const old = await database.open({ migrateUpTo: '0001-initial' });
      await old.db
        .insertInto('feed_changes')
        .values([
          {
            hub_seq: 1,
            entity: 'config',
            entity_key: 'a',
            op: 'upsert',
            data: '{"key":"a","value":1}',
            scope: '*',
            created_at: 1,
          },
          {
            hub_seq: 2,
            entity: 'config',
            entity_key: 'b',
            op: 'upsert',
            data: '{"key":"b","value":2}',
            scope: 's1',
            created_at: 1,
          },
        ])
        .execute();
      await expect(
        old.db
          .insertInto('feed_changes')
          .values({
            hub_seq: 3,
            entity: 'config',
            entity_key: 'a',
            op: 'delete',
            data: null,
            scope: 's1',
            created_at: 1,
          })
          .execute(),
      ).rejects.toThrow();
      await old.close();
      const upgraded = await database.open();
      const rows = await upgraded.db
        .selectFrom('feed_changes')
        .select(['hub_seq', 'entity_key', 'scope'])
        .orderBy('hub_seq')
        .execute();
      expect(rows.map((row) => [Number(row.hub_seq), row.entity_key, row.scope])).toEqual([
        [1, 'a', '*'],
        [2, 'b', 's1'],
      ]);
      await upgraded.db
        .insertInto('feed_changes')
        .values({
          hub_seq: 3,
          entity: 'config',
          entity_key: 'a',
          op: 'delete',
          data: null,
          scope: 's1',
          created_at: 1,
        })
        .execute();
      await expect(
        upgraded.db
          .insertInto('feed_changes')
          .values({
            hub_seq: 4,
            entity: 'config',
            entity_key: 'a',
            op: 'delete',
            data: null,
            scope: 's1',
            created_at: 1,
          })
          .execute(),
      ).rejects.toThrow();
      await upgraded.close();
    });

    it('rolls a failed transaction back completely', async () => {
      database = await createTestDatabase(kind);
      const storage = await database.open();
      await expect(
        storage.transaction(async (trx) => {
          await trx.insertInto('hub_meta').values({ key: 'half', value: 'written' }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const row = await storage.db
        .selectFrom('hub_meta')
        .selectAll()
        .where('key', '=', 'half')
        .executeTakeFirst();
      expect(row).toBeUndefined();
      await storage.close();
    });
  });

  describe('SQLite durability settings', () => {
    it('opens the file in WAL mode with synchronous=FULL', async () => {
      const database = await createTestDatabase('sqlite');
      const storage = await database.open();
      await storage.close();
      const raw = new BetterSqlite3(database.url);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
      const reopened = await database.open();
      const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(reopened.db);
      expect(sync.rows[0]?.synchronous).toBe(2);
      await reopened.close();
      await database.dispose();
    });
  });
});
