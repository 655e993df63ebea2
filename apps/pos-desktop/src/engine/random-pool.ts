import { randomFillSync } from 'node:crypto';
import type { RandomBytes } from './context';

/** Large enough for a few hundred ids (10 random bytes each), small enough to stay in cache. */
export const RANDOM_POOL_BYTES = 4096;

/**
 * Random bytes from the operating system's generator, drawn a pool at a time: every command takes a
 * transaction id and a completed sale a dozen more ids, and one `crypto.randomBytes` call per id cost
 * more than the id (a system call and a buffer each; Node's own `randomUUID` pools the same way). Each
 * caller gets its own copy of bytes no other caller got; requests larger than the pool go straight to
 * the generator.
 */
export function pooledRandomBytes(poolBytes = RANDOM_POOL_BYTES): RandomBytes {
  const pool = new Uint8Array(poolBytes);
  let used = poolBytes;
  return (length) => {
    if (length > poolBytes) return randomFillSync(new Uint8Array(length));
    if (used + length > poolBytes) {
      randomFillSync(pool);
      used = 0;
    }
    const bytes = pool.slice(used, used + length);
    // Handed-out bytes are not kept: the next refill overwrites them anyway, this makes it now.
    pool.fill(0, used, used + length);
    used += length;
    return bytes;
  };
}
