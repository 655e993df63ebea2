import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { RetryTransaction, type FeedAppended, type Storage } from './storage';

/**
 * Commits in the SQLite write-ahead log: every frame header carries, at bytes 4–7, the database size
 * after the commit for the last frame of a transaction and 0 for the others (sqlite.org/fileformat2.html).
 */
function walCommits(path: string): number {
  let wal: Buffer;
  try {
    wal = readFileSync(`${path}-wal`);
  } catch {
    return 0;
  }
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
  let commits = 0;
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    // Frames left over from before the last WAL reset carry old salts: they are not part of the log.
    if (wal.readUInt32BE(offset + 8) !== salt[0] || wal.readUInt32BE(offset + 12) !== salt[1]) break;
    if (wal.readUInt32BE(offset + 4) !== 0) commits += 1;
  }
  return commits;
}

const keys = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('storage/group-commit (SQLite)', () => {
  let database: TestDatabase | undefined;
  let storage: Storage | undefined;
  afterEach(async () => {
    await storage?.close();
    await database?.dispose();
    storage = undefined;
    database = undefined;
  });

  async function open(): Promise<Storage> {
    database = await createTestDatabase('sqlite');
    storage = await database.open();
    return storage;
  }

  async function stored(prefix: string): Promise<string[]> {
    const rows = await storage!.db
      .selectFrom('hub_meta')
      .select('key')
      .where('key', 'like', `${prefix}-%`)
      .orderBy('key')
      .execute();
    return rows.map((row) => row.key);
  }

  it('commits the transactions that waited for the running one together, each one durable', async () => {
    const hub = await open();
    const before = walCommits(database!.url);
    await Promise.all(
      keys(10, 'together').map((key) =>
        hub.transaction((trx) => trx.insertInto('hub_meta').values({ key, value: 'v' }).execute()),
      ),
    );
    // The first ran alone; the nine that queued behind it shared one commit.
    expect(walCommits(database!.url) - before).toBe(2);
    expect(await stored('together')).toEqual(keys(10, 'together').sort());
  });

  it('rolls back only the transaction that failed, and runs only the committed ones’ after-commit work', async () => {
    const hub = await open();
    const heard: FeedAppended[] = [];
    hub.onFeedAppended((event) => {
      if (event !== null) heard.push(event);
    });
    const outcomes = await Promise.allSettled(
      keys(6, 'mixed').map((key, index) =>
        hub.transaction(async (trx) => {
          await trx.insertInto('hub_meta').values({ key, value: 'v' }).execute();
          await hub.feedAppended(trx, [key], index);
          if (index === 3) throw new Error(`refused ${key}`);
          return key;
        }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[3] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused mixed-3' });
    const kept = keys(6, 'mixed').filter((key) => key !== 'mixed-3');
    expect(await stored('mixed')).toEqual(kept);
    expect(heard.flatMap((event) => event.scopes).sort()).toEqual(kept);
  });

  it('lets each transaction of a group see what the ones before it wrote, and runs a retried one again', async () => {
    const hub = await open();
    let attempts = 0;
    const first = hub.transaction((trx) =>
      trx.insertInto('hub_meta').values({ key: 'seen-0', value: '0' }).execute(),
    );
    const counted = Promise.all(
      [1, 2, 3].map((n) =>
        hub.transaction(async (trx) => {
          if (n === 2) {
            attempts += 1;
            if (attempts === 1) {
              await trx.insertInto('hub_meta').values({ key: 'seen-retried', value: 'x' }).execute();
              throw new RetryTransaction('try again');
            }
          }
          const earlier = await trx
            .selectFrom('hub_meta')
            .select('key')
            .where('key', 'like', 'seen-%')
            .execute();
          await trx
            .insertInto('hub_meta')
            .values({ key: `seen-${n}`, value: String(earlier.length) })
            .execute();
          return earlier.length;
        }),
      ),
    );
    await first;
    // 1 and 3 ran in one group after seen-0 (seeing 1, then 2 rows); 2 ran again after them.
    expect(await counted).toEqual([1, 3, 2]);
    expect(attempts).toBe(2);
    expect(await stored('seen')).toEqual(['seen-0', 'seen-1', 'seen-2', 'seen-3']);
  });
});
