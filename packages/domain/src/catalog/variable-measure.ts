import { z } from 'zod';
import { DomainError, invalid } from '../errors';
import { gtinCheckDigit, parseBarcode, withGtinCheckDigit, type GtinFormat } from './barcode';

/**
 * GS1 variable-measure labels (scale and deli labels) use restricted-circulation GTINs: GTIN-13 prefixes
 * 20–29, and UPC-A number system 2, which is prefix 02 in the 13-digit form. Each store says how its labels
 * are laid out, in the 13-digit form:
 *
 *   prefix | item reference (itemDigits) | [value check digit] | value (valueDigits) | check digit
 *
 * so prefix length + itemDigits + (1 if priceCheckDigit) + valueDigits + 1 = 13. The value is a price in
 * minor units or a weight in grams, each digit step worth `valueScale` of them (a weight in 10 g steps has
 * valueScale 10). The optional value check digit (GS1 General Specifications §7.9.3, "price/measure
 * verifier digit") is checked with the GS1 weights 2-, 2-, 3, 5- (4-digit value) or 5+, 2-, 5-, 5+, 2-
 * (5-digit value); it is the same algorithm for prices and weights.
 *
 * Item key: the SKU carries, among its barcodes, the label barcode with the value check digit and the value
 * zeroed and the overall check digit recomputed (`variableMeasureItemBarcode`). A scanned label maps to that
 * barcode's key, so the catalog needs no second lookup table. When several rules match, the longest prefix
 * wins; a GTIN with a restricted-circulation prefix no rule covers is an ordinary fixed-item GTIN.
 */

export const VARIABLE_MEASURE_KINDS = ['price', 'weight'] as const;
export type VariableMeasureKind = (typeof VARIABLE_MEASURE_KINDS)[number];

const LABEL_LENGTH = 13;
const RESTRICTED_PREFIX = /^(?:02|2\d)\d?$/;

export const VariableMeasureRuleSchema = z
  .object({
    prefix: z
      .string()
      .regex(
        RESTRICTED_PREFIX,
        'A variable-measure prefix is 02 or 20–29, optionally followed by one digit.',
      ),
    kind: z.enum(VARIABLE_MEASURE_KINDS),
    itemDigits: z.number().int().min(1).max(10),
    valueDigits: z.number().int().min(1).max(10),
    /** Minor units (price) or grams (weight) per step of the value; 1 when absent. */
    valueScale: z.number().int().min(1).max(1_000_000).optional(),
    /** A GS1 price/measure verifier digit sits before the value (4- or 5-digit values only). */
    priceCheckDigit: z.boolean().optional(),
  })
  .superRefine((rule, context) => {
    const problem = ruleLayoutProblem(rule);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });
export type VariableMeasureRule = z.infer<typeof VariableMeasureRuleSchema>;

function ruleLayoutProblem(rule: VariableMeasureRule): string | undefined {
  const digits = rule.prefix.length + rule.itemDigits + (rule.priceCheckDigit ? 1 : 0) + rule.valueDigits + 1;
  if (digits !== LABEL_LENGTH) {
    return (
      `Label rule ${rule.prefix} describes ${digits} digits; prefix, item, value check digit, value and ` +
      `check digit must add up to ${LABEL_LENGTH}.`
    );
  }
  if (rule.priceCheckDigit && rule.valueDigits !== 4 && rule.valueDigits !== 5) {
    return `Label rule ${rule.prefix} has a value check digit, which GS1 defines only for 4- or 5-digit values.`;
  }
  return undefined;
}

function assertRules(rules: readonly VariableMeasureRule[]): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    const problem = RESTRICTED_PREFIX.test(rule.prefix)
      ? ruleLayoutProblem(rule)
      : `Label rule prefix "${rule.prefix}" is not a restricted-circulation prefix (02 or 20–29).`;
    if (problem !== undefined)
      throw invalid('catalog.labelRuleInvalid', { problem }, { prefix: rule.prefix });
    if (seen.has(rule.prefix)) {
      throw invalid(
        'catalog.labelRuleConfiguredTwice',
        { prefix: rule.prefix },
        {
          prefix: rule.prefix,
        },
      );
    }
    seen.add(rule.prefix);
  }
}

