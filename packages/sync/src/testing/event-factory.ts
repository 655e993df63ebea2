import { createUuidV7Generator } from '@retail/domain';
import type { EventEnvelope } from '../envelope';
import { createHlcClock } from '../hlc';
import type { RandomSource } from '../client/scheduler';

export interface EventFactoryOptions {
  readonly storeId: string;
  readonly deviceId: string;
  /** The device's wall clock (skew it to test clock skew). */
  readonly now: () => number;
  readonly random: RandomSource;
  /** The last deviceSeq already written (to continue an existing outbox). */
  readonly lastSeq?: number;
}

export interface EventFactory {
  /** `count` stock adjustments of one local transaction; `invalid` ones fail the hub's payload check. */
  next(count: number, options?: { invalid?: boolean }): EventEnvelope[];
  readonly lastSeq: number;
}

/** Builds valid envelopes the way a store node does: gapless deviceSeq, UUIDv7 ids, HLC stamps. */
export function createEventFactory(options: EventFactoryOptions): EventFactory {
  let seq = options.lastSeq ?? 0;
  let tx = 0;
  const nextId = createUuidV7Generator({
    now: options.now,
    randomBytes: (length) => Uint8Array.from({ length }, () => Math.floor(options.random() * 256)),
  });
  const clock = createHlcClock({ nodeId: options.deviceId, now: options.now });
  return {
    next(count, { invalid = false } = {}) {
      tx += 1;
      const txId = `${options.deviceId}-tx-${tx}`;
      return Array.from({ length: count }, () => {
        seq += 1;
        const at = new Date(options.now()).toISOString();
        const movementId = `${options.deviceId}-m-${seq}`;
        return {
          eventId: nextId(),
          type: 'stock.adjusted',
          schemaVersion: 1,
          storeId: options.storeId,
          deviceId: options.deviceId,
          deviceSeq: seq,
          hlc: clock.tick(),
          occurredAt: at,
          txId,
          payload: {
            adjustmentId: `adj-${movementId}`,
            reason: 'shelf check',
            // An adjustment without movements never becomes valid: the hub must reject it, not block on it.
            movements: invalid
              ? []
              : [{ movementId, sku: `SKU-${seq % 7}`, type: 'ADJUSTMENT', bucket: 'sellable', delta: 1 }],
            adjustedAt: at,
          },
        };
      });
    },
    get lastSeq() {
      return seq;
    },
  };
}
