import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { committedFeedHead, feedHead } from '../feed/feed-store';
import { describeDatabaseUrl, readFeedEpoch, rotateFeedEpoch, type Storage } from '../storage/storage';
import { ensurePrivateFolder } from '../storage/private-files';

/**
 * A hub restored from a backup must start a new feed epoch: tills may hold hubSeqs the restored database
 * never issued (or issued again for other rows), and only an epoch change makes them re-snapshot
 * (docs/sync.md §6). Operators forget procedures, so the hub also detects a restore by itself.
 *
 * The marker is a small file outside the database recording the highest hubSeq this hub process has
 * seen committed (its own writes, and on PostgreSQL every process's through NOTIFY). A database whose
 * feed head is below the marker lost committed feed rows: it was restored (or its disk lost writes),
 * so the hub rotates the epoch before serving anyone. The marker is written after commits, never before,
 * so it can lag (a crash between commit and write) but never lead: no false restore is ever detected.
 */
const MarkerSchema = z.object({
  database: z.string(),
  epoch: z.string(),
  head: z.number().int().min(0),
  /** Epochs this hub served before the current one: a database back in one of them was restored. */
  previousEpochs: z.array(z.string()).default([]),
  updatedAt: z.string(),
});
export type FeedMarker = z.infer<typeof MarkerSchema>;

/** Enough history to recognise any backup an operator would still restore. */
const MAX_PREVIOUS_EPOCHS = 50;

function withPrevious(previous: readonly string[], ...epochs: string[]): string[] {
  const all = [...previous.filter((epoch) => !epochs.includes(epoch)), ...epochs];
  return all.slice(-MAX_PREVIOUS_EPOCHS);
}

/** Next to the SQLite file; for PostgreSQL in ./data, named for the server and database. */
export function defaultFeedMarkerPath(databaseUrl: string): string {
  const { kind, location } = describeDatabaseUrl(databaseUrl);
  if (kind === 'sqlite') {
    return location === ':memory:'
      ? resolve('data/hub-memory.feed-marker.json')
      : `${location}.feed-marker.json`;
  }
  return resolve('data', `hub-${location.replace(/[^A-Za-z0-9.-]+/g, '_')}.feed-marker.json`);
}

