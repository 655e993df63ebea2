import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventFactory, type EventFactory } from '../testing/event-factory';
import { createFaultTransport, type FaultPlan, type FaultTransport } from '../testing/fault-transport';
import { createHubTransport, type HubTransport } from '../testing/hub-transport';
import { ManualScheduler } from '../testing/manual-scheduler';
import { MemoryFeedStore } from '../testing/memory-feed-store';
import { MemoryOutboxStore } from '../testing/memory-outbox-store';
import { ReferenceHub, type HubBackup } from '../testing/reference-hub';
import { createSeededRandom } from '../testing/seeded-random';
import type { SyncScheduler } from './scheduler';
import { createSyncAgent, type SyncAgent } from './sync-agent';

const DAY_MS = 24 * 60 * 60_000;

interface Device {
  readonly deviceId: string;
  readonly storeId: string;
  readonly clock: SyncScheduler;
  readonly outbox: MemoryOutboxStore;
  readonly feed: MemoryFeedStore;
  readonly events: EventFactory;
  readonly hubSide: HubTransport;
  readonly transport: FaultTransport;
  agent: SyncAgent;
  /** eventIds this device wrote with a payload the hub must reject. */
  readonly invalid: Set<string>;
}

interface World {
  readonly scheduler: ManualScheduler;
  readonly hub: ReferenceHub;
  readonly devices: Device[];
  readonly backups: HubBackup[];
  restored: boolean;
}

function newAgent(world: World, device: Omit<Device, 'agent'>, seed: number): SyncAgent {
  return createSyncAgent({
    transport: device.transport,
    outbox: device.outbox,
    feed: device.feed,
    identity: { deviceId: device.deviceId, storeId: device.storeId },
    scheduler: device.clock,
    random: createSeededRandom(seed),
    pullLimit: 3,
    snapshotLimit: 2,
    batchSize: 25,
  });
}

function createWorld(seed: number, skews: readonly number[], plan: Partial<FaultPlan>): World {
  const scheduler = new ManualScheduler();
  const hub = new ReferenceHub();
  const world: World = { scheduler, hub, devices: [], backups: [], restored: false };
  skews.forEach((skew, index) => {
    const deviceId = `D${index + 1}`;
    const storeId = `S${(index % 2) + 1}`;
    const clock = scheduler.skewed(skew);
    const random = createSeededRandom(seed * 31 + index);
    const hubSide = createHubTransport(hub, { deviceId, storeId });
    const base = {
      deviceId,
      storeId,
      clock,
      outbox: new MemoryOutboxStore(() => new Date(clock.now()).toISOString()),
      feed: new MemoryFeedStore(),
      events: createEventFactory({ deviceId, storeId, now: () => clock.now(), random }),
      hubSide,
      transport: createFaultTransport(hubSide, { random, scheduler, plan }),
      invalid: new Set<string>(),
    };
    const device: Device = { ...base, agent: newAgent(world, base, seed + index) };
    world.devices.push(device);
    device.agent.start();
  });
  return world;
}

const sameData = (a: Map<string, unknown>, b: Map<string, unknown>) =>
  JSON.stringify([...a].sort(([x], [y]) => x.localeCompare(y))) ===
  JSON.stringify([...b].sort(([x], [y]) => x.localeCompare(y)));

function converged(world: World): boolean {
  return world.devices.every(
    (device) =>
      device.agent.status().state === 'live' &&
      device.outbox.acknowledged === device.outbox.written &&
      world.hub.lastSeq(device.deviceId) === device.outbox.written &&
      device.feed.current.epoch === world.hub.epoch &&
      sameData(device.feed.data, world.hub.dataFor(device.storeId)),
  );
}

