import { CHAIN_SCOPE } from '../feed/feed-store';
import type { FeedAppended } from '../storage/storage';

/**
 * socket.io rooms a connected till joins, one per feed scope it reads (feed-store.ts scopesOf): the
 * chain, its region and its own node. A feed write pokes the rooms of the scopes it wrote in, so exactly
 * the stores whose feed advanced hear of it, without a database lookup per poke.
 */
export const CHAIN_ROOM = 'chain';

export function roomOfScope(scope: string): string {
  if (scope === CHAIN_SCOPE) return CHAIN_ROOM;
  if (scope.startsWith('region:')) return scope;
  return `node:${scope}`;
}

/** A room of one device alone, so it can be disconnected by id (revocation); no poke goes there. */
export function roomOfDevice(deviceId: string): string {
  return `device:${deviceId}`;
}

export function roomsOfDevice(storeId: string, region: string | undefined): string[] {
  return region === undefined
    ? [CHAIN_ROOM, roomOfScope(storeId)]
    : [CHAIN_ROOM, roomOfScope(storeId), `region:${region}`];
}

/** The feed's commit watermark (feed-store.ts feedWatermark): what a pull can see now. */
export interface FeedWatermark {
  /** Every row at or below it that will ever commit is visible: a pull reads up to here. */
  readonly settled: number;
  /** The highest hubSeq handed out, committed or not. */
  readonly allocated: number;
}

export interface PokeDispatcherOptions {
  /** Sends a data-less poke to every till in the room. */
  readonly emit: (room: string) => void;
  /** Sends a poke to every connected till (after notifications may have been lost). */
  readonly emitAll: () => void;
  /**
   * Pokes for one room within this window go out once: an ingest burst of 20 tills makes one poke per
   * store, not one per batch. Small, because it adds to the latency of a price change reaching tills.
   */
  readonly coalesceMs?: number;
  /**
   * PostgreSQL's commit watermark. Without it (SQLite: one writer, a committed row is visible at once)
   * pokes go out as announced. With it, a room is poked only once the rows announced for it are at or
   * below the settled head, so the pull the poke causes can see them; rows still held back behind
   * another writer's open transaction (often another store's) keep their room waiting, and it is poked
   * when the watermark passes them — else that till would wait for its periodic pull.
   */
  readonly watermark?: () => Promise<FeedWatermark>;
  /**
   * While rooms wait for the watermark, it is read again this often: a writer that rolls back releases
   * the watermark without any announcement. Commits announced meanwhile read it at once.
   */
  readonly recheckMs?: number;
  /**
   * Whether any till is connected to be poked. Without one the watermark is not read: a hub serving HTTP
   * tills only (they get no pokes) pays nothing for it.
   */
  readonly connected?: () => boolean;
  /** The watermark could not be read: the waiting rooms were poked anyway (pokes are hints). */
  readonly onWatermarkError?: (error: unknown) => void;
}

/**
 * Turns "feed rows were written in these scopes" into pokes. Pokes are hints (a till also pulls on
 * connect and every minute), so losing one costs latency, never data; sending one too many costs one
 * cheap pull.
 */
export class PokeDispatcher {
  /** Rooms announced in this window, each with the highest hubSeq announced for it. */
  private readonly pending = new Map<string, number>();
  private everyone = false;
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;
  private resent = 0;
  /** Rooms whose announced rows were above the settled head when last read (watermark only). */
  private readonly waiting = new Map<string, { head: number; checked: boolean }>();
  /** Everyone was poked while rows up to this hubSeq were held back (after a lost LISTEN connection). */
  private everyoneWaitingFor: number | undefined;
  private everyoneNow = false;
  private checking = false;
  private checkAgain = false;
  private recheckTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: PokeDispatcherOptions) {}

  /** `null`: something moved but we cannot say what (a lost LISTEN connection): poke everyone. */
  feedAppended(event: FeedAppended | null): void {
    if (this.closed) return;
    if (event === null) this.everyone = true;
    else {
      for (const scope of event.scopes) {
        const room = roomOfScope(scope);
        this.pending.set(room, Math.max(this.pending.get(room) ?? 0, event.head));
      }
    }
    if (this.timer !== undefined) return;
    const delay = this.options.coalesceMs ?? 5;
    this.timer = setTimeout(() => this.flush(), delay);
    this.timer.unref();
  }

  /** Pokes sent so far, one per room per flush (for metrics). */
  get pokesSent(): number {
    return this.sent;
  }

  /** Of pokesSent, those sent when the watermark passed rows held back behind another open writer. */
  get pokesAfterWatermark(): number {
    return this.resent;
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.options.watermark !== undefined) {
      for (const [room, head] of this.pending) {
        const before = this.waiting.get(room);
        this.waiting.set(room, {
          head: Math.max(before?.head ?? 0, head),
          checked: before?.checked ?? false,
        });
      }
      this.pending.clear();
      if (this.everyone) this.everyoneNow = true;
      this.everyone = false;
      // Nobody to poke: the rooms keep waiting (one entry each), unread until a till is connected.
      if (this.options.connected?.() !== false) void this.check();
      return;
    }
    if (this.everyone) {
      this.everyone = false;
      this.pending.clear();
      this.sent += 1;
      this.options.emitAll();
      return;
    }
    const rooms = [...this.pending.keys()];
    this.pending.clear();
    for (const room of rooms) {
      this.sent += 1;
      this.options.emit(room);
    }
  }

  /**
   * Reads the watermark, then pokes the rooms whose rows it covers: the read comes first, so the pull a
   * poke causes starts after it and sees those rows too.
   */
  private async check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    if (this.recheckTimer !== undefined) clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    try {
      do {
        this.checkAgain = false;
        let mark: FeedWatermark | undefined;
        try {
          mark = await this.options.watermark!();
        } catch (error) {
          this.options.onWatermarkError?.(error);
        }
        if (this.closed) return;
        this.pokeCovered(mark);
      } while (this.checkAgain && !this.closed);
    } finally {
      this.checking = false;
    }
    const waiting = this.waiting.size > 0 || this.everyoneWaitingFor !== undefined;
    if (!this.closed && waiting && this.options.connected?.() !== false) {
      this.recheckTimer = setTimeout(() => void this.check(), this.options.recheckMs ?? 250);
      this.recheckTimer.unref();
    }
  }

  /** `mark` undefined: it could not be read; poke everything waiting (a hint too many beats none). */
  private pokeCovered(mark: FeedWatermark | undefined): void {
    const settled = mark?.settled ?? Number.POSITIVE_INFINITY;
    let all = this.everyoneNow;
    this.everyoneNow = false;
    if (all && mark !== undefined && mark.settled < mark.allocated) {
      this.everyoneWaitingFor = Math.max(this.everyoneWaitingFor ?? 0, mark.allocated);
    } else if (this.everyoneWaitingFor !== undefined && this.everyoneWaitingFor <= settled) {
      this.everyoneWaitingFor = undefined;
      this.resent += 1;
      all = true;
    }
    const due: string[] = [];
    for (const [room, wait] of this.waiting) {
      if (wait.head <= settled) {
        this.waiting.delete(room);
        due.push(room);
        if (wait.checked) this.resent += 1;
      } else wait.checked = true;
    }
    if (all) {
      this.sent += 1;
      this.options.emitAll();
      return;
    }
    for (const room of due) {
      this.sent += 1;
      this.options.emit(room);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.recheckTimer !== undefined) clearTimeout(this.recheckTimer);
    this.timer = undefined;
    this.recheckTimer = undefined;
    this.pending.clear();
    this.waiting.clear();
  }
}
