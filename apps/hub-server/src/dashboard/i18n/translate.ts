import { MESSAGES, type MessageKey } from './messages';

export type { MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * Looks up a dashboard sentence and fills its `{name}` placeholders. Every visible string goes through
 * here so a translation is one new messages file, not a hunt through the screens.
 */
export function t(key: MessageKey, params: MessageParams = {}): string {
  return MESSAGES[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** For keys built from data (an exception kind, an order status): the key if it exists, else null. */
export function maybeT(key: string, params: MessageParams = {}): string | null {
  return Object.prototype.hasOwnProperty.call(MESSAGES, key) ? t(key as MessageKey, params) : null;
}
