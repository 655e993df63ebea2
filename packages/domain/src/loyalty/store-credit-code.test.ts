import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { STORE_CREDIT_CODE_PATTERN, storeCreditCode } from './store-credit-code';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function decode(code: string): bigint {
  return [...code.slice(3).replace(/-/g, '')].reduce(
    (value, digit) => value * 32n + BigInt(CROCKFORD.indexOf(digit)),
    0n,
  );
}

describe('store-credit-code', () => {
  describe('storeCreditCode', () => {
    it('is SC- and three groups of four unambiguous characters, 17 characters in all', () => {
      const code = storeCreditCode('0190f3a1-2b3c-7def-8123-456789abcdef');
      expect(code).toMatch(STORE_CREDIT_CODE_PATTERN);
      expect(code).toHaveLength(17);
      expect(code).not.toMatch(/[ILOU]/);
    });

    it('keeps every random bit of the id: two ids differing in their last 60 bits never share a code', () => {
      fc.assert(
        fc.property(fc.uuid({ version: 7 }), (id) => {
          const code = storeCreditCode(id);
          expect(code).toMatch(STORE_CREDIT_CODE_PATTERN);
          expect(decode(code)).toBe(BigInt(`0x${id.replace(/-/g, '').slice(-15)}`));
        }),
      );
    });

    it('refuses what is not a UUID', () => {
      expect(() => storeCreditCode('SC-not-a-uuid')).toThrow(DomainError);
    });
  });
});
