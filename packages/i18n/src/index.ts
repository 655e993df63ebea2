export {
  createErrorText,
  createTranslator,
  type KeyedError,
  type MessageParams,
  type Translator,
  type TranslatorOptions,
} from './translator';
