import { DomainError, MAX_AMOUNT, money, sum, type Money } from '@retail/domain';
import type { GiftCardLoadSchema, StoredValueAnswer } from '@retail/sync';
import type { z } from 'zod';
import type { SaleView } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import type { Db } from '../database';
import { formatAmount } from '../format';
import type { HubOutcome } from '../loyalty/hub-loyalty-client';
import { cachedStoredValueByNumber, storedValueNumberKey } from '../loyalty/loyalty-cache';
import { hubRefusal } from '../loyalty/sale-loyalty';
import type { DraftGiftCard, SaleDraft } from './draft';

/**
 * Gift cards sold or reloaded at the till (issue 14). A load is paid by the sale's tenders like an item
 * but is not an item: no price book, promotion, discount or tax touches it (a gift card is money the chain
 * owes, taxed when it is spent), and it moves no stock. The card gets its value only when the hub applies
 * the completed sale, once per load (`lineId`), so a card sold offline cannot be spent until then: the till
 * never caches a card it loaded.
 */

export interface PreparedGiftCardLookup {
  readonly kind: 'gift-card-lookup';
  readonly outcome: HubOutcome<StoredValueAnswer>;
}

export function isPreparedGiftCardLookup(value: unknown): value is PreparedGiftCardLookup {
  return (value as { kind?: unknown } | undefined)?.kind === 'gift-card-lookup';
}

/** The hub's refusals that still prove the card exists: it has a PIN (only its holder may read it). */
const EXISTING_CARD_REFUSALS = new Set(['FORBIDDEN', 'LOCKED_OUT']);

export function giftCardLoadsOf(draft: SaleDraft): readonly DraftGiftCard[] {
  return draft.giftCards ?? [];
}

export function giftCardLoadTotal(draft: SaleDraft, currency: string): Money {
  return sum(
    giftCardLoadsOf(draft).map((load) => money(load.amount, currency)),
    currency,
  );
}

/**
 * The load to put on the sale: a reload when the hub (or, offline, this till's cache) knows the number,
 * an activation otherwise. Whether the card really was new is the hub's to decide when the sale arrives.
 */
export function giftCardLoad(
  ctx: TxContext & { newId(): string },
  draft: SaleDraft,
  input: { number: string; amount: number },
  prepared: PreparedGiftCardLookup | undefined,
): DraftGiftCard {
  const numberDigest = storedValueNumberKey(input.number);
  const normalised = input.number.replace(/[\s-]/g, '').toUpperCase();
  const maskedNumber = `****${normalised.slice(-4)}`;
  const increment = ctx.identity.cashRoundingIncrement;
  if (input.amount <= 0 || input.amount > MAX_AMOUNT || input.amount % increment !== 0) {
    throw new DomainError(
      'INVALID_INPUT',
      increment > 1 ? 'sales.loadGiftCardAmount' : 'sales.loadGiftCardAmount2',
      increment > 1 ? { identity: formatAmount(ctx.identity, increment) } : {},
    );
  }
  if (giftCardLoadsOf(draft).some((load) => load.numberDigest === numberDigest)) {
    throw new DomainError('CONFLICT', 'sales.giftCardAlreadySale', { maskedNumber });
  }
  const outcome = prepared?.outcome;
  let kind: DraftGiftCard['kind'];
  if (outcome?.ok) {
    assertLoadable(ctx, outcome.value.account, maskedNumber);
    kind = 'reload';
  } else if (outcome?.ok === false && outcome.reason === 'refused') {
    if (outcome.code === 'NOT_FOUND') kind = 'activate';
    else if (EXISTING_CARD_REFUSALS.has(outcome.code)) kind = 'reload';
    else throw hubRefusal(outcome.code, outcome.message);
  } else {
    const cached = cachedStoredValueByNumber(ctx.db, input.number);
    if (cached) assertLoadable(ctx, cached, maskedNumber);
    kind = cached ? 'reload' : 'activate';
  }
  return { lineId: ctx.newId(), kind, numberDigest, maskedNumber, amount: input.amount };
}

function assertLoadable(
  ctx: TxContext,
  account: { kind: 'store_credit' | 'gift_card'; status: 'active' | 'blocked'; currency: string },
  maskedNumber: string,
): void {
  if (account.kind !== 'gift_card') {
    throw new DomainError('INVALID_INPUT', 'sales.numberStoreCreditSlip', { maskedNumber });
  }
  if (account.status === 'blocked')
    throw new DomainError('NOT_ALLOWED', 'sales.giftCardBlockedCannot', { maskedNumber });
  if (account.currency !== ctx.identity.currency) {
    throw new DomainError('CURRENCY_MISMATCH', 'sales.giftCardStoreLoads', {
      maskedNumber,
      currency: account.currency,
      currency2: ctx.identity.currency,
    });
  }
}

export function giftCardLoadsView(draft: SaleDraft): NonNullable<SaleView['giftCards']> {
  return giftCardLoadsOf(draft).map(({ lineId, kind, maskedNumber, amount }) => ({
    lineId,
    kind,
    maskedNumber,
    amount,
  }));
}

export function giftCardLoadPayloads(draft: SaleDraft): z.input<typeof GiftCardLoadSchema>[] {
  return giftCardLoadsOf(draft).map(({ lineId, kind, numberDigest, maskedNumber, amount }) => ({
    lineId,
    kind,
    numberDigest,
    maskedNumber,
    amount,
  }));
}

/** The loads of a completed sale, kept without the number's digest: the outbox event carries that. */
export function recordGiftCardLoads(ctx: TxContext, saleId: string, draft: SaleDraft): void {
  const insert = sql(
    ctx.db,
    `INSERT INTO sale_gift_cards (line_id, sale_id, line_no, kind, masked_number, amount)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  giftCardLoadsOf(draft).forEach((load, index) =>
    insert.run(load.lineId, saleId, index + 1, load.kind, load.maskedNumber, load.amount),
  );
}

/**
 * Whether the database has migration 0013's gift card loads: always, except when a migration test drives
 * this engine against a database it keeps at an older version (no sale there can have loaded a card).
 */
export function hasGiftCardLoads(db: Db): boolean {
  return (
    sql(
      db,
      "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'sale_gift_cards'",
    ).get() !== undefined
  );
}

export function storedGiftCardLoads(db: Db, saleId: string): NonNullable<SaleView['giftCards']> {
  return sql(
    db,
    `SELECT line_id AS lineId, kind, masked_number AS maskedNumber, amount FROM sale_gift_cards
     WHERE sale_id = ? ORDER BY line_no`,
  ).all(saleId) as NonNullable<SaleView['giftCards']>;
}
