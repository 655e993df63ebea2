import type { EventEnvelope, MovementPayload } from '@retail/sync';
import { sameMovement, type LedgerMovement } from '../inventory/ledger';
import type { ApplyContext } from './apply-context';

/**
 * Turns an event's movements into ledger movements at the store, or says why the event can never
 * apply: an unknown SKU, a repeated or reused movement id, or hub-managed in-transit stock.
 */
export function prepareMovements(
  ctx: ApplyContext,
  event: EventEnvelope,
  movements: readonly MovementPayload[],
  sourceDoc: string,
): { ok: true; movements: LedgerMovement[] } | { ok: false; reason: string } {
  const ids = new Set<string>();
  const prepared: LedgerMovement[] = [];
  for (const movement of movements) {
    if (ids.has(movement.movementId)) {
      return { ok: false, reason: `Movement ${movement.movementId} appears twice in this event.` };
    }
    ids.add(movement.movementId);
    if (!ctx.facts.knownSkus.has(movement.sku)) {
      return {
        ok: false,
        reason: `SKU ${movement.sku} is not in the hub catalog, so its stock cannot be recorded. Check the item with HQ.`,
      };
    }
    if (movement.bucket === 'in_transit') {
      return {
        ok: false,
        reason: `Movement ${movement.movementId} moves in-transit stock, which only the hub records (at the destination).`,
      };
    }
    const stored = ctx.facts.storedMovements.get(movement.movementId);
    const here = {
      nodeId: ctx.facts.nodeId,
      sku: movement.sku,
      bucket: movement.bucket,
      delta: movement.delta,
    };
    if ((stored !== undefined && !sameMovement(stored, here)) || ctx.tx.hasMovement(movement.movementId)) {
      return {
        ok: false,
        reason: `Movement id ${movement.movementId} was already used for a different stock change.`,
      };
    }
    // The same movement recorded earlier (sent again inside a new event): it already counted once.
    if (stored !== undefined) continue;
    prepared.push({
      movementId: movement.movementId,
      nodeId: ctx.facts.nodeId,
      sku: movement.sku,
      type: movement.type,
      bucket: movement.bucket,
      delta: movement.delta,
      reason: movement.reason,
      sourceDoc,
      eventId: event.eventId,
      actor: `device:${ctx.facts.deviceId}`,
    });
  }
  return { ok: true, movements: prepared };
}
