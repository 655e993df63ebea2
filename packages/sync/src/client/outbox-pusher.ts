import { DomainError } from '@retail/domain';
import type { EventEnvelope } from '../envelope';
import { MAX_PUSH_EVENTS, type PushAck, type PushRequest } from '../server/protocol';
import { DeviceRestoredError } from './device-restore';
import type { OutboxStore, OutboxSummary } from './stores';
import { SyncTransportError } from './sync-error';
import type { SyncTransport } from './transport';

export interface DeviceIdentity {
  readonly deviceId: string;
  readonly storeId: string;
}

export interface PushRunResult {
  readonly batches: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** Batches the hub refused for a gap and that were sent again from its resume point. */
  readonly resumed: number;
}

export interface OutboxPusherOptions {
  readonly outbox: OutboxStore;
  readonly transport: SyncTransport;
  readonly identity: DeviceIdentity;
  /** Device wall clock as ISO 8601, stamped on acks. */
  readonly nowIso: () => string;
  readonly batchSize?: number;
  /**
   * How many batches may be in flight at once (default 1). With more, the pusher reads and sends the next
   * batch while the hub applies the one before; acks are still recorded one batch at a time in deviceSeq
   * order, and an answer that does not cover its whole batch ends the window (see `pushWindow`).
   */
  readonly window?: number;
  /** Called after every ack the outbox recorded. */
  readonly onAck?: (ack: PushAck) => void;
  /**
   * Called, between `start()` and `stop()`, each time the outbox says a local commit appended events:
   * the runner (the sync agent) then runs `pushUntilDrained` as soon as the hub is reachable.
   */
  readonly onCommitted?: () => void;
}

export interface OutboxPusher {
  /** Listens to the outbox: every commit that appended events calls `onCommitted`, until `stop()`. */
  start(): void;
  /** Stops listening to the outbox; a run under way is left to finish. */
  stop(): void;
  /**
   * Pushes batches until the outbox has nothing pending. Not re-entrant: the agent runs one at a time,
   * so at most `window` batches are ever in flight, and a run returns or throws only once every push it
   * sent has been answered or failed.
   */
  pushUntilDrained(): Promise<PushRunResult>;
  /**
   * Settles acks from the `lastSeq` a pull echoed: a push whose ack was lost costs nothing. Only ever
   * moves the acknowledged point forward, because a pull answer can be older than a push ack that
   * overtook it.
   */
  settleEcho(hubLastSeq: number): Promise<EchoOutcome>;
}

/**
 * `verify`: the echo is below what the hub once acknowledged, or above what this device wrote. Either
 * the pull answer is older than a push ack that overtook it, or the hub lost events (restored from a
 * backup), or this device's data is a restored copy; the next push run sends an empty batch to find
 * out, since only a push answer is ordered after this device's acks.
 */
export type EchoOutcome = 'settled' | 'unchanged' | 'verify';

function checkBatch(batch: readonly EventEnvelope[], summary: OutboxSummary, identity: DeviceIdentity): void {
  batch.forEach((event, index) => {
    const expected = summary.ackedSeq + 1 + index;
    if (event.deviceSeq !== expected) {
      throw new DomainError(
        'SEQUENCE_GAP',
        'sync.tillOutboxMissingEvent',
        { expected },
        { expected, found: event.deviceSeq },
      );
    }
    if (event.deviceId !== identity.deviceId || event.storeId !== identity.storeId) {
      throw new DomainError(
        'CONFLICT',
        'sync.outboxEventBelongsStore',
        { eventId: event.eventId, storeId: event.storeId, deviceId: event.deviceId },
        { eventId: event.eventId },
      );
    }
  });
}

/** The ack must answer this batch, event by event; anything else is not trusted with the outbox. */
function checkAck(ack: PushAck, batch: readonly EventEnvelope[], identity: DeviceIdentity): void {
  const mismatch = (detail: string) =>
    new SyncTransportError('protocol', 'sync.hubPushAnswerNot', { detail });
  if (ack.deviceId !== identity.deviceId) throw mismatch(`it is for device ${ack.deviceId}`);
  if (ack.results.length !== batch.length) {
    throw mismatch(`${ack.results.length} results for ${batch.length} events`);
  }
  ack.results.forEach((result, index) => {
    const event = batch[index]!;
    if (result.deviceSeq !== event.deviceSeq || result.eventId !== event.eventId) {
      throw mismatch(`result ${index} is for event ${result.deviceSeq}`);
    }
  });
  if (ack.resumeFrom !== undefined && ack.resumeFrom !== ack.lastSeq + 1) {
    throw mismatch(`resume point ${ack.resumeFrom} after lastSeq ${ack.lastSeq}`);
  }
}

