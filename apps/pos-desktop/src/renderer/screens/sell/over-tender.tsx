import type { SaleView } from '../../../shared/commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { MESSAGES_LANGUAGE } from '../../i18n/messages';
import { t } from '../../i18n/translate';
import { saleTenderKind } from './stored-value';

/**
 * The sale now comes to less than its card, gift card, store credit or points payments (a price that
 * switched on mid-sale): says by how much, which payments to take off and what to take instead, with the
 * button that takes them off. Those payments cannot give change, so the sale does not complete until then.
 */
export function OverTenderNotice({ sale }: { sale: SaleView }) {
  const { sale: saleStore } = usePos();
  const format = useFormat();
  const busy = useArea(saleStore, (state) => state.busy);
  const over = sale.payment.overTendered;
  if (!over) return null;
  const flagged = sale.tenders.filter((tender) => over.tenderIds.includes(tender.tenderId));
  const tenders = new Intl.ListFormat(MESSAGES_LANGUAGE, { type: 'conjunction' }).format(
    flagged.map((tender) =>
      t('sell.overTenderedTender', { tender: saleTenderKind(tender), amount: format.money(tender.tendered) }),
    ),
  );
  return (
    <div className="banner banner-warning" role="alert" aria-label={t('sell.overTenderedTitle')}>
      <span>
        {t('sell.overTendered', {
          count: flagged.length,
          tenders,
          excess: format.money(over.amount),
          due: format.money(over.dueOnceRemoved),
        })}
      </span>
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={() => void saleStore.getState().removeOverTendered()}
      >
        {t('sell.overTenderedRemove', { count: flagged.length })}
      </button>
    </div>
  );
}
