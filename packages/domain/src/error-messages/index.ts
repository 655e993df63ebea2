import type { ErrorCode } from '../error-codes';
import { DOMAIN_ERROR_MESSAGES } from './domain';
import { HUB_ERROR_MESSAGES } from './hub';
import { STORE_ERROR_MESSAGES } from './store';
import { SYNC_ERROR_MESSAGES } from './sync';

/** One area's English error sentences: error code → message key → ICU template. */
export type ErrorCatalog = { readonly [C in ErrorCode]?: Readonly<Record<string, string>> };

type KeysOf<T> = { [C in keyof T]: keyof T[C] & string }[keyof T];

/** Every error's English sentence, by area (domain, sync, store node, hub); see docs/conventions.md. */
export const ERROR_CATALOGS = {
  domain: DOMAIN_ERROR_MESSAGES,
  sync: SYNC_ERROR_MESSAGES,
  store: STORE_ERROR_MESSAGES,
  hub: HUB_ERROR_MESSAGES,
} as const satisfies Record<string, ErrorCatalog>;

/** The key of an error's sentence: a stable, readable id such as `tenders.cardExceedsDue`. */
export type ErrorMessageKey =
  | KeysOf<typeof DOMAIN_ERROR_MESSAGES>
  | KeysOf<typeof SYNC_ERROR_MESSAGES>
  | KeysOf<typeof STORE_ERROR_MESSAGES>
  | KeysOf<typeof HUB_ERROR_MESSAGES>;

function flatten(): Readonly<Record<ErrorMessageKey, string>> {
  const flat: Record<string, string> = {};
  for (const catalog of Object.values(ERROR_CATALOGS) as ErrorCatalog[]) {
    for (const group of Object.values(catalog)) Object.assign(flat, group);
  }
  return flat as Record<ErrorMessageKey, string>;
}

/**
 * The English sentences flat, key → ICU template: what a translation copies and translates, and what
 * the till and the dashboard render an error's `key` and `params` with (`maybeT(key, params)`).
 */
export const ERROR_MESSAGES = flatten();
