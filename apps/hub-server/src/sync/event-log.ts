import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { EventEnvelopeSchema } from '@retail/sync';
import type { Executor } from '../storage/storage';

/**
 * The hub's log of store events as HQ reads it: every event a device pushed that the hub dealt with,
 * applied or rejected, with the envelope exactly as the device sent it. What a rejected event said, what
 * a restored till lost or sent again, is read here (the exception of a sequence conflict carries its
 * event, which never enters the log because its number is taken).
 */
export const LoggedEventSchema = z.object({
  eventId: z.string(),
  deviceId: z.string(),
  deviceSeq: z.number().int(),
  nodeId: z.string(),
  type: z.string(),
  schemaVersion: z.number().int(),
  status: z.enum(['applied', 'rejected']),
  rejectReason: z.string().nullable(),
  receivedAt: z.number().int(),
  envelope: EventEnvelopeSchema,
});
export type LoggedEvent = z.infer<typeof LoggedEventSchema>;

export const DeviceEventsQuerySchema = z.object({
  /** Events after this deviceSeq, in deviceSeq order. */
  afterSeq: z.coerce.number().int().min(0).safe().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DeviceEventsQuery = z.infer<typeof DeviceEventsQuerySchema>;

interface LogRow {
  event_id: string;
  device_id: string;
  device_seq: number;
  node_id: string;
  type: string;
  schema_version: number;
  status: 'applied' | 'rejected';
  reject_reason?: string | null;
  received_at: number;
  envelope: string;
}

function toLoggedEvent(row: LogRow): LoggedEvent {
  return {
    eventId: row.event_id,
    deviceId: row.device_id,
    deviceSeq: Number(row.device_seq),
    nodeId: row.node_id,
    type: row.type,
    schemaVersion: Number(row.schema_version),
    status: row.status,
    rejectReason: row.reject_reason ?? null,
    receivedAt: Number(row.received_at),
    envelope: EventEnvelopeSchema.parse(JSON.parse(row.envelope)),
  };
}

export async function getLoggedEvent(executor: Executor, eventId: string): Promise<LoggedEvent> {
  const row = await executor
    .selectFrom('ingested_events')
    .selectAll()
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.sync.hubNoEventLog', { eventId }, { eventId });
  }
  return toLoggedEvent(row);
}

/** A device's logged events after a deviceSeq (a revoked device's too: its history stays readable). */
export async function listDeviceEvents(
  executor: Executor,
  deviceId: string,
  query: DeviceEventsQuery,
): Promise<LoggedEvent[]> {
  const device = await executor
    .selectFrom('devices')
    .select('device_id')
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  if (device === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.auth.noDevice', { deviceId }, { deviceId });
  }
  const rows = await executor
    .selectFrom('ingested_events')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('device_seq', '>', query.afterSeq)
    .orderBy('device_seq')
    .limit(query.limit)
    .execute();
  return rows.map(toLoggedEvent);
}
