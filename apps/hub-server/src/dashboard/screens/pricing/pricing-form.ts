import { DomainError } from '@retail/domain';
import type { PriceBook } from '../../api/api-types';
import { t } from '../../i18n/translate';

/** The scope a price book or promotion applies to (both have the same three shapes). */
export type Scope = PriceBook['scope'];
export type ScopeChoice = 'chain' | `region:${string}` | `store:${string}`;

export function choiceOf(scope: Scope): ScopeChoice {
  if (scope.type === 'region') return `region:${scope.regionId}`;
  if (scope.type === 'store') return `store:${scope.storeId}`;
  return 'chain';
}

export function scopeOf(choice: ScopeChoice): Scope {
  if (choice.startsWith('region:')) return { type: 'region', regionId: choice.slice('region:'.length) };
  if (choice.startsWith('store:')) return { type: 'store', storeId: choice.slice('store:'.length) };
  return { type: 'chain' };
}

/**
 * `datetime-local` works in the browser's local time, as the operator reads it; seconds are kept so a price
 * can be scheduled to the second (the tills switch at the exact start).
 */
export function localInput(at: number | undefined): string {
  if (at === undefined) return '';
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  const seconds = date.getSeconds() === 0 ? '' : `:${pad(date.getSeconds())}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}${seconds}`;
}

export function epochOf(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const at = new Date(text).getTime();
  return Number.isNaN(at) ? undefined : at;
}

/** The priority an operator typed, a whole number; otherwise throws a DomainError naming the field. */
export function priorityOf(text: string): number {
  const rank = Number(text.trim());
  if (text.trim() === '' || !Number.isSafeInteger(rank)) {
    throw new DomainError('INVALID_INPUT', t('pricing.rule.invalid', { field: t('pricing.priority'), text }));
  }
  return rank;
}

/** The comma- or space-separated ids an operator types, without blanks or repeats. */
export function idList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
}

export const shownValue = (value: unknown) =>
  value === null ? t('pricing.editor.unset') : JSON.stringify(value);
