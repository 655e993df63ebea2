import { DomainError, type IdGenerator } from '@retail/domain';
import type { EventPayloads, EventType, Hlc, SyncAgentStatus } from '@retail/sync';
import type { StoreNotification } from '../shared/notifications';
import { sql, type Db } from './database';
import type { NodeIdentity } from './identity';
import { appendOutboxEvent, type AppendedEvent } from './outbox/outbox';

// Handlers import the statement cache from here with the rest of what a command uses.
export { sql };
export type { AppendedEvent };

/** Time is injected everywhere so tests control it; production passes `Date.now`. */
export interface EngineClock {
  now(): number;
}

export type RandomBytes = (length: number) => Uint8Array;

/** Whether the lanes migration (0008) is applied: see TxContext.lanesSchema. */
export function hasLanesSchema(db: Db): boolean {
  return (
    sql(db, "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'pin_lockouts'").get() !==
    undefined
  );
}

export interface AuditInput {
  readonly action: string;
  readonly staffId?: string | null;
  readonly subject?: string | null;
  readonly overrideId?: string | null;
  readonly details?: Record<string, unknown>;
}

/** What a command may know about the link to the hub, sampled when it starts. */
export interface SyncView {
  /** Connected to the hub now: card refunds are only possible then (DESIGN §3). */
  readonly online: boolean;
  /** The sync agent's status, or null when no agent runs (no hub configured, or not started). */
  status(): SyncAgentStatus | null;
  /** Asks the agent to try the hub again now (after the transaction; it never writes in it). */
  syncNow(): void;
}

export const OFFLINE_SYNC: SyncView = { online: false, status: () => null, syncNow: () => undefined };

/**
 * Everything a command may do inside its one transaction. A context lives exactly as long as the
 * transaction: notifications collected here are delivered only after it commits.
 */
export interface TxContext {
  readonly db: Db;
  readonly identity: NodeIdentity;
  /** One clock reading per command, so every row and event of a command carries the same time. */
  readonly nowMs: number;
  readonly nowIso: string;
  readonly txId: string;
  readonly command: string;
  readonly sync: SyncView;
  /**
   * Whether the database has the lanes migration (0008): always, except when a migration test drives
   * this engine against a database it keeps at an older version. Without it every command comes from
   * the main till, sessions carry no lane and wrong PINs are not counted.
   */
  readonly lanesSchema: boolean;
  newId(): string;
  randomBytes(length: number): Uint8Array;
  appendEvent<T extends EventType>(
    type: T,
    payload: EventPayloads[T],
    causes?: readonly string[],
  ): AppendedEvent;
  audit(entry: AuditInput): void;
  notify(notification: StoreNotification): void;
  /** SKUs whose local stock changed: a `stock-changed` notification goes out for them after commit. */
  touchStock(skus: Iterable<string>): void;
  readonly appendedEvents: readonly AppendedEvent[];
  readonly touchedSkus: ReadonlySet<string>;
  readonly notifications: readonly StoreNotification[];
}

export interface ContextSources {
  readonly db: Db;
  /** Changes once in a till's life at most: a till restored from a backup becomes a new device. */
  identity: NodeIdentity;
  readonly clock: EngineClock;
  readonly ids: IdGenerator;
  readonly randomBytes: RandomBytes;
  /** The newest HLC this process issued; the database's last HLC is consulted too. */
  lastHlc: Hlc | undefined;
  /** The link to the hub; offline when absent (setup paths, tests without a hub). */
  sync?: () => SyncView;
  readonly lanesSchema: boolean;
}

export function createTxContext(sources: ContextSources, command: string): TxContext {
  const { db, identity } = sources;
  const nowMs = Math.floor(sources.clock.now());
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) {
    throw new DomainError('INTERNAL', 'context.systemClockReturnedImpossible', {}, { nowMs });
  }
  const nowIso = new Date(nowMs).toISOString();
  const txId = sources.ids();
  const appendedEvents: AppendedEvent[] = [];
  const notifications: StoreNotification[] = [];
  const touchedSkus = new Set<string>();

  return {
    db,
    identity,
    nowMs,
    nowIso,
    txId,
    command,
    sync: sources.sync?.() ?? OFFLINE_SYNC,
    lanesSchema: sources.lanesSchema,
    newId: sources.ids,
    randomBytes: sources.randomBytes,
    appendedEvents,
    notifications,
    touchedSkus,
    appendEvent(type, payload, causes) {
      const appended = appendOutboxEvent(sources, { identity, nowMs, nowIso, txId }, type, payload, causes);
      appendedEvents.push(appended);
      return appended;
    },
    audit(entry) {
      sql(
        db,
        `INSERT INTO audit_log (at_ms, at, tx_id, staff_id, action, subject, override_id, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        nowMs,
        nowIso,
        txId,
        entry.staffId ?? null,
        entry.action,
        entry.subject ?? null,
        entry.overrideId ?? null,
        JSON.stringify(entry.details ?? {}),
      );
    },
    notify(notification) {
      notifications.push(notification);
    },
    touchStock(skus) {
      for (const sku of skus) touchedSkus.add(sku);
    },
  };
}
