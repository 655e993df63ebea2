import { DomainError, invalid } from './errors';

/**
 * Money is an integer number of minor units with an ISO 4217 currency. All arithmetic on amounts goes
 * through this module; intermediate products use BigInt so nothing is ever rounded by a float.
 *
 * Default rounding is HALF_UP in the commercial sense: halves round away from zero (2.5 → 3, −2.5 → −3),
 * which is what receipts, tax authorities in most jurisdictions, and cashiers expect.
 */

/** Minor-unit exponent per ISO 4217 currency. Currencies not listed here are refused, never guessed. */
const EXPONENTS: Readonly<Record<string, 0 | 2 | 3>> = {
  // zero-decimal currencies
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // three-decimal currencies
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // two-decimal currencies
  AED: 2,
  ARS: 2,
  AUD: 2,
  BGN: 2,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CNY: 2,
  COP: 2,
  CZK: 2,
  DKK: 2,
  EGP: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  MAD: 2,
  MXN: 2,
  MYR: 2,
  NGN: 2,
  NOK: 2,
  NZD: 2,
  PEN: 2,
  PHP: 2,
  PKR: 2,
  PLN: 2,
  QAR: 2,
  RON: 2,
  RSD: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TRY: 2,
  TWD: 2,
  UAH: 2,
  USD: 2,
  ZAR: 2,
};

export type CurrencyCode = string;

export interface Money {
  /** Integer minor units (cents, yen, fils). */
  readonly amount: number;
  readonly currency: CurrencyCode;
}

export const ROUNDING_MODES = [
  'HALF_UP',
  'HALF_EVEN',
  'HALF_DOWN',
  'UP',
  'DOWN',
  'CEILING',
  'FLOOR',
] as const;
/**
 * HALF_UP: halves away from zero (default). HALF_EVEN: banker's rounding. HALF_DOWN: halves toward zero.
 * UP: away from zero. DOWN: toward zero (truncate). CEILING: toward +∞. FLOOR: toward −∞.
 */
export type RoundingMode = (typeof ROUNDING_MODES)[number];

export const DEFAULT_ROUNDING: RoundingMode = 'HALF_UP';

/** Every ISO 4217 code the system handles, sorted: what schemas publish as the allowed values. */
export const SUPPORTED_CURRENCIES: readonly string[] = Object.keys(EXPONENTS).sort();

export function isSupportedCurrency(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(EXPONENTS, code);
}

export function currencyExponent(currency: CurrencyCode): 0 | 2 | 3 {
  const exponent = EXPONENTS[currency];
  if (exponent === undefined) {
    throw invalid('money.currencyNotSupportedIso', { currency: JSON.stringify(currency) }, { currency });
  }
  return exponent;
}

function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw invalid('money.mustWholeNumberMinor', { what, value: String(value) }, { value });
  }
}

export function money(amount: number, currency: CurrencyCode): Money {
  currencyExponent(currency);
  assertSafeInteger(amount, 'An amount');
  // Normalise −0 so equality and JSON are stable.
  return { amount: amount === 0 ? 0 : amount, currency };
}

export function zero(currency: CurrencyCode): Money {
  return money(0, currency);
}

function fromBigInt(value: bigint, currency: CurrencyCode): Money {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw invalid('money.amountTooLargeRepresent', {}, { currency });
  }
  return money(Number(value), currency);
}

