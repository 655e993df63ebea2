import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeDiskBytes } from '../src/engine/disk-space';
import { readOutbox } from '../src/engine/outbox/outbox';
import { createTestNode, expectOk, type TestNode } from '../src/engine/testing/test-node';

/**
 * A till whose disk fills up, on a real size-limited file system (tmpfs; mounting needs root, which the
 * build machines and CI have). No mock of SQLite: the node's database file lives on it.
 */
const MOUNT = mkdtempSync(join(tmpdir(), 'pos-full-disk-'));
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', MOUNT], { stdio: 'ignore' }).status === 0;
const MIN_FREE = 4 * 1024 * 1024;

/** Fills the file system with one file until at most `leave` bytes are free (never past ENOSPC). */
function fill(file: string, leave: number): void {
  const handle = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let written = 0; written < 64 * 1024 * 1024; written += chunk.length) {
      const free = freeDiskBytes(file);
      if (free <= leave) return;
      writeSync(handle, chunk, 0, Math.min(chunk.length, free - leave));
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(handle);
  }
}

describe.skipIf(!mounted)('a till whose disk is full (tmpfs)', () => {
  let node: TestNode;
  const filler = join(MOUNT, 'filler.bin');
  const saleCount = () =>
    (
      node.engine.db.prepare("SELECT COUNT(*) AS n FROM sales WHERE status = 'completed'").get() as {
        n: number;
      }
    ).n;

  beforeAll(() => {
    node = createTestNode({ parentDir: MOUNT, minFreeDiskBytes: MIN_FREE });
    expectOk(node.engine.execute('shift-open', { float: 10_000 }, { session: node.sessions.cashier }));
  });

  afterAll(() => {
    node?.close();
    spawnSync('umount', [MOUNT], { stdio: 'ignore' });
    rmSync(MOUNT, { recursive: true, force: true });
  });

  function sell(): ReturnType<TestNode['engine']['execute']> {
    const as = { session: node.sessions.cashier };
    const started = node.engine.execute('sale-start', {}, as);
    if (!started.ok) return started;
    const { saleId } = started.value as { saleId: string };
    const line = expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as));
    expectOk(
      node.engine.execute(
        'sale-add-tender',
        { saleId, tender: { type: 'cash', amount: line.totals.total } },
        as,
      ),
    );
    return node.engine.execute('sale-complete', { saleId }, as);
  }

  it('refuses a sale at its start with a clear message when space runs low, and sells again once freed', () => {
    expect(sell()).toMatchObject({ ok: true });
    const sales = saleCount();
    const events = readOutbox(node.engine.db).length;

    fill(filler, MIN_FREE - 1);
    const refused = node.engine.execute('sale-start', {}, { session: node.sessions.cashier });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'STORAGE_FULL',
        message: expect.stringMatching(/cannot save to its disk.*Do not take payment/),
      },
    });
    expect(saleCount()).toBe(sales);
    expect(readOutbox(node.engine.db)).toHaveLength(events);

    rmSync(filler);
    expect(sell()).toMatchObject({ ok: true });
    expect(saleCount()).toBe(sales + 1);
    expect(readOutbox(node.engine.db).length).toBeGreaterThan(events);
  });

  it('writes nothing of a command the disk has no room for at all, and carries on once freed', () => {
    const as = { session: node.sessions.cashier };
    const { saleId } = expectOk(node.engine.execute('sale-start', {}, as));
    const before = { sales: saleCount() };
    fill(filler, 0);
    // Stock receipts with many lines until SQLite needs a page the disk cannot give (bounded).
    let failure: unknown;
    for (let attempt = 0; attempt < 2_000 && failure === undefined; attempt += 1) {
      const result = node.engine.execute(
        'stock-receive',
        {
          source: { type: 'supplier', reference: `DN-${attempt}-${'x'.repeat(40)}` },
          lines: [{ sku: 'APPLE-1', qty: 1 }],
        },
        as,
      );
      if (!result.ok) failure = result.error;
    }
    expect(failure).toMatchObject({ code: 'STORAGE_FULL' });
    expect(saleCount()).toBe(before.sales);
    const receiptsAfterFailure = readOutbox(node.engine.db).length;

    rmSync(filler);
    const line = expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as));
    expectOk(
      node.engine.execute(
        'sale-add-tender',
        { saleId, tender: { type: 'cash', amount: line.totals.total } },
        as,
      ),
    );
    expectOk(node.engine.execute('sale-complete', { saleId }, as));
    expect(saleCount()).toBe(before.sales + 1);
    // Every event in the outbox is whole and numbered without a gap, including those written around the failure.
    const events = readOutbox(node.engine.db, 0, 100_000);
    expect(events.length).toBeGreaterThan(receiptsAfterFailure);
    expect(events.map((event) => event.deviceSeq)).toEqual(events.map((_, index) => index + 1));
    expect(node.engine.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe.skipIf(!mounted)('a till whose file system turns read-only (tmpfs remounted)', () => {
  it('refuses to open with a message the operator can act on, changes nothing, and sells once writable', () => {
    const mount = mkdtempSync(join(tmpdir(), 'pos-read-only-'));
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]).status).toBe(0);
    const node = createTestNode({ parentDir: mount });
    try {
      const as = { session: node.sessions.cashier };
      expectOk(node.engine.execute('shift-open', { float: 10_000 }, as));
      const events = readOutbox(node.engine.db).length;
      // As a kernel remounts a file system read-only after disk errors; it needs the file closed here.
      node.engine.close();
      expect(spawnSync('mount', ['-o', 'remount,ro', mount]).status).toBe(0);
      expect(() => node.reopen()).toThrow(
        expect.objectContaining({
          code: 'STORAGE_FULL',
          message: expect.stringMatching(/EROFS.*read-only.*cannot sell until it can save/),
        }),
      );

      expect(spawnSync('mount', ['-o', 'remount,rw', mount]).status).toBe(0);
      const engine = node.reopen();
      expect(readOutbox(engine.db)).toHaveLength(events);
      const { saleId } = expectOk(engine.execute('sale-start', {}, as));
      const line = expectOk(engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as));
      expectOk(
        engine.execute(
          'sale-add-tender',
          { saleId, tender: { type: 'cash', amount: line.totals.total } },
          as,
        ),
      );
      expectOk(engine.execute('sale-complete', { saleId }, as));
      expect(readOutbox(engine.db).length).toBeGreaterThan(events);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', mount], { stdio: 'ignore' });
      node.close();
      spawnSync('umount', [mount], { stdio: 'ignore' });
      rmSync(mount, { recursive: true, force: true });
    }
  });
});
