import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNode } from '../nodes/nodes';
import { createHubContext } from '../hub-context';
import { nodeInput } from '../test-support/fixtures';
import { openStorage } from './storage';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('storage/private-files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the hub database, its WAL files and its folder readable by the owner only', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-private-'));
    const location = join(dir, 'new-folder', 'hub.db');
    const storage = await openStorage(location);
    try {
      await createNode(createHubContext(storage), nodeInput('s1'));
      expect(modeOf(join(dir, 'new-folder'))).toBe(0o700);
      for (const file of [location, `${location}-wal`, `${location}-shm`]) {
        expect({ file, mode: modeOf(file) }).toEqual({ file, mode: 0o600 });
      }
    } finally {
      await storage.close();
    }
  });

  it('tightens a database file an older hub left readable by everyone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-private-'));
    const location = join(dir, 'hub.db');
    writeFileSync(location, '', { mode: 0o644 });
    const storage = await openStorage(location);
    await storage.close();
    expect(modeOf(location)).toBe(0o600);
  });
});
