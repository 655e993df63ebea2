import { DomainError, earnForSale, money } from '@retail/domain';
import { checkPayload, type EventEnvelope, type EventPayloads } from '@retail/sync';
import { z } from 'zod';
import type { HubContext } from '../hub-context';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HeldPointsTable } from '../storage/schema';
import type { Executor } from '../storage/storage';
import { heldDecisionOf, heldDecisionShape, settleHold } from './held-decisions';
import { appendLoyaltyEntries, lockLoyaltyAccount } from './ledger-store';
import { programmeIn, readProgrammeHistory } from './loyalty-config';

/**
 * Points a sale would earn, held because the hub could not verify the sale (its prices failed the audit,
 * a points tender claimed more than its points are worth, a card reference looks forged): nothing is
 * earned until HQ looks. Releasing earns them as of the sale (pending for the rest of the return window),
 * less what returns have refunded since; dropping closes the hold. Either closes its exception.
 */

export interface PointsHold {
  readonly saleId: string;
  readonly accountId: string;
  readonly nodeId: string;
  readonly deviceId: string;
  readonly eventId: string;
  readonly currency: string;
  readonly eligible: number;
  readonly points: number;
  readonly tierId: string | null;
  readonly occurredAt: number;
  readonly reasons: readonly string[];
}

export async function holdPoints(tx: HubTx, hold: PointsHold): Promise<void> {
  const exceptionId = tx.hub.newId();
  const inserted = await tx.trx
    .insertInto('held_points')
    .values({
      hold_id: hold.saleId,
      sale_id: hold.saleId,
      account_id: hold.accountId,
      node_id: hold.nodeId,
      device_id: hold.deviceId,
      event_id: hold.eventId,
      currency: hold.currency,
      eligible: hold.eligible,
      points: hold.points,
      tier_id: hold.tierId,
      occurred_at: hold.occurredAt,
      reasons: JSON.stringify(hold.reasons),
      status: 'held',
      exception_id: exceptionId,
      created_at: tx.at,
      decided_by: null,
      decided_at: null,
      note: null,
    })
    .onConflict((conflict) => conflict.column('hold_id').doNothing())
    .returning('hold_id')
    .execute();
  if (inserted.length === 0) return;
  tx.raise({
    type: 'POINTS_HELD',
    severity: 'warning',
    nodeId: hold.nodeId,
    causeEventIds: [hold.eventId],
    exceptionId,
    details: {
      heldPointsId: hold.saleId,
      saleId: hold.saleId,
      accountId: hold.accountId,
      points: hold.points,
      eligible: hold.eligible,
      currency: hold.currency,
      reasons: hold.reasons,
      message: `The ${hold.points} points sale ${hold.saleId} would earn for account ${hold.accountId} are held until HQ releases or drops them: ${hold.reasons.join(' ')}`,
    },
  });
}

export { HeldStatusSchema } from './held-decisions';

export const HeldPointsSchema = z.object({
  holdId: z.string(),
  saleId: z.string(),
  accountId: z.string(),
  nodeId: z.string(),
  eventId: z.string(),
  currency: z.string(),
  eligible: z.number().int(),
  points: z.number().int(),
  occurredAt: z.number().int(),
  reasons: z.array(z.string()),
  ...heldDecisionShape,
});
export type HeldPoints = z.infer<typeof HeldPointsSchema>;

function heldPointsOf(row: HeldPointsTable): HeldPoints {
  return {
    holdId: row.hold_id,
    saleId: row.sale_id,
    accountId: row.account_id,
    nodeId: row.node_id,
    eventId: row.event_id,
    currency: row.currency,
    eligible: Number(row.eligible),
    points: Number(row.points),
    occurredAt: Number(row.occurred_at),
    reasons: JSON.parse(row.reasons) as string[],
    ...heldDecisionOf(row),
  };
}

export async function listHeldPoints(
  executor: Executor,
  filter: { status?: 'held' | 'released' | 'dropped'; limit: number },
): Promise<HeldPoints[]> {
  const rows = await executor
    .selectFrom('held_points')
    .selectAll()
    .$if(filter.status !== undefined, (query) => query.where('status', '=', filter.status!))
    .orderBy('created_at', 'desc')
    .orderBy('hold_id')
    .limit(filter.limit)
    .execute();
  return rows.map(heldPointsOf);
}