const TWO_MINUS = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7] as const;
const THREE = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7] as const;
const FIVE_PLUS = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9] as const;
const FIVE_MINUS = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1] as const;
const FOUR_DIGIT_WEIGHTS = [TWO_MINUS, TWO_MINUS, THREE, FIVE_MINUS] as const;
const FIVE_DIGIT_WEIGHTS = [FIVE_PLUS, TWO_MINUS, FIVE_MINUS, FIVE_PLUS, TWO_MINUS] as const;

function weightedSum(value: string, weights: readonly (readonly number[])[]): number {
  let total = 0;
  for (let index = 0; index < weights.length; index += 1) {
    total += weights[index]?.[value.charCodeAt(index) - 48] ?? 0;
  }
  return total;
}

/** GS1 price/measure verifier digit of a 4- or 5-digit value field (General Specifications §7.9.3). */
export function priceCheckDigit(value: string): number {
  if (!/^\d{4,5}$/.test(value)) {
    throw invalid('catalog.priceCheckDigitDefined', {}, { value });
  }
  if (value.length === 4) return (weightedSum(value, FOUR_DIGIT_WEIGHTS) * 3) % 10;
  const target = (10 - (weightedSum(value, FIVE_DIGIT_WEIGHTS) % 10)) % 10;
  // The check digit is the digit whose 5- weighted product equals the target.
  return FIVE_MINUS.indexOf(target as (typeof FIVE_MINUS)[number]);
}

export type ScanResult =
  | { readonly kind: 'gtin'; readonly key: string; readonly format: GtinFormat }
  | {
      readonly kind: 'variable';
      /** Key of the whole label (for logs and receipts). */
      readonly key: string;
      /** Key of the SKU barcode the label belongs to (see `variableMeasureItemBarcode`). */
      readonly itemKey: string;
      readonly prefix: string;
      /** Embedded price in minor units of the store's currency. */
      readonly price?: number;
      /** Embedded net weight in grams. */
      readonly weightGrams?: number;
    }
  | { readonly kind: 'code'; readonly key: string };

function matchRule(label: string, rules: readonly VariableMeasureRule[]): VariableMeasureRule | undefined {
  let best: VariableMeasureRule | undefined;
  for (const rule of rules) {
    if (label.startsWith(rule.prefix) && (best === undefined || rule.prefix.length > best.prefix.length)) {
      best = rule;
    }
  }
  return best;
}

function itemBarcodeOf(label: string, rule: VariableMeasureRule): string {
  const itemEnd = rule.prefix.length + rule.itemDigits;
  const zeroed = label.slice(0, itemEnd).padEnd(LABEL_LENGTH - 1, '0');
  return withGtinCheckDigit(zeroed);
}

/**
 * Reads a scan: a fixed-item GTIN, a variable-measure label (per the store's `rules`), or a store code.
 * Throws DomainError('INVALID_BARCODE') for a malformed scan or a wrong value check digit, and
 * DomainError('INVALID_INPUT') when the rules themselves are inconsistent.
 */
export function parseScan(raw: string, rules: readonly VariableMeasureRule[] = []): ScanResult {
  return readScan(raw, rules, true);
}

/**
 * The key to store for a barcode listed on a SKU, read through the store's label rules: a variable-measure
 * barcode (the zero-value item barcode or any sample label) is stored under its item key, everything else
 * under its barcode key. Store node and hub index SKU barcodes with this and look scans up with
 * `scanLookupKey(parseScan(raw, rules))`.
 */
export function skuBarcodeKey(barcode: string, rules: readonly VariableMeasureRule[] = []): string {
  return scanLookupKey(readScan(barcode, rules, false));
}

