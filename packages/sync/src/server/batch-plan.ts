import { DomainError } from '@retail/domain';

/**
 * The protocol-generic half of ingest (DESIGN §4, Replicache's rule): per device the hub keeps `lastSeq`
 * and deals only with `lastSeq + 1`. Everything here is pure; the hub plugs its storage and appliers in
 * through `ingestPush`.
 */
export interface SequencedEvent {
  readonly eventId: string;
  readonly deviceSeq: number;
}

export interface BatchPlan<E extends SequencedEvent> {
  /** deviceSeq ≤ lastSeq: already dealt with; acknowledge again. */
  readonly duplicates: readonly E[];
  /** The contiguous run lastSeq+1, lastSeq+2, … to apply in this order. */
  readonly toApply: readonly E[];
  /** Events after a missing deviceSeq: not looked at. */
  readonly refused: readonly E[];
  /** Set when the batch skips a deviceSeq: the hub expected `expected` and got `received`. */
  readonly gap?: { readonly expected: number; readonly received: number };
}

/** A batch must be ordered by strictly increasing deviceSeq; anything else is a client bug. */
export function assertBatchOrder(events: readonly SequencedEvent[]): void {
  for (let i = 1; i < events.length; i += 1) {
    const previous = events[i - 1]!;
    const current = events[i]!;
    if (current.deviceSeq <= previous.deviceSeq) {
      throw new DomainError(
        'INVALID_INPUT',
        'sync.eventsPushMustOrdered',
        { deviceSeq: current.deviceSeq, deviceSeq2: previous.deviceSeq },
        { path: `events.${i}.deviceSeq`, deviceSeq: current.deviceSeq, previous: previous.deviceSeq },
      );
    }
  }
}

export function planBatch<E extends SequencedEvent>(lastSeq: number, events: readonly E[]): BatchPlan<E> {
  assertBatchOrder(events);
  const duplicates: E[] = [];
  const toApply: E[] = [];
  const refused: E[] = [];
  let next = lastSeq + 1;
  let gap: BatchPlan<E>['gap'];
  for (const event of events) {
    if (gap !== undefined) {
      refused.push(event);
    } else if (event.deviceSeq <= lastSeq) {
      duplicates.push(event);
    } else if (event.deviceSeq === next) {
      toApply.push(event);
      next += 1;
    } else {
      gap = { expected: next, received: event.deviceSeq };
      refused.push(event);
    }
  }
  return gap === undefined ? { duplicates, toApply, refused } : { duplicates, toApply, refused, gap };
}