async function lockHeld(tx: HubTx, holdId: string): Promise<HeldPointsTable> {
  const row = await tx.trx
    .selectFrom('held_points')
    .selectAll()
    .where('hold_id', '=', holdId)
    .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
  if (row === undefined)
    throw new DomainError('NOT_FOUND', 'hub.loyalty.noHeldPoints', { holdId }, { holdId });
  if (row.status !== 'held') {
    throw new DomainError(
      'CONFLICT',
      'hub.loyalty.pointsAlreadyDecided',
      {
        saleId: row.sale_id,
        status: row.status,
        ...(row.decided_by === null ? { byKnown: 'no' } : { byKnown: 'yes', by: row.decided_by }),
      },
      { holdId, status: row.status },
    );
  }
  return row;
}

/** Money the sale's returns gave back other than in points: it earns nothing any more. */
async function refundedSince(tx: HubTx, saleId: string): Promise<number> {
  const rows = await tx.trx
    .selectFrom('returns')
    .innerJoin('ingested_events', 'ingested_events.event_id', 'returns.event_id')
    .select('ingested_events.envelope')
    .where('returns.original_sale_id', '=', saleId)
    .execute();
  let refunded = 0;
  for (const row of rows) {
    const envelope = JSON.parse(row.envelope) as EventEnvelope;
    const checked = checkPayload('return.completed', envelope.schemaVersion, envelope.payload);
    if (!checked.ok) continue;
    for (const refund of (checked.payload as EventPayloads['return.completed']).refunds) {
      if (refund.type !== 'loyalty_points') refunded += refund.amount;
    }
  }
  return refunded;
}

async function settle(
  tx: HubTx,
  row: HeldPointsTable,
  status: 'released' | 'dropped',
  actor: string,
  note: string,
): Promise<HeldPoints> {
  const decided = await settleHold(
    tx,
    { exceptionId: row.exception_id, what: 'Points' },
    { status, actor, note },
    (columns) => tx.trx.updateTable('held_points').set(columns).where('hold_id', '=', row.hold_id).execute(),
  );
  return heldPointsOf({ ...row, ...decided });
}

/** HQ found the sale genuine: the account earns what it would have, dated at the sale. */
export async function releaseHeldPoints(
  hub: HubContext,
  holdId: string,
  actor: string,
  note: string,
): Promise<HeldPoints> {
  return inHubTransaction(hub, async (tx) => {
    const row = await lockHeld(tx, holdId);
    const sale = await tx.trx
      .selectFrom('sales')
      .select('status')
      .where('sale_id', '=', row.sale_id)
      .executeTakeFirst();
    if (sale?.status === 'voided') {
      throw new DomainError(
        'CONFLICT',
        'hub.loyalty.saleVoidedSinceEarns',
        { sale_id: row.sale_id },
        { holdId },
      );
    }
    const programme = programmeIn(await readProgrammeHistory(tx.trx), Number(row.occurred_at));
    if (programme === null || programme.currency !== row.currency) {
      throw new DomainError(
        'CONFLICT',
        'hub.loyalty.noLoyaltyProgrammeApplied',
        { currency: row.currency, sale_id: row.sale_id },
        { holdId },
      );
    }
    let locked = await lockLoyaltyAccount(tx, row.account_id);
    // A temporary customer's account merged since: the points go where its points went.
    if (locked?.account.merged_into) locked = await lockLoyaltyAccount(tx, locked.account.merged_into);
    if (locked === undefined) {
      throw new DomainError(
        'NOT_FOUND',
        'hub.loyalty.loyaltyAccountNoLonger',
        { account_id: row.account_id },
        { holdId },
      );
    }
    const tier =
      programme.tiers.find((candidate) => candidate.tierId === row.tier_id) ??
      [...programme.tiers].sort((a, b) => a.qualifyingPoints - b.qualifyingPoints)[0]!;
    const eligible = Math.max(0, Number(row.eligible) - (await refundedSince(tx, row.sale_id)));
    if (eligible > 0) {
      const earned = earnForSale(money(eligible, row.currency), tier, programme, Number(row.occurred_at), {
        accountId: locked.account.account_id,
        saleId: row.sale_id,
        originNode: row.node_id,
        deviceId: row.device_id,
      });
      await appendLoyaltyEntries(tx, locked, earned, { eventId: row.event_id, nodeId: row.node_id });
    }
    return settle(tx, row, 'released', actor, note);
  });
}

/** HQ found the sale not genuine (or cannot tell): nothing is ever earned on it. */
export async function dropHeldPoints(
  hub: HubContext,
  holdId: string,
  actor: string,
  note: string,
): Promise<HeldPoints> {
  return inHubTransaction(hub, async (tx) => settle(tx, await lockHeld(tx, holdId), 'dropped', actor, note));
}
