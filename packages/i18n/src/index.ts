export { createTranslator, type MessageParams, type Translator, type TranslatorOptions } from './translator';
