import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '@retail/domain';
import type { Db } from './database';

/**
 * Forward-only numbered migrations, one SQL file each: `NNNN-what-it-does.sql` in ./migrations (copied
 * next to the bundle by the build). The database records every applied migration with a checksum, and
 * this runner refuses to open a database whose history is not a prefix of the migrations it knows, or
 * whose recorded checksums differ: running a schema the code does not understand is how ledgers break.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: string;
}

const FILE_NAME = /^(\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)\.sql$/;

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Line endings are normalised first so a checkout with CRLF conversion keeps the same checksum. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort();
  return files.map((file, index) => {
    const match = FILE_NAME.exec(file);
    if (!match) {
      throw new DomainError(
        'INTERNAL',
        'migrations.migrationFileNotNamed',
        { file },
        {
          file,
        },
      );
    }
    const version = Number(match[1]);
    if (version !== index + 1) {
      throw new DomainError(
        'INTERNAL',
        'migrations.migrationNumberMigrations',
        { file, value: String(index + 1).padStart(4, '0') },
        { file },
      );
    }
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: file.slice(0, -'.sql'.length), sql, checksum: migrationChecksum(sql) };
  });
}

const CREATE_HISTORY = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

export function appliedMigrations(db: Db): AppliedMigration[] {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!exists) return [];
  return db
    .prepare(
      'SELECT version, name, checksum, applied_at AS appliedAt FROM schema_migrations ORDER BY version',
    )
    .all() as AppliedMigration[];
}

/**
 * Throws SCHEMA_VERSION unless the applied history is a prefix of `known` with identical checksums;
 * returns the migrations still to apply.
 */
export function pendingMigrations(db: Db, known: readonly Migration[]): Migration[] {
  const applied = appliedMigrations(db);
  applied.forEach((row, index) => {
    const expected = known[index];
    if (expected === undefined) {
      throw new DomainError(
        'SCHEMA_VERSION',
        'migrations.dataFolderWrittenNewer',
        { rowName: row.name },
        { applied: row.name, knownCount: known.length },
      );
    }
    if (row.version !== expected.version || row.name !== expected.name) {
      throw new DomainError(
        'SCHEMA_VERSION',
        'migrations.dataFolderMigrationHistory',
        { rowName: row.name, expectedName: expected.name },
        { applied: row.name, expected: expected.name },
      );
    }
    if (row.checksum !== expected.checksum) {
      throw new DomainError(
        'SCHEMA_VERSION',
        'migrations.migrationDataFolderDiffers',
        { rowName: row.name },
        { applied: row.name, recorded: row.checksum, expected: expected.checksum },
      );
    }
  });
  return known.slice(applied.length);
}

/**
 * Brings the database up to the newest known migration, each migration in its own transaction together
 * with its history row, so a crash mid-upgrade leaves the database at the previous version.
 */
export function migrate(
  db: Db,
  known: readonly Migration[] = loadMigrations(),
  now: () => number = Date.now,
): Migration[] {
  db.exec(CREATE_HISTORY);
  const pending = pendingMigrations(db, known);
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
  );
  for (const migration of pending) {
    // A migration that rebuilds a table other tables reference (SQLite's 12-step table change) runs with
    // foreign key enforcement off, which only takes effect outside a transaction; its rows are checked
    // inside the transaction instead, so a violation rolls it back whole.
    const keysOff = FOREIGN_KEYS_OFF.test(migration.sql);
    const keysWere = db.pragma('foreign_keys', { simple: true }) as number;
    if (keysOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        if (keysOff) refuseForeignKeyViolations(db);
        record.run(migration.version, migration.name, migration.checksum, new Date(now()).toISOString());
      })();
    } finally {
      if (keysOff) db.pragma(`foreign_keys = ${keysWere ? 'ON' : 'OFF'}`);
    }
  }
  refuseForeignKeyViolations(db);
  return pending;
}

/** A migration's first line `-- migrate: foreign-keys-off` runs it with foreign key enforcement off. */
const FOREIGN_KEYS_OFF = /^-- migrate: foreign-keys-off\r?\n/;

function refuseForeignKeyViolations(db: Db): void {
  const violations = db.pragma('foreign_key_check') as unknown[];
  if (violations.length > 0) {
    throw new DomainError(
      'INTERNAL',
      'migrations.databaseRowsBreakForeign',
      {},
      {
        violations: violations.length,
      },
    );
  }
}