export function readFeedMarker(path: string): FeedMarker | undefined {
  try {
    const parsed = MarkerSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Written to a temporary file and renamed, so a crash never leaves half a marker. The temporary file is
 * this write's own: several hub processes on one PostgreSQL database share the default marker path, and
 * with one shared temporary name one process's rename took away the file another was about to rename.
 */
export function writeFeedMarker(path: string, marker: FeedMarker): void {
  ensurePrivateFolder(dirname(path));
  const temporary = `${path}.${process.pid}-${randomUUID()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(marker)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export interface RestoreCheck {
  /** The database went back in time: a new epoch was started. */
  readonly restored: boolean;
  readonly epoch: string;
  readonly head: number;
  readonly previousEpochs: readonly string[];
  /** The head the marker remembered, when there was a marker for this database. */
  readonly markerHead?: number;
}

/**
 * Run once when a hub process starts, before it serves. The database went back in time when its feed
 * head is below the marker's, or when its epoch is one this hub already left behind (a backup from
 * before an epoch change). Then a new epoch starts. The head counts in any epoch: the writer learns the
 * epoch only when it writes, so two rotations within one of its intervals leave the middle epoch, and
 * the head reached in it, under the later epoch's name. An epoch the marker has never seen, with the
 * head where the marker left it, is a rotation made while this process was down
 * (`pos-hub rotate-feed-epoch`), not a restore.
 */
export async function checkFeedRestore(
  storage: Storage,
  markerPath: string,
  database: string,
  now: () => number = Date.now,
): Promise<RestoreCheck> {
  const dbEpoch = await readFeedEpoch(storage.db);
  // Not feedHead: another hub process's writer still open may hold it below rows this hub saw commit.
  const head = await committedFeedHead(storage.db);
  const found = readFeedMarker(markerPath);
  const marker = found !== undefined && found.database === database ? found : undefined;
  const restored = marker !== undefined && (head < marker.head || marker.previousEpochs.includes(dbEpoch));
  let epoch = dbEpoch;
  let previousEpochs: string[] = [];
  if (marker !== undefined) {
    previousEpochs =
      marker.epoch === dbEpoch
        ? [...marker.previousEpochs]
        : withPrevious(marker.previousEpochs, marker.epoch);
  }
  if (restored) {
    epoch = await rotateFeedEpoch(storage.db);
    previousEpochs = withPrevious(previousEpochs, dbEpoch);
  }
  writeFeedMarker(markerPath, {
    database,
    epoch,
    head,
    previousEpochs,
    updatedAt: new Date(now()).toISOString(),
  });
  return {
    restored,
    epoch,
    head,
    previousEpochs,
    ...(marker === undefined ? {} : { markerHead: marker.head }),
  };
}

/**
 * Run by `pos-hub restore` once the backup is in place: the restored database always starts a new epoch
 * (even on a machine that never had a marker, e.g. a hub rebuilt elsewhere), and the marker learns both the
 * epoch it served and the backup's, so `serve` neither misses this restore nor rotates a second time.
 */
export async function recordRestore(
  storage: Storage,
  markerPath: string,
  database: string,
  now: () => number = Date.now,
): Promise<RestoreCheck> {
  const found = readFeedMarker(markerPath);
  const marker = found !== undefined && found.database === database ? found : undefined;
  const backupEpoch = await readFeedEpoch(storage.db);
  const epoch = await rotateFeedEpoch(storage.db);
  const head = await feedHead(storage.db);
  const previousEpochs = withPrevious(
    marker?.previousEpochs ?? [],
    ...(marker === undefined || marker.epoch === backupEpoch ? [] : [marker.epoch]),
    backupEpoch,
  );
  writeFeedMarker(markerPath, {
    database,
    epoch,
    head,
    previousEpochs,
    updatedAt: new Date(now()).toISOString(),
  });
  return {
    restored: true,
    epoch,
    head,
    previousEpochs,
    ...(marker === undefined ? {} : { markerHead: marker.head }),
  };
}

/**
 * Keeps the marker at the highest hubSeq this process has seen committed, and notices epoch changes
 * (`pos-hub rotate-feed-epoch` while it runs). Writes are coalesced (at most one per `intervalMs`) and
 * flushed on close; a marker that lags a little only narrows detection, it never causes a false one.
 */
export class FeedMarkerWriter {
  private head: number;
  private written: number;
  private epoch: string;
  private previousEpochs: string[];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly stop: () => void;
  private readonly database: string;

  constructor(
    private readonly storage: Storage,
    private readonly path: string,
    marker: { database: string; epoch: string; head: number; previousEpochs?: readonly string[] },
    private readonly intervalMs = 200,
    private readonly now: () => number = Date.now,
  ) {
    this.database = marker.database;
    this.head = marker.head;
    this.written = marker.head;
    this.epoch = marker.epoch;
    this.previousEpochs = [...(marker.previousEpochs ?? [])];
    this.stop = storage.onFeedAppended((event) => {
      if (event === null || event.head <= this.head) return;
      this.head = event.head;
      this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    });
  }

  /** Writes the marker now if the head or the epoch moved. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(async () => {
      let epoch = this.epoch;
      try {
        epoch = await readFeedEpoch(this.storage.db);
      } catch {
        // The database is closing: keep what we knew.
      }
      if (this.head === this.written && epoch === this.epoch) return;
      if (epoch !== this.epoch) this.previousEpochs = withPrevious(this.previousEpochs, this.epoch);
      this.epoch = epoch;
      writeFeedMarker(this.path, {
        database: this.database,
        epoch,
        head: this.head,
        previousEpochs: this.previousEpochs,
        updatedAt: new Date(this.now()).toISOString(),
      });
      this.written = this.head;
    });
    return this.flushing;
  }

  /** Stops listening and writes what is left; call before closing the storage. */
  async close(): Promise<void> {
    this.stop();
    await this.flush();
  }
}
