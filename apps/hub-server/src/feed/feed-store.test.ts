import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { appendFeedChanges, CHAIN_SCOPE, readFeed, readSnapshot, type FeedChangeInput } from './feed-store';

const config = (key: string, value: unknown, scope = CHAIN_SCOPE): FeedChangeInput => ({
  entity: 'config',
  key,
  op: 'upsert',
  data: { key, value },
  scope,
});

async function append(storage: Storage, changes: FeedChangeInput[]): Promise<number[]> {
  return storage.transaction((trx) => appendFeedChanges(trx, storage, changes, 1));
}

/** Reads a node's feed from `cursor` to the end, page by page, like a store catching up. */
async function drain(storage: Storage, nodeId: string, cursor: number, limit: number) {
  const keys: string[] = [];
  const seqs: number[] = [];
  for (;;) {
    const page = await readFeed(storage.db, nodeId, cursor, limit);
    for (const change of page.changes) {
      keys.push(change.key);
      seqs.push(change.hubSeq);
    }
    expect(page.cursor).toBeGreaterThanOrEqual(cursor);
    cursor = page.cursor;
    if (page.upToDate) return { keys, seqs, cursor };
  }
}

describe.each(backendKinds())('feed/feed-store on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('appendFeedChanges', () => {
    it('gives changes increasing hubSeqs and keeps only the newest row per entity key', async () => {
      const first = await append(storage, [config('a', 1), config('b', 1)]);
      const second = await append(storage, [config('a', 2)]);
      expect(second[0]).toBeGreaterThan(first[1]!);
      const { keys } = await drain(storage, 'n1', 0, 10);
      expect(keys.filter((key) => key === 'a')).toHaveLength(1);
      const page = await readFeed(storage.db, 'n1', 0, 10);
      expect(page.changes.find((c) => c.key === 'a')?.data).toEqual({ key: 'a', value: 2 });
    });

    it('refuses data its entity schema rejects and writes nothing', async () => {
      const before = await drain(storage, 'n1', 0, 100);
      await expect(
        append(storage, [
          config('fine', 1),
          { entity: 'stock_level', key: 'x', op: 'upsert', data: { nonsense: true }, scope: 'n1' },
        ]),
      ).rejects.toMatchObject({ code: 'INTERNAL' });
      const after = await drain(storage, 'n1', 0, 100);
      expect(after.keys).toEqual(before.keys);
    });
  });

  describe('readFeed', () => {
    it('gives a node chain-wide rows and its own rows only, paged, and moves past the rest', async () => {
      const start = (await drain(storage, 'n1', 0, 100)).cursor;
      await append(storage, [config('mine-1', 1, 'n1'), config('theirs', 1, 'n2'), config('chain', 1)]);
      await append(storage, [config('mine-2', 1, 'n1'), config('theirs-2', 1, 'n2')]);
      const paged = await drain(storage, 'n1', start, 2);
      expect(paged.keys).toEqual(['mine-1', 'chain', 'mine-2']);
      const after = await readFeed(storage.db, 'n1', paged.cursor, 2);
      expect(after).toMatchObject({ changes: [], upToDate: true, cursor: paged.cursor });
      const n2 = await drain(storage, 'n2', start, 100);
      expect(n2.keys).toEqual(['theirs', 'chain', 'theirs-2']);
    });
  });

  describe('readSnapshot', () => {
    it('pages through every live row up to a fixed position with a total for progress', async () => {
      const head = (await drain(storage, 'n3', 0, 1000)).cursor;
      const expected = (await drain(storage, 'n3', 0, 1000)).keys;
      const keys: string[] = [];
      let after = 0;
      const totals = new Set<number>();
      for (;;) {
        const page = await readSnapshot(storage.db, 'n3', head, after, 2);
        totals.add(page.total);
        keys.push(...page.changes.map((c) => c.key));
        after = page.after;
        if (page.done) break;
      }
      expect(keys).toEqual(expected);
      expect([...totals]).toEqual([expected.length]);
      expect(after).toBe(head);
    });
  });
});

