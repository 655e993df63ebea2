import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { tempDir } from './testing/test-node';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('engine/private-files', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  describe('preparePrivateFile (through openDatabase)', () => {
    it('creates a database and its WAL files readable by the owner only', () => {
      const dir = tempDir();
      dirs.push(dir);
      const file = join(dir.path, 'store.db');
      const db = openDatabase(file);
      try {
        db.exec('create table t (x integer); insert into t values (1)');
        for (const each of [file, `${file}-wal`, `${file}-shm`]) {
          expect({ each, mode: modeOf(each) }).toEqual({ each, mode: 0o600 });
        }
      } finally {
        db.close();
      }
    });

    it('tightens a database an older version left readable by everyone, and leaves read-only opens alone', () => {
      const dir = tempDir();
      dirs.push(dir);
      const file = join(dir.path, 'store.db');
      writeFileSync(file, '', { mode: 0o644 });
      openDatabase(file, { readonly: true }).close();
      expect(modeOf(file)).toBe(0o644);
      openDatabase(file).close();
      expect(modeOf(file)).toBe(0o600);
    });
  });
});
