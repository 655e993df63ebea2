import { invalid } from '../errors';

/** Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand is not misread. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 3;
const GROUP_LENGTH = 4;
const RANDOM_HEX_DIGITS = 15;

export const STORE_CREDIT_CODE_PATTERN =
  /^SC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/**
 * The number printed on a store credit slip, `SC-XXXX-XXXX-XXXX`, from the last 60 bits of a UUIDv7 (all
 * random): short enough for a cashier to type from the slip, and as unlikely to collide across the chain
 * as the id it comes from, so a till can issue it offline. The till's and hub's number rules strip the
 * dashes, so the code is found however it is typed.
 */
export function storeCreditCode(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw invalid('loyalty.storeCreditCodeMade', {}, { id });
  }
  let bits = BigInt(`0x${id.replace(/-/g, '').slice(-RANDOM_HEX_DIGITS)}`);
  let digits = '';
  for (let index = 0; index < GROUPS * GROUP_LENGTH; index += 1) {
    digits = CROCKFORD.charAt(Number(bits & 31n)) + digits;
    bits >>= 5n;
  }
  const groups = Array.from({ length: GROUPS }, (_, group) =>
    digits.slice(group * GROUP_LENGTH, (group + 1) * GROUP_LENGTH),
  );
  return `SC-${groups.join('-')}`;
}