/** Parses a decimal string ("12.34", "-0.5", "1000") exactly; more decimals than the currency has is an error. */
export function fromDecimal(decimal: string, currency: CurrencyCode): Money {
  const exponent = currencyExponent(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw invalid('money.notDecimalAmount', { decimal: JSON.stringify(decimal) }, { decimal });
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > exponent) {
    throw invalid(
      'money.amountsDecimalPlacesMore',
      { currency, exponent, decimal: JSON.stringify(decimal) },
      {
        decimal,
        currency,
      },
    );
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  return fromBigInt(sign ? -minor : minor, currency);
}

/** Formats as a plain decimal string with the currency's exponent ("12.30", "1500", "1.250"). */
export function toDecimal(value: Money): string {
  const exponent = currencyExponent(value.currency);
  const amount = value.amount;
  // Safe integers (every amount money() makes) by integer arithmetic: two number-to-string conversions
  // instead of five intermediate strings; pricing formats amounts into the promotions' reasons on every scan.
  if (Number.isSafeInteger(amount)) {
    if (exponent === 0) return String(amount === 0 ? 0 : amount);
    const scale = exponent === 2 ? 100 : 1000;
    const absolute = amount < 0 ? -amount : amount;
    const whole = Math.floor(absolute / scale);
    const fraction = absolute - whole * scale;
    if (fraction >= 0 && fraction < scale) {
      const digits =
        fraction >= scale / 10
          ? String(fraction)
          : fraction >= 10
            ? `0${fraction}`
            : exponent === 2
              ? `0${fraction}`
              : `00${fraction}`;
      return `${amount < 0 ? '-' : ''}${whole}.${digits}`;
    }
  }
  return exactToDecimal(value, exponent);
}

function exactToDecimal(value: Money, exponent: 0 | 2 | 3): string {
  const negative = value.amount < 0;
  const digits = Math.abs(value.amount)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      'money.cannotCombineAmounts',
      { currency: a.currency, currency2: b.currency },
      {
        left: a.currency,
        right: b.currency,
      },
    );
  }
}

/*
 * add, subtract, sum and multiply compute in doubles when they can, and through BigInt (the exact path,
 * `exactMoney` below) otherwise. Safe integers add, subtract and multiply exactly in a double as long as the
 * exact result is a safe integer too; when it is not, the double is not one either (rounding is monotonic and
 * 2^53 is a double), so `Number.isSafeInteger` of the double tells which case it is. Anything else (an amount
 * that is not a safe integer, a partial sum out of range, another currency) takes the exact path, which gives
 * the same answer or error as before. Pricing a cart adds and subtracts thousands of amounts per scan; the
 * BigInts were a sixth of what a scan allocated. money.test.ts holds both paths equal with fast-check.
 */

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  const total = a.amount + b.amount;
  if (Number.isSafeInteger(total) && Number.isSafeInteger(a.amount) && Number.isSafeInteger(b.amount)) {
    return money(total, a.currency);
  }
  return exactAdd(a, b);
}

function exactAdd(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return fromBigInt(BigInt(a.amount) + BigInt(b.amount), a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  const difference = a.amount - b.amount;
  if (Number.isSafeInteger(difference) && Number.isSafeInteger(a.amount) && Number.isSafeInteger(b.amount)) {
    return money(difference, a.currency);
  }
  return exactSubtract(a, b);
}

function exactSubtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return fromBigInt(BigInt(a.amount) - BigInt(b.amount), a.currency);
}

export function negate(a: Money): Money {
  return money(-a.amount, a.currency);
}

export function sum(values: readonly Money[], currency: CurrencyCode): Money {
  if (!Array.isArray(values)) return exactSum(values, currency);
  let total = 0;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as Money;
    if (value.currency !== currency || !Number.isSafeInteger(value.amount)) return exactSum(values, currency);
    total += value.amount;
    if (!Number.isSafeInteger(total)) return exactSum(values, currency);
  }
  return money(total, currency);
}

function exactSum(values: readonly Money[], currency: CurrencyCode): Money {
  let total = 0n;
  for (const value of values) {
    if (value.currency !== currency) assertSameCurrency({ amount: 0, currency }, value);
    total += BigInt(value.amount);
  }
  return fromBigInt(total, currency);
}

export function compare(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

export function equals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amount === b.amount;
}

export function isZero(a: Money): boolean {
  return a.amount === 0;
}

export function isNegative(a: Money): boolean {
  return a.amount < 0;
}

export function min(a: Money, b: Money): Money {
  return compare(a, b) <= 0 ? a : b;
}

