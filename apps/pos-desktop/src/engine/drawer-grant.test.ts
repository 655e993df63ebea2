import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DRAWER_GRANT_TTL_MS, parseDrawerKey, redeemDrawerGrant, signDrawerGrant } from './drawer-grant';

const KEY = randomBytes(32);
const NOW = 1_800_000_000_000;

describe('drawer-grant', () => {
  describe('redeemDrawerGrant', () => {
    it('accepts a fresh grant once', () => {
      const used = new Map<string, number>();
      const grant = signDrawerGrant(KEY, 'opening-1', NOW + DRAWER_GRANT_TTL_MS);
      expect(redeemDrawerGrant(KEY, grant, NOW, used)).toEqual({ ok: true, openingId: 'opening-1' });
      expect(redeemDrawerGrant(KEY, grant, NOW + 1, used)).toEqual({ ok: false, reason: 'used' });
    });

    it('refuses an expired grant, one from too far ahead, and one signed with another key', () => {
      const used = new Map<string, number>();
      expect(redeemDrawerGrant(KEY, signDrawerGrant(KEY, 'a', NOW - 1), NOW, used)).toMatchObject({
        reason: 'expired',
      });
      expect(
        redeemDrawerGrant(KEY, signDrawerGrant(KEY, 'b', NOW + DRAWER_GRANT_TTL_MS + 1), NOW, used),
      ).toMatchObject({ reason: 'expired' });
      expect(
        redeemDrawerGrant(KEY, signDrawerGrant(randomBytes(32), 'c', NOW + 1000), NOW, used),
      ).toMatchObject({ reason: 'forged' });
      expect(used.size).toBe(0);
    });

    it('refuses every altered grant', () => {
      const grant = signDrawerGrant(KEY, 'opening-2', NOW + 1000);
      fc.assert(
        fc.property(
          fc.nat({ max: grant.length - 1 }),
          fc.string({ minLength: 1, maxLength: 1 }),
          (at, char) => {
            const altered = grant.slice(0, at) + char + grant.slice(at + 1);
            fc.pre(altered !== grant);
            const check = redeemDrawerGrant(KEY, altered, NOW, new Map());
            // base64url decoding ignores a trailing partial character; the MAC must still match exactly.
            return (
              !check.ok ||
              Buffer.from(altered.split('.')[3] ?? '', 'base64url').equals(
                Buffer.from(grant.split('.')[3] ?? '', 'base64url'),
              )
            );
          },
        ),
      );
      for (const junk of [undefined, 42, '', 'v1.x', 'v2.a.1.b', 'v1..1.abc', `${grant}.extra`]) {
        expect(redeemDrawerGrant(KEY, junk, NOW, new Map()).ok).toBe(false);
      }
    });

    it('forgets used openings once they expired', () => {
      const used = new Map<string, number>([['old', NOW - 1]]);
      redeemDrawerGrant(KEY, signDrawerGrant(KEY, 'new', NOW + 1000), NOW, used);
      expect([...used.keys()]).toEqual(['new']);
    });
  });

  describe('parseDrawerKey', () => {
    it('takes a 32-byte key and refuses a short or missing one', () => {
      expect(parseDrawerKey(KEY.toString('base64url'))).toEqual(KEY);
      expect(parseDrawerKey(randomBytes(16).toString('base64url'))).toBeUndefined();
      expect(parseDrawerKey(undefined)).toBeUndefined();
    });
  });
});
