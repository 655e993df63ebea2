import { describe, expect, it } from 'vitest';
import { LegalHeaderSchema } from './legal-header';

const header = {
  companyName: 'Retail Example SAS',
  address: ['12 rue de la Roquette', '75011 Paris'],
  vatNumber: 'FR40123456789',
};

describe('legal-header', () => {
  describe('LegalHeaderSchema', () => {
    it('takes a company, one to four address lines and a VAT number, extra lines defaulting to none', () => {
      expect(LegalHeaderSchema.parse(header)).toEqual({ ...header, extraLines: [] });
    });

    it('refuses control characters, which a raw receipt printer would run as commands', () => {
      expect(LegalHeaderSchema.safeParse({ ...header, vatNumber: 'FR\u001dV\u0001' }).success).toBe(false);
      expect(LegalHeaderSchema.safeParse({ ...header, address: ['12 rue\u001bp0'] }).success).toBe(false);
    });

    it('refuses a header with no address, too many lines or unknown fields', () => {
      expect(LegalHeaderSchema.safeParse({ ...header, address: [] }).success).toBe(false);
      expect(LegalHeaderSchema.safeParse({ ...header, address: ['a', 'b', 'c', 'd', 'e'] }).success).toBe(
        false,
      );
      expect(LegalHeaderSchema.safeParse({ ...header, logoUrl: 'http://x' }).success).toBe(false);
    });
  });
});
