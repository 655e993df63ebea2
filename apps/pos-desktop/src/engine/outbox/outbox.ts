import { DomainError, type IdGenerator } from '@retail/domain';
import {
  CURRENT_VERSION,
  EventEnvelopeSchema,
  OutboxCommitSignal,
  checkPayloadAsSent,
  isEventEnvelope,
  compareHlc,
  formatHlc,
  parseHlc,
  tickHlc,
  type EventEnvelope,
  type EventPayloads,
  type EventType,
  type Hlc,
  type OutboxAck,
  type OutboxStore,
  type OutboxSummary,
  type RejectedEvent,
} from '@retail/sync';
import { sql, type Db } from '../database';
import type { NodeIdentity } from '../identity';
import { currentDevice, liftNumberingHold, numberingHold, ownDevices } from '../sync/device-succession';

/**
 * The store node's outbox, the one home of its events on their way to the hub: written by the commands
 * (`appendOutboxEvent`, through `TxContext.appendEvent`) inside their own transactions, read back as
 * envelopes (`readOutbox`), and acknowledged and pruned as the sync agent's pusher sees it
 * (`SqliteOutboxStore`, packages/sync's `OutboxStore`). Once a command's transaction has committed, the
 * engine tells the outbox (`SqliteOutboxStore.committed`), which wakes its reader: the pusher
 * (packages/sync `outbox-pusher.ts`) sends the new events.
 */

// Writing: one event appended inside the caller's transaction.

export interface AppendedEvent {
  readonly eventId: string;
  readonly deviceSeq: number;
  readonly hlc: string;
}

/** What writing to the outbox needs from the engine; the engine's context sources are one. */
export interface OutboxWriter {
  readonly db: Db;
  readonly ids: IdGenerator;
  /** The newest HLC this process issued; the database's last HLC is consulted too. */
  lastHlc: Hlc | undefined;
}

/** What every event of one command carries: the till it ran on, one clock reading, one transaction id. */
export interface OutboxTransaction {
  readonly identity: NodeIdentity;
  readonly nowMs: number;
  readonly nowIso: string;
  readonly txId: string;
}

/**
 * Appends one event to the outbox inside the caller's transaction, with the next deviceSeq and HLC.
 * The only place outbox rows are written; commands reach it through `TxContext.appendEvent`.
 */
export function appendOutboxEvent<T extends EventType>(
  writer: OutboxWriter,
  { identity, nowMs, nowIso, txId }: OutboxTransaction,
  type: T,
  payload: EventPayloads[T],
  causes?: readonly string[],
): AppendedEvent {
  const schemaVersion = CURRENT_VERSION[type];
  // A sale's payload checked by hand when it can be (checkPayloadAsSent): what is written is the schema's answer.
  const checked = checkPayloadAsSent(type, schemaVersion, payload);
  if (!checked.ok) {
    // A payload the hub would reject forever must never reach the outbox: fail the whole command.
    throw new DomainError(
      'INTERNAL',
      'outbox.refusingRecordInvalidEvent',
      { type: String(type), reason: checked.reason },
      {
        type,
      },
    );
  }
  const state = sql(
    writer.db,
    'SELECT last_device_seq AS lastSeq, last_hlc AS lastHlc FROM device_state',
  ).get() as {
    lastSeq: number;
    lastHlc: string | null;
  };
  const persisted = state.lastHlc === null ? undefined : parseHlc(state.lastHlc);
  const previous =
    persisted && (!writer.lastHlc || compareHlc(persisted, writer.lastHlc) > 0) ? persisted : writer.lastHlc;
  const hlcValue = tickHlc(previous, nowMs, identity.deviceId);
  writer.lastHlc = hlcValue;
  const envelope = {
    eventId: writer.ids(),
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
  // The envelope's fields are all this node's own: checked by hand, the schema only for what that refuses.
  const parsedEnvelope = isEventEnvelope(envelope) ? undefined : EventEnvelopeSchema.safeParse(envelope);
  if (parsedEnvelope?.success === false) {
    throw new DomainError(
      'INTERNAL',
      'outbox.refusingRecordMalformedEvent',
      { type: String(type) },
      {
        issue: parsedEnvelope.error.issues[0]?.message,
      },
    );
  }
  sql(
    writer.db,
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
  return { eventId: envelope.eventId, deviceSeq: envelope.deviceSeq, hlc: envelope.hlc };
}

// Reading: events as envelopes ready to push.

interface OutboxRow {
  deviceSeq: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  storeId: string;
  deviceId: string;
  hlc: string;
  occurredAt: string;
  txId: string;
  causes: string | null;
  payload: string;
}

function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    eventId: row.eventId,
    type: row.type,
    schemaVersion: row.schemaVersion,
    storeId: row.storeId,
    deviceId: row.deviceId,
    deviceSeq: row.deviceSeq,
    hlc: row.hlc,
    occurredAt: row.occurredAt,
    txId: row.txId,
    ...(row.causes === null ? {} : { causes: JSON.parse(row.causes) as string[] }),
    payload: JSON.parse(row.payload) as unknown,
  };
}

