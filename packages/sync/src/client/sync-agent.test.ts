import { describe, expect, it } from 'vitest';
import { createEventFactory } from '../testing/event-factory';
import { createHubTransport } from '../testing/hub-transport';
import { ManualScheduler } from '../testing/manual-scheduler';
import { MemoryFeedStore } from '../testing/memory-feed-store';
import { MemoryOutboxStore } from '../testing/memory-outbox-store';
import { ReferenceHub } from '../testing/reference-hub';
import { createSeededRandom } from '../testing/seeded-random';
import { createSyncAgent, type SyncAgentStatus } from './sync-agent';

const principal = { deviceId: 'D1', storeId: 'S1' };

function setup() {
  const scheduler = new ManualScheduler();
  const random = createSeededRandom(7);
  const hub = new ReferenceHub();
  const transport = createHubTransport(hub, principal);
  const outbox = new MemoryOutboxStore(() => new Date(scheduler.now()).toISOString());
  const feed = new MemoryFeedStore();
  const events = createEventFactory({ ...principal, now: () => scheduler.now(), random });
  const agent = createSyncAgent({ transport, outbox, feed, identity: principal, scheduler, random });
  const states: SyncAgentStatus['state'][] = [];
  agent.onStatus((status) => {
    if (states.at(-1) !== status.state) states.push(status.state);
  });
  return { scheduler, hub, transport, outbox, feed, events, agent, states };
}

describe('sync-agent', () => {
  describe('start', () => {
    it('snapshots, pushes the outbox and goes live when the hub is reachable', async () => {
      const t = setup();
      t.hub.change({ entity: 'sku', key: 'A', op: 'upsert', data: { sku: 'A' } });
      t.outbox.append(t.events.next(3));
      t.agent.start();
      await t.scheduler.advance(0);
      expect(t.agent.status().state).toBe('live');
      expect(t.hub.lastSeq('D1')).toBe(3);
      expect(t.feed.data).toEqual(t.hub.dataFor('S1'));
      expect(t.states).toEqual(['connecting', 'catching_up', 'live']);
      await t.agent.stop();
      expect(t.agent.status().state).toBe('stopped');
    });
  });
});
