import { describe, expect, it } from 'vitest';
import { createEventFactory } from './event-factory';
import { createFaultTransport } from './fault-transport';
import { createHubTransport } from './hub-transport';
import { ManualScheduler } from './manual-scheduler';
import { ReferenceHub } from './reference-hub';
import { createSeededRandom } from './seeded-random';

const principal = { deviceId: 'D1', storeId: 'S1' };

async function run(seed: number, calls: number, maxFaults: number) {
  const scheduler = new ManualScheduler();
  const hub = new ReferenceHub();
  const transport = createFaultTransport(createHubTransport(hub, principal), {
    random: createSeededRandom(seed),
    scheduler,
    plan: { callFaultRate: 0.5, connectFailRate: 0, maxFaults },
  });
  const outcomes: string[] = [];
  for (let i = 0; i < calls; i += 1) {
    if (!transport.connected) await transport.connect();
    const result = transport.pull({ cursor: 0, limit: 10 }).then(
      () => 'ok',
      (error: { failure: string }) => error.failure,
    );
    await scheduler.advance(30_000);
    outcomes.push(await result);
  }
  return { outcomes, injected: transport.injected.map((record) => record.fault), transport, scheduler };
}

describe('fault-transport', () => {
  describe('createFaultTransport', () => {
    it('injects the same faults for the same seed', async () => {
      const first = await run(42, 40, 100);
      const second = await run(42, 40, 100);
      expect(second.outcomes).toEqual(first.outcomes);
      expect(second.injected).toEqual(first.injected);
      expect(new Set(first.injected).size).toBeGreaterThan(3);
    });

    it('stops injecting after maxFaults, and after heal', async () => {
      const bounded = await run(7, 60, 5);
      expect(bounded.injected).toHaveLength(5);
      expect(bounded.outcomes.slice(-20).every((outcome) => outcome === 'ok')).toBe(true);
      const healed = await run(7, 1, 100);
      healed.transport.heal();
      const before = healed.transport.injected.length;
      for (let i = 0; i < 20; i += 1) {
        if (!healed.transport.connected) await healed.transport.connect();
        const result = healed.transport.pull({ cursor: 0, limit: 1 });
        await healed.scheduler.advance(0);
        await expect(result).resolves.toMatchObject({ upToDate: true });
      }
      expect(healed.transport.injected).toHaveLength(before);
    });

    it('delivers a lost-ack push to the hub while the caller sees a timeout', async () => {
      const scheduler = new ManualScheduler();
      const hub = new ReferenceHub();
      const transport = createFaultTransport(createHubTransport(hub, principal), {
        random: () => 0,
        scheduler,
        plan: { callFaultRate: 1, faults: ['lostAck'], connectFailRate: 0 },
      });
      await transport.connect();
      const events = createEventFactory({ ...principal, now: () => scheduler.now(), random: () => 0.5 }).next(
        2,
      );
      const result = transport
        .push({ ...principal, events })
        .catch((error: { failure: string }) => error.failure);
      await scheduler.advance(60_000);
      expect(await result).toBe('timeout');
      expect(hub.lastSeq('D1')).toBe(2);
      expect(transport.injected).toEqual([{ fault: 'lostAck', call: 'push' }]);
    });
  });
});
