import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { createUuidV7Generator } from '@retail/domain';
import type { StaffSummary } from '../shared/commands';
import { createStaff, type NewStaff } from './services/staff-records';
import { createTxContext, hasLanesSchema, type EngineClock, type RandomBytes } from './context';
import { openDatabase } from './database';
import { writeIdentity, type NodeIdentity, type NodeSetup } from './identity';
import { loadMigrations, migrate, type Migration } from './migrations';
import { DEFAULT_PIN_COST, type PinHashCost } from './pin';
import { writeHubConnection, type HubConnection } from './sync/store-sync';

export interface InitOptions {
  readonly databasePath: string;
  readonly setup: NodeSetup;
  /** The first manager, so somebody can sign in and create the other staff. */
  readonly firstManager?: Omit<NewStaff, 'role'>;
  readonly clock?: EngineClock;
  readonly randomBytes?: RandomBytes;
  readonly pinCost?: PinHashCost;
  readonly migrations?: readonly Migration[];
  /** The device id the hub issued at enrollment (otherwise a new UUIDv7). */
  readonly deviceId?: string;
  /** The hub to sync with and this till's credential, when it was enrolled before it was set up. */
  readonly hub?: HubConnection;
}

export interface InitResult {
  readonly identity: NodeIdentity;
  readonly manager: StaffSummary | undefined;
}

/**
 * Creates (or upgrades) the database and records who this node is, together with the first manager, in
 * one transaction: a crash leaves either a fully set-up node or an empty one that `init` can set up again.
 */
export function initStoreNode(options: InitOptions): InitResult {
  const clock = options.clock ?? { now: () => Date.now() };
  const randomBytes: RandomBytes = options.randomBytes ?? ((length) => nodeRandomBytes(length));
  const ids = createUuidV7Generator({ now: () => clock.now(), randomBytes });
  const db = openDatabase(options.databasePath);
  try {
    migrate(db, options.migrations ?? loadMigrations(), () => clock.now());
    return db
      .transaction((): InitResult => {
        const nowIso = new Date(clock.now()).toISOString();
        const identity = writeIdentity(db, options.setup, options.deviceId ?? ids(), nowIso);
        if (options.hub !== undefined) writeHubConnection(db, options.hub);
        const ctx = createTxContext(
          { db, identity, clock, ids, randomBytes, lastHlc: undefined, lanesSchema: hasLanesSchema(db) },
          'node-init',
        );
        const manager = options.firstManager
          ? createStaff(
              ctx,
              { ...options.firstManager, role: 'manager' },
              options.pinCost ?? DEFAULT_PIN_COST,
            )
          : undefined;
        ctx.audit({
          action: 'node-init',
          subject: identity.storeCode,
          details: {
            deviceId: identity.deviceId,
            deviceNo: identity.deviceNo,
            managerId: manager?.staffId ?? null,
            hubUrl: options.hub?.hubUrl ?? null,
          },
        });
        return { identity, manager };
      })
      .immediate();
  } finally {
    db.close();
  }
}
