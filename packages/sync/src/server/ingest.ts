import { DomainError } from '@retail/domain';
import type { EventEnvelope, PayloadCheck } from '../envelope';
import { checkPayloadAsSent } from '../payload-checks';
import { planBatch } from './batch-plan';
import type { EventAck, PushAck, PushRequest } from './protocol';

/** The outcome of one event's applier: applied, or invalid forever (the reason is shown to staff). */
export type ApplyOutcome =
  { readonly status: 'applied' } | { readonly status: 'rejected'; readonly reason: string };

export type ValidPayload = Extract<PayloadCheck, { ok: true }>;

/**
 * What the hub provides for one push, inside ONE storage transaction holding the device's row lock:
 * the stored lastSeq, the appliers, and a `finish` that stores the new lastSeq with the effects.
 */
export interface DeviceIngestTransaction {
  readonly lastSeq: number;
  /** eventIds already applied at the given deviceSeqs (to spot a device reusing a sequence number). */
  appliedEventIds(deviceSeqs: readonly number[]): Promise<ReadonlyMap<number, string>>;
  /**
   * The reasons of the events among `eventIds` that were rejected when first dealt with. Such an event
   * pushed again is answered `rejected` with its reason, not `duplicate`: the device whose ack was lost
   * must still learn that staff have something to look at. Optional for hubs that keep no reasons.
   */
  rejectionReasons?(eventIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Applies one valid event. Must decide a rejection before writing anything for that event. */
  apply(event: EventEnvelope, payload: ValidPayload): Promise<ApplyOutcome>;
  /** Records an event that is invalid forever in the exception queue; `advances` says if lastSeq moves past it. */
  reject(event: EventEnvelope, reason: string, advances: boolean): Promise<void>;
  /** Stores the new lastSeq with the batch's effects and runs after-batch checks (oversell detection). */
  finish(result: {
    lastSeq: number;
    applied: readonly EventEnvelope[];
    rejected: readonly EventEnvelope[];
  }): Promise<void>;
}

export interface IngestPort {
  /** Runs `work` in one transaction with the device's lastSeq locked against concurrent pushes. */
  withDevice<T>(deviceId: string, work: (tx: DeviceIngestTransaction) => Promise<T>): Promise<T>;
}

export interface DevicePrincipal {
  readonly deviceId: string;
  readonly storeId: string;
}

/** A device pushes only its own events for its own store (DESIGN §4, Auth). */
export function assertPushIdentity(request: PushRequest, principal: DevicePrincipal): void {
  if (request.deviceId !== principal.deviceId || request.storeId !== principal.storeId) {
    throw new DomainError(
      'FORBIDDEN',
      'sync.deviceMayOnlyPush',
      {},
      {
        deviceId: request.deviceId,
        storeId: request.storeId,
      },
    );
  }
  request.events.forEach((event, index) => {
    if (event.deviceId !== principal.deviceId || event.storeId !== principal.storeId) {
      throw new DomainError(
        'FORBIDDEN',
        'sync.eventNamesStoreDevice',
        { eventId: event.eventId, storeId: event.storeId, deviceId: event.deviceId },
        { path: `events.${index}`, eventId: event.eventId },
      );
    }
  });
}

/**
 * One push = one transaction: duplicates are acknowledged again, the contiguous run from lastSeq+1 is
 * applied in order (permanent rejections advance lastSeq so a poison event never blocks the queue), and
 * anything after a gap is refused with the point to resume from.
 */
export async function ingestPush(request: PushRequest, port: IngestPort): Promise<PushAck> {
  return port.withDevice(request.deviceId, async (tx) => {
    const plan = planBatch(tx.lastSeq, request.events);
    const results = new Map<number, EventAck>();
    const applied: EventEnvelope[] = [];
    const rejected: EventEnvelope[] = [];
    let conflicted = false;

    if (plan.duplicates.length > 0) {
      const known = await tx.appliedEventIds(plan.duplicates.map((event) => event.deviceSeq));
      const reasons =
        (await tx.rejectionReasons?.(plan.duplicates.map((event) => event.eventId))) ??
        new Map<string, string>();
      for (const event of plan.duplicates) {
        const storedId = known.get(event.deviceSeq);
        const reason = reasons.get(event.eventId);
        if ((storedId === undefined || storedId === event.eventId) && reason !== undefined) {
          results.set(event.deviceSeq, {
            eventId: event.eventId,
            deviceSeq: event.deviceSeq,
            status: 'rejected',
            reason,
          });
        } else if (storedId === undefined || storedId === event.eventId) {
          results.set(event.deviceSeq, {
            eventId: event.eventId,
            deviceSeq: event.deviceSeq,
            status: 'duplicate',
          });
        } else {
          const reason = `Sequence number ${event.deviceSeq} of this device was already used by event ${storedId}; this event was not applied.`;
          await tx.reject(event, reason, false);
          results.set(event.deviceSeq, {
            eventId: event.eventId,
            deviceSeq: event.deviceSeq,
            status: 'rejected',
            reason,
            conflictsWith: storedId,
          });
          conflicted = true;
        }
      }
    }

    let lastSeq = tx.lastSeq;
    // A device that reuses numbers (restored from a backup, or a copied data folder running elsewhere)
    // gets nothing more applied under this id: its later events follow the same broken numbering, and
    // the till sends them again as a new device once it has recovered (docs/sync.md §2).
    const toApply = conflicted ? [] : plan.toApply;
    const refused = conflicted ? [...plan.toApply, ...plan.refused] : plan.refused;
    for (const event of toApply) {
      const payload = checkPayloadAsSent(event.type, event.schemaVersion, event.payload);
      const outcome: ApplyOutcome = payload.ok
        ? await tx.apply(event, payload)
        : { status: 'rejected', reason: payload.reason };
      if (outcome.status === 'applied') {
        applied.push(event);
        results.set(event.deviceSeq, {
          eventId: event.eventId,
          deviceSeq: event.deviceSeq,
          status: 'accepted',
        });
      } else {
        await tx.reject(event, outcome.reason, true);
        rejected.push(event);
        results.set(event.deviceSeq, {
          eventId: event.eventId,
          deviceSeq: event.deviceSeq,
          status: 'rejected',
          reason: outcome.reason,
        });
      }
      lastSeq = event.deviceSeq;
    }

    for (const event of refused) {
      results.set(event.deviceSeq, {
        eventId: event.eventId,
        deviceSeq: event.deviceSeq,
        status: 'refused',
        reason: conflicted
          ? 'This device reused a sequence number the hub already holds; nothing after it was applied.'
          : `The hub is missing event ${lastSeq + 1} of this device; push again from there.`,
      });
    }

    await tx.finish({ lastSeq, applied, rejected });
    const ack: PushAck = {
      deviceId: request.deviceId,
      lastSeq,
      results: request.events.map((event) => results.get(event.deviceSeq)!),
    };
    return plan.gap === undefined && refused.length === 0 ? ack : { ...ack, resumeFrom: lastSeq + 1 };
  });
}
