import { randomFillSync } from 'node:crypto';

/** Random bytes of the length asked: every caller gets its own bytes, never handed to anyone else. */
export type RandomBytes = (length: number) => Uint8Array;

/** Large enough for a few hundred ids or pickup codes, small enough to stay in cache. */
export const RANDOM_POOL_BYTES = 4096;

/**
 * Random bytes from the operating system's generator, drawn a pool at a time. The store node takes a
 * transaction id per command and a dozen more per completed sale; the hub's order intake draws up to three
 * pickup codes per order. One `crypto.randomBytes` call each cost more than the id or code itself (a
 * system call and a buffer each; Node's own `randomUUID` pools the same way). Each caller gets its own
 * copy of bytes no other caller got, in the generator's order; requests larger than the pool go straight
 * to the generator. `fill` is the generator (the operating system's unless a test gives another).
 */
export function pooledRandomBytes(
  poolBytes = RANDOM_POOL_BYTES,
  fill: (bytes: Uint8Array) => void = randomFillSync,
): RandomBytes {
  const pool = new Uint8Array(poolBytes);
  let used = poolBytes;
  return (length) => {
    if (length > poolBytes) {
      const bytes = new Uint8Array(length);
      fill(bytes);
      return bytes;
    }
    if (used + length > poolBytes) {
      fill(pool);
      used = 0;
    }
    const bytes = pool.slice(used, used + length);
    // Handed-out bytes are not kept: the next refill overwrites them anyway, this makes it now.
    pool.fill(0, used, used + length);
    used += length;
    return bytes;
  };
}
