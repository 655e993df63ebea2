import { DomainError } from '@retail/domain';
import type { FeedChange } from '../feed';
import { DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, type PullPage, type SnapshotPage } from '../server/protocol';
import type { RefetchGuard } from './refetch-guard';
import type { FeedPosition, FeedStore, SnapshotProgress } from './stores';
import { SyncTransportError } from './sync-error';
import type { SyncTransport } from './transport';

export interface PullRunResult {
  readonly pages: number;
  readonly changes: number;
  readonly snapshots: number;
  readonly position: FeedPosition;
}

export interface FeedPullerOptions {
  readonly feed: FeedStore;
  readonly transport: SyncTransport;
  readonly guard: RefetchGuard;
  /** Device wall clock in ms, for the refetch guard. */
  readonly now: () => number;
  readonly pageLimit?: number;
  readonly snapshotLimit?: number;
  /** The device's lastSeq the hub echoed on every pull page (settles lost push acks). */
  readonly onLastSeqEcho?: (lastSeq: number) => Promise<void>;
  readonly onSnapshotProgress?: (progress: SnapshotProgress | null) => void;
}

export interface FeedPuller {
  /** Pulls pages until the hub says `upToDate`, snapshotting first when the replica has no epoch. */
  pullUntilUpToDate(): Promise<PullRunResult>;
}

/**
 * A snapshot page is as large as any hub accepts (MAX_PULL_LIMIT): a first sync is hundreds of pages, each
 * with its own request, reads at the hub and staging savepoint at the till. The live feed keeps its page.
 */
export const DEFAULT_SNAPSHOT_LIMIT = MAX_PULL_LIMIT;

/** Pages are bounded per run so a hub that never says `upToDate` cannot hold the loop forever. */
const MAX_PAGES_PER_RUN = 100_000;

function checkLimit(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PULL_LIMIT) {
    throw new DomainError('INVALID_INPUT', 'sync.mustChanges', { name, MAX_PULL_LIMIT }, { value });
  }
  return value;
}

function offProtocol(detail: string): SyncTransportError {
  return new SyncTransportError('protocol', 'sync.hubFeedAnswerInconsistent', { detail });
}

/** Changes must be strictly increasing and inside (after, upTo]. */
function checkChangeOrder(changes: readonly FeedChange[], after: number, upTo: number, what: string): void {
  let previous = after;
  for (const change of changes) {
    if (change.hubSeq <= previous) throw offProtocol(`${what} change ${change.hubSeq} after ${previous}`);
    if (change.hubSeq > upTo) throw offProtocol(`${what} change ${change.hubSeq} beyond ${upTo}`);
    previous = change.hubSeq;
  }
}

function refetchLoop(retryAt: number, recent: number): DomainError {
  return new DomainError(
    'LIMIT_EXCEEDED',
    'sync.hubAskedTillDownload',
    { recent },
    { retryAt: new Date(retryAt).toISOString() },
  );
}

