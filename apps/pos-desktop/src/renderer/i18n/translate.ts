import { MESSAGES, MESSAGES_LANGUAGE, type MessageKey } from './messages';

export type { MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;

const pluralRules = new Intl.PluralRules(MESSAGES_LANGUAGE);
const PLURAL_START = /\{(\w+), plural,/g;

/**
 * Picks the branch of `{name, plural, =0 {…} one {…} other {…}}` that fits the number `name`, the way ICU
 * message format does: an exact `=N` first, then the language's plural category, then `other`. Languages
 * differ in how many forms they have, so the form belongs in the message, not in the code calling it.
 */
function selectPlurals(message: string, params: MessageParams): string {
  let result = '';
  let from = 0;
  PLURAL_START.lastIndex = 0;
  for (let start = PLURAL_START.exec(message); start !== null; start = PLURAL_START.exec(message)) {
    const branches = new Map<string, string>();
    let at = start.index + start[0].length;
    for (;;) {
      const selector = /^\s*(=\d+|\w+)\s*\{/.exec(message.slice(at));
      if (!selector) break;
      let depth = 1;
      let end = at + selector[0].length;
      for (; end < message.length && depth > 0; end += 1) {
        if (message[end] === '{') depth += 1;
        if (message[end] === '}') depth -= 1;
      }
      branches.set(selector[1] ?? 'other', message.slice(at + selector[0].length, end - 1));
      at = end;
    }
    const close = message.indexOf('}', at);
    const value = Number(params[start[1] ?? '']);
    const branch = Number.isFinite(value)
      ? (branches.get(`=${value}`) ?? branches.get(pluralRules.select(value)) ?? branches.get('other'))
      : branches.get('other');
    result +=
      message.slice(from, start.index) + (branch ?? '').replace(/#/g, String(params[start[1] ?? ''] ?? ''));
    from = close + 1;
    PLURAL_START.lastIndex = from;
  }
  return result + message.slice(from);
}

/**
 * Looks up a UI sentence and fills its `{name}` placeholders (and ICU-style plurals). Every visible string
 * goes through here so a translation is one new messages file, not a hunt through the screens.
 */
export function t(key: MessageKey, params: MessageParams = {}): string {
  return selectPlurals(MESSAGES[key], params).replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}
