import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database';
import { TEST_SKUS, createTestNode, expectOk, tempDir, type TestNode } from './testing/test-node';
import { walCheckpointer, type WalCheckpointOptions } from './wal-checkpoint';

/** Timers the test fires by hand as it moves its clock. */
function manualTimers() {
  let now = 0;
  const timers: { run: () => void; at: number }[] = [];
  const options: Pick<WalCheckpointOptions, 'setTimer' | 'clearTimer'> = {
    setTimer(run, ms) {
      const timer = { run, at: now + ms };
      timers.push(timer);
      return timer;
    },
    clearTimer(timer) {
      timers.splice(timers.indexOf(timer as (typeof timers)[number]), 1);
    },
  };
  return {
    options,
    pending: () => timers.length,
    /** Moves the clock by `ms`, firing every timer due by then at its time, in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.splice(timers.indexOf(due), 1);
        now = due.at;
        due.run();
      }
      now = until;
    },
  };
}

/** Whether `text` is in the database file itself (a committed row reaches it only by a checkpoint). */
const inDatabaseFile = (path: string, text: string) => readFileSync(path).includes(Buffer.from(text));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function openTemp(): { db: Db; path: string } {
  const dir = tempDir();
  const path = join(dir.path, 'wal.db');
  const db = openDatabase(path);
  cleanups.push(() => {
    db.close();
    dir.remove();
  });
  db.exec('CREATE TABLE notes (text TEXT NOT NULL)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { db, path };
}

describe('walCheckpointer', () => {
  it('checkpoints only once no commit came for the idle time, and keeps SQLite’s own checkpoint as a bound', () => {
    const { db, path } = openTemp();
    const timers = manualTimers();
    const checkpointer = walCheckpointer(db, { ...timers.options, idleMs: 500, boundPages: 8000 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(8000);

    db.prepare('INSERT INTO notes (text) VALUES (?)').run('first-note-in-the-log');
    checkpointer.committed();
    timers.advance(300);
    db.prepare('INSERT INTO notes (text) VALUES (?)').run('second-note-in-the-log');
    checkpointer.committed();
    // 500 ms after the first commit, but a commit came in that stretch: the till is busy, nothing is copied.
    timers.advance(200);
    expect(inDatabaseFile(path, 'first-note-in-the-log')).toBe(false);
    expect(checkpointer.idleCheckpoints).toBe(0);
    expect(timers.pending()).toBe(1);

    timers.advance(500);
    expect(checkpointer.idleCheckpoints).toBe(1);
    expect(inDatabaseFile(path, 'first-note-in-the-log')).toBe(true);
    expect(inDatabaseFile(path, 'second-note-in-the-log')).toBe(true);
    // Nothing committed since: no timer left, no checkpoint for nothing.
    expect(timers.pending()).toBe(0);
    timers.advance(5_000);
    expect(checkpointer.idleCheckpoints).toBe(1);
  });

  it('waits while a transaction is open and stops with the engine', () => {
    const { db, path } = openTemp();
    const timers = manualTimers();
    const checkpointer = walCheckpointer(db, { ...timers.options, idleMs: 100 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    db.prepare('INSERT INTO notes (text) VALUES (?)').run('note-before-a-long-transaction');
    checkpointer.committed();
    db.exec('BEGIN IMMEDIATE');
    timers.advance(100);
    expect(checkpointer.idleCheckpoints).toBe(0);
    db.exec('COMMIT');
    timers.advance(100);
    expect(checkpointer.idleCheckpoints).toBe(1);
    expect(inDatabaseFile(path, 'note-before-a-long-transaction')).toBe(true);

    checkpointer.committed();
    checkpointer.stop();
    expect(timers.pending()).toBe(0);
    checkpointer.committed();
    expect(timers.pending()).toBe(0);
  });

  it('cuts a log that grew while the till was never idle back to its kept size once it restarts', () => {
    const { db, path } = openTemp();
    const timers = manualTimers();
    const keepBytes = 256 * 1024;
    const checkpointer = walCheckpointer(db, { ...timers.options, idleMs: 100, keepBytes });
    const logSize = () => statSync(`${path}-wal`).size;
    const note = db.prepare('INSERT INTO notes (text) VALUES (?)');
    // A busy stretch: 2 MiB of commits with no idle gap between them.
    for (let i = 0; i < 500; i += 1) {
      note.run(`busy-${i}-${'x'.repeat(4000)}`);
      checkpointer.committed();
    }
    expect(logSize()).toBeGreaterThan(8 * keepBytes);
    // The first timer finds commits in its stretch; the next one, a stretch without any, checkpoints.
    timers.advance(200);
    expect(checkpointer.idleCheckpoints).toBe(1);
    // The next commit starts the log again from its beginning, and SQLite truncates the file there.
    note.run('first-note-after-the-checkpoint');
    checkpointer.committed();
    expect(logSize()).toBeLessThanOrEqual(keepBytes);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({ n: 501 });
  });
});

describe('the engine’s log checkpoints', () => {
  let node: TestNode | undefined;
  afterEach(() => node?.close());

  it('leaves a completed sale in the log until the till is idle, then checkpoints it', () => {
    const timers = manualTimers();
    node = createTestNode({ checkpoint: { ...timers.options, idleMs: 500 } });
    // The setup's own commits are checkpointed first: from here on only the sale's commands arm the timer.
    timers.advance(1000);
    expect(timers.pending()).toBe(0);
    const as = { session: node.sessions.cashier };
    expectOk(node.engine.execute('shift-open', { float: 10_000 }, as));
    const { saleId } = expectOk(node.engine.execute('sale-start', {}, as));
    expectOk(node.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.milk.barcode }, as));
    const total = expectOk(node.engine.execute('sale-get', { saleId }, as)).totals.total;
    expectOk(node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: total } }, as));
    const { receiptNumber } = expectOk(node.engine.execute('sale-complete', { saleId }, as));
    expect(node.engine.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    expect(node.engine.db.pragma('journal_size_limit', { simple: true })).toBe(4 * 1024 * 1024);
    expect(receiptNumber).not.toBeNull();
    expect(inDatabaseFile(node.databasePath, String(receiptNumber))).toBe(false);

    // The sale's commands came within one stretch: the next stretch without a commit checkpoints.
    timers.advance(500);
    expect(inDatabaseFile(node.databasePath, String(receiptNumber))).toBe(false);
    timers.advance(500);
    expect(inDatabaseFile(node.databasePath, String(receiptNumber))).toBe(true);
  });
});
