import { afterEach } from 'vitest';
import type { BackendKind, Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from './backends';

/** One migration's upgrade test: a database written at an older schema, then opened as today's hub does. */
export interface MigrationTest {
  /** A fresh database migrated up to `migration` (inclusive): write rows as that schema had them. */
  openAt(migration: string): Promise<Storage>;
  /** Opens the database again, which runs every migration after the one it was left at. */
  open(): Promise<Storage>;
  /** A fresh database at today's schema, as a new hub starts. */
  fresh(): Promise<Storage>;
}

/**
 * Registers, in the calling `describe`, the clean-up every migration test needs: after each test the
 * connections it opened are closed and its database is dropped.
 */
export function migrationTest(kind: BackendKind): MigrationTest {
  let database: TestDatabase | undefined;
  const opened: Storage[] = [];
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
    await database?.dispose();
    database = undefined;
  });
  return {
    async openAt(migration) {
      database = await createTestDatabase(kind);
      return database.open({ migrateUpTo: migration });
    },
    async open() {
      if (database === undefined) throw new Error('openAt first: there is no database to upgrade');
      const storage = await database.open();
      opened.push(storage);
      return storage;
    },
    async fresh() {
      database = await createTestDatabase(kind);
      return this.open();
    },
  };
}
