import type { EventEnvelope } from '../envelope';
import type { FeedChange } from '../feed';

/** An event the hub refused forever, with the reason staff see on the till. */
export interface RejectedEvent {
  readonly eventId: string;
  readonly deviceSeq: number;
  readonly reason: string;
  /** When this device learnt of the rejection (device clock, ISO 8601). */
  readonly rejectedAt: string;
}

export interface OutboxSummary {
  /** Highest deviceSeq the hub has acknowledged (applied or rejected); 0 for none. */
  readonly ackedSeq: number;
  /** Highest deviceSeq ever written on this device; 0 for none. */
  readonly lastSeq: number;
  /** Events after `ackedSeq`. */
  readonly pending: number;
  /** When the oldest pending event was written (device clock, ISO 8601). */
  readonly oldestPendingAt: string | undefined;
  /** Rejections staff have not dealt with yet, oldest first. */
  readonly rejected: readonly RejectedEvent[];
  /**
   * Set while this device's data is a restored copy (a backup) the hub has not confirmed yet: the last
   * deviceSeq the copy holds. Until the hub says it holds nothing of this device beyond it, the device
   * sends nothing and issues no receipt number (docs/sync.md §2).
   */
  readonly restoredUpTo?: number;
}

export interface OutboxAck {
  /** Everything up to and including this deviceSeq is acknowledged. */
  readonly lastSeq: number;
  /** Events the hub refused forever; recorded once per eventId however often they are reported. */
  readonly rejected: readonly Omit<RejectedEvent, 'rejectedAt'>[];
  /** When the ack arrived (device clock, ISO 8601). */
  readonly at: string;
}

/**
 * The device's outbox as the pusher needs it. Events are written by the store node's commands in the
 * same transaction as their effects, with gapless deviceSeqs from 1; this interface only reads and
 * acknowledges them.
 *
 * Acknowledged events are kept for a retention period, not deleted on ack: a hub restored from a backup
 * answers with an earlier resume point, and the device must be able to send what the hub lost.
 */
export interface OutboxStore {
  summary(): Promise<OutboxSummary>;
  /**
   * Up to `limit` events after `ackedSeq`, in increasing deviceSeq order; with `after`, only events after
   * both `ackedSeq` and `after` (the pusher reads the next batch while earlier ones await their ack).
   */
  readPending(limit: number, after?: number): Promise<readonly EventEnvelope[]>;
  /**
   * ONE local transaction: ackedSeq becomes max(ackedSeq, ack.lastSeq) and the rejections are recorded.
   * Idempotent: applying the same ack twice changes nothing the second time.
   */
  acknowledge(ack: OutboxAck): Promise<void>;
  /**
   * ONE local transaction: the hub has only `hubLastSeq` (it was restored from a backup), so every
   * retained event after it becomes pending again. If any of those events was already pruned the store
   * must change nothing and throw a DomainError with code SEQUENCE_GAP: the device cannot repair the hub.
   */
  rewind(hubLastSeq: number): Promise<void>;
  /** Deletes events acknowledged before `ackedBefore` (ISO 8601); returns how many were deleted. */
  prune(ackedBefore: string): Promise<number>;
  /**
   * The hub holds nothing of this device beyond `restoredUpTo`: the restored copy is the device's whole
   * history after all, and numbering goes on (`restoredUpTo` becomes undefined). ONE local transaction.
   */
  confirmRestore(): Promise<void>;
  /**
   * Calls `listener` after each local transaction that appended events has committed: never inside that
   * transaction, never for one rolled back. The pusher listens from its `start()` to its `stop()`, so new
   * events go out without waiting for a timer. Returns the unsubscribe.
   */
  onCommitted(listener: () => void): () => void;
}

/**
 * The `onCommitted` side of an outbox: its writer calls `committed()` once the transaction that appended
 * events has committed, and every subscribed reader hears it.
 */
export class OutboxCommitSignal {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  committed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A snapshot being downloaded: enough to resume it after a restart. */
export interface SnapshotProgress {
  readonly epoch: string;
  /** The feed position the snapshot reflects. */
  readonly upTo: number;
  /** The last hubSeq received; the next page starts after it. */
  readonly after: number;
  /** Rows received so far and in the whole snapshot, for a progress indicator. */
  readonly received: number;
  readonly total: number;
}

export interface FeedPosition {
  /** The feed epoch the replica follows; null until a first snapshot has completed. */
  readonly epoch: string | null;
  /** The highest hubSeq whose effects are in the replica. */
  readonly cursor: number;
  readonly snapshot: SnapshotProgress | null;
}

export interface FeedPageToApply {
  readonly epoch: string;
  /** Changes after the saved cursor, in increasing hubSeq order. */
  readonly changes: readonly FeedChange[];
  /** Save with the changes; may pass rows the hub filtered out for this store. Never below the saved cursor. */
  readonly cursor: number;
}

export interface SnapshotPageToApply {
  readonly epoch: string;
  readonly upTo: number;
  /** Upserts only, in increasing hubSeq order, all within (progress.after, upTo]. */
  readonly changes: readonly FeedChange[];
  readonly after: number;
  readonly total: number;
  readonly done: boolean;
}

/**
 * The store's replica of hub data as the puller needs it. Each method is ONE local transaction, so a
 * crash can never leave the cursor ahead of the data it stands for (PouchDB #1240, RxDB #5571).
 */
export interface FeedStore {
  position(): Promise<FeedPosition>;
  /** Applies the changes and saves epoch and cursor together. */
  applyPage(page: FeedPageToApply): Promise<void>;
  /**
   * The hub asked for a re-download: forgets the position (epoch null, cursor 0, no snapshot) and any
   * snapshot in progress, so the next pull downloads a snapshot. The hub data already held keeps serving
   * the till (prices, stock) until a snapshot completes: a till never sells from half a catalog.
   */
  reset(): Promise<void>;
  /**
   * Keeps a snapshot page BESIDE the data the till uses and saves the progress with it; the last page
   * (`done`) replaces the hub data with the whole snapshot and sets the position to
   * `{ epoch, cursor: upTo, snapshot: null }` in the same transaction, so the feed continues from `upTo`.
   */
  applySnapshotPage(page: SnapshotPageToApply): Promise<void>;
}
