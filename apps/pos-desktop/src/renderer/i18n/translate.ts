import { createTranslator, type MessageParams } from '@retail/i18n';
import { MESSAGES, MESSAGES_LANGUAGE, type MessageKey } from './messages';

export type { MessageKey, MessageParams };

/** The till's sentences (messages.ts) formatted as ICU messages; see @retail/i18n. */
export const { t } = createTranslator<MessageKey>(MESSAGES, MESSAGES_LANGUAGE);
