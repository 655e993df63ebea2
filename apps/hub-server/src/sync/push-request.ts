import {
  isEventEnvelope,
  isSyncId,
  MAX_PUSH_EVENTS,
  OutboxReportSchema,
  type PushRequest,
} from '@retail/sync';

/**
 * A socket.io push body as `PushRequestSchema` would return it, found without the schema's parse and copy
 * of every envelope (a catch-up sends 500 a message, and the hub's event loop is what a catch-up waits
 * for), or undefined when the schema has to decide: the caller then parses with it and gets its error or
 * its output. Defined only when the schema accepts the body and returns what this returns: the envelopes
 * as sent (`isEventEnvelope`: a value the envelope schema returns unchanged), a new object for the request
 * itself with the schema's keys in its order (the schema strips any other), the outbox report through its
 * own schema (two fields). push-request.test.ts checks this against the schema with fast-check.
 */
export function pushRequestAsSent(body: unknown): PushRequest | undefined {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype) {
    return undefined;
  }
  const { deviceId, storeId, events, outbox } = body as Record<string, unknown>;
  if (!isSyncId(deviceId) || !isSyncId(storeId)) return undefined;
  if (!Array.isArray(events) || Object.getPrototypeOf(events) !== Array.prototype) return undefined;
  if (events.length > MAX_PUSH_EVENTS) return undefined;
  for (let index = 0; index < events.length; index += 1) {
    if (!isEventEnvelope(events[index])) return undefined;
  }
  if (outbox === undefined) return 'outbox' in body ? undefined : { deviceId, storeId, events };
  const report = OutboxReportSchema.safeParse(outbox);
  return report.success ? { deviceId, storeId, events, outbox: report.data } : undefined;
}
