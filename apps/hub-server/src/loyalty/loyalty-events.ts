import {
  DomainError,
  earnForSale,
  formatMoney,
  loyaltyEntryIds,
  money,
  projectLoyaltyLedger,
  redemptionRefundForReturn,
  refundStoredValue,
  reversalForReturn,
  type LoyaltyProgramme,
  type LoyaltyTier,
} from '@retail/domain';
import type { ApplyOutcome, EventEnvelope, EventPayloads } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import {
  appendLoyaltyEntries,
  appendStoredValueEntries,
  lockLoyaltyAccount,
  lockStoredValueAccount,
  type LockedStoredValueAccount,
} from './ledger-store';
import { accountOfCustomer, customerAnswer, recordNewCustomer, resolveCustomerId } from './customers';
import { applyGiftCardLoads } from './gift-card-loads';
import { issueOrHoldCredit } from './held-credits';
import { holdPoints } from './held-points';
import { programmeIn, readProgramme, readProgrammeHistory, type ProgrammeVersion } from './loyalty-config';
import { referenceData } from '../storage/reference-versions';
import {
  afterReleaseId,
  capturePoints,
  captureStoredValue,
  numberTargetOf,
  storedValueHoldStatus,
} from './loyalty-service';

/**
 * What store events mean for loyalty and stored value, applied in the ingest transaction: a customer
 * created offline is merged (and the store told through the feed) before any of that device's later
 * events; a completed sale captures its redemptions and earns pending points; a return reverses earned
 * points in proportion, gives spent points back and issues or refunds store credit. Offline facts are
 * never refused: they are booked and an overdraft is recorded when the balance is no longer there.
 */

interface Origin {
  readonly nodeId: string;
  readonly deviceId: string;
}

function isExchangeCredit(reference: string | undefined): boolean {
  return reference?.startsWith('EXCHANGE-') === true;
}

/**
 * A customer the hub cannot record (a phone that is not one, a card number another customer holds) is
 * refused before anything is written: the till shows the reason to staff.
 */
export async function applyCustomerCreated(
  tx: HubTx,
  event: EventEnvelope,
  created: EventPayloads['customer.created'],
  origin: Origin,
): Promise<ApplyOutcome> {
  try {
    await recordCustomerCreated(tx, event, created, origin);
    return { status: 'applied' };
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'INVALID_INPUT' || error.code === 'CONFLICT'))
      return {
        status: 'rejected',
        reason: `Customer ${created.customerId} was not recorded: ${error.message}`,
      };
    throw error;
  }
}

async function recordCustomerCreated(
  tx: HubTx,
  event: EventEnvelope,
  created: EventPayloads['customer.created'],
  origin: Origin,
): Promise<void> {
  const decision = await recordNewCustomer(
    tx,
    {
      customerId: created.customerId,
      name: created.name,
      phone: created.phone,
      email: created.email,
      cardNumber: created.cardNumber,
    },
    { nodeId: origin.nodeId, eventId: event.eventId, createdAt: Date.parse(created.createdAt) },
  );
  const answer = await customerAnswer(tx.trx, decision.survivingCustomerId, tx.at);
  if (answer === undefined) return;
  // The store that created the customer learns what became of it; other stores find it by lookup.
  tx.publish({
    entity: 'customer',
    key: created.customerId,
    op: 'upsert',
    data: { customerId: created.customerId, customer: answer },
    scope: origin.nodeId,
  });
}

