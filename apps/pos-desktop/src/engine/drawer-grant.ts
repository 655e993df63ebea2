import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The cash drawer is kicked by the desktop shell's main process, which cannot tell who is signed in.
 * The store node can: `drawer-open` checks the staff member's role, writes the opening to the audit log
 * and hands back a grant, a one-time token signed with a key the main process gave the node at launch
 * (POS_STORE_DRAWER_KEY). The main process kicks the drawer only for a grant that verifies, has not
 * expired and was not used before, so a page that skipped the node (or replayed an old grant) gets no cash.
 */
export const DRAWER_GRANT_TTL_MS = 30_000;
const VERSION = 'v1';

function mac(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', key).update(payload, 'utf8').digest();
}

export function signDrawerGrant(key: Uint8Array, openingId: string, expiresAtMs: number): string {
  const payload = `${VERSION}.${openingId}.${expiresAtMs}`;
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

export type DrawerGrantCheck =
  | { readonly ok: true; readonly openingId: string }
  | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'expired' | 'used' };

/** Checks a grant and, when it is good, marks its opening as used (`used` maps opening id to expiry). */
export function redeemDrawerGrant(
  key: Uint8Array,
  grant: unknown,
  nowMs: number,
  used: Map<string, number>,
): DrawerGrantCheck {
  for (const [openingId, expiresAtMs] of used) if (expiresAtMs < nowMs) used.delete(openingId);
  if (typeof grant !== 'string' || grant.length > 300) return { ok: false, reason: 'malformed' };
  const parts = grant.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, openingId = '', expiry = '', signature = ''] = parts;
  const expiresAtMs = Number(expiry);
  if (openingId === '' || !Number.isSafeInteger(expiresAtMs)) return { ok: false, reason: 'malformed' };
  const expected = mac(key, `${VERSION}.${openingId}.${expiry}`);
  const presented = Buffer.from(signature, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return { ok: false, reason: 'forged' };
  if (expiresAtMs < nowMs || expiresAtMs > nowMs + DRAWER_GRANT_TTL_MS)
    return { ok: false, reason: 'expired' };
  if (used.has(openingId)) return { ok: false, reason: 'used' };
  used.set(openingId, expiresAtMs);
  return { ok: true, openingId };
}

/** The launch key as it travels in the node's environment; anything shorter than 32 bytes is refused. */
export function parseDrawerKey(value: string | undefined): Uint8Array | undefined {
  if (value === undefined || value === '') return undefined;
  const key = Buffer.from(value, 'base64url');
  return key.length >= 32 ? key : undefined;
}
