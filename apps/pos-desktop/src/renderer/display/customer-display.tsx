import type { CustomerDisplayState } from '../../shared/customer-display';
import { createStoreFormat } from '../format/format';
import { t } from '../i18n/translate';

/**
 * What the customer sees on the screen facing them: every line with what it costs, what they save, the
 * total, and once paid the change in large type. Nothing about the cashier or the store's systems.
 */
export function CustomerDisplay({ state }: { state: CustomerDisplayState }) {
  // Times are never shown here: only the store's money and weights.
  const format = createStoreFormat({ locale: state.locale, currency: state.currency, timezone: 'UTC' });
  if (state.status === 'idle') {
    return (
      <main className="customer-display idle" aria-label={t('display.title')}>
        <h1>
          {state.storeName === null
            ? t('display.welcome')
            : t('display.welcomeTo', { store: state.storeName })}
        </h1>
      </main>
    );
  }
  return (
    <main className="customer-display" aria-label={t('display.title')}>
      <ul className="display-lines" aria-label={t('display.lines')}>
        {state.lines.map((line) => (
          <li key={line.lineId} aria-label={line.name}>
            <span className="display-qty">{format.quantity(line.qty, line.unit)}</span>
            <span className="display-name">{line.name}</span>
            <span className="display-amount">{format.money(line.amount)}</span>
            {line.savings.map((saving, index) => (
              <span key={index} className="display-saving">
                {saving.label} {format.money(-saving.amount)}
              </span>
            ))}
          </li>
        ))}
      </ul>
      <dl className="display-totals">
        {state.discount > 0 ? (
          <>
            <dt>{t('display.youSave')}</dt>
            <dd aria-label={t('display.youSave')}>{format.money(state.discount)}</dd>
          </>
        ) : null}
        <dt>{t('display.total')}</dt>
        <dd className="display-total" aria-label={t('display.total')}>
          {format.money(state.total)}
        </dd>
        {state.paid > 0 && state.status === 'open' ? (
          <>
            <dt>{t('display.paid')}</dt>
            <dd aria-label={t('display.paid')}>{format.money(state.paid)}</dd>
            <dt>{t('display.toPay')}</dt>
            <dd aria-label={t('display.toPay')}>{format.money(state.remaining)}</dd>
          </>
        ) : null}
        {state.status === 'completed' ? (
          <>
            <dt>{t('display.change')}</dt>
            <dd className="display-change" aria-label={t('display.change')}>
              {format.money(state.change)}
            </dd>
          </>
        ) : null}
      </dl>
      {state.status === 'completed' ? <p className="display-thanks">{t('display.thanks')}</p> : null}
    </main>
  );
}
