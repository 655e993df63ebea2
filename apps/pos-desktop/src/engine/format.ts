import { formatMoney, money } from '@retail/domain';
import type { NodeIdentity } from './identity';

/** Amounts in messages for cashiers, in the store's currency and locale (display only). */
export function formatAmount(identity: NodeIdentity, minorUnits: number): string {
  return formatMoney(money(minorUnits, identity.currency), identity.locale);
}

/** A wall-clock time in the store's time zone, for messages such as "locked until 14:05". */
export function formatLocalTime(identity: NodeIdentity, epochMs: number): string {
  return new Intl.DateTimeFormat(identity.locale, { timeStyle: 'short', timeZone: identity.timezone }).format(
    new Date(epochMs),
  );
}
