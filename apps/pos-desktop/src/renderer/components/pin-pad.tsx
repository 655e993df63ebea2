import { t } from '../i18n/translate';

interface PinPadProps {
  /** What the pad fills in, for its accessible name ("PIN", "Staff code"). */
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly onSubmit: () => void;
  readonly maxLength?: number;
  readonly disabled?: boolean;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** A touch keypad for digits; the field it fills takes the keyboard too. */
export function PinPad({ label, value, onChange, onSubmit, maxLength = 12, disabled }: PinPadProps) {
  const press = (digit: string) => {
    if (value.length < maxLength) onChange(value + digit);
  };
  return (
    <div className="pin-pad" role="group" aria-label={t('pinPad.group', { label })}>
      {KEYS.map((digit) => (
        <button
          key={digit}
          type="button"
          className="btn pin-key"
          disabled={disabled}
          onClick={() => press(digit)}
        >
          {digit}
        </button>
      ))}
      <button
        type="button"
        className="btn pin-key"
        disabled={disabled}
        aria-label={t('pinPad.clear')}
        onClick={() => onChange('')}
      >
        C
      </button>
      <button type="button" className="btn pin-key" disabled={disabled} onClick={() => press('0')}>
        0
      </button>
      <button
        type="button"
        className="btn pin-key"
        disabled={disabled}
        aria-label={t('pinPad.backspace')}
        onClick={() => onChange(value.slice(0, -1))}
      >
        ⌫
      </button>
      <button type="button" className="btn btn-primary pin-enter" disabled={disabled} onClick={onSubmit}>
        {t('pinPad.enter')}
      </button>
    </div>
  );
}
