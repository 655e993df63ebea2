import type { ErrorBody } from '@retail/domain';
import { createTranslator, type MessageParams } from '@retail/i18n';
import { ERROR_TRANSLATIONS, MESSAGES, MESSAGES_LANGUAGE, type MessageKey } from './messages';

export type { MessageKey, MessageParams };

/** The till's sentences (messages.ts) formatted as ICU messages; see @retail/i18n. */
export const { t } = createTranslator<MessageKey>(MESSAGES, MESSAGES_LANGUAGE);

/** Says a store node's error in the till's language: its key translated, else the node's English sentence. */
export function errorTextWith(
  translations: Readonly<Record<string, string>>,
  language: string,
): (error: Pick<ErrorBody, 'message' | 'key' | 'params'>) => string {
  const errors = createTranslator(translations, language);
  return (error) =>
    (error.key === undefined ? null : errors.maybeT(error.key, error.params)) ?? error.message;
}

export const errorText = errorTextWith(ERROR_TRANSLATIONS as Record<string, string>, MESSAGES_LANGUAGE);
