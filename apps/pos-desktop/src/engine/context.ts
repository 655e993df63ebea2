import type { Statement } from 'better-sqlite3';
import { DomainError, type IdGenerator } from '@retail/domain';
import {
  CURRENT_VERSION,
  EventEnvelopeSchema,
  checkPayload,
  compareHlc,
  formatHlc,
  parseHlc,
  tickHlc,
  type EventPayloads,
  type EventType,
  type Hlc,
  type SyncAgentStatus,
} from '@retail/sync';
import type { StoreNotification } from '../shared/notifications';
import type { Db } from './database';
import type { NodeIdentity } from './identity';

/** Time is injected everywhere so tests control it; production passes `Date.now`. */
export interface EngineClock {
  now(): number;
}

export type RandomBytes = (length: number) => Uint8Array;

const statementCache = new WeakMap<Db, Map<string, Statement>>();

/** Prepares each SQL text once per connection; handlers keep their SQL inline and readable. */
export function sql(db: Db, text: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(text);
  if (!statement) {
    statement = db.prepare(text);
    cache.set(text, statement);
  }
  return statement;
}

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

export interface AppendedEvent {
  readonly eventId: string;
  readonly deviceSeq: number;
  readonly hlc: string;
}

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
    throw new DomainError('INTERNAL', 'The system clock returned an impossible time.', { nowMs });
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
      const schemaVersion = CURRENT_VERSION[type];
      const checked = checkPayload(type, schemaVersion, payload);
      if (!checked.ok) {
        // A payload the hub would reject forever must never reach the outbox: fail the whole command.
        throw new DomainError('INTERNAL', `Refusing to record an invalid ${type} event: ${checked.reason}`, {
          type,
        });
      }
      const state = sql(
        db,
        'SELECT last_device_seq AS lastSeq, last_hlc AS lastHlc FROM device_state',
      ).get() as {
        lastSeq: number;
        lastHlc: string | null;
      };
      const persisted = state.lastHlc === null ? undefined : parseHlc(state.lastHlc);
      const previous =
        persisted && (!sources.lastHlc || compareHlc(persisted, sources.lastHlc) > 0)
          ? persisted
          : sources.lastHlc;
      const hlcValue = tickHlc(previous, nowMs, identity.deviceId);
      sources.lastHlc = hlcValue;
      const envelope = {
        eventId: sources.ids(),
        type,
        schemaVersion,
        storeId: identity.storeId,
        deviceId: identity.deviceId,
        deviceSeq: state.lastSeq + 1,
        hlc: formatHlc(hlcValue),
        occurredAt: nowIso,
        txId,
        ...(causes && causes.length > 0 ? { causes: [...causes] } : {}),
        payload: checked.payload,
      };
      const parsedEnvelope = EventEnvelopeSchema.safeParse(envelope);
      if (!parsedEnvelope.success) {
        throw new DomainError('INTERNAL', `Refusing to record a malformed ${type} event envelope.`, {
          issue: parsedEnvelope.error.issues[0]?.message,
        });
      }
      sql(
        db,
        `INSERT INTO outbox (device_seq, event_id, type, schema_version, store_id, device_id, hlc, occurred_at,
           tx_id, causes, payload, created_at_ms)
         VALUES (@deviceSeq, @eventId, @type, @schemaVersion, @storeId, @deviceId, @hlc, @occurredAt, @txId,
           @causes, @payload, @createdAtMs)`,
      ).run({
        deviceSeq: envelope.deviceSeq,
        eventId: envelope.eventId,
        type,
        schemaVersion,
        storeId: envelope.storeId,
        deviceId: envelope.deviceId,
        hlc: envelope.hlc,
        occurredAt: nowIso,
        txId,
        causes: envelope.causes ? JSON.stringify(envelope.causes) : null,
        payload: JSON.stringify(checked.payload),
        createdAtMs: nowMs,
      });
      const appended = { eventId: envelope.eventId, deviceSeq: envelope.deviceSeq, hlc: envelope.hlc };
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
