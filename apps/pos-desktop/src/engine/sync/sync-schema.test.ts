import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../database';
import { hasSyncSchema } from './sync-schema';

let dir: string | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  db = undefined;
  dir = undefined;
});

describe('sync/sync-schema', () => {
  it('asks a "no" again and remembers a "yes", per connection', () => {
    dir = mkdtempSync(join(tmpdir(), 'pos-sync-schema-'));
    db = openDatabase(join(dir, 'store.db'));
    expect(hasSyncSchema(db)).toBe(false);
    // Migration 0004 runs on this connection: the next question sees the table.
    db.exec('CREATE TABLE outbox_rejections (device_seq INTEGER PRIMARY KEY)');
    expect(hasSyncSchema(db)).toBe(true);
    // Remembered: no schema read once the answer is yes (migrations never drop the table).
    db.exec('DROP TABLE outbox_rejections');
    expect(hasSyncSchema(db)).toBe(true);
    // Another connection to the same file asks for itself.
    const other = openDatabase(join(dir, 'store.db'));
    try {
      expect(hasSyncSchema(other)).toBe(false);
    } finally {
      other.close();
    }
  });
});