/** Stops the chaos, lets everything settle, and checks what must hold after any run. */
async function quiesceAndCheck(world: World): Promise<void> {
  for (const device of world.devices) {
    device.hubSide.setHubDown(false);
    device.transport.heal();
    device.outbox.clearFailures();
    device.feed.clearFailures();
  }
  const ok = await world.scheduler.runUntil(() => converged(world), {
    stepMs: 5_000,
    maxMs: 3 * 60 * 60_000,
  });
  const report = world.devices.map((device) => ({
    device: device.deviceId,
    status: device.agent.status(),
    written: device.outbox.written,
    acked: device.outbox.acknowledged,
    hubLastSeq: world.hub.lastSeq(device.deviceId),
    position: device.feed.current,
    hubEpoch: world.hub.epoch,
  }));
  expect(ok, JSON.stringify(report, null, 1)).toBe(true);

  for (const device of world.devices) {
    // Every store event applied (or rejected) exactly once, in deviceSeq order, and nothing else.
    const history = world.hub.history(device.deviceId);
    const written = device.outbox.retained();
    expect(history.map((record) => record.deviceSeq)).toEqual(written.map((event) => event.deviceSeq));
    expect(history.map((record) => record.eventId)).toEqual(written.map((event) => event.eventId));
    for (const record of history) {
      expect(record.status).toBe(device.invalid.has(record.eventId) ? 'rejected' : 'applied');
    }
    // The outbox is drained and what the device shows staff as rejected really was rejected.
    const summary = await device.outbox.summary();
    expect(summary.pending).toBe(0);
    for (const rejection of summary.rejected) expect(device.invalid.has(rejection.eventId)).toBe(true);
    // The replica equals the hub for this store's scope, and its cursor never went backwards.
    expect(device.feed.regressions).toEqual([]);
    expect(sameData(device.feed.data, world.hub.dataFor(device.storeId))).toBe(true);
    const positions = device.feed.history;
    for (let i = 1; i < positions.length; i += 1) {
      const [before, after] = [positions[i - 1]!, positions[i]!];
      if (before.epoch !== null && before.epoch === after.epoch)
        expect(after.cursor).toBeGreaterThanOrEqual(before.cursor);
    }
    // Acks only move forward unless the hub lost events (a restore) and asked for them again.
    if (!world.restored) {
      const acks = device.outbox.ackHistory;
      for (let i = 1; i < acks.length; i += 1) expect(acks[i]!).toBeGreaterThan(acks[i - 1]!);
    }
  }
  for (const device of world.devices) await device.agent.stop();
  expect(world.scheduler.pendingTimers()).toBeLessThan(50);
}

type Cmd = fc.AsyncCommand<object, World>;

class Commit implements Cmd {
  constructor(
    readonly device: number,
    readonly count: number,
    readonly invalid: boolean,
  ) {}
  check = () => true;
  async run(_: object, world: World) {
    const device = world.devices[this.device % world.devices.length]!;
    const events = device.events.next(this.count, { invalid: this.invalid });
    if (this.invalid) for (const event of events) device.invalid.add(event.eventId);
    device.outbox.append(events);
    device.outbox.committed();
  }
  toString = () => `Commit(D${(this.device % 3) + 1}, ${this.count}${this.invalid ? ', invalid' : ''})`;
}

class HubChange implements Cmd {
  constructor(
    readonly entity: string,
    readonly key: string,
    readonly op: 'upsert' | 'delete',
    readonly scope: string,
    readonly value: number,
  ) {}
  check = () => true;
  async run(_: object, world: World) {
    // A key lives in one scope for its whole life, as in the hub's data (`${nodeId}:${sku}` and the like).
    const key = `${this.scope}/${this.key}`;
    world.hub.change({
      entity: this.entity,
      key,
      op: this.op,
      scope: this.scope,
      data: { value: this.value },
    });
  }
  toString = () => `HubChange(${this.entity}:${this.key} ${this.op} @${this.scope} = ${this.value})`;
}

