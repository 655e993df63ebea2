import { DomainError } from '@retail/domain';
import type { FeedChange } from '../feed';
import type {
  FeedPageToApply,
  FeedPosition,
  FeedStore,
  SnapshotPageToApply,
  SnapshotProgress,
} from '../client/stores';

type FeedMethod = 'position' | 'applyPage' | 'reset' | 'applySnapshotPage';

/** The replica key of one hub row. */
export function feedKey(entity: string, key: string): string {
  return `${entity}:${key}`;
}

/**
 * The reference FeedStore, in memory. It refuses (and records) any attempt to move the cursor backwards
 * within an epoch, so a model test can assert that it never happened.
 */
export class MemoryFeedStore implements FeedStore {
  data = new Map<string, unknown>();
  /** A snapshot being downloaded, beside `data` until its last page. */
  private staged = new Map<string, unknown>();
  private epoch: string | null = null;
  private cursor = 0;
  private snapshot: SnapshotProgress | null = null;
  private readonly failures = new Set<FeedMethod>();
  /** Every saved (epoch, cursor), in order. */
  readonly history: { epoch: string | null; cursor: number }[] = [];
  /** Attempts to move the cursor backwards within an epoch (must stay empty). */
  readonly regressions: string[] = [];
  resets = 0;

  /** The saved position, read synchronously (tests). */
  get current(): FeedPosition {
    return { epoch: this.epoch, cursor: this.cursor, snapshot: this.snapshot };
  }

  failNext(method: FeedMethod): void {
    this.failures.add(method);
  }

  /** Forgets failures armed with failNext that nothing has hit yet. */
  clearFailures(): void {
    this.failures.clear();
  }

  private maybeFail(method: FeedMethod): void {
    if (this.failures.delete(method)) throw new Error(`simulated storage failure in ${method}`);
  }

  private save(epoch: string | null, cursor: number): void {
    if (epoch !== null && epoch === this.epoch && cursor < this.cursor) {
      this.regressions.push(`${epoch}: ${this.cursor} -> ${cursor}`);
      throw new DomainError('CONFLICT', `The feed cursor cannot move back from ${this.cursor} to ${cursor}.`);
    }
    this.epoch = epoch;
    this.cursor = cursor;
    this.history.push({ epoch, cursor });
  }

  private static applyChanges(data: Map<string, unknown>, changes: readonly FeedChange[]): void {
    for (const change of changes) {
      const key = feedKey(change.entity, change.key);
      if (change.op === 'delete') data.delete(key);
      else data.set(key, structuredClone(change.data));
    }
  }

  async position(): Promise<FeedPosition> {
    this.maybeFail('position');
    return { epoch: this.epoch, cursor: this.cursor, snapshot: this.snapshot };
  }

  async applyPage(page: FeedPageToApply): Promise<void> {
    this.maybeFail('applyPage');
    if (this.snapshot !== null || this.epoch !== page.epoch) {
      throw new DomainError('CONFLICT', `This replica follows feed ${this.epoch}, not ${page.epoch}.`);
    }
    const next = new Map(this.data);
    MemoryFeedStore.applyChanges(next, page.changes);
    this.save(page.epoch, page.cursor);
    this.data = next;
  }

  async reset(): Promise<void> {
    this.maybeFail('reset');
    this.staged = new Map();
    this.snapshot = null;
    this.epoch = null;
    this.cursor = 0;
    this.history.push({ epoch: null, cursor: 0 });
    this.resets += 1;
  }

  async applySnapshotPage(page: SnapshotPageToApply): Promise<void> {
    this.maybeFail('applySnapshotPage');
    if (this.epoch !== null) {
      throw new DomainError('CONFLICT', 'A snapshot can only be applied to a reset replica.');
    }
    if (this.snapshot !== null && (this.snapshot.epoch !== page.epoch || this.snapshot.upTo !== page.upTo)) {
      throw new DomainError('CONFLICT', 'This snapshot page belongs to another snapshot.');
    }
    const next = new Map(this.snapshot === null ? [] : this.staged);
    MemoryFeedStore.applyChanges(next, page.changes);
    const received = (this.snapshot?.received ?? 0) + page.changes.length;
    if (page.done) {
      this.save(page.epoch, page.upTo);
      this.snapshot = null;
      this.data = next;
      this.staged = new Map();
    } else {
      this.snapshot = { epoch: page.epoch, upTo: page.upTo, after: page.after, received, total: page.total };
      this.staged = next;
    }
  }
}
