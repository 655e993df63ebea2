import type { ErrorBody } from '@retail/domain';
import { useRef, useState } from 'react';
import type { CommandResponse } from '../../../shared/commands';
import { useFormat, usePos } from '../../app/pos-context';
import { Dialog } from '../../components/dialog';
import { ErrorBanner } from '../../components/error-banner';
import { errorText, t } from '../../i18n/translate';
import { screenError } from '../../stores/store-kit';

type PriceCheck = CommandResponse<'price-check'>;
type Nearby = CommandResponse<'price-check-nearby'>;

/** Other stores' stock: asked of HQ after the price shows, so the answer here never waits for it. */
function NearbyStores({ nearby, unit }: { nearby: Nearby | 'asking' | null; unit: 'each' | 'kg' }) {
  const format = useFormat();
  if (nearby === null) return null;
  if (nearby === 'asking') {
    return (
      <p className="muted" data-testid="price-check-nearby">
        {t('priceCheck.nearbyAsking')}
      </p>
    );
  }
  if (nearby.source === 'none') {
    return (
      <p className="muted" data-testid="price-check-nearby">
        {nearby.reason === 'offline' ? t('priceCheck.nearbyOffline') : nearby.message}
      </p>
    );
  }
  if (nearby.stores.length === 0) {
    return (
      <p className="muted" data-testid="price-check-nearby">
        {t('priceCheck.nearbyNone')}
      </p>
    );
  }
  return (
    <ul className="notes" aria-label={t('priceCheck.nearby')} data-testid="price-check-nearby">
      {nearby.stores.map((store) => (
        <li key={store.storeId}>
          {t('priceCheck.nearbyStore', {
            code: store.code,
            name: store.name,
            available: format.quantity(store.available, unit),
            onHand: format.quantity(store.onHand, unit),
          })}
          {store.distanceMetres === null
            ? ''
            : ` · ${t('priceCheck.nearbyDistance', {
                km: new Intl.NumberFormat(format.locale, { maximumFractionDigits: 1 }).format(
                  store.distanceMetres / 1000,
                ),
              })}`}
        </li>
      ))}
    </ul>
  );
}

/**
 * Price check (issue 14): scan or type a barcode or SKU and read its price, the promotions in force for it
 * and the stock here, without starting or touching a sale. One scan after another replaces the answer.
 * The answer is the till's own copy, so it works the same with the hub away.
 */
export function PriceCheckDialog({ onDone }: { onDone: () => void }) {
  const { api } = usePos();
  const format = useFormat();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState<PriceCheck | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [nearby, setNearby] = useState<Nearby | 'asking' | null>(null);
  // Answers about an earlier scan that arrive late are dropped: only the latest scan's stores show.
  const latestSku = useRef<string | null>(null);

  const askNearby = async (sku: string) => {
    latestSku.current = sku;
    setNearby('asking');
    const answer = await api.call('price-check-nearby', { sku });
    if (latestSku.current !== sku) return;
    setNearby(
      answer.ok ? answer.value : { source: 'none', reason: 'refused', message: errorText(answer.error) },
    );
  };

  const check = async () => {
    const wanted = code.trim();
    if (wanted === '') {
      setError(screenError(t('priceCheck.empty')));
      return;
    }
    setBusy(true);
    let result = await api.call('price-check', { code: wanted });
    // Typed store codes are SKUs as often as barcodes: a code no barcode has is tried as a SKU.
    if (!result.ok && result.error.code === 'UNKNOWN_BARCODE') {
      const bySku = await api.call('price-check', { sku: wanted });
      if (bySku.ok) result = bySku;
    }
    setBusy(false);
    setChecked(result.ok ? result.value : null);
    setError(result.ok ? null : result.error);
    if (result.ok) {
      setCode('');
      void askNearby(result.value.item.sku);
    } else {
      latestSku.current = null;
      setNearby(null);
    }
  };

  const item = checked?.item;
  return (
    <Dialog title={t('priceCheck.title')} onCancel={onDone}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void check();
        }}
      >
        <ErrorBanner error={error} />
        <label className="field field-scan">
          <span>{t('priceCheck.code')}</span>
          <input
            autoComplete="off"
            spellCheck={false}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        </label>
        {checked && item ? (
          <section className="price-check" aria-label={t('priceCheck.result')}>
            <h3>{item.name}</h3>
            <p className="change-due" data-testid="price-check-price">
              {item.price === null
                ? t('priceCheck.noPrice')
                : item.unit === 'kg'
                  ? t('priceCheck.perKg', { price: format.money(item.price.unitPrice) })
                  : format.money(item.price.unitPrice)}
            </p>
            {checked.promotions.length === 0 ? (
              <p className="muted">{t('priceCheck.noPromotions')}</p>
            ) : (
              <ul className="notes" aria-label={t('priceCheck.promotions')}>
                {checked.promotions.map((promotion) => (
                  <li key={promotion.promotionId}>
                    {t('priceCheck.promotion', { name: promotion.name, what: promotion.description })}
                    {promotion.endsAt === null
                      ? ''
                      : ` · ${t('priceCheck.until', { at: format.dateTime(promotion.endsAt) })}`}
                  </li>
                ))}
              </ul>
            )}
            <p data-testid="price-check-stock">
              {t('priceCheck.stockHere', {
                sellable: format.quantity(checked.stock.sellable, item.unit),
              })}
            </p>
            <h4>{t('priceCheck.nearby')}</h4>
            <NearbyStores nearby={nearby} unit={item.unit} />
          </section>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="btn" data-close onClick={onDone}>
            {t('common.close')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('priceCheck.check')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
