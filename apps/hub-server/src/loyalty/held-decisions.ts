import { z } from 'zod';
import { closeSettledException } from '../exceptions/exception-queue';
import type { HubTx } from '../hub-tx';

/**
 * What HQ decides on value the hub held (points a sale would earn, store credit a return would issue):
 * the same status, exception and decision fields on both kinds of hold, and the same way of recording it.
 */
export const HeldStatusSchema = z.enum(['held', 'released', 'dropped']);

/** The decision fields every hold's view ends with, in this order. */
export const heldDecisionShape = {
  status: HeldStatusSchema,
  exceptionId: z.string(),
  createdAt: z.number().int(),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().int().nullable(),
  note: z.string().nullable(),
};

interface HeldDecisionRow {
  readonly status: z.infer<typeof HeldStatusSchema>;
  readonly exception_id: string;
  readonly created_at: number;
  readonly decided_by: string | null;
  readonly decided_at: number | null;
  readonly note: string | null;
}

export function heldDecisionOf(row: HeldDecisionRow) {
  return {
    status: row.status,
    exceptionId: row.exception_id,
    createdAt: Number(row.created_at),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    note: row.note,
  };
}

/**
 * Records HQ's decision on a locked hold: `update` writes the decision columns to the hold's row, then its
 * exception closes as "`what` released (or dropped) by actor: note". Returns the decision columns.
 */
export async function settleHold(
  tx: HubTx,
  hold: { readonly exceptionId: string; readonly what: 'Points' | 'Credit' },
  decision: { readonly status: 'released' | 'dropped'; readonly actor: string; readonly note: string },
  update: (
    columns: Pick<HeldDecisionRow, 'status' | 'decided_by' | 'decided_at' | 'note'>,
  ) => Promise<unknown>,
) {
  const { status, actor, note } = decision;
  const columns = { status, decided_by: actor, decided_at: tx.at, note };
  await update(columns);
  await closeSettledException(
    tx.trx,
    hold.exceptionId,
    `${hold.what} ${status === 'released' ? 'released' : 'dropped'} by ${actor}: ${note}`,
    actor,
    tx.at,
  );
  tx.events.exceptionResolved(hold.exceptionId);
  return columns;
}
