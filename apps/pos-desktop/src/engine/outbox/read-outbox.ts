import type { EventEnvelope } from '@retail/sync';
import { sql } from '../context';
import type { Db } from '../database';

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
