import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database';
import { appliedMigrations, loadMigrations, migrate, migrationChecksum, type Migration } from './migrations';
import { tempDir } from './testing/test-node';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function scratch(): { db: Db; dir: string; reopen(): Db } {
  const dir = tempDir('pos-store-migrations-');
  const file = join(dir.path, 'store.db');
  let db = openDatabase(file);
  cleanups.push(() => {
    if (db.open) db.close();
    dir.remove();
  });
  return {
    db,
    dir: dir.path,
    reopen() {
      db.close();
      db = openDatabase(file);
      return db;
    },
  };
}

function migration(version: number, name: string, sql: string): Migration {
  return {
    version,
    name: `${String(version).padStart(4, '0')}-${name}`,
    sql,
    checksum: migrationChecksum(sql),
  };
}

const first = migration(1, 'items', 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);');
const second = migration(2, 'item-price', 'ALTER TABLE items ADD COLUMN price INTEGER NOT NULL DEFAULT 0;');

describe('migrations', () => {
  describe('migrate', () => {
    it('applies pending migrations in order and records name and checksum', () => {
      const { db } = scratch();
      expect(migrate(db, [first], () => 0).map((m) => m.name)).toEqual(['0001-items']);
      db.prepare("INSERT INTO items (name) VALUES ('kept')").run();
      expect(migrate(db, [first, second], () => 1000).map((m) => m.name)).toEqual(['0002-item-price']);
      expect(appliedMigrations(db)).toEqual([
        { version: 1, name: '0001-items', checksum: first.checksum, appliedAt: '1970-01-01T00:00:00.000Z' },
        {
          version: 2,
          name: '0002-item-price',
          checksum: second.checksum,
          appliedAt: '1970-01-01T00:00:01.000Z',
        },
      ]);
      expect(db.prepare('SELECT name, price FROM items').all()).toEqual([{ name: 'kept', price: 0 }]);
      expect(migrate(db, [first, second])).toEqual([]);
    });

    it('refuses a database whose applied migration was edited afterwards', () => {
      const { db } = scratch();
      migrate(db, [first]);
      const edited = migration(1, 'items', 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);');
      expect(() => migrate(db, [edited, second])).toThrow(
        expect.objectContaining({
          code: 'SCHEMA_VERSION',
          message: expect.stringMatching(
            /Migration 0001-items in this data folder differs .* \(checksum mismatch\)/,
          ),
        }),
      );
      expect(appliedMigrations(db)).toHaveLength(1);
    });

    it('refuses a database written by a newer version', () => {
      const { db } = scratch();
      migrate(db, [first, second]);
      expect(() => migrate(db, [first])).toThrow(
        expect.objectContaining({
          code: 'SCHEMA_VERSION',
          message: expect.stringMatching(/written by a newer pos-store: it has migration 0002-item-price/),
        }),
      );
    });

    it('refuses a database whose history is not a prefix of the known list', () => {
      const { db } = scratch();
      migrate(db, [first]);
      const other = migration(1, 'products', 'CREATE TABLE products (id INTEGER PRIMARY KEY);');
      expect(() => migrate(db, [other])).toThrow(/has 0001-items where 0001-products was expected/);
    });

    it('leaves the database at the previous version when a migration fails halfway', () => {
      const { db } = scratch();
      const broken = migration(
        2,
        'broken',
        'CREATE TABLE extra (id INTEGER); INSERT INTO nowhere VALUES (1);',
      );
      expect(() => migrate(db, [first, broken])).toThrow(/no such table: nowhere/);
      expect(appliedMigrations(db).map((m) => m.name)).toEqual(['0001-items']);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    });

    it('treats CRLF and LF copies of a migration as the same file', () => {
      expect(migrationChecksum('a;\r\nb;\r\n')).toBe(migrationChecksum('a;\nb;\n'));
    });
  });

  describe('loadMigrations', () => {
    it('reads the shipped migrations in order with their checksums', () => {
      const shipped = loadMigrations();
      expect(shipped[0]?.name).toBe('0001-initial');
      expect(shipped.map((m) => m.version)).toEqual(shipped.map((_, index) => index + 1));
    });

    it('refuses badly named files and gaps in the numbering', () => {
      const { dir } = scratch();
      const bad = join(dir, 'bad');
      mkdirSync(bad);
      writeFileSync(join(bad, '0001-Initial Schema.sql'), 'SELECT 1;');
      expect(() => loadMigrations(bad)).toThrow(/not named NNNN-what-it-does.sql/);
      const gap = join(dir, 'gap');
      mkdirSync(gap);
      writeFileSync(join(gap, '0001-a.sql'), 'SELECT 1;');
      writeFileSync(join(gap, '0003-c.sql'), 'SELECT 1;');
      expect(() => loadMigrations(gap)).toThrow(/0003-c.sql should be number 0002/);
    });
  });

  describe('openDatabase', () => {
    it('opens with WAL, synchronous FULL, foreign keys and a busy timeout', () => {
      const { db } = scratch();
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    });

    it('keeps statement and savepoint journals in memory (temp_store MEMORY), not in temp files', () => {
      const { db } = scratch();
      expect(db.pragma('temp_store', { simple: true })).toBe(2);
    });

    it('says clearly when the file cannot be opened', () => {
      expect(() => openDatabase('/nonexistent-dir/x/store.db')).toThrow(/Cannot open the store database/);
    });
  });
});
