import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { feedHead } from '../feed/feed-store';
import { describeDatabaseUrl, readFeedEpoch, rotateFeedEpoch, type Storage } from '../storage/storage';

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
  updatedAt: z.string(),
});
export type FeedMarker = z.infer<typeof MarkerSchema>;

/** Next to the SQLite file; for PostgreSQL in ./data, named for the server and database. */
export function defaultFeedMarkerPath(databaseUrl: string): string {
  const { kind, location } = describeDatabaseUrl(databaseUrl);
  if (kind === 'sqlite')
    return location === ':memory:'
      ? resolve('data/hub-memory.feed-marker.json')
      : `${location}.feed-marker.json`;
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

/** Written to a temporary file and renamed, so a crash never leaves half a marker. */
export function writeFeedMarker(path: string, marker: FeedMarker): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(marker)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export interface RestoreCheck {
  /** The database's feed was behind the marker: a new epoch was started. */
  readonly restored: boolean;
  readonly epoch: string;
  readonly head: number;
  /** The head the marker remembered, when there was a marker for this database. */
  readonly markerHead?: number;
}

/**
 * Run once when a hub process starts, before it serves: compares the database's feed head with the
 * marker and starts a new epoch if the database went back in time.
 */
export async function checkFeedRestore(
  storage: Storage,
  markerPath: string,
  database: string,
  now: () => number = Date.now,
): Promise<RestoreCheck> {
  let epoch = await readFeedEpoch(storage.db);
  const head = await feedHead(storage.db);
  const marker = readFeedMarker(markerPath);
  const known = marker !== undefined && marker.database === database && marker.epoch === epoch;
  const restored = known && head < marker.head;
  if (restored) epoch = await rotateFeedEpoch(storage.db);
  writeFeedMarker(markerPath, { database, epoch, head, updatedAt: new Date(now()).toISOString() });
  return { restored, epoch, head, ...(known ? { markerHead: marker.head } : {}) };
}

/**
 * Keeps the marker at the highest hubSeq this process has seen committed. Writes are coalesced (at most
 * one per `intervalMs`) and flushed on close; a marker that lags a little only narrows detection, it
 * never causes a false one.
 */
export class FeedMarkerWriter {
  private head: number;
  private written: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly stop: () => void;

  constructor(
    storage: Storage,
    private readonly path: string,
    private readonly marker: { database: string; epoch: string; head: number },
    private readonly intervalMs = 200,
    private readonly now: () => number = Date.now,
  ) {
    this.head = marker.head;
    this.written = marker.head;
    this.stop = storage.onFeedAppended((event) => {
      if (event === null || event.head <= this.head) return;
      this.head = event.head;
      this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
    });
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.head === this.written) return;
    writeFeedMarker(this.path, {
      database: this.marker.database,
      epoch: this.marker.epoch,
      head: this.head,
      updatedAt: new Date(this.now()).toISOString(),
    });
    this.written = this.head;
  }

  close(): void {
    this.stop();
    this.flush();
  }
}
