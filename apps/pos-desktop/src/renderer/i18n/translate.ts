import { IntlMessageFormat, type Formatters } from 'intl-messageformat';
import { MESSAGES, MESSAGES_LANGUAGE, type MessageKey } from './messages';

export type { MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;

const formats = new Map<MessageKey, IntlMessageFormat>();

// A plural's `#` prints the bare count ("12500 items"): amounts and large figures come in already
// formatted by the caller (`pointsText`, `amount`), in the till's currency and number style.
const formatters: Formatters = {
  getNumberFormat: (locales, options) =>
    new Intl.NumberFormat(locales, { ...(options as Intl.NumberFormatOptions), useGrouping: false }),
  getDateTimeFormat: (...args) => new Intl.DateTimeFormat(...args),
  getPluralRules: (...args) => new Intl.PluralRules(...args),
};

function formatOf(key: MessageKey): IntlMessageFormat {
  let format = formats.get(key);
  if (format === undefined) {
    format = new IntlMessageFormat(MESSAGES[key], MESSAGES_LANGUAGE, undefined, { formatters });
    formats.set(key, format);
  }
  return format;
}

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

/**
 * Looks up a UI sentence and formats it as an ICU message (formatjs): `{name}` placeholders and
 * `{n, plural, =0 {…} one {…} other {…}}`, whose forms follow the language's plural rules. Every visible
 * string goes through here so a translation is one new messages file, not a hunt through the screens.
 */
export function t(key: MessageKey, params: MessageParams = {}): string {
  const text = formatOf(key).format(withVisibleGaps(params));
  return typeof text === 'string' ? text : String(text);
}
