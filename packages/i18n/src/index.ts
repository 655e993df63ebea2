export { createTranslator, type MessageParams, type Translator } from './translator';
