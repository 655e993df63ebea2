import { DomainError } from '@retail/domain';

/**
 * What went wrong while applying one event, found only by trying (a stock balance past what the hub can
 * count, a ledger refusing a loyalty effect, a value the database will not store). The push is run again
 * from the start in a new transaction with that event handled as recorded here, so the event's partial
 * writes are never kept and the rest of the batch still applies (DESIGN §5 "Isolation"): `event` rejects
 * the event; `loyalty` applies it without its loyalty and stored-value effects.
 */
export interface RecordedFault {
  readonly kind: 'event' | 'loyalty';
  readonly code: string;
  readonly message: string;
}

/** Faults found in earlier runs of one push, by deviceSeq. */
export type EventFaults = ReadonlyMap<number, RecordedFault>;

export class EventFault extends Error {
  constructor(
    readonly deviceSeq: number,
    readonly fault: RecordedFault,
  ) {
    super(fault.message);
    this.name = 'EventFault';
  }
}

/** Codes that say something about the hub or the caller, never about the event: the push fails instead. */
const NOT_THE_EVENT = new Set(['INTERNAL', 'HUB_UNAVAILABLE', 'RATE_LIMITED', 'UNAUTHORIZED']);

/**
 * The part of `error` that blames the event being applied, or undefined when the error is the hub's own
 * (a bug, a lost connection, a serialization retry): those fail the push and the device sends it again.
 * PostgreSQL's class 22 (data exception: a number out of range, a string too long) and SQLite's
 * TOOBIG/MISMATCH are about the values stored, so about the event.
 */
export function faultOf(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof DomainError) {
    return NOT_THE_EVENT.has(error.code) ? undefined : { code: error.code, message: error.message };
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code !== 'string') return undefined;
  if (/^22[0-9A-Z]{3}$/.test(code) || code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH') {
    return { code: 'INVALID_INPUT', message: `the database cannot store one of its values (${message})` };
  }
  return undefined;
}