/**
 * The backlog the hub records for this till: what is left once the hub has dealt with `batch`. The hub
 * stores it in the transaction that applies the batch, so after the last batch of a drain HQ sees 0 and no
 * age, not the backlog from before the push, which stayed up on idle tills until their next sale.
 */
function backlogAfter(
  batch: readonly EventEnvelope[],
  summary: OutboxSummary,
  firstLeft: EventEnvelope | undefined,
): NonNullable<PushRequest['outbox']> {
  // Commits keep writing while the batch is read: the look-ahead may be past the summary.
  const written = Math.max(summary.lastSeq, firstLeft?.deviceSeq ?? 0);
  const left = Math.max(0, written - batch.at(-1)!.deviceSeq);
  if (left === 0) return { pending: 0 };
  return { pending: left, ...(firstLeft === undefined ? {} : { oldestPendingAt: firstLeft.occurredAt }) };
}

/** Most batches a pusher keeps in flight: enough to hide a round trip, few enough to hold no hub hostage. */
export const MAX_PUSH_WINDOW = 8;

/** A batch sent and not yet answered, with the outbox as it stood when the batch was read. */
interface Flight {
  readonly batch: readonly EventEnvelope[];
  readonly summary: OutboxSummary;
  readonly answer: Promise<PushAck>;
  /** Sent while an earlier batch of the window was still unanswered: it assumed that batch would apply. */
  readonly speculative: boolean;
}

