import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { PushRequest } from '@retail/sync';
import { buildApp } from '../src/api/app';
import { createHubContext, type HubContext } from '../src/hub-context';
import { openStorage, type Storage } from '../src/storage/storage';
import {
  adjustment,
  enrollTestDevice,
  EventFactory,
  movement,
  seedWorld,
} from '../src/test-support/fixtures';

/**
 * The hub's SQLite database on a real size-limited file system (tmpfs; mounting needs root, which the
 * build machines and CI have) that fills up under a till's pushes. No mock of SQLite.
 */
const MOUNT = mkdtempSync(join(tmpdir(), 'hub-full-disk-'));
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', MOUNT], { stdio: 'ignore' }).status === 0;

function fillDisk(file: string): void {
  const handle = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let written = 0; written < 64 * 1024 * 1024; written += chunk.length) writeSync(handle, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(handle);
  }
  const stats = statfsSync(MOUNT);
  expect(Number(stats.bavail) * Number(stats.bsize)).toBeLessThan(64 * 1024);
}

describe.skipIf(!mounted)('hub whose disk fills up (tmpfs)', () => {
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  const filler = join(MOUNT, 'filler.bin');

  beforeAll(async () => {
    storage = await openStorage(join(MOUNT, 'hub.db'));
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    ({ app } = await buildApp({ hub, sync: { socket: false }, rateLimit: { perSecond: 1000, burst: 1000 } }));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    spawnSync('umount', [MOUNT], { stdio: 'ignore' });
    rmSync(MOUNT, { recursive: true, force: true });
  });

  it('refuses pushes it cannot commit with a retry hint, acknowledges none of them, and takes them once freed', async () => {
    const device = await enrollTestDevice(hub, 's1');
    const principal = { deviceId: device.deviceId, storeId: device.storeId };
    const events = new EventFactory(principal);
    const push = (batch: PushRequest['events']) =>
      app.inject({
        method: 'POST',
        url: '/sync/push',
        headers: { authorization: `Bearer ${device.credential}` },
        payload: { ...principal, events: batch },
      });
    const batchOf = (size: number) =>
      Array.from({ length: size }, (_, index) =>
        events.next('stock.adjusted', {
          ...adjustment(movement('A', 1)),
          reason: `${'restock shelf '.repeat(20)}${index}`,
        }),
      );
    const lastSeqAtHub = async () =>
      Number(
        (
          await storage.db
            .selectFrom('devices')
            .select('last_seq')
            .where('device_id', '=', device.deviceId)
            .executeTakeFirstOrThrow()
        ).last_seq,
      );

    expect((await push(batchOf(10))).statusCode).toBe(200);
    fillDisk(filler);

    let acked = 10;
    let refused:
      { batch: PushRequest['events']; status: number; body: unknown; retryAfter: unknown } | undefined;
    for (let attempt = 0; attempt < 200 && refused === undefined; attempt += 1) {
      const batch = batchOf(200);
      const answer = await push(batch);
      if (answer.statusCode === 200) {
        acked = (answer.json() as { value: { lastSeq: number } }).value.lastSeq;
        // An acknowledged batch is in the database: read back after the answer.
        expect(await lastSeqAtHub()).toBe(acked);
      } else {
        refused = {
          batch,
          status: answer.statusCode,
          body: answer.json(),
          retryAfter: answer.headers['retry-after'],
        };
      }
    }
    expect(refused).toMatchObject({
      status: 503,
      body: { ok: false, error: { code: 'HUB_UNAVAILABLE', message: expect.stringMatching(/disk is full/) } },
      retryAfter: '30',
    });
    expect(await lastSeqAtHub()).toBe(acked);

    rmSync(filler);
    const retried = await push(refused!.batch);
    expect(retried.statusCode).toBe(200);
    expect((retried.json() as { value: { lastSeq: number } }).value.lastSeq).toBe(acked + 200);
    expect(await lastSeqAtHub()).toBe(acked + 200);
  });
});