const OUTBOX_COLUMNS = `device_seq AS deviceSeq, event_id AS eventId, type, schema_version AS schemaVersion,
  store_id AS storeId, device_id AS deviceId, hlc, occurred_at AS occurredAt, tx_id AS txId, causes, payload`;

/** Outbox events after `afterSeq` in deviceSeq order, as envelopes ready to push. */
export function readOutbox(db: Db, afterSeq = 0, limit = 500): EventEnvelope[] {
  const rows = sql(
    db,
    `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE device_seq > ? ORDER BY device_seq LIMIT ?`,
  ).all(afterSeq, limit) as OutboxRow[];
  return rows.map(toEnvelope);
}

/** The events one command wrote: what a crash test checks is all-or-nothing. */
export function readOutboxByTx(db: Db, txId: string): EventEnvelope[] {
  const rows = sql(db, `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE tx_id = ? ORDER BY device_seq`).all(
    txId,
  ) as OutboxRow[];
  return rows.map(toEnvelope);
}

// Acknowledging: the hub's cumulative ack, recorded directly (tests and tools) or through the store below.

interface AckState {
  readonly acked: number;
  readonly written: number;
}

function ackState(db: Db): AckState {
  return sql(
    db,
    'SELECT s.last_acked_seq AS acked, d.last_device_seq AS written FROM sync_state s, device_state d',
  ).get() as AckState;
}

/**
 * Records the hub's cumulative ack (highest contiguous deviceSeq it durably applied). Acks only move
 * forward: an older or repeated ack (a lost and re-sent answer) changes nothing. An ack beyond what this
 * device ever wrote means the hub holds another device's history under this id, which must never be
 * papered over. Acknowledged events stay in the outbox for audit; pruning them is the sync agent's choice.
 */
export function acknowledgeOutbox(db: Db, lastSeq: number): number {
  if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) {
    throw new DomainError('INVALID_INPUT', 'outbox.outboxAcknowledgementMustWhole', {}, { lastSeq });
  }
  return db
    .transaction(() => {
      const state = ackState(db);
      if (lastSeq > state.written) {
        throw new DomainError(
          'SEQUENCE_GAP',
          'outbox.hubAcknowledgedEventDevice',
          { lastSeq, written: state.written },
          { lastSeq, written: state.written },
        );
      }
      if (lastSeq <= state.acked) return state.acked;
      sql(db, 'UPDATE sync_state SET last_acked_seq = ?').run(lastSeq);
      return lastSeq;
    })
    .immediate();
}

// The sync agent's view: pending events, acks and rejections, rewinds and pruning.

/** Staff see the newest rejections; a till with thousands would not show them all anyway. */
const MAX_LISTED_REJECTIONS = 500;

/** The lowest deviceSeq still in the outbox; one past the last written when it is empty. */
function oldestRetained(db: Db, written: number): number {
  const row = sql(db, 'SELECT MIN(device_seq) AS oldest FROM outbox').get() as { oldest: number | null };
  return row.oldest ?? written + 1;
}

