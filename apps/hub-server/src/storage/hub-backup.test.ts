import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { feedHead } from '../feed/feed-store';
import { createHubContext } from '../hub-context';
import { adjustStock } from '../inventory/stock-operations';
import { checkFeedRestore, FeedMarkerWriter, readFeedMarker } from '../sync/feed-marker';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';
import { backupHub, restoreHub } from './hub-backup';
import { describeDatabaseUrl, readFeedEpoch, type Storage } from './storage';

const found = (hub: ReturnType<typeof createHubContext>) =>
  adjustStock(
    hub,
    { nodeId: 's1', reason: 'found', lines: [{ sku: 'A', bucket: 'sellable', delta: 1 }] },
    'test',
  );

async function movements(storage: Storage): Promise<number> {
  const row = await storage.db
    .selectFrom('inventory_movements')
    .select(sql<number>`count(*)`.as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe.each(backendKinds())('storage/hub-backup on %s', (kind) => {
  let database: TestDatabase | undefined;
  let storage: Storage | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await storage?.close();
    await database?.dispose();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    storage = undefined;
    database = undefined;
    dir = undefined;
  });

  it('backs up while open, restores the copy, keeps what it replaced and starts one new epoch', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-backup-'));
    const markerPath = join(dir, 'hub.feed-marker.json');
    database = await createTestDatabase(kind);
    storage = await database.open();
    const { location } = describeDatabaseUrl(database.url);
    const hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    const start = await checkFeedRestore(storage, markerPath, location);
    const writer = new FeedMarkerWriter(storage, markerPath, { database: location, ...start });
    await found(hub);

    // The connection stays open, as a serving hub's does.
    const backup = await backupHub(database.url, join(dir, 'backups', 'hub-1.backup'));
    expect(backup.kind).toBe(kind);
    expect(statSync(backup.file).mode & 0o077, 'owner only').toBe(0);
    const backupMovements = await movements(storage);
    const backupEpoch = await readFeedEpoch(storage.db);
    await found(hub);
    await found(hub);
    await writer.close();
    expect(await movements(storage)).toBe(backupMovements + 2);
    const headBeforeRestore = await feedHead(storage.db);
    await expect(backupHub(database.url, backup.file)).rejects.toMatchObject({ code: 'CONFLICT' });

    // While a connection is open the database is in use: restore refuses and changes nothing.
    await expect(restoreHub(database.url, backup.file, { markerPath })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/Stop every pos-hub serve/),
    });
    expect(await movements(storage)).toBe(backupMovements + 2);
    await storage.close();
    storage = undefined;

    const notABackup = join(dir, 'not-a-backup');
    writeFileSync(notABackup, 'hello');
    await expect(restoreHub(database.url, notABackup, { markerPath })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });

    const restored = await restoreHub(database.url, backup.file, { markerPath, keepDir: join(dir, 'kept') });
    expect(restored.backupEpoch).toBe(backupEpoch);
    expect(restored.feedEpoch).not.toBe(backupEpoch);
    expect(restored.feedHead).toBeLessThan(headBeforeRestore);
    expect(restored.replaced).not.toBeNull();
    expect(existsSync(restored.replaced!)).toBe(true);
    expect(readdirSync(join(dir, 'kept'))).toHaveLength(1);

    storage = await database.open();
    expect(await movements(storage)).toBe(backupMovements);
    expect(await readFeedEpoch(storage.db)).toBe(restored.feedEpoch);
    // The marker knows the restore: serve starting now keeps this epoch instead of rotating again, and a
    // later restore of the same backup over it is still recognised.
    const marker = readFeedMarker(markerPath);
    expect(marker).toMatchObject({ epoch: restored.feedEpoch, head: restored.feedHead });
    expect(marker?.previousEpochs).toContain(backupEpoch);
    const serveStart = await checkFeedRestore(storage, markerPath, location);
    expect(serveStart).toMatchObject({ restored: false, epoch: restored.feedEpoch });
  }, 120_000);

  it.skipIf(kind !== 'postgres')(
    'waits for a session that is ending (a hub just stopped) and restores, instead of refusing',
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'hub-backup-'));
      const markerPath = join(dir, 'hub.feed-marker.json');
      database = await createTestDatabase(kind);
      storage = await database.open();
      await seedWorld(createHubContext(storage), { nodes: ['s1'], skus: ['A'] });
      const backup = await backupHub(database.url, join(dir, 'hub-1.backup'));
      const backupEpoch = await readFeedEpoch(storage.db);
      await storage.close();
      storage = undefined;

      // Another client is still connected when the restore looks, and disconnects while it waits.
      const lingering = new pg.Client({ connectionString: database.url });
      await lingering.connect();
      const restoring = restoreHub(database.url, backup.file, { markerPath, keepDir: join(dir, 'kept') });
      for (let attempt = 0; ; attempt += 1) {
        const checking = await lingering.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        if (checking.rows[0]!.n > 0) break;
        if (attempt > 500) throw new Error('the restore never looked at the sessions');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      await lingering.end();

      const restored = await restoring;
      expect(restored.replaced).not.toBeNull();
      expect(restored.backupEpoch).toBe(backupEpoch);
    },
    120_000,
  );
});
