import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Stripe's webhook signature scheme (docs.stripe.com/webhooks/signatures): the `Stripe-Signature` header is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(endpoint secret, "<t>.<raw body>")>`, with several `v1` entries
 * while a secret is being rolled. The raw body must be verified before any JSON parsing, signatures
 * compared in constant time, and timestamps outside the tolerance (Stripe's default: 300 s) refused so a
 * captured delivery cannot be replayed later.
 */
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';
export const STRIPE_DEFAULT_TOLERANCE_SECONDS = 300;

export function stripeSignature(secret: string, rawBody: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

export function verifyStripeSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowMs: number,
  toleranceSeconds = STRIPE_DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (header === undefined || header.length > 4096) return false;
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const key = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest();
  return signatures.some((signature) => timingSafeEqual(expected, signature));
}