/**
 * The skip problem: a sequence hands out hubSeq 1 to T1 and 2 to T2; T2 commits first; a reader sees 2,
 * moves its cursor to 2, and never sees 1 when T1 commits. The advisory lock makes T2 wait for T1.
 */
describe.skipIf(!process.env.PG_URL)('feed/feed-store ordering on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await database?.dispose();
  });

  async function waitForLockWaiter(
    storage: Storage,
    done: Promise<unknown>,
  ): Promise<'waiting' | 'finished'> {
    let finished = false;
    void done.then(() => (finished = true));
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      if (finished) return 'finished';
      const waiting = await sql<{ count: number }>`
        select count(*) as count from pg_locks where locktype = 'advisory' and not granted`.execute(
        storage.db,
      );
      if (Number(waiting.rows[0]?.count) > 0) return 'waiting';
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('neither waiting nor finished');
  }

  /** Runs the out-of-order commit and returns the keys a store following the feed ends up with. */
  async function outOfOrderCommit(feedOrderingLock: boolean, prefix: string) {
    const storage = await database.open({ feedOrderingLock, poolSize: 4 });
    try {
      const start = (await drain(storage, 'n1', 0, 1000)).cursor;
      let releaseFirst!: () => void;
      const gate = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstAppended!: () => void;
      const appended = new Promise<void>((resolve) => (firstAppended = resolve));
      const first = storage.transaction(async (trx) => {
        await appendFeedChanges(trx, storage, [config(`${prefix}-first`, 1)], 1);
        firstAppended();
        await gate;
      });
      await appended;
      const second = append(storage, [config(`${prefix}-second`, 1)]);
      const state = await waitForLockWaiter(storage, second);
      const midway = await drain(storage, 'n1', start, 1000);
      releaseFirst();
      await Promise.all([first, second]);
      const rest = await drain(storage, 'n1', midway.cursor, 1000);
      return { state, seen: [...midway.keys, ...rest.keys] };
    } finally {
      await storage.close();
    }
  }

  it('makes a later transaction wait, so a reader never skips a row committed out of order', async () => {
    const { state, seen } = await outOfOrderCommit(true, 'locked');
    expect(state).toBe('waiting');
    expect(seen).toEqual(['locked-first', 'locked-second']);
  });

  it('detects the skip when the lock is removed (proof that the test above can fail)', async () => {
    const { state, seen } = await outOfOrderCommit(false, 'unlocked');
    expect(state).toBe('finished');
    expect(seen).toEqual(['unlocked-second']);
  });

  it('loses no row to a store polling while many writers commit concurrently', async () => {
    const storage = await database.open({ poolSize: 10 });
    try {
      const start = (await drain(storage, 'n9', 0, 1000)).cursor;
      const written: string[] = [];
      let writing = true;
      const writers = Array.from({ length: 8 }, async (_, writer) => {
        for (let round = 0; round < 12; round += 1) {
          const key = `w${writer}-r${round}`;
          await storage.transaction(async (trx) => {
            await appendFeedChanges(trx, storage, [config(key, round, 'n9')], 1);
            // Hold the transaction open a little so commits interleave with allocation.
            await new Promise((resolve) => setTimeout(resolve, (writer * 7 + round * 3) % 5));
          });
          written.push(key);
        }
      });
      const seen: string[] = [];
      let cursor = start;
      const reader = (async () => {
        while (writing) {
          const page = await readFeed(storage.db, 'n9', cursor, 7);
          seen.push(...page.changes.map((c) => c.key));
          cursor = page.cursor;
        }
      })();
      await Promise.all(writers);
      writing = false;
      await reader;
      const rest = await drain(storage, 'n9', cursor, 1000);
      seen.push(...rest.keys);
      expect(new Set(seen)).toEqual(new Set(written));
      expect(seen).toHaveLength(written.length);
    } finally {
      await storage.close();
    }
  });
});
