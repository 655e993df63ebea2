import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { isDatabaseUnavailable } from './database-errors';
import type { FeedAppended, Storage } from './storage';

/**
 * Losing PostgreSQL connections under a running hub (issue 12.1), on the shared cluster: only backends
 * of this test's own database are terminated, never the server. Restarts of a whole server are in
 * test/database-restart.test.ts, on a cluster of that test's own.
 */

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.PG_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function databaseName(database: TestDatabase): string {
  return new URL(database.url).pathname.slice(1);
}

describe.skipIf(!process.env.PG_URL)('storage on PostgreSQL losing connections', () => {
  let database: TestDatabase | undefined;
  const opened: Storage[] = [];
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
    await database?.dispose();
    database = undefined;
  });

  async function open(): Promise<Storage> {
    database ??= await createTestDatabase('postgres');
    const storage = await database.open();
    opened.push(storage);
    return storage;
  }

  it('survives the backend of a connection lent to a transaction being terminated, and fails it as database loss', async () => {
    const storage = await open();
    const failure = await storage
      .transaction(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        const pid = rows[0]!.pid;
        // Between two queries of a transaction the client is lent out: pg-pool listens for its errors
        // only while it is idle. The server's "terminating connection" arrives now, with no query running.
        await withAdmin((admin) => admin.query('select pg_terminate_backend($1)', [pid]));
        await until('the terminated backend to be gone', () =>
          withAdmin(async (admin) => {
            const left = await admin.query('select 1 from pg_stat_activity where pid = $1', [pid]);
            return left.rowCount === 0;
          }),
        );
        await sql`select 1`.execute(trx);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    // The pool dropped the dead connection: the next transaction gets a working one.
    expect(
      await storage.transaction(
        async (trx) => (await sql<{ one: number }>`select 1 as one`.execute(trx)).rows,
      ),
    ).toEqual([{ one: 1 }]);
  });

  it('LISTENs again after its notification connection is terminated, and tells listeners to assume everything moved', async () => {
    const writer = await open();
    const reader = await open();
    const heard: (FeedAppended | null)[] = [];
    reader.onFeedAppended((event) => heard.push(event));
    expect(reader.feedNotifications()).toBe('connecting');
    await until('the reader to listen', () => reader.feedNotifications() === 'listening');

    const terminated = await withAdmin(async (admin) => {
      const result = await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and query like 'LISTEN %' and pid <> pg_backend_pid()`,
        [databaseName(database!)],
      );
      return result.rowCount;
    });
    expect(terminated).toBe(1);
    // Whatever was announced while it was gone is unknown: one `null` (poke everyone) once it is back.
    await until('a null after the reconnect', () => heard.includes(null));
    expect(reader.feedNotifications()).toBe('listening');

    await writer.transaction((trx) => writer.feedAppended(trx, ['s1'], 42));
    await until('the writer’s notification', () => heard.some((event) => event?.head === 42));
    expect(heard.find((event) => event?.head === 42)).toMatchObject({
      scopes: ['s1'],
      origin: writer.instanceId,
    });
  });

  it('takes an error on its LISTEN connection at any moment, even after losing or closing it', async () => {
    // The LISTEN connection is private to the storage; catch the real client when it sends LISTEN.
    const listening: pg.Client[] = [];
    const query = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      // One connection sends a LISTEN per channel: count connections, not statements.
      if (typeof args[0] === 'string' && args[0].startsWith('LISTEN ') && !listening.includes(this)) {
        listening.push(this);
      }
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    try {
      const storage = await open();
      const heard: (FeedAppended | null)[] = [];
      storage.onFeedAppended((event) => heard.push(event));
      await until('listening', () => storage.feedNotifications() === 'listening');
      const first = listening[0]!;
      // A socket error (ECONNRESET), then a second one after it (the server's FATAL 57P01 arriving late):
      // pg emits each as 'error', and an 'error' with no listener would end the hub process.
      first.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      first.emit('error', Object.assign(new Error('terminating connection'), { code: '57P01' }));
      await until(
        'listening on a new connection',
        () => listening.length === 2 && storage.feedNotifications() === 'listening',
      );
      expect(heard).toContain(null);
      first.emit('error', new Error('Connection terminated unexpectedly'));
      const second = listening[1]!;
      opened.splice(opened.indexOf(storage), 1);
      await storage.close();
      second.emit('error', Object.assign(new Error('terminating connection'), { code: '57P01' }));
    } finally {
      spy.mockRestore();
    }
  });
});
