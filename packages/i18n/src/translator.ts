import { IntlMessageFormat, type Formatters } from 'intl-messageformat';

export type MessageParams = Readonly<Record<string, string | number>>;

// A plural's `#` and a bare `{count}` print the number as given ("12500 items", "HTTP 503"): amounts and
// large figures come in already formatted by the caller, in the screen's currency and number style.
const formatters: Formatters = {
  getNumberFormat: (locales, options) =>
    new Intl.NumberFormat(locales, { ...(options as Intl.NumberFormatOptions), useGrouping: false }),
  getDateTimeFormat: (...args) => new Intl.DateTimeFormat(...args),
  getPluralRules: (...args) => new Intl.PluralRules(...args),
};

/**
 * A placeholder the caller did not fill stays visible as `{name}` instead of failing the whole screen:
 * a missing value is a bug to see, not a reason to show nothing.
 */
function withVisibleGaps(params: MessageParams): Record<string, string | number> {
  return new Proxy(
    { ...params },
    {
      has: () => true,
      get: (target, name) =>
        typeof name === 'string' && !Object.prototype.hasOwnProperty.call(target, name)
          ? `{${name}}`
          : target[name as string],
    },
  );
}

// For sentences written by code (error messages): a number prints exactly as JavaScript writes it in a
// template literal (`${n}`), so a message rendered from its catalog reads as the code wrote it.
const exactFormatters: Formatters = {
  ...formatters,
  getNumberFormat: () => ({ format: (value: number | bigint) => String(value) }) as Intl.NumberFormat,
};

export interface TranslatorOptions {
  /**
   * `exact`: numbers print as `String(n)` and `<` is plain text, so English rendered from a catalog is
   * byte-for-byte what a template literal printed (the error catalog in @retail/domain). Default: screen text.
   */
  readonly text?: 'screen' | 'exact';
}

export interface Translator<K extends string> {
  /**
   * The sentence of `key` formatted as an ICU message (formatjs): `{name}` placeholders and
   * `{n, plural, =0 {…} one {…} other {…}}`, whose forms follow the language's plural rules.
   */
  t(key: K, params?: MessageParams): string;
  /** For keys built from data (an exception kind, an order status): the sentence, or null without one. */
  maybeT(key: string, params?: MessageParams): string | null;
}

/**
 * One screen's messages in one language. Every visible string goes through it so a translation is one
 * new messages file, not a hunt through the screens; each message is parsed once, on first use.
 */
export function createTranslator<K extends string>(
  messages: Readonly<Record<K, string>>,
  language: string,
  options: TranslatorOptions = {},
): Translator<K> {
  const exact = options.text === 'exact';
  const formats = new Map<K, IntlMessageFormat>();
  const t = (key: K, params: MessageParams = {}): string => {
    let format = formats.get(key);
    if (format === undefined) {
      format = new IntlMessageFormat(messages[key], language, undefined, {
        formatters: exact ? exactFormatters : formatters,
        ignoreTag: exact,
      });
      formats.set(key, format);
    }
    const text = format.format(withVisibleGaps(params));
    return typeof text === 'string' ? text : String(text);
  };
  return {
    t,
    maybeT: (key, params = {}) =>
      Object.prototype.hasOwnProperty.call(messages, key) ? t(key as K, params) : null,
  };
}

/** An error as screens receive it: the English sentence, and the catalog key and params to translate. */
export interface KeyedError {
  readonly message: string;
  readonly key?: string | undefined;
  readonly params?: MessageParams | undefined;
}

/**
 * Says an error in a screen's language: its key through `translations` (same keys as the error catalog of
 * @retail/domain), else the English sentence it came with.
 */
export function createErrorText(
  translations: Readonly<Record<string, string>>,
  language: string,
): (error: KeyedError) => string {
  const errors = createTranslator(translations, language);
  return (error) =>
    (error.key === undefined ? null : errors.maybeT(error.key, error.params)) ?? error.message;
}
