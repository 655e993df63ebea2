import { randomBytes } from 'node:crypto';
import type { PickupCodeRandomBytes } from '@retail/domain';

/** Bytes taken per call into the CSPRNG: ~680 six-character pickup codes. */
export const PICKUP_RANDOM_POOL_BYTES = 4096;

/**
 * The intake's default source of pickup-code randomness: the CSPRNG's bytes taken `poolBytes` at a time
 * and handed out once each, in order. A `randomBytes` call per code cost more than drawing the code
 * itself (a native call and a Buffer each; order storm round 13), and an order that may split draws three.
 */
export function pooledRandomBytes(
  source: (length: number) => Uint8Array = randomBytes,
  poolBytes = PICKUP_RANDOM_POOL_BYTES,
): PickupCodeRandomBytes {
  let pool: Uint8Array = new Uint8Array(0);
  let offset = 0;
  return (length) => {
    if (offset + length > pool.length) {
      pool = source(Math.max(poolBytes, length));
      offset = 0;
    }
    const bytes = pool.subarray(offset, offset + length);
    offset += length;
    return bytes;
  };
}