function readScan(raw: string, rules: readonly VariableMeasureRule[], isLiveScan: boolean): ScanResult {
  assertRules(rules);
  const parsed = parseBarcode(raw);
  if (parsed.kind === 'code' || parsed.key.charCodeAt(0) !== 48) return parsed;
  // Restricted-circulation labels are GTIN-13 (or UPC-A) sized: indicator digit 0 in the 14-digit key.
  const label = parsed.key.slice(1);
  const rule = matchRule(label, rules);
  if (rule === undefined) return parsed;
  const valueEnd = LABEL_LENGTH - 1;
  const valueText = label.slice(valueEnd - rule.valueDigits, valueEnd);
  if (rule.priceCheckDigit) {
    const given = label.charCodeAt(valueEnd - rule.valueDigits - 1) - 48;
    const expected = priceCheckDigit(valueText);
    if (given !== expected) {
      throw new DomainError(
        'INVALID_BARCODE',
        'catalog.labelFailsCheckDigit',
        { ruleKind: rule.kind, raw: raw.trim() },
        { barcode: raw.trim(), reason: 'value_check_digit', expectedCheckDigit: expected },
      );
    }
  }
  const value = Number(valueText) * (rule.valueScale ?? 1);
  const itemKey = `0${itemBarcodeOf(label, rule)}`;
  if (rule.kind === 'price') {
    return { kind: 'variable', key: parsed.key, itemKey, prefix: rule.prefix, price: value };
  }
  // A live label weighing nothing is a scale fault; the item barcode on the SKU has a zero value by design.
  if (value === 0 && isLiveScan) {
    throw new DomainError(
      'INVALID_BARCODE',
      'catalog.labelShowsWeightG',
      { raw: raw.trim() },
      { barcode: raw.trim(), reason: 'zero_weight' },
    );
  }
  return { kind: 'variable', key: parsed.key, itemKey, prefix: rule.prefix, weightGrams: value };
}

/** The canonical key a scan looks up: the item key for variable-measure labels, the barcode key otherwise. */
export function scanLookupKey(scan: ScanResult): string {
  return scan.kind === 'variable' ? scan.itemKey : scan.key;
}

/**
 * The 13-digit barcode HQ puts on a variable-measure SKU for `rule` and `itemReference`: prefix, item
 * reference, zeros for the value (and its check digit), then the GS1 check digit.
 */
export function variableMeasureItemBarcode(rule: VariableMeasureRule, itemReference: string): string {
  assertRules([rule]);
  if (!/^\d+$/.test(itemReference) || itemReference.length !== rule.itemDigits) {
    throw invalid(
      'catalog.itemReferenceMustExactly',
      { itemReference, itemDigits: rule.itemDigits, prefix: rule.prefix },
      { itemReference, prefix: rule.prefix },
    );
  }
  return itemBarcodeOf(`${rule.prefix}${itemReference}`.padEnd(LABEL_LENGTH, '0'), rule);
}

/** Builds a full label (for tests, label printers and demos) with its value check digit and check digit. */
export function encodeVariableMeasureLabel(
  rule: VariableMeasureRule,
  itemReference: string,
  value: number,
): string {
  const itemBarcode = variableMeasureItemBarcode(rule, itemReference);
  const scale = rule.valueScale ?? 1;
  if (!Number.isSafeInteger(value) || value < 0 || value % scale !== 0) {
    throw invalid('catalog.labelValueMustWhole', { scale }, { value });
  }
  const valueText = String(value / scale);
  if (valueText.length > rule.valueDigits) {
    throw invalid(
      'catalog.valueNotFitDigits',
      { value, valueDigits: rule.valueDigits, prefix: rule.prefix },
      {
        value,
        prefix: rule.prefix,
      },
    );
  }
  const padded = valueText.padStart(rule.valueDigits, '0');
  const verifier = rule.priceCheckDigit ? String(priceCheckDigit(padded)) : '';
  const body = `${itemBarcode.slice(0, rule.prefix.length + rule.itemDigits)}${verifier}${padded}`;
  return `${body}${gtinCheckDigit(body)}`;
}