/**
 * The store node's outbox as the sync agent's pusher sees it (packages/sync OutboxStore). Events are
 * written by the commands (`appendOutboxEvent` above) in their own transactions; this reads them, records
 * the hub's acknowledgements and rejections, and prunes what the retention period allows.
 *
 * The outbox table is append-only, so when each stretch was acknowledged lives in `outbox_acks` and the
 * hub's reasons in `outbox_rejections` (migration 0004). Every method is one SQLite transaction.
 *
 * The pusher sees the numbering of the device this till is NOW (`device-succession.ts`): after a till
 * restored from a backup became a new device, its local deviceSeq N is sent as the new device's
 * N - offset. Everything stored here stays in the local numbering.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly commits = new OutboxCommitSignal();

  constructor(private readonly db: Db) {}

  /**
   * A transaction that appended events has committed: the pusher listening (`onCommitted`) sends them.
   * Called by whoever committed it (the engine), never inside the transaction, so no reader is woken for
   * events a rollback takes back.
   */
  committed(): void {
    this.commits.committed();
  }

  onCommitted(listener: () => void): () => void {
    return this.commits.subscribe(listener);
  }

  async summary(): Promise<OutboxSummary> {
    return this.db
      .transaction((): OutboxSummary => {
        const { acked, written } = ackState(this.db);
        const { offset } = currentDevice(this.db);
        const hold = numberingHold(this.db);
        const pending = sql(
          this.db,
          'SELECT COUNT(*) AS count, MIN(created_at_ms) AS oldestMs FROM outbox WHERE device_seq > ?',
        ).get(acked) as { count: number; oldestMs: number | null };
        const rejected = (
          sql(
            this.db,
            `SELECT event_id AS eventId, device_seq AS deviceSeq, reason, rejected_at AS rejectedAt
             FROM (SELECT * FROM outbox_rejections ORDER BY device_seq DESC LIMIT ?) ORDER BY device_seq`,
          ).all(MAX_LISTED_REJECTIONS) as RejectedEvent[]
        ).map((row) => ({ ...row }));
        return {
          ackedSeq: Math.max(0, acked - offset),
          lastSeq: written - offset,
          pending: pending.count,
          oldestPendingAt: pending.oldestMs === null ? undefined : new Date(pending.oldestMs).toISOString(),
          rejected: rejected.map((rejection) => ({
            ...rejection,
            deviceSeq: Math.max(0, rejection.deviceSeq - offset),
          })),
          ...(hold === null ? {} : { restoredUpTo: Math.max(0, hold - offset) }),
        };
      })
      .deferred();
  }

  async readPending(limit: number, after?: number): Promise<readonly EventEnvelope[]> {
    return this.db
      .transaction(() => {
        const devices = ownDevices(this.db);
        const device = devices.at(-1);
        // `after` is in the numbering the pusher sees: that of the device this till is now.
        const acked = ackState(this.db).acked;
        const from = after === undefined ? acked : Math.max(acked, after + (device?.offset ?? 0));
        const events = readOutbox(this.db, from, limit);
        if (device === undefined || devices.length === 1) return events;
        // A till that became a new device sends every pending event as that device, in its numbering,
        // including events written before it became that device.
        return events.map((event) => ({
          ...event,
          deviceId: device.deviceId,
          deviceSeq: event.deviceSeq - device.offset,
        }));
      })
      .deferred();
  }

  async confirmRestore(): Promise<void> {
    this.db.transaction(() => liftNumberingHold(this.db)).immediate();
  }

  async acknowledge(ack: OutboxAck): Promise<void> {
    const atMs = Date.parse(ack.at);
    if (!Number.isSafeInteger(ack.lastSeq) || ack.lastSeq < 0 || Number.isNaN(atMs)) {
      throw new DomainError(
        'INVALID_INPUT',
        'outbox.outboxAcknowledgementNeeds',
        {},
        {
          lastSeq: ack.lastSeq,
          at: ack.at,
        },
      );
    }
    this.db
      .transaction(() => {
        const { acked, written } = ackState(this.db);
        const { offset } = currentDevice(this.db);
        const ackedUpTo = ack.lastSeq + offset;
        if (ackedUpTo > written) {
          throw new DomainError(
            'CONFLICT',
            'outbox.hubAcknowledgedEventTill',
            { lastSeq: ack.lastSeq, written: written - offset },
            { lastSeq: ack.lastSeq, written: written - offset },
          );
        }
        const insertRejection = sql(
          this.db,
          `INSERT INTO outbox_rejections (event_id, device_seq, reason, rejected_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (event_id) DO NOTHING`,
        );
        for (const rejection of ack.rejected) {
          insertRejection.run(rejection.eventId, rejection.deviceSeq + offset, rejection.reason, ack.at);
        }
        if (ackedUpTo <= acked) return;
        sql(this.db, 'UPDATE sync_state SET last_acked_seq = ?').run(ackedUpTo);
        sql(this.db, 'INSERT INTO outbox_acks (up_to_seq, acked_at, acked_at_ms) VALUES (?, ?, ?)').run(
          ackedUpTo,
          ack.at,
          atMs,
        );
      })
      .immediate();
  }

  async rewind(hubLastSeq: number): Promise<void> {
    this.db
      .transaction(() => {
        const { acked, written } = ackState(this.db);
        const { offset } = currentDevice(this.db);
        return this.rewindLocal(hubLastSeq + offset, hubLastSeq, acked, written);
      })
      .immediate();
  }

  /** `rewind` in the local numbering; the hub's own numbers go into the message staff read. */
  private rewindLocal(localLastSeq: number, hubLastSeq: number, acked: number, written: number): void {
    if (localLastSeq >= acked) return;
    const oldest = oldestRetained(this.db, written);
    if (oldest > localLastSeq + 1) {
      const offset = localLastSeq - hubLastSeq;
      throw new DomainError(
        'SEQUENCE_GAP',
        'outbox.hubLostTillEvents',
        { hubLastSeq: hubLastSeq + 1, acked: acked - offset, oldest: oldest - offset },
        { hubLastSeq, ackedSeq: acked - offset, oldestRetained: oldest - offset },
      );
    }
    // The stretch that contained the hub's point keeps its time up to there; everything after is pending again.
    const covering = sql(
      this.db,
      'SELECT acked_at AS at, acked_at_ms AS atMs FROM outbox_acks WHERE up_to_seq > ? ORDER BY up_to_seq LIMIT 1',
    ).get(localLastSeq) as { at: string; atMs: number } | undefined;
    sql(this.db, 'DELETE FROM outbox_acks WHERE up_to_seq > ?').run(localLastSeq);
    if (covering !== undefined && localLastSeq > 0) {
      sql(
        this.db,
        `INSERT INTO outbox_acks (up_to_seq, acked_at, acked_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (up_to_seq) DO NOTHING`,
      ).run(localLastSeq, covering.at, covering.atMs);
    }
    sql(this.db, 'UPDATE sync_state SET last_acked_seq = ?').run(localLastSeq);
  }

  async prune(ackedBefore: string): Promise<number> {
    const cutoffMs = Date.parse(ackedBefore);
    if (Number.isNaN(cutoffMs)) {
      throw new DomainError('INVALID_INPUT', 'outbox.outboxRetentionCutoffMust', {}, { ackedBefore });
    }
    return this.db
      .transaction((): number => {
        const { acked } = ackState(this.db);
        const row = sql(
          this.db,
          'SELECT MAX(up_to_seq) AS upTo FROM outbox_acks WHERE acked_at_ms < ? AND up_to_seq <= ?',
        ).get(cutoffMs, acked) as { upTo: number | null };
        if (row.upTo === null) return 0;
        // Only a prefix goes, so what is retained is always one contiguous run of deviceSeqs.
        const deleted = sql(this.db, 'DELETE FROM outbox WHERE device_seq <= ?').run(row.upTo).changes;
        sql(this.db, 'DELETE FROM outbox_acks WHERE up_to_seq < ?').run(row.upTo);
        return deleted;
      })
      .immediate();
  }
}
