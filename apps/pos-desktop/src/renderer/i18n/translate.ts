import { createErrorText, createTranslator, type MessageParams } from '@retail/i18n';
import { ERROR_TRANSLATIONS, MESSAGES, MESSAGES_LANGUAGE, type MessageKey } from './messages';

export type { MessageKey, MessageParams };

/** The till's sentences (messages.ts) formatted as ICU messages; see @retail/i18n. */
export const { t } = createTranslator<MessageKey>(MESSAGES, MESSAGES_LANGUAGE);

/** Says a store node's error in the till's language: its key translated, else the node's English sentence. */
export const errorText = createErrorText(ERROR_TRANSLATIONS, MESSAGES_LANGUAGE);
