import { currencyExponent, fromDecimal, isDomainError, money, toDecimal } from '@retail/domain';

/** What a till needs to show amounts, weights and times the way the store's locale writes them. */
export interface StoreFormat {
  readonly locale: string;
  readonly currency: string;
  readonly timezone: string;
  /** An amount in minor units, e.g. 1234 → "12,34 €" in fr-FR. */
  money(minor: number): string;
  /** Pieces as a count, grams of a kg item as kilograms ("0.532 kg"). */
  quantity(qty: number, unit: 'each' | 'kg'): string;
  /** A whole count such as points, grouped the locale's way ("12 500" in fr-FR). */
  count(value: number): string;
  /** How long ago something was, in the largest whole unit ("5 minutes ago", "yesterday"). */
  age(ms: number): string;
  dateTime(iso: string): string;
  time(iso: string): string;
  /**
   * A sentence from the node with every UTC instant in it ("Not collected by 2026-12-09T00:58:19.160Z.")
   * written as the store's local date and time, as the rest of the till shows times.
   */
  localInstants(sentence: string): string;
  /** Parses what a cashier typed ("12.5", "12,50", "1 200") into minor units; null if it is not an amount. */
  parseMoney(text: string): number | null;
  /** The amount as a plain decimal the cashier can edit ("12.50"). */
  moneyInput(minor: number): string;
  /** Parses a weight in kilograms ("0.532", "1,2") into grams; null if it is not a weight. */
  parseKilograms(text: string): number | null;
  /** Grams as a plain kilogram decimal the cashier can edit ("0.532"). */
  kilogramsInput(grams: number): string;
}

export interface StoreFormatSettings {
  readonly locale: string;
  readonly currency: string;
  readonly timezone: string;
}

const GRAMS_DIGITS = 3;

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z\b/g;

const AGE_UNITS: readonly (readonly [Intl.RelativeTimeFormatUnit, number])[] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** Accepts one decimal separator (dot or comma) and spaces or apostrophes as thousands separators. */
function normaliseDecimal(text: string): string | null {
  const compact = text.trim().replace(/[\s'\u00a0\u202f]/g, '');
  if (compact === '') return null;
  const separators = compact.match(/[.,]/g) ?? [];
  if (separators.length > 1) return null;
  return compact.replace(',', '.');
}

export function createStoreFormat(settings: StoreFormatSettings): StoreFormat {
  const { locale, currency, timezone } = settings;
  // Fails fast on a currency the domain does not know, before any screen shows an amount.
  const exponent = currencyExponent(currency);
  // One formatter per store, not one per amount: building an Intl.NumberFormat costs ~50 µs, and a cart
  // repaints dozens of amounts on every scan. The exact decimal string goes in, never a float.
  const moneyFormat = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: timezone,
  });
  const timeFormat = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone: timezone });
  const countFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const kilogramFormat = new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'kilogram',
    minimumFractionDigits: GRAMS_DIGITS,
    maximumFractionDigits: GRAMS_DIGITS,
  });
  return {
    locale,
    currency,
    timezone,
    money: (minor) => moneyFormat.format(toDecimal(money(minor, currency)) as Intl.StringNumericLiteral),
    quantity(qty, unit) {
      if (unit === 'each') return countFormat.format(qty);
      // Grams are an integer; splitting the digits keeps the kilogram figure exact before Intl shows it.
      const whole = Math.trunc(qty / 1000);
      const grams = String(Math.abs(qty % 1000)).padStart(GRAMS_DIGITS, '0');
      return kilogramFormat.format(Number(`${qty < 0 ? '-' : ''}${Math.abs(whole)}.${grams}`));
    },
    count: (value) => countFormat.format(value),
    age(ms) {
      // A balance's age decides whether a cashier trusts it: say it in the unit a person would use.
      const seconds = Math.max(0, Math.floor(ms / 1000));
      for (const [unit, size] of AGE_UNITS) {
        if (seconds >= size) return relativeFormat.format(-Math.floor(seconds / size), unit);
      }
      return relativeFormat.format(0, 'second');
    },
    dateTime: (iso) => dateTimeFormat.format(new Date(iso)),
    localInstants: (sentence) =>
      sentence.replace(ISO_INSTANT, (iso) => {
        const at = new Date(iso);
        return Number.isNaN(at.getTime()) ? iso : dateTimeFormat.format(at);
      }),
    time: (iso) => timeFormat.format(new Date(iso)),
    parseMoney(text) {
      const decimal = normaliseDecimal(text);
      if (decimal === null || !/^\d+(\.\d*)?$/.test(decimal)) return null;
      try {
        return fromDecimal(decimal.endsWith('.') ? decimal.slice(0, -1) : decimal, currency).amount;
      } catch (error) {
        if (isDomainError(error)) return null;
        throw error;
      }
    },
    moneyInput: (minor) => toDecimal(money(minor, currency)),
    kilogramsInput: (grams) =>
      `${Math.trunc(grams / 1000)}.${String(grams % 1000).padStart(GRAMS_DIGITS, '0')}`,
    parseKilograms(text) {
      const decimal = normaliseDecimal(text);
      const match = decimal === null ? null : /^(\d{1,4})(?:\.(\d{0,3}))?$/.exec(decimal);
      if (!match) return null;
      const grams = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(GRAMS_DIGITS, '0'));
      return grams > 0 ? grams : null;
    },
  };
}
