import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PRINT_BYTES, PRINT_GRANT_TTL_MS, redeemPrintGrant, signPrintGrant } from './print-grant';
import { signDrawerGrant } from './drawer-grant';

const key = randomBytes(32);
const now = 1_700_000_000_000;

describe('print-grant', () => {
  it('gives back exactly the bytes the node signed, once', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.uuid(), (bytes, printId) => {
        const grant = signPrintGrant(key, printId, bytes, now + 1000);
        const used = new Map<string, number>();
        const first = redeemPrintGrant(key, grant, now, used);
        expect(first).toEqual({ ok: true, printId, bytes: new Uint8Array(bytes) });
        expect(redeemPrintGrant(key, grant, now, used)).toEqual({ ok: false, reason: 'used' });
      }),
      { numRuns: 50 },
    );
  });

  it('refuses bytes changed by the page, another key, an old grant and a drawer grant', () => {
    const bytes = Uint8Array.from([0x1b, 0x40, 0x41, 0x0a]);
    const grant = signPrintGrant(key, 'print-1', bytes, now + 1000);
    const [version, printId, expiry, , signature] = grant.split('.');
    const kicked = Buffer.from([0x1b, 0x70, 0, 25, 250, ...bytes]).toString('base64url');
    const tampered = [version, printId, expiry, kicked, signature].join('.');
    expect(redeemPrintGrant(key, tampered, now, new Map())).toEqual({ ok: false, reason: 'forged' });
    expect(redeemPrintGrant(randomBytes(32), grant, now, new Map())).toEqual({ ok: false, reason: 'forged' });
    expect(redeemPrintGrant(key, grant, now + 2000, new Map())).toEqual({ ok: false, reason: 'expired' });
    const farFuture = signPrintGrant(key, 'print-2', bytes, now + PRINT_GRANT_TTL_MS + 5000);
    expect(redeemPrintGrant(key, farFuture, now, new Map())).toEqual({ ok: false, reason: 'expired' });
    expect(redeemPrintGrant(key, signDrawerGrant(key, 'opening-1', now + 1000), now, new Map())).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(redeemPrintGrant(key, 42, now, new Map())).toEqual({ ok: false, reason: 'malformed' });
    const huge = signPrintGrant(key, 'print-3', new Uint8Array(MAX_PRINT_BYTES + 1), now + 1000);
    expect(redeemPrintGrant(key, huge, now, new Map())).toEqual({ ok: false, reason: 'malformed' });
  });
});
