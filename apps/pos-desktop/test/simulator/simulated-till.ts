import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createUuidV7Generator } from '@retail/domain';
import {
  createSocketIoTransport,
  createSyncAgent,
  type EventPayloads,
  type EventType,
  type SyncAgent,
} from '@retail/sync';
import { createTxContext, hasLanesSchema, type ContextSources } from '../../src/engine/context';
import { openDatabase, type Db } from '../../src/engine/database';
import { requireIdentity } from '../../src/engine/identity';
import { initStoreNode } from '../../src/engine/init';
import { readOutbox, SqliteOutboxStore } from '../../src/engine/outbox/outbox';
import type { EventEnvelope } from '@retail/sync';
import { SqliteFeedStore } from '../../src/engine/sync/sqlite-feed-store';

/**
 * A lightweight simulated till: a real store node database (every migration, its identity), events
 * written through the engine's own outbox path (`TxContext.appendEvent`, one SQLite transaction per
 * business action, as every command does), and the real sync agent (socket.io transport, the node's
 * SQLite outbox and feed stores) pushing them to a hub process. What it skips is the command layer:
 * carts, tenders and sign-ins, whose cost is measured by the store node's own benchmarks.
 */
export class SimulatedTill {
  readonly deviceId: string;
  readonly storeId: string;
  /** Wall-clock time (ms) each event's transaction committed, by event id: the start of its lag. */
  readonly committedAt = new Map<string, number>();
  private readonly sources: ContextSources;
  private agent: SyncAgent | null = null;
  private readonly outboxStore: SqliteOutboxStore;

  private constructor(
    readonly db: Db,
    readonly databasePath: string,
    readonly deviceNo: number,
  ) {
    const identity = requireIdentity(db);
    this.deviceId = identity.deviceId;
    this.storeId = identity.storeId;
    this.sources = {
      db,
      identity,
      clock: { now: () => Date.now() },
      ids: createUuidV7Generator({ now: Date.now, randomBytes: (length) => randomBytes(length) }),
      randomBytes: (length) => randomBytes(length),
      lastHlc: undefined,
      lanesSchema: hasLanesSchema(db),
    };
    this.outboxStore = new SqliteOutboxStore(db);
  }

  /** Sets up the till's database (the node's `init`), in `dir`. */
  static create(dir: string, setup: { storeId: string; storeCode: string; deviceNo: number }): SimulatedTill {
    const databasePath = join(dir, `${setup.storeId}-${setup.deviceNo}.db`);
    initStoreNode({
      databasePath,
      setup: { ...setup, currency: 'EUR', locale: 'fr-FR', timezone: 'Europe/Paris' },
    });
    return new SimulatedTill(openDatabase(databasePath), databasePath, setup.deviceNo);
  }

  /**
   * Starts syncing with the hub at `url`. Timers scale with the simulation's speed, so a reconnect
   * after the outage takes as many simulated minutes as it would take real ones.
   */
  connect(url: string, credential: string, speed: number): void {
    this.agent = createSyncAgent({
      transport: createSocketIoTransport({ url, credential }),
      outbox: this.outboxStore,
      feed: new SqliteFeedStore({ db: this.db, identity: this.sources.identity, now: Date.now }),
      identity: { deviceId: this.deviceId, storeId: this.storeId },
      backoff: { baseMs: Math.max(20, 1_000 / speed), capMs: Math.max(200, 300_000 / speed) },
      errorRetryMs: Math.max(200, 300_000 / speed),
      livePullIntervalMs: Math.max(500, 60_000 / speed),
      // The simulator reads every event back from the outbox at the end of the day.
      outboxRetentionMs: 365 * 24 * 3_600_000,
    });
    this.agent.start();
  }

  /** Events in the till's outbox the hub has not acknowledged, read from the database itself. */
  async pendingEvents(): Promise<number> {
    return (await this.outboxStore.summary()).pending;
  }

  status() {
    if (this.agent === null) throw new Error('simulator: the till is not connected');
    return this.agent.status();
  }

  /** One business action: its events in one transaction, then the outbox tells the agent's pusher. */
  commit<T extends EventType>(type: T, payload: EventPayloads[T]): string {
    const appended = this.db
      .transaction(() => createTxContext(this.sources, `simulated-${type}`).appendEvent(type, payload))
      .immediate();
    this.committedAt.set(appended.eventId, Date.now());
    this.outboxStore.committed();
    return appended.eventId;
  }

  /** Every event in the till's outbox, in deviceSeq order. */
  outbox(): EventEnvelope[] {
    const events: EventEnvelope[] = [];
    for (;;) {
      const page = readOutbox(this.db, events.at(-1)?.deviceSeq ?? 0, 5_000);
      if (page.length === 0) return events;
      events.push(...page);
    }
  }

  async stop(): Promise<void> {
    await this.agent?.stop();
    this.agent = null;
  }

  close(): void {
    this.db.close();
  }
}
