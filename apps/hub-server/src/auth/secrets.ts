import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import { DomainError } from '@retail/domain';

/** A random token with 256 bits of entropy, URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Tokens we mint (sessions, device credentials, API keys, enrollment codes) are long random strings, so
 * one SHA-256 is enough to make a leaked table useless; passwords are chosen by people and get scrypt.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about as costly to guess as
 * scrypt at N=2^17, at a fraction of the memory per sign-in. `@node-rs/argon2` declares its algorithm
 * enum `const`, which isolated modules cannot read: 2 is Argon2id.
 */
export const PASSWORD_HASHING = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_PARAMETERS = `m=${PASSWORD_HASHING.memoryCost},t=${PASSWORD_HASHING.timeCost},p=${PASSWORD_HASHING.parallelism}`;

/**
 * Password hashing runs on libuv's small thread pool, which file access and DNS lookups share: a burst of
 * sign-ins waits its turn here instead of starving them, and past a queue it is told to come back.
 */
const MAX_RUNNING_HASHES = 2;
const MAX_WAITING_HASHES = 64;
let runningHashes = 0;
const waitingHashes: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (runningHashes >= MAX_RUNNING_HASHES) {
    if (waitingHashes.length >= MAX_WAITING_HASHES) {
      throw new DomainError(
        'RATE_LIMITED',
        'hub.auth.hubBusyCheckingOther',
        {},
        {
          retryAfterSeconds: 1,
        },
      );
    }
    // The slot is handed over by the hash that finishes, so the count never overshoots.
    await new Promise<void>((resume) => waitingHashes.push(resume));
  } else {
    runningHashes += 1;
  }
  try {
    return await work();
  } finally {
    const next = waitingHashes.shift();
    if (next === undefined) runningHashes -= 1;
    else next();
  }
}

/** A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): the parameters travel with the hash. */
export function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => argon2.hash(password, PASSWORD_HASHING));
}

/** Hashes made before Argon2id (`scrypt$N$r$p$salt$hash`) still verify, until the next sign-in rehashes them. */
async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password,
      Buffer.from(salt, 'base64'),
      expected.length,
      { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 },
      (error, derived) => (error ? reject(error) : resolve(derived)),
    ),
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return withHashSlot(async () => {
    if (stored.startsWith('$argon2')) return argon2.verify(stored, password).catch(() => false);
    if (stored.startsWith('scrypt$')) return verifyScrypt(password, stored).catch(() => false);
    return false;
  });
}

/** True for a hash made with another scheme or weaker parameters than today's: rehash it at sign-in. */
export function needsRehash(stored: string): boolean {
  const [, scheme, , parameters] = stored.split('$');
  return scheme !== 'argon2id' || parameters !== CURRENT_PARAMETERS;
}

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A code a person types: 12 Crockford base32 characters (60 bits) in groups of four. */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(12);
  const chars = Array.from(bytes, (byte) => CODE_ALPHABET[byte & 31]!);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

/** Accepts the code however it was typed: any case, with or without dashes or spaces, O for 0, I/L for 1. */
export function normalizeEnrollmentCode(typed: string): string {
  const cleaned = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return cleaned.length === 12
    ? `${cleaned.slice(0, 4)}-${cleaned.slice(4, 8)}-${cleaned.slice(8)}`
    : cleaned;
}
