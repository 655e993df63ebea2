import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubContext } from '../hub-context';
import { adjustStock } from '../inventory/stock-operations';
import { feedHead } from '../feed/feed-store';
import { FEED_SEQUENCE, registerWriter } from '../storage/commit-watermark';
import { openStorage, readFeedEpoch, rotateFeedEpoch, type Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';
import { checkFeedRestore, FeedMarkerWriter, readFeedMarker } from './feed-marker';

const found = (hub: ReturnType<typeof createHubContext>, delta = 1) =>
  adjustStock(
    hub,
    { nodeId: 's1', reason: 'found', lines: [{ sku: 'A', bucket: 'sellable', delta }] },
    'test',
  );

describe.each(backendKinds())('sync/feed-marker on %s', (kind) => {
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

  describe('checkFeedRestore', () => {
    it('keeps the epoch of a database that only moved forward, and starts a new one for a database that went back', async () => {
      dir = mkdtempSync(join(tmpdir(), 'hub-marker-'));
      const markerPath = join(dir, 'hub.feed-marker.json');
      database = await createTestDatabase(kind);
      storage = await database.open();
      const hub = createHubContext(storage);
      await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });

      const first = await checkFeedRestore(storage, markerPath, 'hub-db');
      expect(first).toMatchObject({ restored: false, head: await feedHead(storage.db) });
      const writer = new FeedMarkerWriter(storage, markerPath, { database: 'hub-db', ...first });
      await found(hub);
      const backupHead = await feedHead(storage.db);
      await found(hub);
      await found(hub);
      await writer.close();
      expect(readFeedMarker(markerPath)?.head).toBe(await feedHead(storage.db));

      // A restart on the same database: nothing was lost.
      const again = await checkFeedRestore(storage, markerPath, 'hub-db');
      expect(again).toMatchObject({ restored: false, epoch: first.epoch });

      // The database loses the feed rows written after a backup was taken, as a restore does.
      await storage.db.deleteFrom('feed_changes').where('hub_seq', '>', backupHead).execute();
      const restored = await checkFeedRestore(storage, markerPath, 'hub-db');
      expect(restored.restored).toBe(true);
      expect(restored.epoch).not.toBe(first.epoch);
      expect(await readFeedEpoch(storage.db)).toBe(restored.epoch);
      // Once rotated the new epoch is the reference: the next start is a normal one.
      expect((await checkFeedRestore(storage, markerPath, 'hub-db')).restored).toBe(false);
    });

    it('treats a database back in an epoch this hub already left as restored, and a new unknown epoch as a rotation', async () => {
      dir = mkdtempSync(join(tmpdir(), 'hub-marker-'));
      const markerPath = join(dir, 'hub.feed-marker.json');
      database = await createTestDatabase(kind);
      storage = await database.open();
      const hub = createHubContext(storage);
      await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
      const start = await checkFeedRestore(storage, markerPath, 'hub-db');
      const writer = new FeedMarkerWriter(storage, markerPath, { database: 'hub-db', ...start });
      // An operator rotates while the hub runs; the writer notices at its next write.
      const rotated = await rotateFeedEpoch(storage.db);
      await found(hub);
      await writer.close();
      expect(readFeedMarker(markerPath)).toMatchObject({ epoch: rotated, previousEpochs: [start.epoch] });
      // A rotation made while the hub was down is not a restore.
      const offline = await rotateFeedEpoch(storage.db);
      expect(await checkFeedRestore(storage, markerPath, 'hub-db')).toMatchObject({
        restored: false,
        epoch: offline,
      });
      // The database comes back in the first epoch (a backup from before both rotations): restored.
      await storage.db
        .updateTable('hub_meta')
        .set({ value: start.epoch })
        .where('key', '=', 'feed_epoch')
        .execute();
      const back = await checkFeedRestore(storage, markerPath, 'hub-db');
      expect(back.restored).toBe(true);
      expect([start.epoch, rotated, offline]).not.toContain(back.epoch);
    });

    it('treats a database whose head went back as restored even in an epoch the marker never named', async () => {
      dir = mkdtempSync(join(tmpdir(), 'hub-marker-'));
      const markerPath = join(dir, 'hub.feed-marker.json');
      database = await createTestDatabase(kind);
      storage = await database.open();
      const hub = createHubContext(storage);
      await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
      const start = await checkFeedRestore(storage, markerPath, 'hub-db');
      // A long interval: everything below happens before the writer's next write, as two rotations
      // within one interval do.
      const writer = new FeedMarkerWriter(storage, markerPath, { database: 'hub-db', ...start }, 60_000);
      const middle = await rotateFeedEpoch(storage.db);
      const backupHead = await feedHead(storage.db);
      await found(hub);
      const last = await rotateFeedEpoch(storage.db);
      await writer.close();
      expect(readFeedMarker(markerPath)).toMatchObject({
        epoch: last,
        head: await feedHead(storage.db),
        previousEpochs: [start.epoch],
      });
      // A backup taken in the middle epoch comes back: tills of that epoch may hold the lost rows.
      await storage.db
        .updateTable('hub_meta')
        .set({ value: middle })
        .where('key', '=', 'feed_epoch')
        .execute();
      await storage.db.deleteFrom('feed_changes').where('hub_seq', '>', backupHead).execute();
      const back = await checkFeedRestore(storage, markerPath, 'hub-db');
      expect(back.restored).toBe(true);
      expect([start.epoch, middle, last]).not.toContain(back.epoch);
    });

    // Only PostgreSQL has writers that commit in parallel.
    it.runIf(kind === 'postgres')(
      'sees no restore while another hub process has a feed writer open below a committed row',
      async () => {
        dir = mkdtempSync(join(tmpdir(), 'hub-marker-'));
        const markerPath = join(dir, 'hub.feed-marker.json');
        database = await createTestDatabase(kind);
        storage = await database.open();
        const hub = createHubContext(storage);
        await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
        const start = await checkFeedRestore(storage, markerPath, 'hub-db');
        const writer = new FeedMarkerWriter(storage, markerPath, { database: 'hub-db', ...start });

        // Another process's writer registers and stays open; a later writer commits the next row.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let registered!: () => void;
        const isRegistered = new Promise<void>((resolve) => (registered = resolve));
        const open = storage.transaction(async (trx) => {
          await registerWriter(trx, FEED_SEQUENCE);
          registered();
          await held;
        });
        await isRegistered;
        await found(hub);
        await writer.close();
        const committed = readFeedMarker(markerPath)!.head;
        expect(await feedHead(storage.db)).toBeLessThan(committed);
        try {
          // A hub process starting now must not take the open writer for a restore.
          const check = await checkFeedRestore(storage, markerPath, 'hub-db');
          expect(check).toMatchObject({ restored: false, epoch: start.epoch, head: committed });
        } finally {
          release();
          await open;
        }
      },
    );

    it('ignores a marker of another database and a damaged marker', async () => {
      dir = mkdtempSync(join(tmpdir(), 'hub-marker-'));
      const markerPath = join(dir, 'marker.json');
      database = await createTestDatabase(kind);
      storage = await database.open();
      const epoch = await readFeedEpoch(storage.db);
      writeFileSync(markerPath, JSON.stringify({ database: 'elsewhere', epoch, head: 99, updatedAt: 'x' }));
      expect((await checkFeedRestore(storage, markerPath, 'hub-db')).restored).toBe(false);
      writeFileSync(markerPath, '{"database":');
      expect((await checkFeedRestore(storage, markerPath, 'hub-db')).restored).toBe(false);
      expect(readFeedMarker(markerPath)).toMatchObject({
        database: 'hub-db',
        epoch,
        head: 0,
        previousEpochs: [],
      });
    });
  });
});

describe('sync/feed-marker with a SQLite file restored from a backup', () => {
  it('detects the restore when the hub opens the old file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-restore-'));
    try {
      const file = join(dir, 'hub.db');
      const backup = join(dir, 'backup.db');
      const markerPath = `${file}.feed-marker.json`;
      let storage = await openStorage(file);
      const hub = createHubContext(storage);
      await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
      const start = await checkFeedRestore(storage, markerPath, file);
      const writer = new FeedMarkerWriter(storage, markerPath, { database: file, ...start });
      // An online backup, as docs/hub.md recommends, then more work the backup does not have.
      await sql`vacuum into ${backup}`.execute(storage.db);
      await found(hub, 3);
      await found(hub, 2);
      await writer.close();
      await storage.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      copyFileSync(backup, file);
      storage = await openStorage(file);
      const check = await checkFeedRestore(storage, markerPath, file);
      expect(check.restored).toBe(true);
      expect(check.epoch).not.toBe(start.epoch);
      await storage.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
