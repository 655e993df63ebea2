import { randomBytes } from 'node:crypto';
import { createUuidV7Generator, type IdGenerator } from '@retail/domain';
import type { Storage } from './storage/storage';

/**
 * Work a transaction asks for once it has committed, done outside it by whoever listens: `bopis` means
 * an oversell was raised or an order needs the hub's next step (the BOPIS runtime re-routes it).
 */
export type FollowUp = 'bopis';

export interface HubHooks {
  /** Called after a transaction that requested follow-up work has committed. Must not throw. */
  followUp?: (kind: FollowUp) => void;
}

/** What every hub operation needs: storage, a clock and an id source (both injectable for tests). */
export interface HubContext {
  readonly storage: Storage;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly newId: IdGenerator;
  /** Set by long-running parts of the hub (the BOPIS runtime); empty in a bare context. */
  readonly hooks: HubHooks;
}

export function createHubContext(storage: Storage, now: () => number = Date.now): HubContext {
  return {
    storage,
    now,
    newId: createUuidV7Generator({ now, randomBytes: (length) => randomBytes(length) }),
    hooks: {},
  };
}
