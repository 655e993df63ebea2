import { DomainError } from '@retail/domain';
import type { EventEnvelope } from '../envelope';
import {
  OutboxCommitSignal,
  type OutboxAck,
  type OutboxStore,
  type OutboxSummary,
  type RejectedEvent,
} from '../client/stores';

type OutboxMethod = 'summary' | 'readPending' | 'acknowledge' | 'rewind' | 'prune' | 'confirmRestore';

interface StoredEvent {
  readonly envelope: EventEnvelope;
  readonly createdAt: string;
  ackedAt: string | null;
}

/**
 * The reference OutboxStore: the behaviour a SQLite implementation must match, kept in memory. Every
 * method changes state all at once or not at all (the JS equivalent of one transaction), and any method
 * can be made to fail once, to test that a failed "transaction" leaves no trace.
 */
export class MemoryOutboxStore implements OutboxStore {
  private events: StoredEvent[] = [];
  private ackedSeq = 0;
  private lastSeq = 0;
  private restoredUpTo: number | undefined;
  private readonly rejections = new Map<string, RejectedEvent>();
  private readonly failures = new Set<OutboxMethod>();
  private readonly commits = new OutboxCommitSignal();
  /** Every ack point ever saved, for tests that check it only moves as the protocol allows. */
  readonly ackHistory: number[] = [];

  constructor(private readonly nowIso: () => string = () => new Date().toISOString()) {}

  /** What a command's transaction does: append events with the next deviceSeqs. */
  append(envelopes: readonly EventEnvelope[]): void {
    envelopes.forEach((envelope, index) => {
      if (envelope.deviceSeq !== this.lastSeq + 1 + index) {
        throw new DomainError('INVALID_INPUT', `Outbox event ${envelope.deviceSeq} is not the next number.`);
      }
    });
    const createdAt = this.nowIso();
    for (const envelope of envelopes)
      this.events.push({ envelope: structuredClone(envelope), createdAt, ackedAt: null });
    this.lastSeq += envelopes.length;
  }

  /** What a command does once its transaction (its `append`) committed: the outbox's readers hear of it. */
  committed(): void {
    this.commits.committed();
  }

  onCommitted(listener: () => void): () => void {
    return this.commits.subscribe(listener);
  }

  /** The next method call of this name throws, changing nothing. */
  failNext(method: OutboxMethod): void {
    this.failures.add(method);
  }

  /** Forgets failures armed with failNext that nothing has hit yet. */
  clearFailures(): void {
    this.failures.clear();
  }

  private maybeFail(method: OutboxMethod): void {
    if (this.failures.delete(method)) throw new Error(`simulated storage failure in ${method}`);
  }

  /**
   * What restoring this device's data from a backup does: the outbox keeps only what the backup held,
   * and numbering waits for the hub (`restoredUpTo`). `ackedSeq` is the backup's.
   */
  restoreFrom(backup: { readonly upTo: number; readonly ackedSeq: number }): void {
    this.events = this.events.filter((event) => event.envelope.deviceSeq <= backup.upTo);
    for (const event of this.events) if (event.envelope.deviceSeq > backup.ackedSeq) event.ackedAt = null;
    this.lastSeq = backup.upTo;
    this.ackedSeq = backup.ackedSeq;
    this.restoredUpTo = backup.upTo;
  }

  get acknowledged(): number {
    return this.ackedSeq;
  }

  get written(): number {
    return this.lastSeq;
  }

  /** Every event ever appended that is still retained, in order. */
  retained(): EventEnvelope[] {
    return this.events.map((event) => structuredClone(event.envelope));
  }

  async summary(): Promise<OutboxSummary> {
    this.maybeFail('summary');
    const pending = this.events.filter((event) => event.envelope.deviceSeq > this.ackedSeq);
    return {
      ackedSeq: this.ackedSeq,
      lastSeq: this.lastSeq,
      pending: pending.length,
      oldestPendingAt: pending[0]?.createdAt,
      rejected: [...this.rejections.values()].sort((a, b) => a.deviceSeq - b.deviceSeq),
      ...(this.restoredUpTo === undefined ? {} : { restoredUpTo: this.restoredUpTo }),
    };
  }

  async confirmRestore(): Promise<void> {
    this.maybeFail('confirmRestore');
    this.restoredUpTo = undefined;
  }

  async readPending(limit: number, after = 0): Promise<readonly EventEnvelope[]> {
    this.maybeFail('readPending');
    const from = Math.max(this.ackedSeq, after);
    return this.events
      .filter((event) => event.envelope.deviceSeq > from)
      .slice(0, limit)
      .map((event) => structuredClone(event.envelope));
  }

  async acknowledge(ack: OutboxAck): Promise<void> {
    this.maybeFail('acknowledge');
    if (ack.lastSeq > this.lastSeq) {
      throw new DomainError('CONFLICT', `Cannot acknowledge event ${ack.lastSeq}: it was never written.`);
    }
    for (const rejection of ack.rejected) {
      if (!this.rejections.has(rejection.eventId)) {
        this.rejections.set(rejection.eventId, { ...rejection, rejectedAt: ack.at });
      }
    }
    if (ack.lastSeq <= this.ackedSeq) return;
    for (const event of this.events) {
      if (event.envelope.deviceSeq > this.ackedSeq && event.envelope.deviceSeq <= ack.lastSeq)
        event.ackedAt = ack.at;
    }
    this.ackedSeq = ack.lastSeq;
    this.ackHistory.push(ack.lastSeq);
  }

  async rewind(hubLastSeq: number): Promise<void> {
    this.maybeFail('rewind');
    if (hubLastSeq >= this.ackedSeq) return;
    const oldest = this.events[0]?.envelope.deviceSeq ?? this.lastSeq + 1;
    if (oldest > hubLastSeq + 1) {
      throw new DomainError(
        'SEQUENCE_GAP',
        `The hub has lost this till's events ${hubLastSeq + 1} to ${this.ackedSeq} (it was restored from a backup), ` +
          `and the till only keeps events from number ${oldest}. Call HQ: those sales must be recovered from the till's records.`,
        { hubLastSeq, ackedSeq: this.ackedSeq, oldestRetained: oldest },
      );
    }
    for (const event of this.events) if (event.envelope.deviceSeq > hubLastSeq) event.ackedAt = null;
    this.ackedSeq = hubLastSeq;
    this.ackHistory.push(hubLastSeq);
  }

  async prune(ackedBefore: string): Promise<number> {
    this.maybeFail('prune');
    const cutoff = Date.parse(ackedBefore);
    let count = 0;
    // Only a prefix goes, so what is retained is always one contiguous run of deviceSeqs.
    while (count < this.events.length) {
      const event = this.events[count]!;
      if (event.envelope.deviceSeq > this.ackedSeq || event.ackedAt === null) break;
      if (!(Date.parse(event.ackedAt) < cutoff)) break;
      count += 1;
    }
    this.events = this.events.slice(count);
    return count;
  }
}
