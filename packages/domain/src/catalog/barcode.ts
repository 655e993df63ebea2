import { DomainError, type ErrorMessageKey, type ErrorParams } from '../errors';

/**
 * Barcodes and their canonical lookup key.
 *
 * Key rule (stable: the store node indexes its barcode table by it, so changing it needs a migration):
 * - Numeric input (digits, optionally separated by single spaces or hyphens as printed under the bars and
 *   keyed by hand) is a GTIN. It must have 8 to 14 digits after dropping separators; longer input is
 *   accepted only when the extra leading digits are zeros. Its key is the GTIN-14 form: left-padded with
 *   zeros to 14 digits, as GS1 recommends for databases. That makes UPC-A `036000291452`, EAN-13
 *   `0036000291452` and GTIN-14 `00036000291452` one key, and tolerates leading zeros dropped by a
 *   spreadsheet (9–11 digits). The check digit must be right.
 * - Input starting with an ASCII letter is an internal store code (shelf labels, store-printed stickers):
 *   letters, digits and `- . _ /`, at most 48 characters, key = the code in upper case. Numeric store
 *   labels should use the GS1 restricted-circulation prefixes 02 and 20–29, which are ordinary GTINs.
 * - Anything else is refused. GTIN keys are 14 digits and code keys start with a letter, so the two
 *   kinds of key can never collide.
 *
 * UPC-E (zero-suppressed UPC) is not expanded: an 8-digit code is read as EAN-8. Scanners must be set to
 * transmit UPC-E expanded to UPC-A, which every mainstream scanner supports.
 */

export const GTIN_FORMATS = ['EAN-8', 'UPC-A', 'EAN-13', 'GTIN-14'] as const;
export type GtinFormat = (typeof GTIN_FORMATS)[number];

export type ParsedBarcode =
  | { readonly kind: 'gtin'; readonly key: string; readonly format: GtinFormat }
  | { readonly kind: 'code'; readonly key: string };

export const GTIN_KEY_LENGTH = 14;
export const MAX_STORE_CODE_LENGTH = 48;
const MIN_GTIN_DIGITS = 8;
const CODE_0 = 48;
const CODE_9 = 57;

const SEPARATED_DIGITS = /^\d(?:[ -]?\d)*$/;
const STORE_CODE = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const STARTS_WITH_LETTER = /^[A-Za-z]/;

function isDigitCode(charCode: number): boolean {
  return charCode >= CODE_0 && charCode <= CODE_9;
}

function allDigits(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    if (!isDigitCode(text.charCodeAt(index))) return false;
  }
  return text.length > 0;
}

function invalidBarcode(
  key: ErrorMessageKey,
  params: ErrorParams,
  details: Record<string, unknown>,
): DomainError {
  return new DomainError('INVALID_BARCODE', key, params, details);
}

/**
 * GS1 modulo-10 check digit of `body` (the digits before the check digit). Weights alternate 3, 1, 3, …
 * starting from the rightmost digit of the body, which makes the result independent of leading zeros.
 */
export function gtinCheckDigit(body: string): number {
  if (!allDigits(body)) {
    throw new DomainError('INVALID_INPUT', 'catalog.checkDigitCanOnly', {}, { body });
  }
  let total = 0;
  let weight = 3;
  for (let index = body.length - 1; index >= 0; index -= 1) {
    total += (body.charCodeAt(index) - CODE_0) * weight;
    weight = weight === 3 ? 1 : 3;
  }
  return (10 - (total % 10)) % 10;
}

/** `body` followed by its GS1 check digit: how barcodes are made from an item reference. */
export function withGtinCheckDigit(body: string): string {
  return `${body}${gtinCheckDigit(body)}`;
}

/** True for a GTIN-8, -12, -13 or -14 (exact length, digits only) whose check digit is right. */
export function isValidGtin(code: string): boolean {
  if (![8, 12, 13, 14].includes(code.length) || !allDigits(code)) return false;
  return gtinCheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - CODE_0;
}

/**
 * The format follows from the key alone, so a UPC-A keyed with a leading zero is still a UPC-A. GS1 issues
 * no GTIN-12 or GTIN-13 that starts with the zeros a padded GTIN-8 has, so six leading zeros mean EAN-8.
 */
function formatOfKey(key: string): GtinFormat {
  if (key.charCodeAt(0) !== CODE_0) return 'GTIN-14';
  if (key.charCodeAt(1) !== CODE_0) return 'EAN-13';
  return key.startsWith('000000') ? 'EAN-8' : 'UPC-A';
}

