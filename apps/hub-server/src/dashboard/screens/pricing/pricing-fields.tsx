import { useId, type ReactNode } from 'react';
import type { StoreNode } from '../../api/api-types';
import { t } from '../../i18n/translate';
import type { ScopeChoice } from './pricing-form';

/** A labelled text input of the pricing editors; `onChange` gets the new text. */
export function TextField({
  label,
  value,
  onChange,
  type = 'text',
  inputMode,
  readOnly = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'datetime-local';
  inputMode?: 'decimal' | 'numeric';
  readOnly?: boolean;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        // Seconds matter for a schedule: a price that switches on "in a moment" is set to the second.
        {...(type === 'datetime-local' ? { step: 1 } : {})}
        {...(inputMode === undefined ? {} : { inputMode })}
        value={value}
        readOnly={readOnly}
        onChange={(event) => onChange(event.target.value)}
      />
    </>
  );
}

/** When a price book or promotion starts and ends, to the second (empty: from now on, open-ended). */
export function ScheduleFields({
  startsAt,
  endsAt,
  onStartsAt,
  onEndsAt,
}: {
  startsAt: string;
  endsAt: string;
  onStartsAt: (value: string) => void;
  onEndsAt: (value: string) => void;
}) {
  return (
    <>
      <TextField
        label={t('pricing.editor.startsAt')}
        type="datetime-local"
        value={startsAt}
        onChange={onStartsAt}
      />
      <TextField
        label={t('pricing.editor.endsAt')}
        type="datetime-local"
        value={endsAt}
        onChange={onEndsAt}
      />
    </>
  );
}

export function SelectField({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {children}
      </select>
    </>
  );
}

/** Whole chain, each region the stores are in, or one store. */
export function ScopeField({
  value,
  stores,
  onChange,
}: {
  value: ScopeChoice;
  stores: readonly StoreNode[];
  onChange: (value: ScopeChoice) => void;
}) {
  const regions = [...new Set(stores.map((store) => store.region))].sort();
  return (
    <SelectField label={t('pricing.scope')} value={value} onChange={(next) => onChange(next as ScopeChoice)}>
      <option value="chain">{t('pricing.scope.chain')}</option>
      {regions.map((region) => (
        <option key={region} value={`region:${region}`}>
          {t('pricing.scope.region', { id: region })}
        </option>
      ))}
      {stores.map((store) => (
        <option key={store.nodeId} value={`store:${store.nodeId}`}>
          {t('pricing.editor.store', { code: store.code, name: store.name })}
        </option>
      ))}
    </SelectField>
  );
}