export function max(a: Money, b: Money): Money {
  return compare(a, b) >= 0 ? a : b;
}

/** Clamps to [0, ceiling]: used wherever a discount must not exceed what it discounts. */
export function clamp(value: Money, ceiling: Money): Money {
  return max(zero(value.currency), min(value, ceiling));
}

/** Integer division of numerator/denominator with an explicit rounding mode. */
export function divideRounded(
  numerator: bigint,
  denominator: bigint,
  mode: RoundingMode = DEFAULT_ROUNDING,
): bigint {
  if (denominator === 0n) throw invalid('money.divisionZero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const negative = numerator < 0n;
  const awayFromZero = negative ? quotient - 1n : quotient + 1n;
  const twiceRemainder = (remainder < 0n ? -remainder : remainder) * 2n;
  switch (mode) {
    case 'DOWN':
      return quotient;
    case 'UP':
      return awayFromZero;
    case 'CEILING':
      return negative ? quotient : awayFromZero;
    case 'FLOOR':
      return negative ? awayFromZero : quotient;
    case 'HALF_UP':
      return twiceRemainder >= denominator ? awayFromZero : quotient;
    case 'HALF_DOWN':
      return twiceRemainder > denominator ? awayFromZero : quotient;
    case 'HALF_EVEN':
      if (twiceRemainder > denominator) return awayFromZero;
      if (twiceRemainder < denominator) return quotient;
      return quotient % 2n === 0n ? quotient : awayFromZero;
  }
}

/** amount × numerator / denominator, rounded once. */
export function multiplyRatio(
  value: Money,
  numerator: number | bigint,
  denominator: number | bigint,
  mode: RoundingMode = DEFAULT_ROUNDING,
): Money {
  const result = divideRounded(BigInt(value.amount) * BigInt(numerator), BigInt(denominator), mode);
  return fromBigInt(result, value.currency);
}

/** Multiplies by an integer quantity (units sold). */
export function multiply(value: Money, quantity: number): Money {
  assertSafeInteger(quantity, 'A quantity');
  const product = value.amount * quantity;
  if (Number.isSafeInteger(product) && Number.isSafeInteger(value.amount)) {
    return money(product, value.currency);
  }
  return exactMultiply(value, quantity);
}

function exactMultiply(value: Money, quantity: number): Money {
  assertSafeInteger(quantity, 'A quantity');
  return fromBigInt(BigInt(value.amount) * BigInt(quantity), value.currency);
}

/**
 * add, subtract, sum, multiply and allocate always through BigInt: the reference the double fast paths
 * are held to (money.test.ts). Not for pricing.
 */
export const exactMoney = {
  toDecimal: (value: Money): string => exactToDecimal(value, currencyExponent(value.currency)),
  add: exactAdd,
  subtract: exactSubtract,
  sum: exactSum,
  multiply: exactMultiply,
  allocate: exactAllocate,
} as const;

/**
 * Units a SKU is sold in. Quantities are always integers in the smallest unit that is counted:
 * `each` counts pieces; `kg` counts grams (a line of 1.250 kg has qty 1250), priced per kilogram.
 */
export type Unit = 'each' | 'kg';

export const GRAMS_PER_KG = 1000;

/** Extended price of `qty` of a SKU with the given unit price (per piece, or per kg for weighed goods). */
export function extend(
  unitPrice: Money,
  qty: number,
  unit: Unit,
  mode: RoundingMode = DEFAULT_ROUNDING,
): Money {
  assertSafeInteger(qty, 'A quantity');
  return unit === 'each' ? multiply(unitPrice, qty) : multiplyRatio(unitPrice, qty, GRAMS_PER_KG, mode);
}

/** Decimal percentages are carried with up to 4 decimal places (8.875 % is exact). */
const PERCENT_SCALE = 10_000n;

/** Numeric percents already scaled (a chain has a few dozen tax rates and promotion percents). */
const scaledPercents = new Map<number, bigint>();
const MAX_SCALED_PERCENTS = 1_000;

/** Parses a percentage such as 12.5 or "8.875" into an exact integer scaled by 10^4. */
export function percentToScaled(percent: number | string): bigint {
  if (typeof percent !== 'number') return parsePercent(percent);
  // A tax rate's percent is scaled for every line priced: numbers seen before are looked up, not parsed.
  let scaled = scaledPercents.get(percent);
  if (scaled === undefined) {
    scaled = parsePercent(percent);
    if (scaledPercents.size >= MAX_SCALED_PERCENTS) scaledPercents.clear();
    scaledPercents.set(percent, scaled);
  }
  return scaled;
}

function parsePercent(percent: number | string): bigint {
  const text = typeof percent === 'number' ? percentNumberToString(percent) : percent.trim();
  const match = /^(-)?(\d+)(?:\.(\d{1,4}))?$/.exec(text);
  if (!match) {
    throw invalid(
      'money.notPercentageMostDecimal',
      { percent: JSON.stringify(percent) },
      {
        percent,
      },
    );
  }
  const [, sign, whole = '0', fraction = ''] = match;
  const scaled = BigInt(whole) * PERCENT_SCALE + BigInt(fraction.padEnd(4, '0'));
  return sign ? -scaled : scaled;
}

function percentNumberToString(percent: number): string {
  if (!Number.isFinite(percent)) throw invalid('money.percentageMustFiniteNumber', {}, { percent });
  // Numbers with ≤ 4 decimals print exactly at fixed(4) once trailing zeros are removed; others are refused
  // by the regex above rather than silently rounded.
  const text = String(percent);
  return text.includes('e') ? percent.toFixed(10) : text;
}

/** True when `percent` has at most 4 decimal places, i.e. this module can use it without rounding it. */
export function isExactPercent(percent: number | string): boolean {
  try {
    percentToScaled(percent);
    return true;
  } catch {
    return false;
  }
}

/** `percent` % of an amount, rounded once with the given mode. */
export function percentage(
  value: Money,
  percent: number | string,
  mode: RoundingMode = DEFAULT_ROUNDING,
): Money {
  return multiplyRatio(value, percentToScaled(percent), 100n * PERCENT_SCALE, mode);
}

/**
 * Splits `total` over `weights` by the largest-remainder method. The parts always sum exactly to `total`.
 * Ties in the remainder go to the smaller of `keys` (one per weight, e.g. line ids) when given, else to the
 * earlier index. Pass keys whenever the order of the weights is incidental (lines in scan order): the same
 * sale must split the same way on every till and at the hub, or per-line refunds depend on scan order.
 * Negative totals are split as their absolute value and negated. If every weight is zero the total is
 * split evenly.
 */
export function allocate(
  total: Money,
  weights: readonly (number | bigint)[],
  keys?: readonly string[],
): Money[] {
  // The double path, for safe integer weights whose every product with the total is a safe integer (so
  // each share's quotient and remainder are exact in a double); anything else, errors included, takes the
  // BigInt path. Same shares, same tie-breaks: money.test.ts holds the two equal with fast-check.
  const count = Array.isArray(weights) ? weights.length : 0;
  const absolute = Math.abs(total.amount);
  if (count === 0 || (keys !== undefined && keys.length !== count) || !Number.isSafeInteger(absolute)) {
    return exactAllocate(total, weights, keys);
  }
  let weightSum = 0;
  for (let index = 0; index < count; index += 1) {
    const weight = weights[index];
    if (typeof weight !== 'number' || !Number.isSafeInteger(weight) || weight < 0) {
      return exactAllocate(total, weights, keys);
    }
    weightSum += weight;
    if (!Number.isSafeInteger(absolute * weight) || !Number.isSafeInteger(weightSum)) {
      return exactAllocate(total, weights, keys);
    }
  }
  const divisor = weightSum === 0 ? count : weightSum;
  const parts: number[] = new Array<number>(count);
  const remainders: number[] = new Array<number>(count);
  let leftover = absolute;
  for (let index = 0; index < count; index += 1) {
    const product = weightSum === 0 ? absolute : absolute * (weights[index] as number);
    const remainder = product % divisor;
    const base = (product - remainder) / divisor;
    parts[index] = base;
    remainders[index] = remainder;
    leftover -= base;
  }
  if (leftover > 0) {
    // The units left go to the largest remainders, ties to the smaller key, then the earlier index.
    const order = Array.from(parts, (_part, index) => index);
    order.sort((a, b) => {
      const remainderA = remainders[a] as number;
      const remainderB = remainders[b] as number;
      if (remainderA !== remainderB) return remainderA > remainderB ? -1 : 1;
      const keyA = keys?.[a] ?? '';
      const keyB = keys?.[b] ?? '';
      return keyA < keyB ? -1 : keyA > keyB ? 1 : a - b;
    });
    for (let rank = 0; rank < order.length && leftover > 0; rank += 1) {
      const index = order[rank] as number;
      parts[index] = (parts[index] as number) + 1;
      leftover -= 1;
    }
  }
  const negative = total.amount < 0;
  const shares: Money[] = new Array<Money>(count);
  for (let index = 0; index < count; index += 1) {
    const part = parts[index] as number;
    shares[index] = money(negative ? -part : part, total.currency);
  }
  return shares;
}

function exactAllocate(
  total: Money,
  weights: readonly (number | bigint)[],
  keys?: readonly string[],
): Money[] {
  if (weights.length === 0) throw invalid('money.cannotAllocateOverEmpty');
  if (keys !== undefined && keys.length !== weights.length) {
    throw invalid(
      'money.giveTieBreakKey',
      {},
      {
        weights: weights.length,
        keys: keys.length,
      },
    );
  }
  const big = weights.map((weight) => {
    const value = BigInt(weight);
    if (value < 0n) throw invalid('money.allocationWeightsMustNot', {}, { weight: String(weight) });
    return value;
  });
  const weightSum = big.reduce((acc, w) => acc + w, 0n);
  const effective = weightSum === 0n ? big.map(() => 1n) : big;
  const effectiveSum = weightSum === 0n ? BigInt(big.length) : weightSum;
  const negative = total.amount < 0;
  const absolute = BigInt(Math.abs(total.amount));
  const shares = effective.map((weight, index) => {
    const product = absolute * weight;
    return { index, base: product / effectiveSum, remainder: product % effectiveSum };
  });
  let leftover = absolute - shares.reduce((acc, share) => acc + share.base, 0n);
  const byKey = (a: number, b: number): number => {
    const keyA = keys?.[a] ?? '';
    const keyB = keys?.[b] ?? '';
    return keyA < keyB ? -1 : keyA > keyB ? 1 : a - b;
  };
  const order = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? byKey(a.index, b.index) : a.remainder > b.remainder ? -1 : 1,
  );
  const result = shares.map((share) => share.base);
  for (const share of order) {
    if (leftover === 0n) break;
    result[share.index] = (result[share.index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return result.map((part) => fromBigInt(negative ? -part : part, total.currency));
}

/**
 * Rounds an amount due in cash to a store's smallest usable increment (e.g. 5 for 0.05 in CHF or AUD).
 * Per-store option; card tenders are never cash-rounded.
 */
export function cashRound(value: Money, increment: number, mode: RoundingMode = DEFAULT_ROUNDING): Money {
  assertSafeInteger(increment, 'A cash rounding increment');
  if (increment <= 0) throw invalid('money.cashRoundingIncrementMust', {}, { increment });
  if (increment === 1) return value;
  const steps = divideRounded(BigInt(value.amount), BigInt(increment), mode);
  return fromBigInt(steps * BigInt(increment), value.currency);
}

export function formatMoney(value: Money, locale = 'en-US'): string {
  const exponent = currencyExponent(value.currency);
  // Intl formatting is display-only; the decimal string keeps it exact.
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: value.currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(Number(toDecimal(value)));
}
