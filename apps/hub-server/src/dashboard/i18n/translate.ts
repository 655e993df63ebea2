import { createTranslator, type MessageParams } from '@retail/i18n';
import { MESSAGES, type MessageKey } from './messages';

export type { MessageKey, MessageParams };

/**
 * The dashboard's sentences (messages.ts) formatted as ICU messages; see @retail/i18n. `maybeT` is for
 * keys built from data (an exception kind, an order status): the sentence, or null without one.
 */
export const { t, maybeT } = createTranslator<MessageKey>(MESSAGES, 'en');