/** The loyalty account a sale or return belongs to, following merges of temporary customers. */
async function accountFor(
  tx: HubTx,
  accountId: string | undefined,
  customerId: string | undefined,
): Promise<string | undefined> {
  if (accountId !== undefined) {
    const row = await tx.trx
      .selectFrom('loyalty_accounts')
      .select(['account_id', 'merged_into'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (row !== undefined) return row.merged_into ?? row.account_id;
  }
  if (customerId === undefined) return undefined;
  const resolved = await resolveCustomerId(tx.trx, customerId);
  if (resolved === undefined) return undefined;
  return (await accountOfCustomer(tx.trx, resolved))?.account_id;
}

/** An effect the ledger refused: the event was applied without it, and HQ is told why. */
export function raiseLoyaltyNotBooked(
  tx: HubTx,
  event: EventEnvelope,
  origin: Origin,
  refusal: { code: string; message: string },
): void {
  tx.raise({
    type: 'LOYALTY_NOT_BOOKED',
    severity: 'warning',
    nodeId: origin.nodeId,
    causeEventIds: [event.eventId],
    details: {
      code: refusal.code,
      message: `The loyalty or stored-value effect of ${event.type} ${event.eventId} was not booked: ${refusal.message}`,
    },
  });
}

export interface SaleVerdict {
  /** Why the hub cannot trust the sale's figures; with any, the points it would earn are held, not earned. */
  readonly doubts: readonly string[];
  /**
   * The sale's points tenders checked against `programme` (the one in force at the sale's time): the
   * doubts of those that claim more than their points are worth, each raised as an exception
   * (`ingest/sale-events.ts`, which owns the sale's claims).
   */
  readonly redemptionDoubts: (programme: LoyaltyProgramme | null) => readonly string[];
}

const historyByTx = new WeakMap<HubTx, Promise<readonly ProgrammeVersion[]>>();

/**
 * The programme's versions, once per transaction (a batch of sales needs them all), and kept across an
 * ingest's transactions while no process changes them (storage/reference-versions.ts).
 */
function programmeHistoryOf(tx: HubTx): Promise<readonly ProgrammeVersion[]> {
  let history = historyByTx.get(tx);
  if (history === undefined) {
    history = referenceData(tx.hub.storage, tx, 'loyalty_programme_history', () =>
      readProgrammeHistory(tx.trx),
    );
    historyByTx.set(tx, history);
  }
  return history;
}

/**
 * A completed sale's loyalty: captures its card and points redemptions, has the verdict check each points
 * tender against the programme's rate at the sale's time (LOYALTY_CLAIM_MISMATCH with both figures when it
 * claims more), and earns points on what was paid other than with points, never more than the sale's total; the till's
 * own figure is not used. A sale the hub has doubts about earns nothing until HQ releases its points.
 */
export async function applySaleLoyalty(
  tx: HubTx,
  event: EventEnvelope,
  sale: EventPayloads['sale.completed'],
  origin: Origin,
  verdict: SaleVerdict,
): Promise<void> {
  const occurredAt = Date.parse(sale.completedAt);
  const context = { saleId: sale.saleId, occurredAt, eventId: event.eventId, ...origin };
  for (const tender of sale.tenders) {
    if ((tender.type !== 'store_credit' && tender.type !== 'gift_card') || isExchangeCredit(tender.reference))
      continue;
    if (tender.reference === undefined || tender.amount <= 0) continue;
    const locked = await lockStoredValueAccount(tx, tender.reference);
    if (locked === undefined) continue;
    if (pinNeverChecked(locked, tender.tenderId)) {
      holdPinCardPayment(tx, event, sale, origin, locked, tender);
      continue;
    }
    await captureStoredValue(tx, locked, { tenderId: tender.tenderId, amount: tender.amount }, context);
  }
  await applyGiftCardLoads(tx, event, sale, origin);
  const programme = programmeIn(await programmeHistoryOf(tx), occurredAt);
  const doubts = [...verdict.doubts, ...verdict.redemptionDoubts(programme)];
  const pointsTenders = sale.tenders.filter(
    (tender) => tender.type === 'loyalty_points' && (tender.points ?? 0) > 0,
  );
  const accountId = await accountFor(tx, sale.loyalty?.accountId, sale.customerId);
  // Tills only redeem against accounts the hub gave them, so without an account there is nothing to book.
  if (accountId === undefined) return;
  let locked = await lockLoyaltyAccount(tx, accountId);
  if (locked === undefined) return;
  for (const tender of pointsTenders) {
    locked = await capturePoints(
      tx,
      locked,
      {
        tenderId: tender.tenderId,
        points: tender.points ?? 0,
        amount: tender.amount,
        currency: sale.currency,
      },
      context,
    );
  }
  const earning = earningFor(sale, programme, locked.account.tier_id, occurredAt, {
    accountId,
    saleId: sale.saleId,
    originNode: origin.nodeId,
    deviceId: origin.deviceId,
  });
  const points = earning?.earned.reduce((total, entry) => total + entry.points, 0) ?? 0;
  const claimed = sale.loyalty?.pointsEarned ?? 0;
  if (claimed > points) {
    // The hub books its own figure; the till's shows on the customer's receipt, so HQ hears of the gap.
    tx.raise({
      type: 'POINTS_EARNED_MISMATCH',
      severity: 'info',
      nodeId: origin.nodeId,
      causeEventIds: [event.eventId],
      details: {
        saleId: sale.saleId,
        receiptNumber: sale.receiptNumber,
        accountId,
        till: { points: claimed },
        hub: { points },
        message: `Sale ${sale.saleId} says it earned ${claimed} points; by the programme's rules it earns ${points}, which is what the hub ${doubts.length > 0 ? 'holds for review' : 'booked'}.`,
      },
    });
  }
  if (earning === undefined || points <= 0) return;
  if (doubts.length > 0) {
    await holdPoints(tx, {
      saleId: sale.saleId,
      accountId,
      nodeId: origin.nodeId,
      deviceId: origin.deviceId,
      eventId: event.eventId,
      currency: sale.currency,
      eligible: earning.eligible.amount,
      points,
      tierId: earning.tier.tierId,
      occurredAt,
      reasons: doubts,
    });
    return;
  }
  await appendLoyaltyEntries(tx, locked, earning.earned, { eventId: event.eventId, nodeId: origin.nodeId });
}

/**
 * A PIN card's PIN is only ever checked by the hub, before it places a hold: a payment that comes without
 * any hold of the hub's was taken offline without the PIN, perhaps with a stolen card and till credential.
 */
function pinNeverChecked(locked: LockedStoredValueAccount, tenderId: string): boolean {
  const pinHash = locked.row.pin_hash;
  return (
    pinHash !== null && pinHash !== undefined && storedValueHoldStatus(locked.entries, tenderId) === 'none'
  );
}

/**
 * Nothing is taken off the card: HQ reviews the payment (the goods are gone either way) and settles it
 * with the customer, rather than the hub charging a card its holder may never have presented.
 */
function holdPinCardPayment(
  tx: HubTx,
  event: EventEnvelope,
  sale: EventPayloads['sale.completed'],
  origin: Origin,
  locked: LockedStoredValueAccount,
  tender: EventPayloads['sale.completed']['tenders'][number],
): void {
  tx.raise({
    type: 'STORED_VALUE_PIN_REVIEW',
    severity: 'warning',
    nodeId: origin.nodeId,
    causeEventIds: [event.eventId],
    details: {
      saleId: sale.saleId,
      receiptNumber: sale.receiptNumber,
      tenderId: tender.tenderId,
      accountId: locked.account.accountId,
      maskedNumber: locked.account.maskedNumber,
      amount: tender.amount,
      currency: sale.currency,
      message: `Gift card ${locked.account.maskedNumber ?? locked.account.accountId} has a PIN, but sale ${sale.receiptNumber} paid ${formatMoney(money(tender.amount, sale.currency))} with it without the hub checking the PIN. Nothing was taken off the card; check the payment with the store before charging the card.`,
    },
  });
}

/**
 * What a sale earns by the programme in force: points on what was paid other than with points, never
 * more than the sale cost. Undefined when it earns nothing (no programme in its currency, no tier).
 */
function earningFor(
  sale: EventPayloads['sale.completed'],
  programme: LoyaltyProgramme | null,
  tierId: string | null,
  occurredAt: number,
  origin: Parameters<typeof earnForSale>[4],
) {
  if (programme === null || programme.currency !== sale.currency) return undefined;
  const pointsPaid = sale.tenders
    .filter((tender) => tender.type === 'loyalty_points')
    .reduce((total, tender) => total + tender.amount, 0);
  const paidOtherwise = sale.tenders
    .filter((tender) => tender.type !== 'loyalty_points')
    .reduce((total, tender) => total + tender.amount, 0);
  // A gift card bought earns nothing (it earns when spent), nor do tenders beyond what the sale cost.
  const giftCardLoads = (sale.giftCards ?? []).reduce((total, load) => total + load.amount, 0);
  const eligible = money(
    Math.min(paidOtherwise, sale.totals.total + sale.totals.cashRounding - pointsPaid) - giftCardLoads,
    sale.currency,
  );
  if (eligible.amount <= 0) return undefined;
  const tier: LoyaltyTier | undefined =
    programme.tiers.find((candidate) => candidate.tierId === tierId) ??
    [...programme.tiers].sort((a, b) => a.qualifyingPoints - b.qualifyingPoints)[0];
  if (tier === undefined) return undefined;
  return { eligible, tier, earned: earnForSale(eligible, tier, programme, occurredAt, origin) };
}

/**
 * A return's loyalty and stored value: earned points reversed in proportion to the money refunded, spent
 * points and card value given back, and new store credit issued under the slip's number, or frozen with
 * `creditDoubts` (what the hub could not verify about the return) or over the store's daily limit.
 */
export async function applyReturnLoyalty(
  tx: HubTx,
  event: EventEnvelope,
  ret: EventPayloads['return.completed'],
  origin: Origin,
  creditDoubts: readonly string[],
): Promise<void> {
  const programme = await readProgramme(tx.trx);
  const originFields = { originNode: origin.nodeId, deviceId: origin.deviceId };
  if (ret.originalSaleId !== undefined) {
    const earnId = loyaltyEntryIds.earn(ret.originalSaleId);
    const earnRow = await tx.trx
      .selectFrom('loyalty_entries')
      .select('account_id')
      .where('entry_id', '=', earnId)
      .executeTakeFirst();
    const redemptionRows = await tx.trx
      .selectFrom('loyalty_entries')
      .select(['account_id'])
      .where('source_doc', '=', ret.originalSaleId)
      .where('type', '=', 'REDEEM_CAPTURE')
      .execute();
    const accountId = earnRow?.account_id ?? redemptionRows[0]?.account_id;
    if (accountId !== undefined && programme !== null) {
      let locked = await lockLoyaltyAccount(tx, accountId);
      if (locked !== undefined) {
        const pointsRefunds = ret.refunds.filter((refund) => refund.type === 'loyalty_points');
        const moneyRefunded = ret.refunds
          .filter((refund) => refund.type !== 'loyalty_points')
          .reduce((total, refund) => total + refund.amount, 0);
        if (earnRow !== undefined && moneyRefunded > 0) {
          const reversal = reversalForReturn(
            locked.entries,
            {
              accountId,
              returnId: ret.returnId,
              saleId: ret.originalSaleId,
              refundedValue: money(moneyRefunded, ret.currency),
              ...originFields,
            },
            programme,
            tx.at,
          );
          locked = {
            account: locked.account,
            entries: await appendLoyaltyEntries(tx, locked, reversal.entries, {
              eventId: event.eventId,
              nodeId: origin.nodeId,
            }),
          };
        }
        const redemptions = projectLoyaltyLedger(locked.entries, tx.at, accountId).redemptions;
        for (const refund of pointsRefunds) {
          if (refund.originalTenderId === undefined || refund.amount <= 0) continue;
          const holdId = redemptions.has(afterReleaseId(refund.originalTenderId))
            ? afterReleaseId(refund.originalTenderId)
            : refund.originalTenderId;
          if (!redemptions.has(holdId)) continue;
          const decision = redemptionRefundForReturn(
            locked.entries,
            {
              accountId,
              returnId: `${ret.returnId}:${refund.tenderId}`,
              holdId,
              refundedValue: money(refund.amount, ret.currency),
              ...originFields,
            },
            tx.at,
          );
          locked = {
            account: locked.account,
            entries: await appendLoyaltyEntries(tx, locked, decision.entries, {
              eventId: event.eventId,
              nodeId: origin.nodeId,
            }),
          };
        }
      }
    }
  }
  for (const refund of ret.refunds) {
    if (refund.type !== 'store_credit' && refund.type !== 'gift_card') continue;
    if (isExchangeCredit(refund.reference) || refund.reference === undefined || refund.amount <= 0) continue;
    const existing = await lockStoredValueAccount(tx, refund.reference);
    const redemptionId = refund.originalTenderId;
    const spentOnSale =
      existing !== undefined &&
      redemptionId !== undefined &&
      existing.entries.some(
        (entry) =>
          entry.type === 'CAPTURE' &&
          (entry.holdId === redemptionId || entry.holdId === afterReleaseId(redemptionId)),
      );
    if (existing !== undefined && spentOnSale && redemptionId !== undefined) {
      const holdId = existing.entries.some(
        (entry) => entry.type === 'CAPTURE' && entry.holdId === redemptionId,
      )
        ? redemptionId
        : afterReleaseId(redemptionId);
      const entries = refundStoredValue(
        existing.account,
        existing.entries,
        {
          refundId: refund.tenderId,
          holdId,
          amount: money(refund.amount, ret.currency),
          sourceDoc: ret.returnId,
          ...originFields,
        },
        tx.at,
      );
      await appendStoredValueEntries(tx, existing, entries, {
        eventId: event.eventId,
        nodeId: origin.nodeId,
        businessAt: Date.parse(ret.completedAt),
      });
      continue;
    }
    // New store credit under the slip's number (no-receipt returns, offline card refunds): chain-wide.
    const customerId =
      ret.customerId === undefined ? undefined : await resolveCustomerId(tx.trx, ret.customerId);
    await issueOrHoldCredit(
      tx,
      {
        creditId: refund.tenderId,
        returnId: ret.returnId,
        nodeId: origin.nodeId,
        deviceId: origin.deviceId,
        eventId: event.eventId,
        kind: 'store_credit',
        currency: ret.currency,
        amount: refund.amount,
        businessAt: Date.parse(ret.completedAt),
        ...(customerId === undefined ? {} : { customerId }),
        target:
          existing === undefined
            ? await numberTargetOf(tx, refund.reference)
            : { accountId: existing.account.accountId },
      },
      creditDoubts,
    );
  }
}

/**
 * A post-void gives everything back: the points the sale earned are reversed in full, the points and
 * stored value it was paid with are refunded to where they came from.
 */
export async function applyVoidLoyalty(
  tx: HubTx,
  event: EventEnvelope,
  voided: EventPayloads['sale.voided'],
  origin: Origin,
): Promise<void> {
  const originFields = { originNode: origin.nodeId, deviceId: origin.deviceId };
  const cause = { eventId: event.eventId, nodeId: origin.nodeId, businessAt: Date.parse(voided.voidedAt) };
  const returnId = `void:${voided.saleId}`;
  const pointsRows = await tx.trx
    .selectFrom('loyalty_entries')
    .select('account_id')
    .where((eb) =>
      eb.or([
        eb('entry_id', '=', loyaltyEntryIds.earn(voided.saleId)),
        eb.and([eb('source_doc', '=', voided.saleId), eb('type', '=', 'REDEEM_CAPTURE')]),
      ]),
    )
    .execute();
  const programme = await readProgramme(tx.trx);
  for (const accountId of new Set(pointsRows.map((row) => row.account_id))) {
    let locked = await lockLoyaltyAccount(tx, accountId);
    if (locked === undefined || programme === null) continue;
    const view = projectLoyaltyLedger(locked.entries, tx.at, accountId);
    const earnLot = view.lots.get(loyaltyEntryIds.earn(voided.saleId));
    if (earnLot?.value !== undefined) {
      const reversal = reversalForReturn(
        locked.entries,
        { accountId, returnId, saleId: voided.saleId, refundedValue: earnLot.value, ...originFields },
        programme,
        tx.at,
      );
      locked = {
        account: locked.account,
        entries: await appendLoyaltyEntries(tx, locked, reversal.entries, cause),
      };
    }
    const captures = locked.entries.filter(
      (entry) =>
        entry.type === 'REDEEM_CAPTURE' && entry.sourceDoc === voided.saleId && entry.holdId !== undefined,
    );
    for (const capture of captures) {
      if (capture.value === undefined || capture.value.amount <= 0 || capture.holdId === undefined) continue;
      const decision = redemptionRefundForReturn(
        locked.entries,
        { accountId, returnId, holdId: capture.holdId, refundedValue: capture.value, ...originFields },
        tx.at,
      );
      locked = {
        account: locked.account,
        entries: await appendLoyaltyEntries(tx, locked, decision.entries, cause),
      };
    }
  }
  const storedRows = await tx.trx
    .selectFrom('stored_value_entries')
    .select(['account_id'])
    .where('source_doc', '=', voided.saleId)
    .where('type', 'in', ['CAPTURE', 'OFFLINE_OVERDRAFT'])
    .execute();
  for (const accountId of new Set(storedRows.map((row) => row.account_id))) {
    const locked = await lockStoredValueAccount(tx, accountId);
    if (locked === undefined) continue;
    const spent = new Map<string, number>();
    for (const entry of locked.entries) {
      if (entry.sourceDoc !== voided.saleId || entry.holdId === undefined) continue;
      if (entry.type === 'CAPTURE' || entry.type === 'OFFLINE_OVERDRAFT')
        spent.set(entry.holdId, (spent.get(entry.holdId) ?? 0) - entry.amount.amount);
    }
    let entries = locked.entries;
    for (const [holdId, amount] of spent) {
      if (amount <= 0) continue;
      const refund = refundStoredValue(
        locked.account,
        entries,
        {
          refundId: `${returnId}:${holdId}`,
          holdId,
          amount: money(amount, locked.account.currency),
          sourceDoc: returnId,
          ...originFields,
        },
        tx.at,
      );
      entries = await appendStoredValueEntries(tx, { ...locked, entries }, refund, cause);
    }
  }
}
