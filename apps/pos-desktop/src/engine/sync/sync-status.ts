import { assertNever } from '@retail/domain';
import type { SyncAgentStatus } from '@retail/sync';
import type { SyncStatus } from '../../shared/commands';
import { sql } from '../context';
import type { Db } from '../database';
import { readSettingsVersion } from '../settings';
import { NUMBERING_HOLD_MESSAGE, numberingHold } from './device-succession';
import { hasSyncSchema } from './sync-schema';

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
