import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support';
import { sampleOrder } from './bopis.fixtures';
import { BopisOrderSchema } from './order';
import {
  PICKUP_CODE_ALPHABET,
  formatPickupCode,
  generatePickupCode,
  normaliseCustomerName,
  normaliseOrderNumber,
  normalisePickupCode,
  verifyPickup,
} from './pickup-code';

const order = BopisOrderSchema.parse(sampleOrder());
const bytesOf = (values: number[]) => () => Uint8Array.from(values);

describe('bopis/pickup-code', () => {
  describe('generatePickupCode', () => {
    it('maps each random byte to one symbol of the unambiguous alphabet', () => {
      expect(generatePickupCode(bytesOf([0, 1, 31, 32, 255, 18]))).toBe('01Z0ZJ');
      expect(PICKUP_CODE_ALPHABET).toHaveLength(32);
      expect(PICKUP_CODE_ALPHABET).not.toMatch(/[ILOU]/);
    });

    it('makes longer codes on request and refuses bad lengths or a short random source', () => {
      expect(generatePickupCode(bytesOf([1, 2, 3, 4, 5, 6, 7, 8]), 8)).toBe('12345678');
      expect(errorOf(() => generatePickupCode(bytesOf([1, 2, 3]), 5)).code).toBe('INVALID_INPUT');
      expect(errorOf(() => generatePickupCode(bytesOf([1, 2, 3]))).message).toBe(
        'The random source returned too few bytes for a pickup code.',
      );
    });

    it('always gives a code that normalises to itself, also when formatted or typed in lower case', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (bytes) => {
          const code = generatePickupCode(() => bytes);
          expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
          expect(normalisePickupCode(code)).toBe(code);
          expect(normalisePickupCode(formatPickupCode(code).toLowerCase())).toBe(code);
        }),
      );
    });
  });

  describe('normalisePickupCode', () => {
    it('reads O as 0 and I or L as 1, ignoring spaces and dashes', () => {
      expect(normalisePickupCode(' o1l-ik z ')).toBe('0111KZ');
      expect(normalisePickupCode('ABCU12')).toBeUndefined();
      expect(normalisePickupCode('AB1')).toBeUndefined();
    });
  });

  describe('normaliseCustomerName', () => {
    it('ignores case, diacritics, punctuation and word order', () => {
      expect(normaliseCustomerName('Zoë Müller-Łukasz')).toBe('lukasz muller zoe');
      expect(normaliseCustomerName('  ZOE   lukasz, MULLER ')).toBe('lukasz muller zoe');
      expect(normaliseCustomerName('Søren Straße Æbelø')).toBe('aebelo soren strasse');
      expect(normaliseCustomerName('ＡＮＡ')).toBe('ana');
    });
  });

  describe('normaliseOrderNumber', () => {
    it('drops a leading #, spaces, dashes and case', () => {
      expect(normaliseOrderNumber(' #w 10-01 ')).toBe('W1001');
    });
  });

  describe('verifyPickup', () => {
    it('accepts the right code however it is typed', () => {
      expect(verifyPickup(order, '7KQ2MX', { kind: 'pickup_code', code: '7kq-2mx' })).toEqual({
        ok: true,
        value: { verifiedBy: 'pickup_code' },
      });
    });

    it('refuses a wrong or malformed code with a sentence for the cashier', () => {
      const wrong = verifyPickup(order, '7KQ2MX', { kind: 'pickup_code', code: '7KQ2MY' });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
      if (!wrong.ok) {
        expect(wrong.error.message).toBe(
          'The pickup code does not match order W-1001. Ask for the code again or check the order number and name.',
        );
      }
      expect(verifyPickup(order, '7KQ2MX', { kind: 'pickup_code', code: '??' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    });

    it('accepts the order number with the name however it is spelled', () => {
      expect(
        verifyPickup(order, '7KQ2MX', {
          kind: 'order_number_and_name',
          orderNumber: 'w1001',
          customerName: 'zoe lukasz muller',
        }),
      ).toEqual({ ok: true, value: { verifiedBy: 'order_number_and_name' } });
    });

    it('refuses another name, another number or empty input', () => {
      const attempt = {
        kind: 'order_number_and_name' as const,
        orderNumber: 'W-1001',
        customerName: 'Zoe Miller',
      };
      expect(verifyPickup(order, '7KQ2MX', attempt)).toMatchObject({
        ok: false,
        error: { code: 'NOT_ALLOWED' },
      });
      expect(
        verifyPickup(order, '7KQ2MX', {
          ...attempt,
          orderNumber: 'W-1002',
          customerName: 'Zoë Müller-Łukasz',
        }),
      ).toMatchObject({ ok: false, error: { code: 'NOT_ALLOWED' } });
      expect(verifyPickup(order, '7KQ2MX', { ...attempt, customerName: ' - ' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'Enter both the order number and the name on the order.' },
      });
    });
  });
});