export function createOutboxPusher(options: OutboxPusherOptions): OutboxPusher {
  const { outbox, transport, identity } = options;
  const batchSize = options.batchSize ?? MAX_PUSH_EVENTS;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PUSH_EVENTS) {
    throw new DomainError(
      'INVALID_INPUT',
      'sync.pushBatchHoldsEvents',
      { MAX_PUSH_EVENTS },
      {
        batchSize,
      },
    );
  }
  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 1 || window > MAX_PUSH_WINDOW) {
    throw new DomainError(
      'INVALID_INPUT',
      'sync.pushWindowHoldsBatches',
      { MAX_PUSH_WINDOW },
      {
        window,
      },
    );
  }
  let running = false;
  let verifyRequested = false;
  let unsubscribe: (() => void) | null = null;

  /**
   * Sends up to `window` batches back to back and records their answers in order. Returns false when the
   * outbox had nothing to send, true when the caller should look at the outbox again.
   *
   * Exactly once: every batch starts right after the one sent before it, and an answer is recorded only
   * when every batch before it was answered in full, so the acknowledged point only moves forward through
   * numbers the hub has dealt with. The hub applies a device's pushes one at a time, and a push that
   * starts past its lastSeq is refused (`resumeFrom`), never applied out of order. So when an answer does
   * not cover its whole batch (a gap, a rejection it could not move past, a restored hub, or a later
   * batch overtaking an earlier one on the way), the batches after it are left unrecorded: whatever
   * the hub made of them comes back as `duplicate` when the next window sends again from the first event
   * not acknowledged. A speculative batch's incomplete answer is not trusted at all, since it may only
   * say that the batch arrived before the one it followed; the next window's first batch asks again.
   */
  async function pushWindow(read: OutboxSummary, counts: Record<keyof PushRunResult, number>) {
    const flights: Flight[] = [];
    let sentUpTo: number | undefined;
    let more = true;

    async function send(): Promise<boolean> {
      // One event past the batch says when the oldest event left after it was written.
      const lookahead = await outbox.readPending(batchSize + 1, sentUpTo);
      const batch = lookahead.slice(0, batchSize);
      more = lookahead.length > batchSize;
      if (batch.length === 0) return false;
      // A pull echo may acknowledge events between the summary and this read; the batch itself says
      // where the outbox stood when it was read.
      const base = batch[0]!.deviceSeq - 1;
      const floor = sentUpTo ?? read.ackedSeq;
      if (base < floor) {
        throw new DomainError(
          'SEQUENCE_GAP',
          'sync.tillOutboxOfferedEvent',
          { base: base + 1, sent: sentUpTo === undefined ? 'no' : 'yes', floor },
          { offered: base + 1, ackedSeq: read.ackedSeq },
        );
      }
      if (sentUpTo !== undefined && base > sentUpTo) {
        // A pull echo acknowledged past what is in flight: the next window starts from there.
        more = false;
        return false;
      }
      const summary: OutboxSummary = { ...read, ackedSeq: base };
      checkBatch(batch, summary, identity);
      const answer = transport.push({
        deviceId: identity.deviceId,
        storeId: identity.storeId,
        events: [...batch],
        outbox: backlogAfter(batch, summary, lookahead[batchSize]),
      });
      // Observed in order below; a failure of a later batch must not surface as unhandled meanwhile.
      answer.catch(() => undefined);
      flights.push({ batch, summary, answer, speculative: flights.length > 0 });
      sentUpTo = batch.at(-1)!.deviceSeq;
      return true;
    }

    // The point the answers recorded so far in this window acknowledged.
    let recordedUpTo = 0;
    try {
      if (!(await send())) return false;
      while (flights.length > 0) {
        while (more && flights.length < window) await send();
        const flight = flights.shift()!;
        const outcome = await record(flight, await flight.answer, counts, recordedUpTo);
        if (outcome === 'partial') return true;
        recordedUpTo = outcome.acknowledged;
      }
      return true;
    } finally {
      // Nothing is left running behind the caller's back: a run ends once every push it sent has settled.
      await Promise.allSettled(flights.map((flight) => flight.answer));
    }
  }

  /**
   * Records one answer: `complete` (with the point now acknowledged) when it covers its whole batch,
   * `partial` when the window must end. `recordedUpTo` is what the window's earlier answers acknowledged.
   */
  async function record(
    flight: Flight,
    ack: PushAck,
    counts: Record<keyof PushRunResult, number>,
    recordedUpTo: number,
  ): Promise<{ readonly acknowledged: number } | 'partial'> {
    const { batch, summary } = flight;
    checkAck(ack, batch, identity);
    // Commits keep writing while a batch is read and sent, so the batch can reach past the summary.
    const written = Math.max(summary.lastSeq, batch.at(-1)!.deviceSeq);
    // The hub holds another event under one of these numbers, or more events than this device wrote:
    // this device's data is a restored copy. Nothing of this answer is recorded.
    const conflict = ack.results.find((result) => result.conflictsWith !== undefined);
    if (conflict !== undefined || ack.lastSeq > written) {
      throw new DeviceRestoredError({
        hubLastSeq: ack.lastSeq,
        writtenSeq: written,
        ...(conflict === undefined ? {} : { conflictSeq: conflict.deviceSeq }),
      });
    }
    const complete = ack.resumeFrom === undefined && ack.lastSeq >= batch.at(-1)!.deviceSeq;
    if (flight.speculative && !complete) return 'partial';
    counts.batches += 1;
    verifyRequested = false;
    if (ack.lastSeq < summary.ackedSeq) {
      // The hub once acknowledged more than it has now: it was restored from a backup. Send again what it
      // lost, from the events this device kept for exactly this case.
      await outbox.rewind(ack.lastSeq);
      counts.resumed += 1;
      return 'partial';
    }
    const rejected = ack.results.flatMap((result) =>
      result.status === 'rejected'
        ? [
            {
              eventId: result.eventId,
              deviceSeq: result.deviceSeq,
              reason: result.reason ?? 'The hub refused this event without giving a reason.',
            },
          ]
        : [],
    );
    // An answer carries the hub's lastSeq when it dealt with the batch. A hub that took this batch before
    // the one sent ahead of it (a PostgreSQL row lock may grant them in either order) answered it with an
    // older lastSeq than the earlier batch's answer, recorded already: its results count, and the
    // acknowledged point stays where that answer put it.
    const lastSeq = Math.max(ack.lastSeq, recordedUpTo);
    await outbox.acknowledge({ lastSeq, rejected, at: options.nowIso() });
    for (const result of ack.results) {
      if (result.status === 'accepted') counts.accepted += 1;
      else if (result.status === 'duplicate') counts.duplicates += 1;
    }
    counts.rejected += rejected.length;
    if (ack.resumeFrom !== undefined) counts.resumed += 1;
    // A correct hub always deals with at least the first event of a batch that starts right after its
    // lastSeq (applies it or rejects it and moves on); refusals are answered by the acknowledge above,
    // which made the resume point the next pending event. No progress means the hub contradicts itself:
    // back off rather than spin.
    if (ack.lastSeq === summary.ackedSeq) {
      throw new SyncTransportError('protocol', 'sync.hubAnsweredPushWithout', {
        ackedSeq: summary.ackedSeq + 1,
      });
    }
    options.onAck?.(ack);
    return complete ? { acknowledged: lastSeq } : 'partial';
  }

  /** An empty push: the hub answers with its lastSeq for this device and applies nothing. */
  async function probe(summary: OutboxSummary, counts: Record<keyof PushRunResult, number>) {
    const ack = await transport.push({
      deviceId: identity.deviceId,
      storeId: identity.storeId,
      events: [],
      // A restored copy asks before it sends anything, so its backlog is still all there.
      outbox:
        summary.pending === 0 || summary.oldestPendingAt === undefined
          ? { pending: summary.pending }
          : { pending: summary.pending, oldestPendingAt: summary.oldestPendingAt },
    });
    checkAck(ack, [], identity);
    verifyRequested = false;
    if (ack.lastSeq > summary.lastSeq) {
      throw new DeviceRestoredError({ hubLastSeq: ack.lastSeq, writtenSeq: summary.lastSeq });
    }
    if (summary.restoredUpTo !== undefined) {
      // A restored copy: if the hub holds nothing of this device beyond what the copy held, the copy is
      // the device's whole history and numbering may go on; otherwise it must become a new device.
      if (ack.lastSeq > summary.restoredUpTo) {
        throw new DeviceRestoredError({ hubLastSeq: ack.lastSeq, writtenSeq: summary.lastSeq });
      }
      await outbox.confirmRestore();
    }
    if (ack.lastSeq < summary.ackedSeq) {
      await outbox.rewind(ack.lastSeq);
      counts.resumed += 1;
    } else if (ack.lastSeq > summary.ackedSeq) {
      await outbox.acknowledge({ lastSeq: ack.lastSeq, rejected: [], at: options.nowIso() });
    }
    options.onAck?.(ack);
  }

  return {
    start() {
      if (unsubscribe !== null) return;
      unsubscribe = outbox.onCommitted(() => options.onCommitted?.());
    },

    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },

    async pushUntilDrained() {
      if (running) {
        throw new DomainError('CONFLICT', 'sync.pushAlreadyRunning');
      }
      running = true;
      const counts = { batches: 0, accepted: 0, duplicates: 0, rejected: 0, resumed: 0 };
      try {
        for (;;) {
          const summary = await outbox.summary();
          // A restored copy sends nothing before the hub has said what it holds of this device.
          if (summary.restoredUpTo !== undefined) {
            await probe(summary, counts);
            continue;
          }
          if (summary.pending === 0) {
            if (!verifyRequested) return counts;
            await probe(summary, counts);
            continue;
          }
          if (!(await pushWindow(summary, counts))) return counts;
        }
      } finally {
        running = false;
      }
    },

    async settleEcho(hubLastSeq) {
      const summary = await outbox.summary();
      // More than this device wrote (a restored copy), or less than the hub acknowledged (a restored hub):
      // only a push answer is ordered after this device's acks, so the push loop finds out which.
      if (hubLastSeq > summary.lastSeq || hubLastSeq < summary.ackedSeq) {
        verifyRequested = true;
        return 'verify';
      }
      if (hubLastSeq === summary.ackedSeq) return 'unchanged';
      await outbox.acknowledge({ lastSeq: hubLastSeq, rejected: [], at: options.nowIso() });
      return 'settled';
    },
  };
}
