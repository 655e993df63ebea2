import type { CommandHandlers } from '../command-context';
import type { Preparers } from '../loyalty/loyalty-commands';
import { requireOpenSale } from '../sales/draft';
import { giftCardLoad, giftCardLoadsOf, isPreparedGiftCardLookup } from '../sales/gift-card-loads';
import { saveDraft } from '../sales/save-draft';
import { DomainError } from '@retail/domain';

/** Selling and reloading gift cards at the till (docs/store-node.md "Gift cards at the till"). */
export const giftCardHandlers = {
  'sale-add-gift-card': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      if (draft.tenders.length > 0)
        throw new DomainError('CONFLICT', 'giftCard.removePaymentsBeforeChanging');
      const prepared = isPreparedGiftCardLookup(ctx.prepared) ? ctx.prepared : undefined;
      const load = giftCardLoad(ctx, draft, input, prepared);
      return saveDraft(ctx, row, { ...draft, giftCards: [...giftCardLoadsOf(draft), load] });
    },
  },
} satisfies Pick<CommandHandlers, 'sale-add-gift-card'>;

/** Whether the hub knows the number decides activation or reload; unreachable, the till's cache does. */
export const GIFT_CARD_PREPARERS: Preparers = {
  'sale-add-gift-card': async (pctx, input) => ({
    prepared: { kind: 'gift-card-lookup', outcome: await pctx.hub.storedValue(input.number) },
  }),
};
