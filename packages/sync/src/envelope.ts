import { z } from 'zod';
import { CURRENT_VERSION, EVENT_SCHEMAS, EVENT_TYPES, type EventPayloads, type EventType } from './events';

/**
 * The envelope every store event travels in (DESIGN §4). `deviceSeq` is gapless per device and starts
 * at 1; the hub applies `lastSeq + 1` only. `hlc` orders events across devices; `occurredAt` is the
 * device's wall clock and is informational only.
 */
export const EventEnvelopeSchema = z.object({
  eventId: z.uuid(),
  type: z.string().min(1).max(60),
  /** Logged with every event as a 32-bit integer, so a version beyond that is a malformed envelope. */
  schemaVersion: z.number().int().min(1).max(2_147_483_647),
  storeId: z.string().min(1).max(100),
  deviceId: z.string().min(1).max(100),
  deviceSeq: z.number().int().min(1).safe(),
  hlc: z.string().min(1).max(120),
  occurredAt: z.iso.datetime({ offset: true }),
  txId: z.string().min(1).max(100),
  causes: z.array(z.string().min(1).max(100)).max(100).optional(),
  payload: z.unknown(),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

export type TypedEnvelope<T extends EventType = EventType> = Omit<EventEnvelope, 'type' | 'payload'> & {
  type: T;
  payload: EventPayloads[T];
};

/**
 * Upcasters lift an old payload version to the next one: `UPCASTERS[type][n]` maps version n → n+1.
 * The hub accepts every version it has ever accepted, forever.
 */
export const UPCASTERS: {
  readonly [K in EventType]?: Readonly<Record<number, (payload: unknown) => unknown>>;
} = {
  // v2 only added document sources and optional expected quantities: a v1 receipt is a valid v2 one.
  'stock.received': { 1: (payload) => payload },
};

export type PayloadCheck<T extends EventType = EventType> =
  { ok: true; type: T; payload: EventPayloads[T] } | { ok: false; reason: string };

export function isEventType(type: string): type is EventType {
  return (EVENT_TYPES as string[]).includes(type);
}

/**
 * Validates a payload at its own version, then upcasts it to the current one. A failure here is
 * permanent (the same bytes will never become valid), so the hub records it as a rejected event.
 */
export function checkPayload(type: string, schemaVersion: number, payload: unknown): PayloadCheck {
  if (!isEventType(type)) return { ok: false, reason: `Unknown event type ${JSON.stringify(type)}.` };
  const versions = EVENT_SCHEMAS[type] as Record<number, z.ZodType | undefined>;
  const current = CURRENT_VERSION[type];
  if (versions[schemaVersion] === undefined) {
    return {
      ok: false,
      reason: `Event type ${type} has no schema version ${schemaVersion} (this hub knows up to ${current}).`,
    };
  }
  let value: unknown = payload;
  for (let version = schemaVersion; version <= current; version += 1) {
    const schema = versions[version];
    if (schema === undefined) return { ok: false, reason: `Missing schema ${type} v${version}.` };
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      return {
        ok: false,
        reason: `Invalid ${type} v${version} payload${where}: ${issue?.message ?? 'invalid'}.`,
      };
    }
    value = parsed.data;
    if (version < current) {
      const upcast = UPCASTERS[type]?.[version];
      if (!upcast) return { ok: false, reason: `No upcaster for ${type} v${version} → v${version + 1}.` };
      value = upcast(value);
    }
  }
  return { ok: true, type, payload: value as EventPayloads[typeof type] };
}
