import { MESSAGES, type MessageKey } from './messages';

export type { MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * Looks up a UI sentence and fills its `{name}` placeholders. Every visible string goes through here so a
 * translation is one new messages file, not a hunt through the screens.
 */
export function t(key: MessageKey, params: MessageParams = {}): string {
  return MESSAGES[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}
