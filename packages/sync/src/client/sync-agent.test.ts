import { describe, expect, it } from 'vitest';
import type { PushRequest } from '../server/protocol';
import { createEventFactory } from '../testing/event-factory';
import { createHubTransport } from '../testing/hub-transport';
import { ManualScheduler } from '../testing/manual-scheduler';
import { MemoryFeedStore } from '../testing/memory-feed-store';
import { MemoryOutboxStore } from '../testing/memory-outbox-store';
import { ReferenceHub } from '../testing/reference-hub';
import { createSeededRandom } from '../testing/seeded-random';
import type { DeviceRestoredError } from './device-restore';
import { createSyncAgent, type SyncAgentOptions, type SyncAgentStatus } from './sync-agent';
import { SyncTransportError } from './sync-error';
import type { SyncTransport } from './transport';

const principal = { deviceId: 'D1', storeId: 'S1' };
const SECOND = 1_000;
const MINUTE = 60 * SECOND;

function setup(overrides: Partial<SyncAgentOptions> = {}, skewMs = 0) {
  const scheduler = new ManualScheduler();
  const clock = scheduler.skewed(skewMs);
  const random = createSeededRandom(7);
  const hub = new ReferenceHub();
  const hubSide = createHubTransport(hub, principal);
  const outbox = new MemoryOutboxStore(() => new Date(clock.now()).toISOString());
  const feed = new MemoryFeedStore();
  const events = createEventFactory({ ...principal, now: () => clock.now(), random });
  const pushes: PushRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let pulls = 0;
  const transport: SyncTransport = {
    ...hubSide,
    get connected() {
      return hubSide.connected;
    },
    connect: () => (overrides.transport ?? hubSide).connect(),
    push: async (request) => {
      pushes.push(request);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await (overrides.transport ?? hubSide).push(request);
      } finally {
        inFlight -= 1;
      }
    },
    pull: (request) => {
      pulls += 1;
      return (overrides.transport ?? hubSide).pull(request);
    },
  };
  const agent = createSyncAgent({
    transport,
    outbox,
    feed,
    identity: principal,
    scheduler: clock,
    random,
    ...overrides,
    ...(overrides.transport ? {} : { transport }),
  });
  const states: SyncAgentStatus['state'][] = [];
  agent.onStatus((status) => {
    if (states.at(-1) !== status.state) states.push(status.state);
  });
  return {
    scheduler,
    clock,
    hub,
    hubSide,
    transport,
    outbox,
    feed,
    events,
    agent,
    states,
    pushes,
    maxInFlight: () => maxInFlight,
    pulls: () => pulls,
  };
}

