import type { ErrorBody } from '@retail/domain';
import { useState } from 'react';
import { useArea, usePos } from '../../app/pos-context';
import { FieldError } from '../../components/error-banner';
import { t } from '../../i18n/translate';
import type { BopisOrderDetail } from '../../stores/bopis-store';
import { screenError } from '../../stores/store-kit';

/**
 * Ship-to-home at the till: where the order goes, packing what was picked into weighed parcels, and
 * handing them to the carrier with the tracking number typed or scanned off the label. The node checks
 * everything again; these checks only put the mistake next to the field before a round trip.
 */

const MAX_PARCEL_KG = 70;

/** "1.25" or "1,25" kg → grams; null when it is not a weight a carrier takes. */
export function parcelGrams(text: string): number | null {
  const normalised = text.trim().replace(',', '.');
  if (!/^\d+(\.\d{1,3})?$/.test(normalised)) return null;
  const grams = Math.round(Number(normalised) * 1000);
  return grams >= 1 && grams <= MAX_PARCEL_KG * 1000 ? grams : null;
}

const CARRIER = /^[A-Za-z0-9][A-Za-z0-9 &._-]{0,39}$/;
const TRACKING = /^[A-Z0-9]{8,40}$/;

export function ShipTo({ order }: { order: BopisOrderDetail }) {
  if (!order.shipTo) return null;
  return <p>{t('bopis.shipTo', { ...order.shipTo })}</p>;
}

export function ShipmentSummary({ order }: { order: BopisOrderDetail }) {
  const shipment = order.shipment;
  if (!shipment) return null;
  const weights = shipment.parcels
    .map((parcel) => `${(parcel.weightGrams / 1000).toFixed(3).replace(/\.?0+$/, '')} kg`)
    .join(', ');
  return (
    <p aria-label={t('bopis.parcels')}>
      {t('bopis.packedIn', { parcels: shipment.parcels.length, weights })}
      {shipment.carrier && shipment.trackingNumber
        ? ` · ${t('bopis.shippedWith', { carrier: shipment.carrier, tracking: shipment.trackingNumber })}`
        : ''}
    </p>
  );
}

/** The node's refusal of the last pack or ship, shown under the button that sent it. */
function NodeError({ id }: { id: string }) {
  const { bopis } = usePos();
  const error = useArea(bopis, (state) => state.error);
  return <FieldError id={id} error={error} />;
}

export function PackForm() {
  const { bopis } = usePos();
  const busy = useArea(bopis, (state) => state.busy);
  const [weights, setWeights] = useState<readonly string[]>(['']);
  const [bad, setBad] = useState<number | null>(null);
  const submit = () => {
    const grams = weights.map(parcelGrams);
    const wrong = grams.findIndex((value) => value === null);
    if (wrong >= 0) {
      setBad(wrong);
      return;
    }
    setBad(null);
    void bopis.getState().pack(grams.map((weightGrams) => ({ weightGrams: weightGrams as number })));
  };
  const badError = (index: number): ErrorBody | null =>
    bad === index ? screenError(t('bopis.parcelWeightBad', { n: index + 1 })) : null;
  return (
    <form
      aria-label={t('bopis.parcels')}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <fieldset>
        <legend>{t('bopis.parcels')}</legend>
        {weights.map((weight, index) => (
          <div key={index} className="inline-form">
            <label className="field">
              <span>{t('bopis.parcelWeight', { n: index + 1 })}</span>
              <input
                autoFocus={index === weights.length - 1}
                inputMode="decimal"
                autoComplete="off"
                value={weight}
                aria-invalid={bad === index}
                aria-describedby={bad === index ? `parcel-${index}-error` : undefined}
                onChange={(event) =>
                  setWeights(weights.map((w, i) => (i === index ? event.target.value : w)))
                }
              />
            </label>
            {weights.length > 1 ? (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setWeights(weights.filter((_, i) => i !== index));
                  setBad(null);
                }}
              >
                {t('bopis.removeParcel', { n: index + 1 })}
              </button>
            ) : null}
            <FieldError id={`parcel-${index}-error`} error={badError(index)} />
          </div>
        ))}
      </fieldset>
      <div className="tender-actions">
        <button type="button" className="btn" onClick={() => setWeights([...weights, ''])}>
          {t('bopis.addParcel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} aria-describedby="pack-error">
          {t('bopis.pack')}
        </button>
      </div>
      <NodeError id="pack-error" />
    </form>
  );
}

export function ShipForm() {
  const { bopis } = usePos();
  const busy = useArea(bopis, (state) => state.busy);
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [bad, setBad] = useState<'carrier' | 'tracking' | null>(null);
  const submit = () => {
    const normalisedTracking = tracking.replaceAll(' ', '').toUpperCase();
    if (!CARRIER.test(carrier.trim())) {
      setBad('carrier');
      return;
    }
    if (!TRACKING.test(normalisedTracking)) {
      setBad('tracking');
      return;
    }
    setBad(null);
    void bopis.getState().ship(carrier.trim(), normalisedTracking);
  };
  return (
    <form
      aria-label={t('bopis.ship')}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label className="field">
        <span>{t('bopis.carrier')}</span>
        <input
          autoFocus
          autoComplete="off"
          list="bopis-carriers"
          value={carrier}
          aria-invalid={bad === 'carrier'}
          aria-describedby={bad === 'carrier' ? 'carrier-error' : undefined}
          onChange={(event) => setCarrier(event.target.value)}
        />
      </label>
      <datalist id="bopis-carriers">
        {['UPS', 'DHL', 'DPD', 'GLS', 'FedEx', 'La Poste', 'Royal Mail'].map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <FieldError id="carrier-error" error={bad === 'carrier' ? screenError(t('bopis.carrierBad')) : null} />
      <label className="field field-scan">
        <span>{t('bopis.trackingNumber')}</span>
        <input
          autoComplete="off"
          spellCheck={false}
          value={tracking}
          aria-invalid={bad === 'tracking'}
          aria-describedby={bad === 'tracking' ? 'tracking-error' : undefined}
          onChange={(event) => setTracking(event.target.value)}
        />
      </label>
      <FieldError
        id="tracking-error"
        error={bad === 'tracking' ? screenError(t('bopis.trackingBad')) : null}
      />
      <button type="submit" className="btn btn-primary" disabled={busy} aria-describedby="ship-error">
        {t('bopis.ship')}
      </button>
      <NodeError id="ship-error" />
    </form>
  );
}
