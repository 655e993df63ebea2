import type * as NodeFs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFeedMarker, writeFeedMarker, type FeedMarker } from './feed-marker';

/**
 * Another hub process writing the same marker at the same moment, simulated deterministically: right after
 * this write's temporary file is written, the other writer (the same code) writes and renames its own.
 */
let otherWriter: (() => void) | undefined;
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  return {
    ...fs,
    writeFileSync: (...args: Parameters<typeof fs.writeFileSync>) => {
      fs.writeFileSync(...args);
      const other = otherWriter;
      otherWriter = undefined;
      other?.();
    },
  };
});

const marker = (head: number): FeedMarker => ({
  database: 'postgres://hub',
  epoch: 'e1',
  head,
  previousEpochs: [],
  updatedAt: new Date(0).toISOString(),
});

describe('sync/feed-marker with several hub processes on one database', () => {
  let folder: string | undefined;

  afterEach(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('survives another process writing the same marker between its write and its rename', () => {
    folder = mkdtempSync(join(tmpdir(), 'feed-marker-'));
    const path = join(folder, 'hub.feed-marker.json');
    otherWriter = () => writeFeedMarker(path, marker(41));
    expect(() => writeFeedMarker(path, marker(42))).not.toThrow();
    expect(readFeedMarker(path)?.head).toBe(42);
    expect(readdirSync(folder)).toEqual(['hub.feed-marker.json']);
  });
});
