import { scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { DomainError } from '@retail/domain';

/**
 * Staff PINs are short, so the hash must be slow: scrypt with the cost stored next to the hash
 * (`scrypt$N$r$p$salt$hash`, base64url) so the cost can be raised later without invalidating old PINs.
 * Lockout after repeated failures (see the staff commands) is what really protects a 4-digit PIN.
 * Tills hash and verify PINs of staff created at the store; the hub hashes PINs HQ sets and sends only
 * the hash through the feed, which tills verify with the same code.
 */
export interface PinHashCost {
  /** CPU/memory cost, a power of two. 2^14 takes ~40 ms on the reference machine. */
  readonly n: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_PIN_COST: PinHashCost = { n: 2 ** 14, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const MAX_N = 2 ** 20;

function scryptOptions(cost: PinHashCost) {
  return { N: cost.n, r: cost.r, p: cost.p, maxmem: 256 * cost.n * cost.r + 1024 * 1024 };
}

function derive(pin: string, salt: Buffer, cost: PinHashCost): Buffer {
  return scryptSync(pin, salt, KEY_LENGTH, scryptOptions(cost));
}

function formatHash(cost: PinHashCost, salt: Buffer, hash: Buffer): string {
  return ['scrypt', cost.n, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export function hashPin(
  pin: string,
  randomBytes: (length: number) => Uint8Array,
  cost = DEFAULT_PIN_COST,
): string {
  const salt = Buffer.from(randomBytes(SALT_LENGTH));
  return formatHash(cost, salt, derive(pin, salt, cost));
}

/** The same hash computed off the event loop, for a server answering other requests meanwhile. */
export async function hashPinAsync(
  pin: string,
  randomBytes: (length: number) => Uint8Array,
  cost = DEFAULT_PIN_COST,
): Promise<string> {
  const salt = Buffer.from(randomBytes(SALT_LENGTH));
  const hash = await new Promise<Buffer>((resolve, reject) =>
    scrypt(pin, salt, KEY_LENGTH, scryptOptions(cost), (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
  return formatHash(cost, salt, hash);
}

/** Whether `stored` is a hash this module can verify (what the hub accepts in the feed). */
export function isPinHash(stored: string): boolean {
  try {
    parseHash(stored);
    return true;
  } catch {
    return false;
  }
}

function parseHash(stored: string): { cost: PinHashCost; salt: Buffer; hash: Buffer } {
  const parts = stored.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  const cost = { n: Number(n), r: Number(r), p: Number(p) };
  const valid =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    Number.isInteger(cost.n) &&
    cost.n >= 2 &&
    cost.n <= MAX_N &&
    (cost.n & (cost.n - 1)) === 0 &&
    Number.isInteger(cost.r) &&
    cost.r >= 1 &&
    cost.r <= 32 &&
    Number.isInteger(cost.p) &&
    cost.p >= 1 &&
    cost.p <= 16 &&
    salt !== undefined &&
    hash !== undefined;
  if (!valid) {
    throw new DomainError('INTERNAL', 'sync.storedPinHashUnreadable');
  }
  return { cost, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

export function verifyPin(pin: string, stored: string): boolean {
  const { cost, salt, hash } = parseHash(stored);
  const candidate = derive(pin, salt, cost);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}
