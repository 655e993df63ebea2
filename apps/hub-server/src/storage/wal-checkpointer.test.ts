import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from './storage';
import { startWalCheckpointer } from './wal-checkpointer';

/** SQLite's page size here (the default) plus a log frame's header. */
const FRAME_BYTES = 4096 + 24;

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rows committed through the storage's transactions, `bytes` of text each. */
async function writeRows(storage: Storage, prefix: string, rows: number, bytes = 100): Promise<void> {
  await storage.transaction(async (trx) => {
    for (let index = 0; index < rows; index += 1)
      await trx
        .insertInto('hub_meta')
        .values({ key: `${prefix}-${index}`, value: `${index}`.padEnd(bytes, 'x') })
        .execute();
  });
}

/** The keys starting with `prefix` that the database file itself holds, without its log (0: not even the table). */
function keysInDatabaseFile(dir: string, prefix: string): number {
  const copy = join(dir, 'file-only.db');
  rmSync(copy, { force: true });
  copyFileSync(join(dir, 'hub.db'), copy);
  const db = new BetterSqlite3(copy, { readonly: true });
  try {
    if (db.prepare("select 1 from sqlite_master where name = 'hub_meta'").get() === undefined) return 0;
    const row = db.prepare('select count(*) as n from hub_meta where key like ?').get(`${prefix}-%`) as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

describe('storage/wal-checkpointer', () => {
  let dir: string;
  const open: Storage[] = [];
  afterEach(async () => {
    for (const storage of open.splice(0)) await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const storageAt = async (options: Parameters<typeof openStorage>[1] = {}) => {
    dir = mkdtempSync(join(tmpdir(), 'hub-wal-'));
    const storage = await openStorage(join(dir, 'hub.db'), options);
    open.push(storage);
    return storage;
  };

  it('copies committed pages into the database file off the main thread, SQLite’s own checkpoint far off', async () => {
    const storage = await storageAt();
    await writeRows(storage, 'after-commit', 50);
    // Waited for by what it leaves, not by a count: a checkpoint the migrations' commits asked for may
    // finish after the rows' commit began and before the one the rows asked for. 50 small rows are a few
    // pages, far below the 10,000-page bound, so only the worker puts them there (the next test: not SQLite).
    await until('the rows in the database file', () => keysInDatabaseFile(dir, 'after-commit') === 50);
    // The worker's report of it reaches this thread as a message, after the file has the rows.
    await until(
      'the worker reported a whole checkpoint',
      () => (storage.walCheckpoints()?.complete ?? 0) > 0,
    );
  });

  it('leaves the pages in the log with no worker and the same bound (what the test above tells apart)', async () => {
    const storage = await storageAt({ walCheckpoints: { worker: false, boundPages: 10_000 } });
    await writeRows(storage, 'after-commit', 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(storage.walCheckpoints()).toBeUndefined();
    expect(keysInDatabaseFile(dir, 'after-commit')).toBe(0);
  });

  it('keeps the log bounded when the worker falls behind: SQLite checkpoints in a commit at the bound', async () => {
    // The worker waits a minute after a commit: here it never checkpoints.
    const bounded = await storageAt({ walCheckpoints: { boundPages: 100, delayMs: 60_000 } });
    // 20 transactions of ~40 pages each: 800 pages, eight times the bound.
    for (let round = 0; round < 20; round += 1) await writeRows(bounded, `round-${round}`, 40, 3_000);
    expect(bounded.walCheckpoints()?.checkpoints).toBe(0);
    const walBytes = statSync(join(dir, 'hub.db-wal')).size;
    // The bound plus the one transaction that crossed it (and its index pages), never the 800 pages written.
    expect(walBytes).toBeLessThan(250 * FRAME_BYTES);
    // Without the bound the same writes keep every page in the log.
    const boundDir = dir;
    const unbounded = await storageAt({ walCheckpoints: { boundPages: 0, delayMs: 60_000 } });
    for (let round = 0; round < 20; round += 1) await writeRows(unbounded, `round-${round}`, 40, 3_000);
    expect(statSync(join(dir, 'hub.db-wal')).size).toBeGreaterThan(700 * FRAME_BYTES);
    rmSync(boundDir, { recursive: true, force: true });
  });

  it('closes the worker with the storage, so the last connection checkpoints and removes the log', async () => {
    const storage = await storageAt();
    await writeRows(storage, 'closing', 20);
    await until('the worker started', () => (storage.walCheckpoints()?.checkpoints ?? 0) > 0);
    await writeRows(storage, 'last', 20);
    expect(existsSync(join(dir, 'hub.db-wal'))).toBe(true);
    await open.pop()?.close();
    // The last connection to close removes the log: a worker left open would keep it (and its thread).
    expect(existsSync(join(dir, 'hub.db-wal'))).toBe(false);
    expect(keysInDatabaseFile(dir, 'last')).toBe(20);
  });

  it('tells when the worker is gone, and checkpoints nothing after', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-wal-'));
    const lost: unknown[] = [];
    const checkpointer = startWalCheckpointer({
      location: join(dir, 'no-such.db'),
      onLost: (error) => lost.push(error),
    });
    checkpointer.committed();
    await until('the worker reported lost', () => lost.length > 0);
    checkpointer.committed();
    expect(checkpointer.stats().checkpoints).toBe(0);
    await checkpointer.close();
    expect(lost).toHaveLength(1);
  });
});
