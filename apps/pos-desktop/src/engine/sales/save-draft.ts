import type { SaleView } from '../../shared/commands';
import type { CommandContext } from '../command-context';
import { withSaleCustomer } from '../loyalty/sale-loyalty';
import { writeDraft, type SaleDraft, type SaleRow } from './draft';
import { draftView, priceSale } from './sale-pricing';

/**
 * Re-prices the changed cart (refusing, with nothing written, anything that cannot be priced) and saves it.
 * `newTenders`: how many tenders at the end of the draft the command adds (held to what is still due).
 */
export function saveDraft(
  ctx: CommandContext,
  row: SaleRow,
  draft: SaleDraft,
  options: { readonly newTenders?: number } = {},
): SaleView {
  const priced = priceSale(ctx, draft, row.saleId, options);
  writeDraft(ctx, row.saleId, draft);
  ctx.auditNote = {
    subject: row.saleId,
    details: { lines: draft.lines.length, total: priced.cart.totals.total.amount },
  };
  return withSaleCustomer(ctx, draftView(row, draft, priced));
}
