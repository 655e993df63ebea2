import { DomainError, assertNever } from '@retail/domain';
import type { EventEnvelope, SyncAgentStatus } from '@retail/sync';
import type { SyncStatus } from '../shared/commands';
import { sql } from './context';
import type { Db } from './database';
import { NUMBERING_HOLD_MESSAGE, numberingHold } from './sync/device-succession';
import { readSettingsVersion } from './settings';
import { hasSyncSchema } from './sync/sync-schema';

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

function agentLabel(hubUrl: string | null, agent: SyncAgentStatus | null): SyncStatus['agent'] {
  if (hubUrl === null) return 'not-configured';
  if (agent === null) return 'not-running';
  switch (agent.state) {
    case 'stopped':
      return 'not-running';
    case 'offline':
    case 'error':
      return 'offline';
    case 'connecting':
      return 'connecting';
    case 'catching_up':
      return 'catching-up';
    case 'live':
      return 'live';
    default:
      return assertNever(agent.state);
  }
}

/**
 * The outbox, the feed position and, when an agent runs, its view of the hub: what `sync-status`
 * answers and the `sync-status` notification carries. Counts come from the database, so they are right
 * even before the agent's first refresh.
 */
export function syncStatus(db: Db, nowMs: number, agent: SyncAgentStatus | null = null): SyncStatus {
  const state = sql(
    db,
    `SELECT s.hub_url AS hubUrl, s.last_acked_seq AS lastAckedSeq, s.feed_epoch AS feedEpoch,
       s.feed_cursor AS feedCursor, s.last_feed_applied_at AS lastFeedAppliedAt, d.last_device_seq AS lastDeviceSeq
     FROM sync_state s, device_state d`,
  ).get() as {
    hubUrl: string | null;
    lastAckedSeq: number;
    feedEpoch: string | null;
    feedCursor: number;
    lastFeedAppliedAt: string | null;
    lastDeviceSeq: number;
  };
  const pending = sql(
    db,
    'SELECT COUNT(*) AS count, MIN(created_at_ms) AS oldestMs FROM outbox WHERE device_seq > ?',
  ).get(state.lastAckedSeq) as { count: number; oldestMs: number | null };
  const deferred = sql(db, 'SELECT COUNT(*) AS count FROM feed_deferred').get() as { count: number };
  const rejected = !hasSyncSchema(db)
    ? []
    : (sql(
        db,
        `SELECT event_id AS eventId, device_seq AS deviceSeq, reason, rejected_at AS rejectedAt
     FROM (SELECT * FROM outbox_rejections ORDER BY device_seq DESC LIMIT 100) ORDER BY device_seq`,
      ).all() as { eventId: string; deviceSeq: number; reason: string; rejectedAt: string }[]);
  const agentFields =
    agent === null
      ? { online: false }
      : {
          online: agent.state === 'live' || agent.state === 'catching_up',
          state: agent.state,
          lastPullAt: agent.lastPullAt,
          lastPushAt: agent.lastPushAt,
          snapshot: agent.snapshot,
          error: agent.error === null ? null : { code: agent.error.code, message: agent.error.message },
          nextRetryAt: agent.nextRetryAt,
        };
  const device = sql(db, 'SELECT device_no AS deviceNo FROM node_identity').get() as
    { deviceNo: number } | undefined;
  return {
    ...agentFields,
    ...(device === undefined ? {} : { deviceNo: device.deviceNo }),
    numberingHold: numberingHold(db) === null ? null : NUMBERING_HOLD_MESSAGE,
    settingsVersion: readSettingsVersion(db),
    rejected: rejected.map((row) => ({ ...row })),
    hubUrl: state.hubUrl,
    agent: agentLabel(state.hubUrl, agent),
    lastDeviceSeq: state.lastDeviceSeq,
    lastAckedSeq: state.lastAckedSeq,
    pendingEvents: pending.count,
    oldestPendingAt: pending.oldestMs === null ? null : new Date(pending.oldestMs).toISOString(),
    oldestPendingAgeMs: pending.oldestMs === null ? null : Math.max(0, nowMs - pending.oldestMs),
    feedEpoch: state.feedEpoch,
    feedCursor: state.feedCursor,
    lastFeedAppliedAt: state.lastFeedAppliedAt,
    deferredFeedChanges: deferred.count,
  };
}

export function setHubUrl(db: Db, hubUrl: string | null): void {
  sql(db, 'UPDATE sync_state SET hub_url = ?').run(hubUrl);
}

/**
 * Records the hub's cumulative ack (highest contiguous deviceSeq it durably applied). Acks only move
 * forward: an older or repeated ack (a lost and re-sent answer) changes nothing. An ack beyond what this
 * device ever wrote means the hub holds another device's history under this id, which must never be
 * papered over. Acknowledged events stay in the outbox for audit; pruning them is the sync agent's choice.
 */
export function acknowledgeOutbox(db: Db, lastSeq: number): number {
  if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'An outbox acknowledgement must be a whole deviceSeq of 0 or more.',
      { lastSeq },
    );
  }
  return db
    .transaction(() => {
      const state = sql(
        db,
        'SELECT s.last_acked_seq AS acked, d.last_device_seq AS written FROM sync_state s, device_state d',
      ).get() as {
        acked: number;
        written: number;
      };
      if (lastSeq > state.written) {
        throw new DomainError(
          'SEQUENCE_GAP',
          `The hub acknowledged event ${lastSeq}, but this device has only written ${state.written}. This data folder does not match the hub's record of the device; call support before syncing again.`,
          { lastSeq, written: state.written },
        );
      }
      if (lastSeq <= state.acked) return state.acked;
      sql(db, 'UPDATE sync_state SET last_acked_seq = ?').run(lastSeq);
      return lastSeq;
    })
    .immediate();
}
