import { describe, expect, it } from 'vitest';
import type { PullPage, PullRequest, SnapshotPage, SnapshotRequest } from '../server/protocol';
import { createHubTransport } from '../testing/hub-transport';
import { MemoryFeedStore } from '../testing/memory-feed-store';
import { ReferenceHub } from '../testing/reference-hub';
import { createFeedPuller } from './feed-puller';
import { createRefetchGuard } from './refetch-guard';
import type { SnapshotPageToApply, SnapshotProgress } from './stores';
import { SyncTransportError } from './sync-error';
import type { SyncTransport } from './transport';

const principal = { deviceId: 'D1', storeId: 'S1' };

function fill(hub: ReferenceHub, count: number, scope = '*') {
  hub.change(
    ...Array.from({ length: count }, (_, i) => ({
      entity: 'sku',
      key: `${scope}-${i}`,
      op: 'upsert' as const,
      data: { n: i },
      scope,
    })),
  );
}

/** Wraps the reference hub's transport to record requests and let a test replace answers. */
function recording(hub: ReferenceHub) {
  const inner = createHubTransport(hub, principal);
  void inner.connect();
  const pulls: PullRequest[] = [];
  const snapshots: SnapshotRequest[] = [];
  const overrides: { pull?: (page: PullPage) => PullPage; snapshot?: (page: SnapshotPage) => SnapshotPage } =
    {};
  const transport: SyncTransport = {
    ...inner,
    get connected() {
      return inner.connected;
    },
    pull: async (request) => {
      pulls.push(request);
      const page = await inner.pull(request);
      return overrides.pull ? overrides.pull(page) : page;
    },
    snapshot: async (request) => {
      snapshots.push(request);
      const page = await inner.snapshot(request);
      return overrides.snapshot ? overrides.snapshot(page) : page;
    },
  };
  return { transport, pulls, snapshots, overrides };
}

/** A MemoryFeedStore whose snapshot pages wait for the test (`hold`) and are recorded as they are saved. */
class GatedFeedStore extends MemoryFeedStore {
  /** `after` of every snapshot page saved, in order. */
  readonly applied: number[] = [];
  private gate: Promise<void> | null = null;
  /** Called when a snapshot page starts being applied. */
  onApplying: ((page: SnapshotPageToApply) => void) | null = null;

  /** The next snapshot pages wait until the returned function is called. */
  hold(): () => void {
    let open = () => {};
    this.gate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      this.gate = null;
      open();
    };
  }

  override async applySnapshotPage(page: SnapshotPageToApply): Promise<void> {
    this.onApplying?.(page);
    if (this.gate !== null) await this.gate;
    await super.applySnapshotPage(page);
    this.applied.push(page.after);
  }
}

function setup(hub = new ReferenceHub(), maxRefetches = 3, feed = new MemoryFeedStore()) {
  const wire = recording(hub);
  const echoes: number[] = [];
  const progress: (SnapshotProgress | null)[] = [];
  const puller = createFeedPuller({
    feed,
    transport: wire.transport,
    guard: createRefetchGuard({ maxRefetches, windowMs: 60 * 60_000 }),
    now: () => 0,
    pageLimit: 4,
    snapshotLimit: 3,
    onLastSeqEcho: async (lastSeq) => {
      echoes.push(lastSeq);
    },
    onSnapshotProgress: (p) => progress.push(p),
  });
  return { hub, feed, puller, echoes, progress, ...wire };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; failure?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: { code: string; failure?: string }) => error,
  );
}

