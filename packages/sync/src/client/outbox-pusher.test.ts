import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../envelope';
import type { PushAck, PushRequest } from '../server/protocol';
import { createEventFactory } from '../testing/event-factory';
import { createHubTransport } from '../testing/hub-transport';
import { MemoryOutboxStore } from '../testing/memory-outbox-store';
import { ReferenceHub } from '../testing/reference-hub';
import { createSeededRandom } from '../testing/seeded-random';
import { DeviceRestoredError } from './device-restore';
import { createOutboxPusher } from './outbox-pusher';
import type { OutboxStore } from './stores';
import { SyncTransportError } from './sync-error';
import type { SyncTransport } from './transport';

const principal = { deviceId: 'D1', storeId: 'S1' };
const nowIso = () => '2026-11-23T10:00:00.000Z';

function setup(batchSize = 10) {
  const hub = new ReferenceHub();
  const transport = createHubTransport(hub, principal);
  void transport.connect();
  const outbox = new MemoryOutboxStore(nowIso);
  const factory = createEventFactory({
    ...principal,
    now: () => Date.UTC(2026, 10, 23),
    random: createSeededRandom(9),
  });
  const pusher = createOutboxPusher({ outbox, transport, identity: principal, nowIso, batchSize });
  return { hub, transport, outbox, factory, pusher };
}

/** A transport whose push is scripted by the test; pull and snapshot are never used here. */
function scriptedTransport(push: (request: PushRequest) => Promise<PushAck>): SyncTransport {
  const never = () => Promise.reject(new SyncTransportError('unreachable', 'not used'));
  return {
    connected: true,
    connect: async () => undefined,
    disconnect: () => undefined,
    push,
    pull: never,
    snapshot: never,
    onPoke: () => () => undefined,
    onConnectionChange: () => () => undefined,
  };
}

const accepted = (events: readonly EventEnvelope[], lastSeq: number): PushAck => ({
  deviceId: 'D1',
  lastSeq,
  results: events.map((event) => ({
    eventId: event.eventId,
    deviceSeq: event.deviceSeq,
    status: 'accepted',
  })),
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; failure?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: { code: string; failure?: string }) => error,
  );
}

