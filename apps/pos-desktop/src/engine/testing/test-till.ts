import { join } from 'node:path';
import type { Result } from '@retail/domain';
import { eventually } from '@retail/hub-server/testing';
import type { CommandInput, CommandName, CommandResponse } from '../../shared/commands';
import { openStoreEngine, type EngineOptions, type StoreEngine } from '../engine';
import type { EngineClock } from '../context';
import type { NodeSetup } from '../identity';
import { initStoreNode } from '../init';
import type { StoreSyncOptions } from '../sync/store-sync';
import { TEST_PIN_COST, expectOk, tempDir } from './test-node';

/**
 * A real store engine enrolled at a real hub, for the store ↔ hub tests: the hub side comes from
 * `@retail/hub-server/testing` (`startTestHub`), which this only needs the URL and the enroll call of.
 */
export interface TillHub {
  readonly url: string;
  enrollTill(till: {
    storeId: string;
    deviceId: string;
    deviceNo: number;
    deviceName?: string;
  }): Promise<string>;
}

/** The manager every test till is set up with (staff code M1, PIN 1234). */
export const TILL_MANAGER = { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' } as const;

/** Sync tuned for tests: quick live pulls and retries so a test waits for the condition, not a timer. */
export const TEST_SYNC_TUNING = {
  livePullIntervalMs: 150,
  backoff: { baseMs: 50, capMs: 400 },
  errorRetryMs: 500,
} as const;

export interface TestTillOptions {
  readonly storeId: string;
  readonly storeCode: string;
  readonly deviceNo?: number;
  /** Prefix of the till's temporary data folder. */
  readonly dirPrefix?: string;
  /** Anything of the node's setup besides store and device (default fr-FR, EUR, Europe/Paris). */
  readonly setup?: Partial<NodeSetup>;
  readonly sync?: Partial<StoreSyncOptions>;
  /** The till's clock, for set-up and the engine alike. */
  readonly clock?: EngineClock;
  readonly engine?: Omit<EngineOptions, 'databasePath' | 'sync'>;
}

export interface TestTill {
  readonly nodeId: string;
  readonly engine: StoreEngine;
  readonly databasePath: string;
  readonly dir: string;
  /** The manager's session and staff id. */
  readonly session: string;
  readonly managerId: string;
  run<N extends CommandName>(name: N, input: CommandInput<N>): Result<CommandResponse<N>>;
  ok<N extends CommandName>(name: N, input: CommandInput<N>): CommandResponse<N>;
  /** As the renderer calls: with the command's async preparation (hub lookups, holds). */
  runAsync<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandResponse<N>>>;
  okAsync<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResponse<N>>;
  /** Every event written so far has been acknowledged by the hub. */
  drained(): boolean;
  /** Shuts the engine down and removes its data folder. */
  close(): Promise<void>;
}

/**
 * Sets up a till (`initStoreNode` with the manager M1), enrolls it at the hub, opens its engine with
 * HTTP sync configured (which starts syncing) and signs the manager in.
 */
export async function openTestTill(hub: TillHub, options: TestTillOptions): Promise<TestTill> {
  const deviceNo = options.deviceNo ?? 1;
  const dir = tempDir(options.dirPrefix ?? `till-${options.storeId}-`);
  const databasePath = join(dir.path, 'store.db');
  const init = initStoreNode({
    databasePath,
    setup: {
      storeId: options.storeId,
      storeCode: options.storeCode,
      deviceNo,
      currency: 'EUR',
      locale: 'fr-FR',
      timezone: 'Europe/Paris',
      ...options.setup,
    },
    firstManager: TILL_MANAGER,
    pinCost: TEST_PIN_COST,
    clock: options.clock,
  });
  const credential = await hub.enrollTill({
    storeId: options.storeId,
    deviceId: init.identity.deviceId,
    deviceNo,
    deviceName: `${options.storeCode} lane ${deviceNo}`,
  });
  const engine = openStoreEngine({
    pinCost: TEST_PIN_COST,
    clock: options.clock,
    ...options.engine,
    databasePath,
    sync: { transport: 'http', tuning: TEST_SYNC_TUNING, ...options.sync },
  });
  await engine.sync.configure({ hubUrl: hub.url, credential });
  const signedIn = expectOk(
    engine.execute('staff-sign-in', { staffCode: TILL_MANAGER.staffCode, pin: TILL_MANAGER.pin }),
  );
  const session = signedIn.session;
  return {
    nodeId: options.storeId,
    engine,
    databasePath,
    dir: dir.path,
    session,
    managerId: signedIn.staff.staffId,
    run: (name, input) => engine.execute(name, input, { session }),
    ok: (name, input) => expectOk(engine.execute(name, input, { session })),
    runAsync: (name, input) => engine.executeAsync(name, input, { session }),
    okAsync: async (name, input) => expectOk(await engine.executeAsync(name, input, { session })),
    drained: () => expectOk(engine.execute('sync-status', {})).pendingEvents === 0,
    async close() {
      await engine.shutdown();
      dir.remove();
    },
  };
}

/** Waits until the till is online, has pulled the hub's feed and scans `barcode`: ready to sell it. */
export async function untilSelling(till: TestTill, barcode: string): Promise<void> {
  await eventually(`${till.nodeId} has the catalog`, () =>
    expectOk(till.engine.execute('sync-status', {})).feedCursor > 0 && till.engine.sync.online()
      ? true
      : undefined,
  );
  await eventually(
    `${till.nodeId} can scan ${barcode}`,
    async () => (await till.runAsync('catalog-scan', { code: barcode })).ok || undefined,
  );
}
