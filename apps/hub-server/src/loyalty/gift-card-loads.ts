import { formatMoney, money, storedValueEntryIds } from '@retail/domain';
import type { EventEnvelope, EventPayloads } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import { issueStoredCredit } from './loyalty-service';
import { numberKeyOfDigest, storedValueKey } from './stored-value-keys';

/**
 * Gift cards sold or reloaded at a till (issue 14). A device can give a card value only through the
 * sale that was paid for it: there is no activation call, the load rides on `sale.completed`, and the
 * hub books it once per load (`gift-card-load:<lineId>`, so a replay adds nothing) after checking that
 * the sale's tenders cover its items and its loads. What it cannot trust (unpaid loads, an activation of
 * a card that already has value, a number that is store credit) is loaded nowhere and raised as
 * GIFT_CARD_LOAD_REVIEW for HQ.
 */

type CompletedSale = EventPayloads['sale.completed'];
type Load = NonNullable<CompletedSale['giftCards']>[number];

/**
 * Cash rounding a sale of gift cards alone cannot spread over item lines stays in its totals: at most
 * this much of it is accepted as paid (half the largest rounding step a store uses).
 */
const MAX_UNALLOCATED_ROUNDING = 50;

export function giftCardLoadId(load: Load): string {
  return `gift-card-load:${load.lineId}`;
}

interface Target {
  readonly load: Load;
  readonly numberKey: string;
  readonly account: { account_id: string; kind: string } | undefined;
}

export async function applyGiftCardLoads(
  tx: HubTx,
  event: EventEnvelope,
  sale: CompletedSale,
  origin: { nodeId: string; deviceId: string },
): Promise<void> {
  const loads = sale.giftCards ?? [];
  if (loads.length === 0) return;
  const key = await storedValueKey(tx.hub.storage, tx.trx);
  const targets: Target[] = [];
  for (const load of loads) {
    const numberKey = numberKeyOfDigest(key, load.numberDigest);
    const account = await tx.trx
      .selectFrom('stored_value_accounts')
      .select(['account_id', 'kind'])
      .where('number_hash', '=', numberKey)
      .executeTakeFirst();
    targets.push({ load, numberKey, account });
  }
  const review = (load: Load, reason: string) =>
    tx.raise({
      type: 'GIFT_CARD_LOAD_REVIEW',
      severity: 'warning',
      nodeId: origin.nodeId,
      causeEventIds: [event.eventId],
      details: {
        saleId: sale.saleId,
        receiptNumber: sale.receiptNumber,
        lineId: load.lineId,
        kind: load.kind,
        maskedNumber: load.maskedNumber,
        amount: load.amount,
        currency: sale.currency,
        message: `Gift card ${load.maskedNumber} (${formatMoney(money(load.amount, sale.currency))}, receipt ${sale.receiptNumber}) was not loaded: ${reason}`,
      },
    });

  // A card cannot pay for its own load.
  const loadedAccounts = new Set(targets.flatMap((target) => target.account?.account_id ?? []));
  const paid = sale.tenders
    .filter((tender) => tender.reference === undefined || !loadedAccounts.has(tender.reference))
    .reduce((total, tender) => total + tender.amount, 0);
  const owed =
    sale.lines.reduce((total, line) => total + line.paid, 0) +
    loads.reduce((total, load) => total + load.amount, 0);
  const rounding =
    sale.lines.length === 0 ? Math.min(Math.abs(sale.totals.cashRounding), MAX_UNALLOCATED_ROUNDING) : 0;
  if (paid + rounding < owed) {
    for (const load of loads)
      review(
        load,
        `the sale's payments (${formatMoney(money(paid, sale.currency))}) do not cover its items and gift cards (${formatMoney(money(owed, sale.currency))}). Check the sale with the store before loading the card.`,
      );
    return;
  }
  for (const target of targets) {
    const { load, account } = target;
    if (account !== undefined && account.kind !== 'gift_card') {
      review(
        load,
        'the number is a store credit slip, not a gift card. Refund the customer or load another card.',
      );
      continue;
    }
    if (
      load.kind === 'activate' &&
      account !== undefined &&
      (await loadedBefore(tx, account.account_id, load))
    ) {
      review(
        load,
        'the till sold it as a new card, but the card already had value. Check the card with the store: it may have been sold twice.',
      );
      continue;
    }
    await issueStoredCredit(tx, {
      numberKey: target.numberKey,
      maskedNumber: load.maskedNumber,
      issueId: giftCardLoadId(load),
      amount: load.amount,
      currency: sale.currency,
      kind: 'gift_card',
      sourceDoc: sale.saleId,
      nodeId: origin.nodeId,
      deviceId: origin.deviceId,
      eventId: event.eventId,
      businessAt: Date.parse(sale.completedAt),
    });
  }
}

/** Whether the account has any entry other than this load's own (a replay finds only its own). */
async function loadedBefore(tx: HubTx, accountId: string, load: Load): Promise<boolean> {
  const rows = await tx.trx
    .selectFrom('stored_value_entries')
    .select('entry')
    .where('account_id', '=', accountId)
    .execute();
  const own = storedValueEntryIds.issue(giftCardLoadId(load));
  return rows.some((row) => (JSON.parse(row.entry) as { entryId: string }).entryId !== own);
}
