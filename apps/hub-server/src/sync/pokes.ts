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
}

/**
 * Turns "feed rows were written in these scopes" into pokes. Pokes are hints (a till also pulls on
 * connect and every minute), so losing one costs latency, never data; sending one too many costs one
 * cheap pull.
 */
export class PokeDispatcher {
  private readonly pending = new Set<string>();
  private everyone = false;
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;

  constructor(private readonly options: PokeDispatcherOptions) {}

  /** `null`: something moved but we cannot say what (a lost LISTEN connection): poke everyone. */
  feedAppended(event: FeedAppended | null): void {
    if (event === null) this.everyone = true;
    else for (const scope of event.scopes) this.pending.add(roomOfScope(scope));
    if (this.timer !== undefined) return;
    const delay = this.options.coalesceMs ?? 5;
    this.timer = setTimeout(() => this.flush(), delay);
    this.timer.unref();
  }

  /** Pokes sent so far, one per room per flush (for metrics). */
  get pokesSent(): number {
    return this.sent;
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.everyone) {
      this.everyone = false;
      this.pending.clear();
      this.sent += 1;
      this.options.emitAll();
      return;
    }
    const rooms = [...this.pending];
    this.pending.clear();
    for (const room of rooms) {
      this.sent += 1;
      this.options.emit(room);
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