/** A catalogue import: many rows at once, so pulls and snapshots run over several pages. */
class HubImport implements Cmd {
  constructor(
    readonly scope: string,
    readonly count: number,
    readonly value: number,
  ) {}
  check = () => true;
  async run(_: object, world: World) {
    world.hub.change(
      ...Array.from({ length: this.count }, (_unused, index) => ({
        entity: 'sku',
        key: `${this.scope}/import-${(index * 7 + this.value) % 23}`,
        op: 'upsert' as const,
        scope: this.scope,
        data: { value: this.value + index },
      })),
    );
  }
  toString = () => `HubImport(@${this.scope}, ${this.count}, ${this.value})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_: object, world: World) {
    await world.scheduler.advance(this.ms);
  }
  toString = () => `Advance(${this.ms})`;
}

class BreakConnection implements Cmd {
  constructor(readonly device: number) {}
  check = () => true;
  async run(_: object, world: World) {
    world.devices[this.device % world.devices.length]!.transport.breakConnection();
  }
  toString = () => `Break(D${(this.device % 3) + 1})`;
}

class RestartAgent implements Cmd {
  constructor(
    readonly device: number,
    readonly seed: number,
  ) {}
  check = () => true;
  async run(_: object, world: World) {
    const device = world.devices[this.device % world.devices.length]!;
    await device.agent.stop();
    device.agent = newAgent(world, device, this.seed);
    device.agent.start();
  }
  toString = () => `RestartAgent(D${(this.device % 3) + 1})`;
}

/** The till's disk refuses one write or read (full, locked): that "transaction" changes nothing. */
class StoreFailure implements Cmd {
  constructor(
    readonly device: number,
    readonly method: number,
  ) {}
  check = () => true;
  async run(_: object, world: World) {
    const device = world.devices[this.device % world.devices.length]!;
    const outboxMethods = ['summary', 'readPending', 'acknowledge', 'rewind', 'prune'] as const;
    const feedMethods = ['position', 'applyPage', 'reset', 'applySnapshotPage'] as const;
    if (this.method < outboxMethods.length) device.outbox.failNext(outboxMethods[this.method]!);
    else device.feed.failNext(feedMethods[(this.method - outboxMethods.length) % feedMethods.length]!);
  }
  toString = () => `StoreFailure(D${(this.device % 3) + 1}, ${this.method})`;
}

class HubDown implements Cmd {
  constructor(readonly down: boolean) {}
  check = () => true;
  async run(_: object, world: World) {
    for (const device of world.devices) device.hubSide.setHubDown(this.down);
  }
  toString = () => `HubDown(${this.down})`;
}

class HubBackupCmd implements Cmd {
  check = () => true;
  async run(_: object, world: World) {
    world.backups.push(world.hub.backup());
  }
  toString = () => 'HubBackup';
}

class HubRestore implements Cmd {
  check = () => true;
  async run(_: object, world: World) {
    const backup = world.backups.at(-1);
    if (backup === undefined) return;
    world.restored = true;
    world.hub.restore(backup);
  }
  toString = () => 'HubRestore';
}

class RotateEpoch implements Cmd {
  check = () => true;
  async run(_: object, world: World) {
    world.hub.rotateEpoch();
  }
  toString = () => 'RotateEpoch';
}

const device = fc.nat({ max: 2 });
const commit = fc
  .tuple(
    device,
    fc.integer({ min: 1, max: 40 }),
    fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  )
  .map(([d, count, invalid]) => new Commit(d, invalid ? Math.min(count, 3) : count, invalid));
const hubChange = fc
  .tuple(
    fc.constantFrom('sku', 'price', 'promotion', 'stock_level'),
    fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    fc.constantFrom<'upsert' | 'delete'>('upsert', 'upsert', 'upsert', 'delete'),
    fc.constantFrom('*', 'S1', 'S2'),
    fc.integer({ min: 0, max: 1000 }),
  )
  .map(([entity, key, op, scope, value]) => new HubChange(entity, key, op, scope, value));
const hubImport = fc
  .tuple(fc.constantFrom('*', 'S1', 'S2'), fc.integer({ min: 2, max: 30 }), fc.nat({ max: 1000 }))
  .map(([scope, count, value]) => new HubImport(scope, count, value));
const advance = fc.integer({ min: 0, max: 30_000 }).map((ms) => new Advance(ms));
// fc.commands picks among these uniformly: repeats weight the everyday work against the rare disasters.
const commands = [
  commit,
  commit,
  commit,
  hubChange,
  hubChange,
  hubImport,
  advance,
  advance,
  device.map((d) => new BreakConnection(d)),
  fc.tuple(device, fc.nat()).map(([d, seed]) => new RestartAgent(d, seed)),
  fc.boolean().map((down) => new HubDown(down)),
  fc.tuple(device, fc.nat({ max: 8 })).map(([d, method]) => new StoreFailure(d, method)),
  fc.constant(new HubBackupCmd()),
  fc.constant(new HubRestore()),
  fc.constant(new RotateEpoch()),
];

describe('sync-agent (model)', () => {
  describe('random commits, hub changes and faults', () => {
    it('converges with every event applied once in order and every replica equal to the hub when faults stop', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.array(fc.constantFrom(-DAY_MS, 0, DAY_MS), { minLength: 3, maxLength: 3 }),
          fc.commands(commands, { maxCommands: 80, size: 'large' }),
          async (seed, skews, cmds) => {
            const world = createWorld(seed, skews, {});
            await fc.asyncModelRun(() => ({ model: {}, real: world }), cmds);
            await quiesceAndCheck(world);
            if (process.env.SYNC_MODEL_STATS)
              console.log(
                JSON.stringify({
                  cmds: String(cmds).length,
                  faults: world.devices.map((d) => d.transport.injected.length),
                  written: world.devices.map((d) => d.outbox.written),
                  head: world.hub.head,
                  restored: world.restored,
                  resets: world.devices.map((d) => d.feed.resets),
                }),
              );
          },
        ),
        { numRuns: Number(process.env.SYNC_MODEL_RUNS ?? 60) },
      );
    }, 120_000);
  });
});
