import { DomainError } from '@retail/domain';
import { sql } from '../context';
import type { Db } from '../database';

/**
 * Records the hub's cumulative ack (highest contiguous deviceSeq it durably applied). Acks only move
 * forward: an older or repeated ack (a lost and re-sent answer) changes nothing. An ack beyond what this
 * device ever wrote means the hub holds another device's history under this id, which must never be
 * papered over. Acknowledged events stay in the outbox for audit; pruning them is the sync agent's choice.
 */
export function acknowledgeOutbox(db: Db, lastSeq: number): number {
  if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) {
    throw new DomainError('INVALID_INPUT', 'outbox.outboxAcknowledgementMustWhole', {}, { lastSeq });
  }
  return db
    .transaction(() => {
      const state = sql(
        db,
        'SELECT s.last_acked_seq AS acked, d.last_device_seq AS written FROM sync_state s, device_state d',
      ).get() as {
        acked: number;
        written: number;
      };
      if (lastSeq > state.written) {
        throw new DomainError(
          'SEQUENCE_GAP',
          'outbox.hubAcknowledgedEventDevice',
          { lastSeq, written: state.written },
          { lastSeq, written: state.written },
        );
      }
      if (lastSeq <= state.acked) return state.acked;
      sql(db, 'UPDATE sync_state SET last_acked_seq = ?').run(lastSeq);
      return lastSeq;
    })
    .immediate();
}
