import { randomBytes } from 'node:crypto';
import { createUuidV7Generator, type IdGenerator } from '@retail/domain';
import type { Storage } from './storage/storage';

/** What every hub operation needs: storage, a clock and an id source (both injectable for tests). */
export interface HubContext {
  readonly storage: Storage;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly newId: IdGenerator;
}

export function createHubContext(storage: Storage, now: () => number = Date.now): HubContext {
  return {
    storage,
    now,
    newId: createUuidV7Generator({ now, randomBytes: (length) => randomBytes(length) }),
  };
}
