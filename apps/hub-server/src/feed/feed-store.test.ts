import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import fc from 'fast-check';
import type { FeedAppended, Storage } from '../storage/storage';
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
 * moves its cursor to 2, and never sees 1 when T1 commits. Writers register before allocating and readers
 * stop at the settled head (storage/commit-watermark.ts): T2 commits without waiting, and readers see
 * neither until T1 has committed too.
 */
describe.skipIf(!process.env.PG_URL)('feed/feed-store ordering on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await database?.dispose();
  });

  /** An open feed transaction that has allocated its hubSeq and commits when told to. */
  async function openWriter(storage: Storage, key: string) {
    let commit!: () => void;
    const told = new Promise<void>((resolve) => (commit = resolve));
    let allocated!: () => void;
    const hasAllocated = new Promise<void>((resolve) => (allocated = resolve));
    const done = storage.transaction(async (trx) => {
      await appendFeedChanges(trx, storage, [config(key, 1, 'np')], 1);
      allocated();
      await told;
    });
    await Promise.race([hasAllocated, done]);
    return {
      commit: async () => {
        commit();
        await done;
      },
    };
  }

  /** Runs the out-of-order commit and returns the keys a store following the feed ends up with. */
  async function outOfOrderCommit(commitOrderGuard: boolean, prefix: string) {
    const storage = await database.open({ commitOrderGuard, poolSize: 4 });
    try {
      const start = (await drain(storage, 'np', 0, 1000)).cursor;
      const first = await openWriter(storage, `${prefix}-first`);
      const second = await openWriter(storage, `${prefix}-second`);
      // The later writer commits while the earlier one is still open: nothing makes it wait.
      await second.commit();
      const midway = await drain(storage, 'np', start, 1000);
      await first.commit();
      const rest = await drain(storage, 'np', midway.cursor, 1000);
      return { midway: midway.keys, seen: [...midway.keys, ...rest.keys] };
    } finally {
      await storage.close();
    }
  }

  it('lets a later writer commit first, and a reader still never skips the earlier row', async () => {
    const { midway, seen } = await outOfOrderCommit(true, 'guarded');
    expect(midway).toEqual([]);
    expect(seen).toEqual(['guarded-first', 'guarded-second']);
  });

  it('detects the skip with a naive sequence (proof that the test above can fail)', async () => {
    const { seen } = await outOfOrderCommit(false, 'naive');
    expect(seen).toEqual(['naive-second']);
  });

  /**
   * Any interleaving of writers allocating and committing with a reader paging through the feed: the
   * reader ends up with every committed row exactly once. Tokens: a writer's number appears twice (its
   * allocation, then its commit), -1 is a read.
   */
  function interleavings() {
    return fc.integer({ min: 2, max: 4 }).chain((writers) =>
      fc
        .shuffledSubarray([...Array.from({ length: writers }, (_, w) => [w, w]).flat(), -1, -1, -1], {
          minLength: writers * 2 + 3,
          maxLength: writers * 2 + 3,
        })
        .map((tokens) => ({ writers, tokens })),
    );
  }

  async function runInterleaving(storage: Storage, run: string, tokens: number[]): Promise<boolean> {
    let cursor = (await drain(storage, 'np', 0, 1000)).cursor;
    const open = new Map<number, { commit(): Promise<void> }>();
    const written: string[] = [];
    const seen: string[] = [];
    for (const token of tokens) {
      if (token === -1) {
        const page = await drain(storage, 'np', cursor, 1000);
        seen.push(...page.keys);
        cursor = page.cursor;
      } else if (open.has(token)) {
        await open.get(token)!.commit();
        open.delete(token);
      } else {
        const key = `${run}-w${token}`;
        open.set(token, await openWriter(storage, key));
        written.push(key);
      }
    }
    seen.push(...(await drain(storage, 'np', cursor, 1000)).keys);
    return (
      seen.length === written.length &&
      new Set(seen).size === seen.length &&
      written.every((k) => seen.includes(k))
    );
  }

  let runs = 0;
  async function interleavingProperty(commitOrderGuard: boolean, numRuns: number) {
    const storage = await database.open({ commitOrderGuard, poolSize: 6 });
    try {
      return await fc.check(
        fc.asyncProperty(interleavings(), async ({ tokens }) => {
          runs += 1;
          return runInterleaving(storage, `${commitOrderGuard ? 'g' : 'n'}${runs}`, tokens);
        }),
        { numRuns, endOnFailure: true },
      );
    } finally {
      await storage.close();
    }
  }

  it('never loses or repeats a row whatever the order of allocations, commits and reads', async () => {
    const result = await interleavingProperty(true, 40);
    expect(result.failed, fc.defaultReportMessage(result) ?? '').toBe(false);
  });

  it('finds an interleaving that loses a row with a naive sequence (the property can fail)', async () => {
    const result = await interleavingProperty(false, 200);
    expect(result.failed).toBe(true);
  });

  it('tells other hub processes of an append with its scopes and head, by the statement that allocates', async () => {
    const writer = await database.open({ poolSize: 2 });
    const listener = await database.open({ poolSize: 1 });
    const heard: (FeedAppended | null)[] = [];
    const statements: string[] = [];
    try {
      listener.onFeedAppended((event) => heard.push(event));
      await vi.waitFor(() => expect(listener.feedNotifications()).toBe('listening'), 30_000);
      const query = pg.Client.prototype.query;
      const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
        this: pg.Client,
        ...args: unknown[]
      ) {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
        if (text !== undefined && !/^\s*(begin|commit|LISTEN)/i.test(text)) statements.push(text);
        return (query as (...rest: unknown[]) => unknown).apply(this, args);
      } as typeof query);
      const seqs = await writer
        .transaction((trx) =>
          appendFeedChanges(
            trx,
            writer,
            [config('heard-a', 1, 'n1'), config('heard-b', 1, 'n2'), config('heard-c', 1, 'n1')],
            1,
          ),
        )
        .finally(() => spy.mockRestore());
      await vi.waitFor(() => expect(heard.some((event) => event?.origin === writer.instanceId)).toBe(true));
      expect(heard).toEqual([{ scopes: ['n1', 'n2'], head: seqs[2], origin: writer.instanceId }]);
      // Register, allocate, insert and NOTIFY in one statement: nothing else.
      expect(statements).toHaveLength(1);
      for (const part of [
        'pg_advisory_xact_lock_shared',
        'nextval',
        'insert into "feed_changes"',
        'pg_notify',
      ])
        expect(statements[0]).toContain(part);

      // Each row has the hubSeq of its place in the append, whatever order the rows were inserted in.
      const n1 = await readFeed(writer.db, 'n1', seqs[0]! - 1, 10);
      const n2 = await readFeed(writer.db, 'n2', seqs[0]! - 1, 10);
      expect([...n1.changes, ...n2.changes].map((change) => [change.key, change.hubSeq]).sort()).toEqual([
        ['heard-a', seqs[0]],
        ['heard-b', seqs[1]],
        ['heard-c', seqs[2]],
      ]);

      // Past 100 scopes the notification says "everything" (NOTIFY payloads are bounded): listeners hear null.
      const many = Array.from({ length: 101 }, (_, index) => config(`heard-many-${index}`, 1, `s${index}`));
      await writer.transaction((trx) => appendFeedChanges(trx, writer, many, 1));
      await vi.waitFor(() => expect(heard).toHaveLength(2), 10_000);
      expect(heard[1]).toBeNull();

      // An import's thousand rows take the chunked path: the same numbering, in the rows' order.
      const large = Array.from({ length: 1000 }, (_, index) => config(`large-${999 - index}`, index, 'n3'));
      const largeSeqs = await writer.transaction((trx) => appendFeedChanges(trx, writer, large, 1));
      expect(largeSeqs).toEqual(largeSeqs.map((_, index) => largeSeqs[0]! + index));
      const n3 = await drain(writer, 'n3', largeSeqs[0]! - 1, 400);
      expect(n3.keys).toEqual(large.map((change) => change.key));
      expect(n3.seqs).toEqual(largeSeqs);
    } finally {
      await listener.close();
      await writer.close();
    }
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
