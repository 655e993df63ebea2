import { DISPOSITIONS } from '../../shared/commands';
import { t } from '../i18n/translate';

export type Disposition = (typeof DISPOSITIONS)[number];

/** Where a returned item goes: back on the shelf, damaged, quality check or written off. */
export function DispositionSelect({
  label,
  value,
  onChange,
}: {
  label: string;
  value: Disposition;
  onChange: (value: Disposition) => void;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(event) => onChange(event.target.value as Disposition)}>
        {DISPOSITIONS.map((disposition) => (
          <option key={disposition} value={disposition}>
            {t(`disposition.${disposition}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
