import { currencyExponent, money, toDecimal } from '@retail/domain';
import { t } from '../i18n/translate';

/** How the dashboard writes amounts, counts and times for the HQ user's locale and time zone. */
export interface DashboardFormat {
  readonly locale: string;
  readonly timeZone: string;
  /** An amount in minor units of `currency`, e.g. (1234, 'EUR') → "€12.34" in en-IE. */
  money(minor: number, currency: string): string;
  count(value: number): string;
  dateTime(epochMs: number): string;
  /** How long ago, from `now`, in the largest whole unit that fits ("12 min ago"). */
  ago(epochMs: number, now: number): string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function createDashboardFormat(locale: string, timeZone: string): DashboardFormat {
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const moneyFormat = (currency: string): Intl.NumberFormat => {
    let format = moneyFormats.get(currency);
    if (format === undefined) {
      const exponent = currencyExponent(currency);
      format = new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      });
      moneyFormats.set(currency, format);
    }
    return format;
  };
  const countFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  });
  return {
    locale,
    timeZone,
    // The exact decimal string goes to Intl, never a float built from minor units.
    money: (minor, currency) =>
      moneyFormat(currency).format(toDecimal(money(minor, currency)) as Intl.StringNumericLiteral),
    count: (value) => countFormat.format(value),
    dateTime: (epochMs) => dateTimeFormat.format(new Date(epochMs)),
    ago(epochMs, now) {
      const elapsed = Math.max(0, now - epochMs);
      if (elapsed < MINUTE) return t('stores.ago.now');
      if (elapsed < HOUR) return t('stores.ago.minutes', { count: Math.floor(elapsed / MINUTE) });
      if (elapsed < DAY) return t('stores.ago.hours', { count: Math.floor(elapsed / HOUR) });
      return t('stores.ago.days', { count: Math.floor(elapsed / DAY) });
    },
  };
}