describe('sync-agent', () => {
  describe('start', () => {
    it('snapshots, pushes the outbox and goes live when the hub is reachable', async () => {
      const t = setup();
      t.hub.change({ entity: 'sku', key: 'A', op: 'upsert', data: { sku: 'A' } });
      t.outbox.append(t.events.next(3));
      t.agent.start();
      await t.scheduler.advance(0);
      expect(t.agent.status()).toMatchObject({
        state: 'live',
        pendingEvents: 0,
        oldestPendingAt: null,
        lastPullAt: '2026-11-23T09:00:00.000Z',
        lastPushAt: '2026-11-23T09:00:00.000Z',
        error: null,
      });
      expect(t.hub.lastSeq('D1')).toBe(3);
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
      expect(t.states).toEqual(['connecting', 'catching_up', 'live']);
    });

    it('waits offline and retries with growing, jittered delays while the hub is down', async () => {
      const t = setup({ backoff: { baseMs: SECOND, capMs: 5 * MINUTE } });
      t.hubSide.setHubDown(true);
      t.outbox.append(t.events.next(2));
      t.agent.start();
      await t.scheduler.advance(0);
      expect(t.agent.status()).toMatchObject({
        state: 'offline',
        pendingEvents: 2,
        error: { code: 'HUB_UNAVAILABLE' },
      });
      const waits: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const retryAt = Date.parse(t.agent.status().nextRetryAt!);
        waits.push(retryAt - t.scheduler.now());
        await t.scheduler.advance(retryAt - t.scheduler.now());
      }
      waits.forEach((wait, attempt) => expect(wait).toBeLessThan(SECOND * 2 ** attempt));
      t.hubSide.setHubDown(false);
      await t.scheduler.runUntil(() => t.agent.status().state === 'live', { maxMs: 10 * MINUTE });
      expect(t.hub.lastSeq('D1')).toBe(2);
    });
  });

  describe('reconnect backoff', () => {
    it('keeps backing off when connecting succeeds but every call fails, as HTTP does during an outage', async () => {
      const t = setup({ backoff: { baseMs: SECOND, capMs: 5 * MINUTE } });
      let connects = 0;
      const transport: SyncTransport = {
        ...t.transport,
        get connected() {
          return t.transport.connected;
        },
        connect: async () => {
          connects += 1;
          await t.transport.connect();
        },
        pull: () => Promise.reject(new SyncTransportError('unreachable', 'down')),
        push: () => Promise.reject(new SyncTransportError('unreachable', 'down')),
      };
      const agent = createSyncAgent({
        transport,
        outbox: t.outbox,
        feed: t.feed,
        identity: principal,
        scheduler: t.scheduler,
        random: createSeededRandom(3),
      });
      agent.start();
      await t.scheduler.advance(30 * MINUTE);
      // Resetting the backoff on every "successful" connect would make this about 3,600.
      expect(connects).toBeLessThan(40);
      expect(agent.status().state).toBe('offline');
      await agent.stop();
    });
  });

  describe('local commits (the outbox says events were committed)', () => {
    it('pushes new events at once, one batch in flight however many commits arrive', async () => {
      const t = setup({ batchSize: 5 });
      t.agent.start();
      await t.scheduler.advance(0);
      for (let i = 0; i < 8; i += 1) {
        t.outbox.append(t.events.next(3));
        t.outbox.committed();
      }
      await t.scheduler.advance(0);
      expect(t.agent.status()).toMatchObject({ error: null });
      expect(t.hub.lastSeq('D1')).toBe(24);
      expect(t.maxInFlight()).toBe(1);
      expect(t.pushes.every((push) => push.events.length <= 5)).toBe(true);
      expect(t.agent.status().state).toBe('live');
    });
  });

  describe('pokes', () => {
    it('pulls when the hub pokes, and on a timer when pokes are lost', async () => {
      const t = setup({ livePullIntervalMs: MINUTE });
      t.agent.start();
      await t.scheduler.advance(0);
      t.hub.change({ entity: 'price', key: 'P', op: 'upsert', data: { amount: 1 } });
      await t.scheduler.advance(0);
      expect(t.feed.data.get('price:P')).toEqual({ amount: 1 });
      const stopPokes = t.hubSide.onPoke;
      expect(stopPokes).toBeTypeOf('function');
      t.hubSide.drop();
      await t.scheduler.runUntil(() => t.agent.status().state === 'live');
      const before = t.pulls();
      await t.scheduler.advance(MINUTE);
      expect(t.pulls()).toBeGreaterThan(before);
    });
  });

  describe('reconnect', () => {
    it('goes offline on a dropped connection and pulls again after reconnecting', async () => {
      const t = setup();
      t.agent.start();
      await t.scheduler.advance(0);
      const pullsBefore = t.pulls();
      t.hubSide.drop();
      await t.scheduler.advance(0);
      expect(t.agent.status().state).toBe('offline');
      t.outbox.append(t.events.next(1));
      t.outbox.committed();
      await t.scheduler.runUntil(() => t.agent.status().state === 'live');
      expect(t.pulls()).toBe(pullsBefore + 1);
      expect(t.hub.lastSeq('D1')).toBe(1);
      expect(t.states).toEqual([
        'connecting',
        'catching_up',
        'live',
        'offline',
        'connecting',
        'catching_up',
        'live',
      ]);
    });
  });

  describe('failures', () => {
    it('waits at least the retryAfter the hub asked for', async () => {
      const t = setup();
      let busyUntil = 0;
      const transport: SyncTransport = {
        ...t.transport,
        get connected() {
          return t.transport.connected;
        },
        push: (request) =>
          t.scheduler.now() < busyUntil
            ? Promise.reject(new SyncTransportError('busy', 'busy', { retryAfterMs: 30 * SECOND }))
            : t.transport.push(request),
      };
      const agent = createSyncAgent({
        transport,
        outbox: t.outbox,
        feed: t.feed,
        identity: principal,
        scheduler: t.scheduler,
        random: Math.random,
      });
      agent.start();
      await t.scheduler.advance(0);
      busyUntil = t.scheduler.now() + 30 * SECOND;
      t.outbox.append(t.events.next(1));
      t.outbox.committed();
      await t.scheduler.advance(0);
      expect(agent.status()).toMatchObject({
        state: 'catching_up',
        pendingEvents: 1,
        error: { code: 'RATE_LIMITED' },
      });
      await t.scheduler.advance(30 * SECOND - 1);
      expect(t.hub.lastSeq('D1')).toBe(0);
      await t.scheduler.runUntil(() => t.hub.lastSeq('D1') === 1, { maxMs: 2 * MINUTE });
      expect(agent.status()).toMatchObject({ state: 'live', error: null });
      await agent.stop();
    });

    it('shows an error when the hub refuses the credential, and tries again on syncNow', async () => {
      const t = setup();
      let refuse = true;
      const transport: SyncTransport = {
        ...t.transport,
        get connected() {
          return t.transport.connected;
        },
        connect: () =>
          refuse ? Promise.reject(new SyncTransportError('unauthorized', 'refused')) : t.transport.connect(),
      };
      const agent = createSyncAgent({
        transport,
        outbox: t.outbox,
        feed: t.feed,
        identity: principal,
        scheduler: t.scheduler,
        random: Math.random,
      });
      agent.start();
      await t.scheduler.advance(0);
      expect(agent.status()).toMatchObject({
        state: 'error',
        error: { code: 'UNAUTHORIZED', message: 'refused' },
      });
      refuse = false;
      agent.syncNow();
      await t.scheduler.advance(0);
      expect(agent.status().state).toBe('live');
      await agent.stop();
    });

    it('stops a refetch loop with an error state while events still go out', async () => {
      const t = setup({
        refetchGuard: { maxRefetches: 2, windowMs: 60 * MINUTE },
        livePullIntervalMs: MINUTE,
      });
      t.agent.start();
      await t.scheduler.advance(0);
      for (let i = 0; i < 3; i += 1) {
        t.hub.rotateEpoch();
        await t.scheduler.advance(0);
      }
      expect(t.agent.status()).toMatchObject({ state: 'error', error: { code: 'LIMIT_EXCEEDED' } });
      t.outbox.append(t.events.next(2));
      t.outbox.committed();
      await t.scheduler.advance(0);
      expect(t.hub.lastSeq('D1')).toBe(2);
      await t.scheduler.runUntil(() => t.agent.status().state === 'live', { maxMs: 2 * 60 * MINUTE });
      expect(t.feed.current.epoch).toBe(t.hub.epoch);
    });

    it('shows SEQUENCE_GAP when a restored hub lost events this till has pruned', async () => {
      const t = setup({ outboxRetentionMs: MINUTE, pruneIntervalMs: MINUTE });
      t.agent.start();
      const backup = t.hub.backup();
      t.outbox.append(t.events.next(3));
      t.outbox.committed();
      await t.scheduler.advance(0);
      await t.scheduler.advance(3 * MINUTE);
      expect(t.outbox.retained()).toHaveLength(0);
      t.hub.restore(backup);
      await t.scheduler.advance(0);
      expect(t.agent.status()).toMatchObject({ state: 'error', error: { code: 'SEQUENCE_GAP' } });
      expect(t.agent.status().error?.message).toMatch(/lost this till.s events 1 to 3/);
    });

    it('stops pushing a restored copy the hub is ahead of, says why, and calls the restore handler', async () => {
      const found: DeviceRestoredError[] = [];
      const t = setup({ onDeviceRestored: (error) => found.push(error) });
      t.outbox.append(t.events.next(4));
      t.agent.start();
      await t.scheduler.runUntil(() => t.hub.lastSeq('D1') === 4);
      // The till's data is put back to a backup that held events 1-2, all acknowledged.
      t.outbox.restoreFrom({ upTo: 2, ackedSeq: 2 });
      t.agent.syncNow();
      await t.scheduler.advance(0);
      expect(t.agent.status()).toMatchObject({ state: 'error', error: { code: 'CONFLICT' } });
      expect(t.agent.status().error?.message).toMatch(/restored from a backup/);
      expect(found.map((error) => error.evidence)).toEqual([{ hubLastSeq: 4, writtenSeq: 2 }]);
      expect(t.pushes.at(-1)?.events).toEqual([]);
    });

    it('retries after a local storage failure and reports it meanwhile', async () => {
      const t = setup();
      t.agent.start();
      await t.scheduler.advance(0);
      t.outbox.append(t.events.next(1));
      t.outbox.failNext('readPending');
      t.outbox.committed();
      await t.scheduler.advance(0);
      expect(t.agent.status()).toMatchObject({ state: 'catching_up', error: { code: 'INTERNAL' } });
      await t.scheduler.runUntil(() => t.agent.status().state === 'live');
      expect(t.hub.lastSeq('D1')).toBe(1);
    });

    it('lists events the hub rejected, with their reasons, in the status', async () => {
      const t = setup();
      t.outbox.append(t.events.next(1, { invalid: true }));
      t.agent.start();
      await t.scheduler.advance(0);
      expect(t.agent.status().rejected).toEqual([
        expect.objectContaining({ deviceSeq: 1, reason: expect.stringMatching(/movements/) }),
      ]);
    });
  });

  describe('stop', () => {
    it('stops cleanly with a call in flight and sends nothing afterwards', async () => {
      const t = setup();
      let release: () => void = () => undefined;
      const transport: SyncTransport = {
        ...t.transport,
        get connected() {
          return t.transport.connected;
        },
        push: (request) =>
          new Promise((resolve, reject) => {
            release = () => reject(new SyncTransportError('unreachable', 'closed'));
            void request;
          }),
        disconnect: () => {
          release();
          t.transport.disconnect();
        },
      };
      const agent = createSyncAgent({
        transport,
        outbox: t.outbox,
        feed: t.feed,
        identity: principal,
        scheduler: t.scheduler,
        random: Math.random,
      });
      t.outbox.append(t.events.next(1));
      agent.start();
      await t.scheduler.advance(0);
      await agent.stop();
      expect(agent.status().state).toBe('stopped');
      expect(t.scheduler.pendingTimers()).toBe(0);
      t.outbox.committed();
      await t.scheduler.advance(10 * MINUTE);
      expect(agent.status().state).toBe('stopped');
    });
  });

  describe('clock skew', () => {
    it('gives the same results with device clocks a day ahead or behind', async () => {
      async function scenario(skewMs: number) {
        const t = setup({ batchSize: 4 }, skewMs);
        t.hub.change({ entity: 'sku', key: 'A', op: 'upsert', data: { v: 1 } });
        t.outbox.append(t.events.next(5));
        t.agent.start();
        await t.scheduler.advance(0);
        t.hubSide.drop();
        t.outbox.append(t.events.next(3, { invalid: true }));
        t.outbox.append(t.events.next(2));
        t.hub.change(
          { entity: 'sku', key: 'A', op: 'delete' },
          { entity: 'sku', key: 'B', op: 'upsert', data: {} },
        );
        await t.scheduler.runUntil(() => t.agent.status().state === 'live');
        await t.agent.stop();
        return {
          applied: t.hub.history('D1').map((record) => [record.deviceSeq, record.status]),
          data: [...t.feed.data],
          position: t.feed.current,
          acked: t.outbox.acknowledged,
          rejected: (await t.outbox.summary()).rejected.map((r) => r.deviceSeq),
        };
      }
      const day = 24 * 60 * MINUTE;
      const baseline = await scenario(0);
      expect(baseline.applied).toHaveLength(10);
      expect(await scenario(day)).toEqual(baseline);
      expect(await scenario(-day)).toEqual(baseline);
    });
  });
});
