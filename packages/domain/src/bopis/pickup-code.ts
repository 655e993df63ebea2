import { z } from 'zod';
import { assertNever, fail, invalid, ok, type Result } from '../errors';
import type { BopisOrder } from './order';

/**
 * Pickup codes use Crockford's base-32 alphabet: digits and capitals without I, L, O and U, so a code read
 * aloud, handwritten or typed cannot be mistaken (typed O is read as 0, I and L as 1). 32 symbols means
 * one random byte's low five bits pick a symbol with no modulo bias.
 */
export const PICKUP_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const PICKUP_CODE_LENGTH = 6;

export const PickupCodeSchema = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{6,12}$/, 'A pickup code is 6–12 characters of 0-9 and A-Z without I, L, O, U.');

/** Returns `length` random bytes; injected so the domain never draws randomness itself. */
export type PickupCodeRandomBytes = (length: number) => Uint8Array;

export function generatePickupCode(randomBytes: PickupCodeRandomBytes, length = PICKUP_CODE_LENGTH): string {
  if (!Number.isSafeInteger(length) || length < 6 || length > 12) {
    throw invalid('bopis.pickupCodeCharactersLong', {}, { length });
  }
  const bytes = randomBytes(length);
  if (bytes.length < length) {
    throw invalid('bopis.randomSourceReturnedToo', {}, { wanted: length });
  }
  let code = '';
  for (let index = 0; index < length; index += 1) {
    code += PICKUP_CODE_ALPHABET[(bytes[index] as number) & 31];
  }
  return code;
}

/** "7KQ2MX" → "7KQ-2MX": easier to read out at the counter. */
export function formatPickupCode(code: string): string {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/**
 * What a customer types or says, as a code: case, spaces and dashes ignored, O read as 0 and I, L as 1.
 * Returns undefined when something is left that cannot be part of a code.
 */
export function normalisePickupCode(input: string): string | undefined {
  const code = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return PickupCodeSchema.safeParse(code).success ? code : undefined;
}

export function normaliseOrderNumber(input: string): string {
  return input
    .trim()
    .replace(/^#/, '')
    .replace(/[\s-]+/g, '')
    .toUpperCase();
}

/** Letters that Unicode decomposition leaves alone but a cashier types without the accent. */
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/**
 * A name as a cashier would compare it: case and diacritics ignored (Zoë = zoe, Łukasz = lukasz),
 * punctuation read as a space (Jean-Luc = Jean Luc), the words in any order (Müller Anna = Anna Muller).
 */
export function normaliseCustomerName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
  return words.sort().join(' ');
}

/** How the till confirmed the customer; recorded on the handover. */
export const PICKUP_VERIFICATIONS = ['pickup_code', 'order_number_and_name'] as const;

export const PickupAttemptSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pickup_code'), code: z.string().max(40) }),
  z.object({
    kind: z.literal('order_number_and_name'),
    orderNumber: z.string().max(60),
    customerName: z.string().max(200),
  }),
]);
export type PickupAttempt = z.infer<typeof PickupAttemptSchema>;
export type PickupVerification = (typeof PICKUP_VERIFICATIONS)[number];

/**
 * Checks the customer at the till is the one who ordered: by pickup code, or by order number and the name
 * on the order. Whether the order may be handed over at all is `canHandOver`; the till asks both.
 */
export function verifyPickup(
  order: Pick<BopisOrder, 'orderNumber' | 'customer'>,
  pickupCode: string,
  attempt: PickupAttempt,
): Result<{ verifiedBy: PickupVerification }> {
  switch (attempt.kind) {
    case 'pickup_code': {
      const code = normalisePickupCode(attempt.code);
      if (code === undefined) {
        return fail('INVALID_INPUT', 'bopis.notPickupCodeMore');
      }
      if (code !== pickupCode) {
        return fail('NOT_ALLOWED', 'bopis.pickupCodeNotMatch', { orderNumber: order.orderNumber });
      }
      return ok({ verifiedBy: 'pickup_code' });
    }
    case 'order_number_and_name': {
      const givenName = normaliseCustomerName(attempt.customerName);
      if (givenName.length === 0 || normaliseOrderNumber(attempt.orderNumber).length === 0) {
        return fail('INVALID_INPUT', 'bopis.enterBothOrderNumber');
      }
      if (
        normaliseOrderNumber(attempt.orderNumber) !== normaliseOrderNumber(order.orderNumber) ||
        givenName !== normaliseCustomerName(order.customer.name)
      ) {
        return fail('NOT_ALLOWED', 'bopis.orderNumberNameNot');
      }
      return ok({ verifiedBy: 'order_number_and_name' });
    }
    default:
      return assertNever(attempt, 'pickup attempt');
  }
}
