import type { EventEnvelope, ValidPayload } from '@retail/sync';
import { shiftIdOf, staffIdsOf } from './claim-facts';
import type { ApplyContext } from './apply-context';

/**
 * Store scope (DESIGN §5 "Trust boundary"): a device's event may name only its own store's entities.
 * A store's sales, shifts and staff are its own from the first event that names them; BOPIS orders,
 * transfers and sales voided are checked by their own appliers against the hub's records. A return may
 * name a sale of any store (checked against the chain-wide returnable quantity in return-claims.ts).
 */

function shiftOwner(ctx: ApplyContext, shiftId: string): string | undefined {
  return (ctx.batchShifts.get(shiftId) ?? ctx.facts.shifts.get(shiftId))?.nodeId;
}

function staffOwner(ctx: ApplyContext, staffId: string): string | undefined {
  return ctx.batchStaff.get(staffId) ?? ctx.facts.staff.get(staffId);
}

/**
 * Why the event reaches outside its store, or undefined when everything it names is the store's own.
 * Staff HQ manages belong to the stores HQ lists for them (every store when none), not to the first
 * store that names them.
 */
export function scopeProblem(ctx: ApplyContext, valid: ValidPayload): string | undefined {
  const nodeId = ctx.facts.nodeId;
  for (const staffId of staffIdsOf(valid.payload)) {
    const hq = ctx.facts.hqStaff.get(staffId);
    if (hq !== undefined) {
      if (hq.stores.length > 0 && !hq.stores.includes(nodeId)) {
        return `Staff member ${staffId} may work only at ${hq.stores.join(', ')}, as HQ set; an event of store ${nodeId} cannot name them. Nothing of it was applied.`;
      }
      continue;
    }
    const owner = staffOwner(ctx, staffId);
    if (owner !== undefined && owner !== nodeId) {
      return `Staff member ${staffId} works at store ${owner}; an event of store ${nodeId} cannot name them. Nothing of it was applied.`;
    }
  }
  // A shift.opened for a shift id another store uses is refused by its applier (already opened).
  if (valid.type !== 'shift.opened') {
    const shiftId = shiftIdOf(valid.payload);
    const owner = shiftId === undefined ? undefined : shiftOwner(ctx, shiftId);
    if (shiftId !== undefined && owner !== undefined && owner !== nodeId) {
      return `Shift ${shiftId} is a shift of store ${owner}; an event of store ${nodeId} cannot change or use it. Nothing of it was applied.`;
    }
  }
  return undefined;
}

/**
 * An event a till recorded for staff HQ had deactivated before it happened: the till had not yet heard of
 * the deactivation (offline, or between pulls). It stands, as every offline sale does, and HQ reviews it.
 */
export function noteDeactivatedStaff(ctx: ApplyContext, event: EventEnvelope, valid: ValidPayload): void {
  const occurredAt = Date.parse(event.occurredAt);
  for (const staffId of staffIdsOf(valid.payload)) {
    const deactivatedAt = ctx.facts.hqStaff.get(staffId)?.deactivatedAt ?? null;
    if (deactivatedAt === null || occurredAt < deactivatedAt) continue;
    ctx.tx.raise({
      type: 'STAFF_DEACTIVATED',
      severity: 'warning',
      nodeId: ctx.facts.nodeId,
      causeEventIds: [event.eventId],
      details: {
        staffId,
        eventType: event.type,
        occurredAt: event.occurredAt,
        deactivatedAt: new Date(deactivatedAt).toISOString(),
      },
    });
  }
}

/** Remembers whose staff an applied event named for the first time. */
export function noteStaff(ctx: ApplyContext, event: EventEnvelope, valid: ValidPayload): void {
  for (const staffId of staffIdsOf(valid.payload)) {
    if (ctx.facts.hqStaff.has(staffId) || staffOwner(ctx, staffId) !== undefined) continue;
    ctx.batchStaff.set(staffId, ctx.facts.nodeId);
    ctx.writes.staff.push({
      staff_id: staffId,
      node_id: ctx.facts.nodeId,
      first_event_id: event.eventId,
      first_seen_at: ctx.tx.at,
    });
  }
}
