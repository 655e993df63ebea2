import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Raw ESC/POS goes to the printer the cash drawer hangs off, so bytes from the page could kick the
 * drawer or print anything. The desktop shell's main process therefore writes only bytes the store node
 * signed: `receipt-print` answers the receipt's ESC/POS (never with a drawer kick) as a grant signed with
 * the key the main process gave the node at launch (the drawer grant key, under its own version tag).
 * The main process checks it, refuses it once used or older than its lifetime, and sends the bytes.
 */
export const PRINT_GRANT_TTL_MS = 30_000;
/** An 80 mm receipt of a few hundred lines is tens of kilobytes; anything past this is not a receipt. */
export const MAX_PRINT_BYTES = 256 * 1024;
const VERSION = 'r1';

function mac(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', key).update(payload, 'utf8').digest();
}

export function signPrintGrant(
  key: Uint8Array,
  printId: string,
  bytes: Uint8Array,
  expiresAtMs: number,
): string {
  const payload = `${VERSION}.${printId}.${expiresAtMs}.${Buffer.from(bytes).toString('base64url')}`;
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

export type PrintGrantCheck =
  | { readonly ok: true; readonly printId: string; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'expired' | 'used' };

/** Checks a print grant and, when it is good, marks it used (`used` maps print id to expiry). */
export function redeemPrintGrant(
  key: Uint8Array,
  grant: unknown,
  nowMs: number,
  used: Map<string, number>,
): PrintGrantCheck {
  for (const [printId, expiresAtMs] of used) if (expiresAtMs < nowMs) used.delete(printId);
  if (typeof grant !== 'string' || grant.length > MAX_PRINT_BYTES * 2)
    return { ok: false, reason: 'malformed' };
  const parts = grant.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, printId = '', expiry = '', body = '', signature = ''] = parts;
  const expiresAtMs = Number(expiry);
  if (printId === '' || body === '' || !Number.isSafeInteger(expiresAtMs)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = mac(key, `${VERSION}.${printId}.${expiry}.${body}`);
  const presented = Buffer.from(signature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return { ok: false, reason: 'forged' };
  if (expiresAtMs < nowMs || expiresAtMs > nowMs + PRINT_GRANT_TTL_MS)
    return { ok: false, reason: 'expired' };
  if (used.has(printId)) return { ok: false, reason: 'used' };
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length === 0 || bytes.length > MAX_PRINT_BYTES) return { ok: false, reason: 'malformed' };
  used.set(printId, expiresAtMs);
  return { ok: true, printId, bytes: new Uint8Array(bytes) };
}