function parseNumeric(text: string): ParsedBarcode {
  let digits = text;
  if (!allDigits(digits)) {
    if (!SEPARATED_DIGITS.test(text)) {
      throw invalidBarcode(
        'catalog.barcodeStartsDigitContains',
        { text },
        { barcode: text, reason: 'non_digits' },
      );
    }
    digits = text.replace(/[ -]/g, '');
  }
  if (digits.length > GTIN_KEY_LENGTH) {
    const extra = digits.slice(0, digits.length - GTIN_KEY_LENGTH);
    if (!/^0+$/.test(extra)) {
      throw invalidBarcode(
        'catalog.barcodeDigitsProductBarcodes',
        { text, digitsCount: digits.length },
        { barcode: text, reason: 'wrong_length', digits: digits.length },
      );
    }
    digits = digits.slice(digits.length - GTIN_KEY_LENGTH);
  }
  if (digits.length < MIN_GTIN_DIGITS) {
    throw invalidBarcode(
      'catalog.barcodeDigitsProductBarcodes2',
      { text, digitsCount: digits.length },
      { barcode: text, reason: 'wrong_length', digits: digits.length },
    );
  }
  const key = digits.padStart(GTIN_KEY_LENGTH, '0');
  const expected = gtinCheckDigit(key.slice(0, -1));
  if (expected !== key.charCodeAt(GTIN_KEY_LENGTH - 1) - CODE_0) {
    throw invalidBarcode(
      'catalog.checkDigitBarcodeNot',
      { text },
      { barcode: text, reason: 'check_digit', expectedCheckDigit: expected },
    );
  }
  return { kind: 'gtin', key, format: formatOfKey(key) };
}

function parseStoreCode(text: string): ParsedBarcode {
  if (text.length > MAX_STORE_CODE_LENGTH) {
    throw invalidBarcode(
      'catalog.codeCharactersStoreCodes',
      { text: text.slice(0, MAX_STORE_CODE_LENGTH), textCount: text.length, MAX_STORE_CODE_LENGTH },
      { barcode: text, reason: 'wrong_length', characters: text.length },
    );
  }
  if (!STORE_CODE.test(text)) {
    throw invalidBarcode(
      'catalog.codeContainsCharactersStore',
      { text },
      { barcode: text, reason: 'bad_characters' },
    );
  }
  return { kind: 'code', key: text.toUpperCase() };
}

/**
 * The barcode rule above as a regular expression, for schemas to publish (the check digit cannot be
 * expressed; parseBarcode stays the rule): 8–14 digits, more only as leading zeros, which single spaces or
 * hyphens may separate, or a store code, with the blanks around it a scanner may add.
 */
export const BARCODE_PATTERN =
  '^\\s*(?:(?:0[ -]?)*[0-9](?:[ -]?[0-9]){7,13}|[A-Za-z][A-Za-z0-9._/-]{0,47})\\s*$';

/**
 * Classifies a scanned or keyed barcode and returns its canonical key (see the key rule above), or throws
 * DomainError('INVALID_BARCODE') saying whether the length, the characters or the check digit is wrong.
 */
export function parseBarcode(raw: string): ParsedBarcode {
  if (typeof raw !== 'string') {
    throw invalidBarcode('catalog.barcodeMustText', {}, { reason: 'not_text' });
  }
  // Scanners end a read with CR, LF or TAB; people paste with spaces around.
  const text = raw.trim();
  if (text.length === 0) {
    throw invalidBarcode(
      'catalog.barcodeEmptyScanAgain',
      {},
      {
        reason: 'empty',
      },
    );
  }
  if (isDigitCode(text.charCodeAt(0))) return parseNumeric(text);
  if (STARTS_WITH_LETTER.test(text)) return parseStoreCode(text);
  throw invalidBarcode(
    'catalog.barcodeNeitherProductBarcode',
    { text },
    { barcode: text, reason: 'non_digits' },
  );
}

/** The canonical lookup key of a barcode; throws DomainError('INVALID_BARCODE') when it is not one. */
export function barcodeKey(raw: string): string {
  return parseBarcode(raw).key;
}

/** True when `raw` is a barcode this system accepts (same rule as `barcodeKey`). */
export function isValidBarcode(raw: string): boolean {
  try {
    parseBarcode(raw);
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}
