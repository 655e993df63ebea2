import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every webhook the hub sends carries (customer notifications and event subscriptions). */
export const SIGNATURE_HEADER = 'x-retail-signature';

/**
 * `t=<epoch ms>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the shared secret>`. The timestamp is signed too,
 * so a captured request cannot be replayed later with a fresh time.
 */
export function signWebhook(secret: string, body: string, at: number): string {
  const digest = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
  return `t=${at},v1=${digest}`;
}

/** What a receiver runs: the signature matches the body and is no older than `toleranceMs`. */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  now: number,
  toleranceMs = 5 * 60_000,
): boolean {
  if (header === undefined) return false;
  const parts = new Map(
    header.split(',').map((part) => {
      const index = part.indexOf('=');
      return [part.slice(0, index).trim(), part.slice(index + 1).trim()] as const;
    }),
  );
  const at = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isSafeInteger(at) || given === undefined || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(now - at) > toleranceMs) return false;
  const expected = createHmac('sha256', secret).update(`${at}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}
