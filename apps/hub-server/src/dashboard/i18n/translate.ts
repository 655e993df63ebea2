import { createErrorText, createTranslator, type MessageParams } from '@retail/i18n';
import { ERROR_TRANSLATIONS, MESSAGES, type MessageKey } from './messages';

export type { MessageKey, MessageParams };

/**
 * The dashboard's sentences (messages.ts) formatted as ICU messages; see @retail/i18n. `maybeT` is for
 * keys built from data (an exception kind, an order status): the sentence, or null without one.
 */
export const { t, maybeT } = createTranslator<MessageKey>(MESSAGES, 'en');

/** Says a hub error in the dashboard's language: its key translated, else the hub's English sentence. */
export const errorText = createErrorText(ERROR_TRANSLATIONS, 'en');
