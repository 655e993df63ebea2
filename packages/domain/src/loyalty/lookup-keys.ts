import { invalid } from '../errors';

/**
 * Customers are found at the till by phone, email or loyalty card number. Each is stored and compared in
 * one normal form, so "+44 (0)20 7946 0958", "0044 20 7946 0958" and "020 7946 0958" typed at a UK till all
 * find the same customer, and two stores that create the same person offline can be merged by the hub.
 */

export interface PhoneOptions {
  /**
   * Country calling code (digits only, e.g. "44") for numbers typed in national form. Without it a number
   * must carry its country code ("+44…" or "0044…").
   */
  readonly defaultCountryCode?: string;
}

const PHONE_SEPARATORS = /[\s\-.()/]/g;
/** E.164 allows at most 15 digits; fewer than 7 is never a reachable subscriber number. */
const E164_DIGITS = /^[1-9]\d{6,14}$/;
const COUNTRY_CODE = /^[1-9]\d{0,2}$/;

/**
 * E.164-style "+<country code><subscriber digits>". Separators are ignored; "00" is the international
 * prefix; a national number gets `defaultCountryCode` with its leading trunk 0 removed. A "(0)" written
 * after the country code ("+44 (0)20…") is the trunk prefix shown for national dialling and is dropped.
 */
export function normalizePhone(input: string, options: PhoneOptions = {}): string {
  const trimmed = input.trim();
  const withoutTrunkHint = trimmed.replace(/^(\+|00)(\d{1,3})\s*\(0\)/, '$1$2');
  const compact = withoutTrunkHint.replace(PHONE_SEPARATORS, '');
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else {
    const countryCode = options.defaultCountryCode;
    if (countryCode === undefined) {
      throw invalid('loyalty.noCountryCodeEnter', { trimmed: JSON.stringify(trimmed) }, { phone: trimmed });
    }
    if (!COUNTRY_CODE.test(countryCode)) {
      throw invalid(
        'loyalty.storeDefaultCountryCode',
        { countryCode: JSON.stringify(countryCode) },
        {
          countryCode,
        },
      );
    }
    digits = countryCode + compact.replace(/^0/, '');
  }
  if (!E164_DIGITS.test(digits)) {
    throw invalid(
      'loyalty.notPhoneNumberCheck',
      { trimmed: JSON.stringify(trimmed) },
      {
        phone: trimmed,
      },
    );
  }
  return `+${digits}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
const MAX_EMAIL_LENGTH = 254;

/**
 * Trimmed and lowercased. The local part is case-sensitive in theory, but no mail provider a retailer's
 * customers use treats it so, and a cashier cannot be expected to type the case a customer registered with.
 */
export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email) || email.includes('..')) {
    throw invalid(
      'loyalty.notEmailAddressCheck',
      { input: JSON.stringify(input.trim()) },
      {
        email: input.trim(),
      },
    );
  }
  return email;
}

const CARD_NUMBER = /^[A-Z0-9]{6,32}$/;

/** Loyalty card numbers: spaces and dashes dropped, letters uppercased, 6–32 letters or digits. */
export function normalizeCardNumber(input: string): string {
  const card = input.trim().replace(/[\s-]/g, '').toUpperCase();
  if (!CARD_NUMBER.test(card)) {
    throw invalid(
      'loyalty.notLoyaltyCardNumber',
      { input: JSON.stringify(input.trim()) },
      { cardNumber: input.trim() },
    );
  }
  return card;
}

export type LookupKeyKind = 'phone' | 'email' | 'card';

export interface LookupKey {
  readonly kind: LookupKeyKind;
  readonly value: string;
  /** `kind:value`, the string replicas and the hub index customers by. */
  readonly key: string;
}

function lookupKey(kind: LookupKeyKind, value: string): LookupKey {
  return { kind, value, key: `${kind}:${value}` };
}

function attempt(normalize: () => string): string | undefined {
  try {
    return normalize();
  } catch {
    return undefined;
  }
}

/**
 * Every key what the cashier typed could be: an address with "@" is only an email; digits may be a phone
 * number or a card number, so both are searched. Nothing plausible → INVALID_INPUT with a sentence.
 */
export function lookupKeyCandidates(query: string, options: PhoneOptions = {}): LookupKey[] {
  const trimmed = query.trim();
  if (trimmed.includes('@')) return [lookupKey('email', normalizeEmail(trimmed))];
  const keys: LookupKey[] = [];
  const phone = attempt(() => normalizePhone(trimmed, options));
  if (phone !== undefined) keys.push(lookupKey('phone', phone));
  const card = attempt(() => normalizeCardNumber(trimmed));
  if (card !== undefined) keys.push(lookupKey('card', card));
  if (keys.length === 0) {
    throw invalid('loyalty.notPhoneNumberEmail', { trimmed: JSON.stringify(trimmed) }, { query: trimmed });
  }
  return keys;
}

/** The keys a customer (and their card) can be found by; values must already be normalised. */
export function customerLookupKeys(customer: {
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  readonly cardNumber?: string | undefined;
}): LookupKey[] {
  const keys: LookupKey[] = [];
  if (customer.phone !== undefined) keys.push(lookupKey('phone', customer.phone));
  if (customer.email !== undefined) keys.push(lookupKey('email', customer.email));
  if (customer.cardNumber !== undefined) keys.push(lookupKey('card', customer.cardNumber));
  return keys;
}
