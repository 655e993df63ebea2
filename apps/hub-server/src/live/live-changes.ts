import { z } from 'zod';
import type { Storage } from '../storage/storage';

/**
 * What an open HQ dashboard follows. A change is a hint naming what moved; the dashboard reloads what it
 * shows through the ordinary admin API (so it sees only what the session may read there).
 */
export const LIVE_TOPICS = ['exceptions', 'orders', 'devices'] as const;

export const LiveChangeSchema = z.object({
  topic: z.enum(LIVE_TOPICS),
  id: z.string(),
  /** Exceptions: the kind, severity and status after the change. */
  type: z.string().optional(),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
  /** Exceptions: open or resolved; orders: the order's status after the change. */
  status: z.string().optional(),
  /** Exceptions: true when this change raised a new one (not another occurrence of an open one). */
  raised: z.boolean().optional(),
});
export type LiveChange = z.infer<typeof LiveChangeSchema>;

/**
 * Changes in the order they were committed; `null`: some may have been missed (a lost LISTEN connection),
 * the listener refreshes everything it shows.
 */
export type LiveChangesListener = (changes: readonly LiveChange[] | null) => void;

export interface LiveChangesOptions {
  /** SQLite: how often the `live_changes` table is read while someone listens. */
  readonly pollMs?: number;
  /** Changes within this window go out together, so a burst (a 500-event push) is one message. */
  readonly coalesceMs?: number;
}

/** Triggers write the detail as JSON text; one that does not parse is still worth a refresh. */
function parseChange(topic: string, id: string, detail: string): LiveChange | null {
  let extra: unknown;
  try {
    extra = JSON.parse(detail);
  } catch {
    extra = {};
  }
  const parsed = LiveChangeSchema.safeParse({ ...(extra as object), topic, id });
  return parsed.success ? parsed.data : null;
}

/**
 * The dashboard changes committed by every hub process, for as long as anyone listens: on PostgreSQL
 * through the storage's LISTEN connection (the one feed pokes and device revocations use), on SQLite by
 * reading the `live_changes` table by sequence (one process owns a SQLite hub; the CLI's writes next to
 * `serve` show up too).
 */
export class LiveChanges {
  private readonly listeners = new Set<LiveChangesListener>();
  private stopSource: (() => void) | undefined;
  private pending: LiveChange[] = [];
  private missed = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly pollMs: number;
  private readonly coalesceMs: number;
  private sourceReady: Promise<void> = Promise.resolve();
  private markReady: () => void = () => undefined;

  constructor(
    private readonly storage: Storage,
    options: LiveChangesOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 250;
    this.coalesceMs = options.coalesceMs ?? 100;
  }

  subscribe(listener: LiveChangesListener): () => void {
    this.listeners.add(listener);
    this.stopSource ??= this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /**
   * Resolves once changes committed from now on will be heard (the LISTEN connection is up, the SQLite
   * reader has its starting point), or after a bounded wait if the database is away: a dashboard reloads
   * what it shows at that moment, so nothing between its first load and the stream falls in a gap.
   */
  ready(): Promise<void> {
    return this.sourceReady;
  }

  listening(): number {
    return this.listeners.size;
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    this.stopSource?.();
    this.stopSource = undefined;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = [];
    this.missed = false;
  }

  private start(): () => void {
    this.sourceReady = new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, 5_000);
      timeout.unref();
      this.markReady = () => {
        clearTimeout(timeout);
        resolve();
      };
    });
    if (this.storage.kind === 'postgres') {
      const storage = this.storage;
      let stopped = false;
      const awaitListening = () => {
        if (stopped) return;
        if (storage.feedNotifications() === 'listening') return this.markReady();
        setTimeout(awaitListening, 20).unref();
      };
      const stop = storage.onLiveChange((payload) => {
        if (payload === null) return this.receive(null);
        let raw: unknown;
        try {
          raw = JSON.parse(payload);
        } catch {
          return this.receive(null);
        }
        const parsed = LiveChangeSchema.safeParse(raw);
        this.receive(parsed.success ? [parsed.data] : null);
      });
      awaitListening();
      return () => {
        stopped = true;
        stop();
      };
    }
    return this.pollSqlite();
  }

  private pollSqlite(): () => void {
    const db = this.storage.db;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let after: number | undefined;
    const poll = async () => {
      try {
        if (after === undefined) {
          // Only what happens from now on: the dashboard loaded the current state itself.
          const head = await db
            .selectFrom('live_changes')
            .select((eb) => eb.fn.max('seq').as('seq'))
            .executeTakeFirst();
          after = Number(head?.seq ?? 0);
          this.markReady();
        } else {
          const rows = await db
            .selectFrom('live_changes')
            .selectAll()
            .where('seq', '>', after)
            .orderBy('seq')
            .limit(1000)
            .execute();
          const last = rows.at(-1);
          if (last !== undefined) {
            // Pruning keeps 1,000 rows: a gap past them means changes were missed.
            const gap = rows[0] !== undefined && rows[0].seq > after + 1 && after > 0;
            after = last.seq;
            const changes = rows.flatMap((row) => parseChange(row.topic, row.entity_id, row.detail) ?? []);
            this.receive(gap ? null : changes);
          }
        }
      } catch {
        // The database is unreachable for a moment; the next poll tries again and the dashboard keeps
        // what it shows.
      }
      if (!stopped) {
        timer = setTimeout(() => void poll(), this.pollMs);
        timer.unref();
      }
    };
    void poll();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }

  private receive(changes: readonly LiveChange[] | null): void {
    if (changes === null) this.missed = true;
    else this.pending.push(...changes);
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => this.flush(), this.coalesceMs);
    this.flushTimer.unref();
  }

  private flush(): void {
    this.flushTimer = undefined;
    const batch = this.missed ? null : dedupe(this.pending);
    this.pending = [];
    this.missed = false;
    if (batch !== null && batch.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(batch);
      } catch {
        // One dashboard's broken connection must not keep the others from hearing.
      }
    }
  }
}

/**
 * The latest change per entity, except that an exception's raising is kept even when later changes to it
 * follow in the same window (it must still be announced).
 */
function dedupe(changes: readonly LiveChange[]): LiveChange[] {
  const latest = new Map<string, LiveChange>();
  for (const change of changes) {
    const key = `${change.topic}:${change.id}`;
    const earlier = latest.get(key);
    latest.delete(key);
    latest.set(key, earlier?.raised === true ? { ...change, raised: true } : change);
  }
  return [...latest.values()];
}