describe('feed-puller', () => {
  describe('pullUntilUpToDate', () => {
    it('snapshots a new replica page by page with progress, then follows the feed from the snapshot', async () => {
      const t = setup();
      fill(t.hub, 7);
      fill(t.hub, 2, 'S2');
      const result = await t.puller.pullUntilUpToDate();
      expect(t.snapshots.map((request) => [request.after, request.upTo])).toEqual([
        [0, undefined],
        [3, 9],
        [6, 9],
      ]);
      expect(t.progress.map((p) => p && [p.received, p.total])).toEqual([[3, 7], [6, 7], null]);
      expect(t.pulls).toEqual([{ cursor: 9, limit: 4, epoch: 'epoch-1' }]);
      expect(result).toMatchObject({ snapshots: 1, position: { epoch: 'epoch-1', cursor: 9 } });
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
      expect(t.echoes).toEqual([0]);
    });

    it('pulls page after page until up to date, saving the cursor with each page', async () => {
      const t = setup();
      await t.puller.pullUntilUpToDate();
      fill(t.hub, 10);
      t.hub.change({ entity: 'sku', key: '*-3', op: 'delete' });
      await t.puller.pullUntilUpToDate();
      // Deleting *-3 compacted its row 4 away, so the pages end at 5, 9 and the head.
      expect(t.pulls.map((request) => request.cursor)).toEqual([0, 0, 5, 9]);
      expect(t.feed.history.slice(-3).map((position) => position.cursor)).toEqual([5, 9, 11]);
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
      expect(t.feed.data.has('sku:*-3')).toBe(false);
    });

    it('starts a snapshot over when its first page could not be saved', async () => {
      const t = setup();
      fill(t.hub, 8);
      t.feed.failNext('applySnapshotPage');
      await expect(t.puller.pullUntilUpToDate()).rejects.toThrow(/simulated/);
      expect(t.feed.current).toEqual({ epoch: null, cursor: 0, snapshot: null });
      await t.puller.pullUntilUpToDate();
      // The second page (after 3) was asked for while the first was being saved, and dropped when it failed.
      expect(t.snapshots.map((request) => request.after)).toEqual([0, 3, 0, 3, 6]);
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
    });

    it('asks for the next snapshot page while it applies the current one', async () => {
      const feed = new GatedFeedStore();
      const t = setup(new ReferenceHub(), 3, feed);
      fill(t.hub, 8);
      const askedWhileApplying: number[][] = [];
      feed.onApplying = () => askedWhileApplying.push(t.snapshots.map((request) => request.after));
      const open = feed.hold();
      const run = t.puller.pullUntilUpToDate();
      await new Promise((resolve) => setTimeout(resolve, 10));
      // The first page is being applied (held): the request for the second is already out.
      expect(askedWhileApplying).toEqual([[0, 3]]);
      open();
      await run;
      expect(askedWhileApplying).toEqual([
        [0, 3],
        [0, 3, 6],
        [0, 3, 6],
      ]);
      expect(feed.applied).toEqual([3, 6, 8]);
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
    });

    it('keeps the pages in order and the saved progress whole when the hub goes away mid-snapshot', async () => {
      const hub = new ReferenceHub();
      fill(hub, 11);
      const feed = new GatedFeedStore();
      const t = setup(hub, 3, feed);
      let asked = 0;
      t.overrides.snapshot = (page) => {
        asked += 1;
        // The third page is asked for once the second has been checked, before it is applied: gone.
        if (asked === 3) throw new SyncTransportError('unreachable', 'disconnected');
        return page;
      };
      // The second page's apply is still running after the request for the third has failed.
      feed.onApplying = (page) => {
        if (page.after === 6) setTimeout(feed.hold(), 10);
      };
      const error = await failure(t.puller.pullUntilUpToDate());
      expect(error.failure).toBe('unreachable');
      // The page being applied when the request after it failed was saved whole; nothing after it.
      expect(feed.applied).toEqual([3, 6]);
      expect(t.feed.current).toMatchObject({ epoch: null, snapshot: { after: 6, upTo: 11, received: 6 } });
      expect(t.feed.data.size).toBe(0);
      t.overrides.snapshot = undefined;
      feed.onApplying = null;
      await t.puller.pullUntilUpToDate();
      expect(t.snapshots.map((request) => request.after)).toEqual([0, 3, 6, 6, 9]);
      expect(feed.applied).toEqual([3, 6, 9, 11]);
      expect(t.feed.data).toEqual(hub.dataFor('S1'));
    });

    it('never applies a page asked for ahead of one that failed', async () => {
      const feed = new GatedFeedStore();
      const t = setup(new ReferenceHub(), 3, feed);
      fill(t.hub, 8);
      const open = feed.hold();
      t.feed.failNext('applySnapshotPage');
      // The second page's answer is in before the first page's apply fails.
      feed.onApplying = () => setTimeout(open, 20);
      await expect(t.puller.pullUntilUpToDate()).rejects.toThrow(/simulated/);
      expect(t.snapshots.map((request) => request.after)).toEqual([0, 3]);
      expect(feed.applied).toEqual([]);
      expect(t.feed.current).toEqual({ epoch: null, cursor: 0, snapshot: null });
      feed.onApplying = null;
      await t.puller.pullUntilUpToDate();
      expect(feed.applied).toEqual([3, 6, 8]);
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
    });

    it('continues a snapshot saved before a restart from its progress', async () => {
      const hub = new ReferenceHub();
      fill(hub, 8);
      const first = setup(hub);
      let pages = 0;
      first.overrides.snapshot = (page) => {
        pages += 1;
        if (pages === 2) throw new SyncTransportError('timeout', 'lost');
        return page;
      };
      expect((await failure(first.puller.pullUntilUpToDate())).failure).toBe('timeout');
      expect(first.feed.current.snapshot).toMatchObject({ after: 3, upTo: 8, received: 3 });
      first.overrides.snapshot = undefined;
      await first.puller.pullUntilUpToDate();
      expect(first.snapshots.map((r) => [r.after, r.upTo])).toEqual([
        [0, undefined],
        [3, 8],
        [3, 8],
        [6, 8],
      ]);
      expect(first.feed.data).toEqual(hub.dataFor('S1'));
    });

    it('re-snapshots when the hub says mustRefetch, and applies the new epoch', async () => {
      const t = setup();
      fill(t.hub, 3);
      await t.puller.pullUntilUpToDate();
      t.hub.rotateEpoch();
      fill(t.hub, 2);
      const result = await t.puller.pullUntilUpToDate();
      expect(result.snapshots).toBe(1);
      expect(t.feed.resets).toBe(1);
      expect(t.feed.current).toMatchObject({ epoch: 'epoch-2', cursor: 5 });
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
    });

    it('starts the snapshot over when the hub changes epoch halfway through it', async () => {
      const t = setup();
      fill(t.hub, 6);
      let pages = 0;
      t.overrides.snapshot = (page) => {
        pages += 1;
        if (pages === 1) t.hub.rotateEpoch();
        return page;
      };
      await t.puller.pullUntilUpToDate();
      expect(t.feed.current.epoch).toBe('epoch-2');
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
      expect(t.snapshots.filter((request) => request.upTo === undefined)).toHaveLength(2);
    });

    it('stops a refetch loop with LIMIT_EXCEEDED and leaves the replica alone', async () => {
      const t = setup(new ReferenceHub(), 2);
      fill(t.hub, 2);
      await t.puller.pullUntilUpToDate();
      t.overrides.pull = (page) => ({ ...page, mustRefetch: true, epoch: 'elsewhere' });
      const error = await failure(t.puller.pullUntilUpToDate());
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(t.feed.resets).toBe(2);
      expect(t.feed.current.epoch).toBe('epoch-1');
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
    });

    it('applies nothing from an answer that breaks the protocol', async () => {
      const broken: ((page: PullPage) => PullPage)[] = [
        (page) => ({ ...page, cursor: 1 }),
        (page) => ({ ...page, epoch: 'epoch-x' }),
        (page) => ({ ...page, changes: [...page.changes].reverse() }),
        (page) => ({ ...page, changes: [{ hubSeq: 2, entity: 'sku', key: 'old', op: 'delete' }] }),
        (page) => ({
          ...page,
          cursor: page.cursor + 100,
          changes: [{ hubSeq: page.cursor + 101, entity: 'sku', key: 'x', op: 'delete' }],
        }),
        (page) => ({ ...page, changes: [], cursor: 3, upToDate: false }),
      ];
      for (const breakPage of broken) {
        const t = setup();
        fill(t.hub, 3);
        await t.puller.pullUntilUpToDate();
        fill(t.hub, 3);
        const before = [...t.feed.data];
        t.overrides.pull = breakPage;
        expect((await failure(t.puller.pullUntilUpToDate())).failure).toBe('protocol');
        expect(t.feed.current.cursor).toBe(3);
        expect([...t.feed.data]).toEqual(before);
      }
    });

    it('keeps the cursor where it was when applying a page fails', async () => {
      const t = setup();
      await t.puller.pullUntilUpToDate();
      fill(t.hub, 2);
      t.feed.failNext('applyPage');
      await expect(t.puller.pullUntilUpToDate()).rejects.toThrow(/simulated/);
      expect(t.feed.current.cursor).toBe(0);
      expect(t.feed.data.size).toBe(0);
      await t.puller.pullUntilUpToDate();
      expect(t.feed.current.cursor).toBe(2);
    });

    it('refuses to run twice at once', async () => {
      const t = setup();
      const first = t.puller.pullUntilUpToDate();
      expect((await failure(t.puller.pullUntilUpToDate())).code).toBe('CONFLICT');
      await first;
    });
  });
});
