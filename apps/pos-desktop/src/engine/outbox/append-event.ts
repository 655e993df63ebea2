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
} from '@retail/sync';
import { sql, type Db } from '../database';
import type { NodeIdentity } from '../identity';

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
  const checked = checkPayload(type, schemaVersion, payload);
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
  const parsedEnvelope = EventEnvelopeSchema.safeParse(envelope);
  if (!parsedEnvelope.success) {
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