export function createFeedPuller(options: FeedPullerOptions): FeedPuller {
  const { feed, transport, guard } = options;
  const pageLimit = checkLimit('page limit', options.pageLimit ?? DEFAULT_PULL_LIMIT);
  const snapshotLimit = checkLimit('snapshot page limit', options.snapshotLimit ?? DEFAULT_SNAPSHOT_LIMIT);
  let running = false;

  function acquireRefetch(): void {
    const now = options.now();
    const decision = guard.tryAcquire(now);
    if (!decision.allowed) throw refetchLoop(decision.retryAt, guard.recent(now));
  }

  /**
   * Downloads a snapshot page by page, saving progress with each page so a restart resumes it. The hub
   * fixes `upTo` on the first page; the feed then continues from there, which also delivers whatever
   * changed while the pages were being read.
   *
   * Pipelined: once a page has been checked, the request for the next one (it starts after this page's
   * `after`) goes out before this page is applied, so the hub reads and sends page N + 1 while the till
   * writes page N. Pages are still applied one at a time, in order, each only after the one before it
   * was saved; a page is never applied after an earlier one failed (its answer is dropped), and a
   * disconnect rejects the request in flight like any other call, so the next run resumes from the last
   * saved page as before.
   */
  async function snapshot(resume: SnapshotProgress | null): Promise<number> {
    let progress = resume;
    let pages = 0;
    const requestAfter = (from: SnapshotProgress | null) =>
      transport.snapshot(
        from === null
          ? { after: 0, limit: snapshotLimit }
          : { after: from.after, upTo: from.upTo, limit: snapshotLimit },
      );
    // The request for the next page runs while this page is written; if it fails meanwhile, nothing
    // awaits it yet, and an unobserved rejection ends a Node process. Observed at once, it still rejects
    // where it is awaited; a page asked for ahead of one whose write failed is never applied, its answer
    // (or failure) dropped.
    const requestAhead = (from: SnapshotProgress) => {
      const ahead = requestAfter(from);
      ahead.catch(() => undefined);
      return ahead;
    };
    let next: Promise<SnapshotPage> | null = requestAfter(progress);
    for (;;) {
      const page: SnapshotPage = await (next ?? requestAfter(progress));
      next = null;
      if (progress !== null && page.epoch !== progress.epoch) {
        // The hub started a new feed epoch mid-download: the rows so far belong to the old one.
        acquireRefetch();
        await feed.reset();
        progress = null;
        options.onSnapshotProgress?.(null);
        next = requestAfter(null);
        continue;
      }
      if (progress !== null && page.upTo !== progress.upTo) {
        throw offProtocol(`snapshot up to ${page.upTo} instead of ${progress.upTo}`);
      }
      const after = progress?.after ?? 0;
      checkChangeOrder(page.changes, after, page.upTo, 'snapshot');
      if (page.changes.some((change) => change.op !== 'upsert'))
        throw offProtocol('a snapshot holds upserts only');
      const lastSeq = page.changes.at(-1)?.hubSeq ?? after;
      if (page.after < lastSeq || page.after > page.upTo) {
        throw offProtocol(`snapshot resumes after ${page.after}`);
      }
      if (!page.done && page.after === after) throw offProtocol('snapshot page without progress');
      const received = (progress?.received ?? 0) + page.changes.length;
      const reached: SnapshotProgress = {
        epoch: page.epoch,
        upTo: page.upTo,
        after: page.after,
        received,
        total: Math.max(page.total, received),
      };
      if (!page.done) next = requestAhead(reached);
      await feed.applySnapshotPage({
        epoch: page.epoch,
        upTo: page.upTo,
        changes: page.changes,
        after: page.done ? page.upTo : page.after,
        total: page.total,
        done: page.done,
      });
      pages += 1;
      progress = reached;
      options.onSnapshotProgress?.(page.done ? null : progress);
      if (page.done) return pages;
    }
  }

  return {
    async pullUntilUpToDate() {
      if (running) throw new DomainError('CONFLICT', 'sync.pullAlreadyRunning');
      running = true;
      try {
        let pages = 0;
        let changes = 0;
        let snapshots = 0;
        let position = await feed.position();
        for (let round = 0; round < MAX_PAGES_PER_RUN; round += 1) {
          if (position.epoch === null || position.snapshot !== null) {
            // A first sync, or a snapshot a restart interrupted: not a refetch loop, no guard.
            pages += await snapshot(position.snapshot);
            snapshots += 1;
            position = await feed.position();
            continue;
          }
          const page: PullPage = await transport.pull({
            cursor: position.cursor,
            limit: pageLimit,
            epoch: position.epoch,
          });
          await options.onLastSeqEcho?.(page.lastSeq);
          if (page.mustRefetch) {
            acquireRefetch();
            await feed.reset();
            position = await feed.position();
            continue;
          }
          if (page.epoch !== position.epoch) {
            throw offProtocol(`a page of feed ${page.epoch} for a till following ${position.epoch}`);
          }
          if (page.cursor < position.cursor)
            throw offProtocol(`cursor ${page.cursor} behind ${position.cursor}`);
          checkChangeOrder(page.changes, position.cursor, page.cursor, 'feed');
          if (!page.upToDate && page.cursor === position.cursor) throw offProtocol('a page without progress');
          if (page.cursor > position.cursor || page.changes.length > 0) {
            await feed.applyPage({ epoch: page.epoch, changes: page.changes, cursor: page.cursor });
          }
          pages += 1;
          changes += page.changes.length;
          position = { epoch: page.epoch, cursor: page.cursor, snapshot: null };
          if (page.upToDate) return { pages, changes, snapshots, position };
        }
        throw offProtocol(`more than ${MAX_PAGES_PER_RUN} pages without being up to date`);
      } finally {
        running = false;
      }
    },
  };
}