describe('outbox-pusher', () => {
  describe('pushUntilDrained', () => {
    it('sends the outbox in deviceSeq order in batches of at most the batch size, one at a time', async () => {
      const { outbox, factory } = setup();
      outbox.append(factory.next(23));
      const batches: number[][] = [];
      let inFlight = 0;
      const pusher = createOutboxPusher({
        outbox,
        identity: principal,
        nowIso,
        batchSize: 10,
        transport: scriptedTransport(async (request) => {
          inFlight += 1;
          expect(inFlight).toBe(1);
          batches.push(request.events.map((event) => event.deviceSeq));
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
          return accepted(request.events, request.events.at(-1)!.deviceSeq);
        }),
      });
      const result = await pusher.pushUntilDrained();
      expect(batches.map((batch) => [batch[0], batch.length])).toEqual([
        [1, 10],
        [11, 10],
        [21, 3],
      ]);
      expect(result).toMatchObject({ batches: 3, accepted: 23, duplicates: 0, rejected: 0 });
      expect((await outbox.summary()).pending).toBe(0);
    });

    it('stops after a batch that exactly fills the batch size instead of pushing again (RxDB #3727)', async () => {
      const { outbox, factory } = setup();
      outbox.append(factory.next(10));
      let calls = 0;
      const pusher = createOutboxPusher({
        outbox,
        identity: principal,
        nowIso,
        batchSize: 10,
        transport: scriptedTransport(async (request) => {
          calls += 1;
          return accepted(request.events, 10);
        }),
      });
      await pusher.pushUntilDrained();
      await pusher.pushUntilDrained();
      expect(calls).toBe(1);
    });

    it('reports with each batch the backlog left once the hub has it, 0 after the last', async () => {
      const { outbox, factory } = setup();
      const events = factory.next(5);
      outbox.append(events);
      const reports: unknown[] = [];
      const pusher = createOutboxPusher({
        outbox,
        identity: principal,
        nowIso,
        batchSize: 2,
        transport: scriptedTransport(async (request) => {
          reports.push(request.outbox);
          return accepted(request.events, request.events.at(-1)!.deviceSeq);
        }),
      });
      await pusher.pushUntilDrained();
      expect(reports).toEqual([
        { pending: 3, oldestPendingAt: events[2]!.occurredAt },
        { pending: 1, oldestPendingAt: events[4]!.occurredAt },
        { pending: 0 },
      ]);
      expect((await outbox.summary()).pending).toBe(0);
    });

    it('settles a lost ack on the next push: what the hub already has comes back as duplicate', async () => {
      const { hub, outbox, factory, pusher } = setup();
      const events = factory.next(5);
      outbox.append(events);
      await hub.push(principal, { ...principal, events: events.slice(0, 3) });
      const result = await pusher.pushUntilDrained();
      expect(result).toMatchObject({ duplicates: 3, accepted: 2 });
      expect(hub.history('D1').map((record) => record.deviceSeq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('records rejected events with their reasons and keeps sending what follows them', async () => {
      const { hub, outbox, factory, pusher } = setup();
      outbox.append(factory.next(2));
      const poison = factory.next(1, { invalid: true });
      outbox.append(poison);
      outbox.append(factory.next(2));
      const result = await pusher.pushUntilDrained();
      expect(result).toMatchObject({ accepted: 4, rejected: 1 });
      const summary = await outbox.summary();
      expect(summary.pending).toBe(0);
      expect(summary.rejected).toEqual([
        expect.objectContaining({ eventId: poison[0]!.eventId, deviceSeq: 3, rejectedAt: nowIso() }),
      ]);
      expect(summary.rejected[0]?.reason).toMatch(/movements/);
      expect(hub.lastSeq('D1')).toBe(5);
    });

    it('sends again from the hub’s resume point when a restored hub lost events', async () => {
      const { hub, outbox, factory, pusher } = setup();
      outbox.append(factory.next(4));
      const backup = hub.backup();
      await pusher.pushUntilDrained();
      hub.restore(backup);
      outbox.append(factory.next(2));
      const result = await pusher.pushUntilDrained();
      expect(result.resumed).toBe(1);
      expect(hub.history('D1').map((record) => record.deviceSeq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(outbox.ackHistory).toEqual([4, 0, 6]);
    });

    it('stops with SEQUENCE_GAP, changing nothing, when the hub lost events this device already pruned', async () => {
      const { hub, outbox, factory, pusher } = setup();
      outbox.append(factory.next(4));
      const backup = hub.backup();
      await pusher.pushUntilDrained();
      await outbox.prune('2026-11-24T00:00:00.000Z');
      hub.restore(backup);
      outbox.append(factory.next(1));
      const error = await rejection(pusher.pushUntilDrained());
      expect(error.code).toBe('SEQUENCE_GAP');
      expect(outbox.acknowledged).toBe(4);
      expect(hub.lastSeq('D1')).toBe(0);
    });

    it('stops as a restored device when the hub has more events from it than it ever wrote', async () => {
      const { hub, outbox, factory, pusher } = setup();
      const events = factory.next(3);
      await hub.push(principal, { ...principal, events });
      outbox.append(events.slice(0, 1));
      const error = await pusher.pushUntilDrained().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(DeviceRestoredError);
      expect((error as DeviceRestoredError).evidence).toEqual({ hubLastSeq: 3, writtenSeq: 1 });
      expect(outbox.acknowledged).toBe(0);
    });

    it('stops as a restored device, recording nothing, when the hub holds other events under its numbers', async () => {
      const { hub, outbox, factory, pusher } = setup();
      const original = factory.next(4);
      await hub.push(principal, { ...principal, events: original });
      // Restored from a backup holding events 1-2, the till wrote two new events 3' and 4', then 5'.
      const restored = createEventFactory({
        ...principal,
        now: () => Date.UTC(2026, 10, 24),
        random: createSeededRandom(77),
      }).next(5);
      outbox.append([...original.slice(0, 2), ...restored.slice(2)]);
      await outbox.acknowledge({ lastSeq: 1, rejected: [], at: nowIso() });
      const error = await pusher.pushUntilDrained().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(DeviceRestoredError);
      expect((error as DeviceRestoredError).evidence).toEqual({
        hubLastSeq: 4,
        writtenSeq: 5,
        conflictSeq: 3,
      });
      expect(outbox.acknowledged).toBe(1);
      expect(hub.history('D1').map((record) => record.eventId)).toEqual(original.map((e) => e.eventId));
    });

    it('sends nothing from a restored copy before the hub confirmed it holds nothing beyond it', async () => {
      const { hub, outbox, factory, transport } = setup();
      const events = factory.next(5);
      outbox.append(events);
      await hub.push(principal, { ...principal, events: events.slice(0, 2) });
      // The backup held 1-3 with 1 acknowledged; the hub has 1-2: nothing of this device beyond the copy.
      outbox.restoreFrom({ upTo: 3, ackedSeq: 1 });
      const sent: number[] = [];
      const backlogs: unknown[] = [];
      const counting = createOutboxPusher({
        outbox,
        identity: principal,
        nowIso,
        transport: {
          ...transport,
          push: (request) => {
            sent.push(request.events.length);
            backlogs.push(request.outbox);
            return transport.push(request);
          },
        },
      });
      expect((await outbox.summary()).restoredUpTo).toBe(3);
      await counting.pushUntilDrained();
      // An empty probe first, reporting the backlog the copy still has to send, then the events.
      expect(sent[0]).toBe(0);
      expect(backlogs[0]).toEqual({ pending: 2, oldestPendingAt: expect.any(String) });
      expect((await outbox.summary()).restoredUpTo).toBeUndefined();
      expect(hub.lastSeq('D1')).toBe(3);
    });

    it('stops a restored copy before sending anything when the hub holds more of this device', async () => {
      const { hub, outbox, factory, transport } = setup();
      const events = factory.next(5);
      outbox.append(events);
      await hub.push(principal, { ...principal, events });
      outbox.restoreFrom({ upTo: 3, ackedSeq: 1 });
      outbox.append(
        createEventFactory({ ...principal, now: () => Date.UTC(2026, 10, 24), random: createSeededRandom(3) })
          .next(6)
          .slice(3),
      );
      const sent: number[] = [];
      const pusher = createOutboxPusher({
        outbox,
        identity: principal,
        nowIso,
        transport: {
          ...transport,
          push: (request) => {
            sent.push(request.events.length);
            return transport.push(request);
          },
        },
      });
      const error = await pusher.pushUntilDrained().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(DeviceRestoredError);
      expect((error as DeviceRestoredError).evidence).toEqual({ hubLastSeq: 5, writtenSeq: 6 });
      expect(sent).toEqual([0]);
      expect((await outbox.summary()).restoredUpTo).toBe(3);
      expect(hub.rejections()).toEqual([]);
    });

    it('trusts no ack that does not answer the batch sent', async () => {
      const { outbox, factory } = setup();
      outbox.append(factory.next(2));
      const answers: ((request: PushRequest) => PushAck)[] = [
        (request) => ({ ...accepted(request.events, 2), deviceId: 'D2' }),
        (request) => accepted(request.events.slice(1), 2),
        (request) => ({ ...accepted(request.events, 2), resumeFrom: 9 }),
        (request) => ({
          deviceId: 'D1',
          lastSeq: 0,
          results: request.events.map((e) => ({
            eventId: e.eventId,
            deviceSeq: e.deviceSeq,
            status: 'refused' as const,
          })),
        }),
      ];
      for (const answer of answers) {
        const pusher = createOutboxPusher({
          outbox,
          identity: principal,
          nowIso,
          transport: scriptedTransport(async (request) => answer(request)),
        });
        const error = await rejection(pusher.pushUntilDrained());
        expect(error.failure).toBe('protocol');
        expect(outbox.acknowledged).toBe(0);
      }
    });

    it('leaves the outbox untouched when recording the ack fails, and the retry is answered duplicate', async () => {
      const { hub, outbox, factory, pusher } = setup();
      outbox.append(factory.next(3));
      outbox.failNext('acknowledge');
      await expect(pusher.pushUntilDrained()).rejects.toThrow(/simulated/);
      expect(outbox.acknowledged).toBe(0);
      expect(await pusher.pushUntilDrained()).toMatchObject({ duplicates: 3, accepted: 0 });
      expect(hub.history('D1')).toHaveLength(3);
    });

    it('refuses to send an outbox with a hole in its deviceSeqs', async () => {
      const { factory } = setup();
      const events = factory.next(3);
      const holey = new MemoryOutboxStore(nowIso);
      holey.append(events);
      const original = holey.readPending.bind(holey);
      holey.readPending = async (limit) => (await original(limit)).filter((event) => event.deviceSeq !== 2);
      const pusher = createOutboxPusher({
        outbox: holey,
        identity: principal,
        nowIso,
        transport: scriptedTransport(async () => {
          throw new Error('must not be sent');
        }),
      });
      expect((await rejection(pusher.pushUntilDrained())).code).toBe('SEQUENCE_GAP');
    });

    it('copes with a pull echo acknowledging events while a batch is being read', async () => {
      const { hub, outbox, factory, transport } = setup();
      const events = factory.next(6);
      outbox.append(events);
      await hub.push(principal, { ...principal, events: events.slice(0, 2) });
      let raced = false;
      const racing: OutboxStore = {
        summary: async () => {
          const summary = await outbox.summary();
          if (!raced) {
            raced = true;
            await outbox.acknowledge({ lastSeq: 2, rejected: [], at: nowIso() });
          }
          return summary;
        },
        readPending: (limit) => outbox.readPending(limit),
        acknowledge: (ack) => outbox.acknowledge(ack),
        rewind: (seq) => outbox.rewind(seq),
        prune: (before) => outbox.prune(before),
        confirmRestore: () => outbox.confirmRestore(),
        onCommitted: (listener) => outbox.onCommitted(listener),
      };
      const pusher = createOutboxPusher({ outbox: racing, transport, identity: principal, nowIso });
      expect(await pusher.pushUntilDrained()).toMatchObject({ accepted: 4, duplicates: 0 });
      expect(hub.history('D1').map((record) => record.deviceSeq)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('refuses a batch size the protocol does not allow', () => {
      const { outbox, transport } = setup();
      expect(() =>
        createOutboxPusher({ outbox, transport, identity: principal, nowIso, batchSize: 501 }),
      ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });
  });

  describe('start and stop', () => {
    it('hears each commit the outbox signals from start to stop, and nothing else', async () => {
      const { outbox, factory, transport } = setup();
      const heard: number[] = [];
      const pusher = createOutboxPusher({
        outbox,
        transport,
        identity: principal,
        nowIso,
        onCommitted: () => heard.push(outbox.written),
      });
      outbox.append(factory.next(1));
      outbox.committed();
      expect(heard).toEqual([]);
      pusher.start();
      pusher.start();
      outbox.append(factory.next(2));
      expect(heard).toEqual([]);
      outbox.committed();
      expect(heard).toEqual([3]);
      pusher.stop();
      outbox.append(factory.next(1));
      outbox.committed();
      expect(heard).toEqual([3]);
      expect(await pusher.pushUntilDrained()).toMatchObject({ accepted: 4 });
    });
  });

  describe('settleEcho', () => {
    it('acknowledges what a pull says the hub has, and never moves the ack point back', async () => {
      const { hub, outbox, factory, pusher } = setup();
      const events = factory.next(4);
      outbox.append(events);
      await hub.push(principal, { ...principal, events: events.slice(0, 3) });
      expect(await pusher.settleEcho(3)).toBe('settled');
      expect(outbox.acknowledged).toBe(3);
      expect(await pusher.settleEcho(3)).toBe('unchanged');
      expect(await pusher.settleEcho(1)).toBe('verify');
      expect(outbox.acknowledged).toBe(3);
    });

    it('probes with an empty push after a low echo and re-sends what a restored hub lost', async () => {
      const { hub, outbox, factory, pusher } = setup();
      outbox.append(factory.next(3));
      const backup = hub.backup();
      await pusher.pushUntilDrained();
      hub.restore(backup);
      expect(await pusher.settleEcho(hub.lastSeq('D1'))).toBe('verify');
      await pusher.pushUntilDrained();
      expect(hub.lastSeq('D1')).toBe(3);
      expect(outbox.acknowledged).toBe(3);
    });

    it('does not rewind on a stale echo when the probe shows the hub has everything', async () => {
      const { hub, outbox, factory, pusher } = setup();
      outbox.append(factory.next(3));
      await pusher.pushUntilDrained();
      expect(await pusher.settleEcho(1)).toBe('verify');
      expect(await pusher.pushUntilDrained()).toMatchObject({ batches: 0, resumed: 0 });
      expect(outbox.ackHistory).toEqual([3]);
      expect(hub.history('D1')).toHaveLength(3);
    });
  });
});
