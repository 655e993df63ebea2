import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { DomainError } from '@retail/domain';
import type { FirstManagerSchema } from '../../shared/commands';
import type { z } from 'zod';
import { initStoreNode, type InitResult } from '../init';
import type { Migration } from '../migrations';
import type { PinHashCost } from '../pin';
import { enrollWithHub } from '../sync/enrollment';

/** Who the new till is, however it is set up (`pos-store init`, or the desktop app's first-run screen). */
interface SetupDetails {
  readonly locale?: string | undefined;
  readonly timezone?: string | undefined;
  readonly cashRoundingIncrement?: number | undefined;
  readonly firstManager?: z.output<typeof FirstManagerSchema> | undefined;
}

export type NodeSetupInput =
  | (SetupDetails & {
      readonly mode: 'enroll';
      readonly hubUrl: string;
      readonly code: string;
      readonly deviceName?: string | undefined;
    })
  | (SetupDetails & {
      readonly mode: 'standalone';
      readonly storeId: string;
      readonly storeCode: string;
      readonly deviceNo: number;
      readonly currency: string;
    });

export interface NodeSetupResult extends InitResult {
  readonly hubUrl: string | null;
  readonly storeName: string | null;
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/**
 * Creates a new till's database. Enrolled: the hub consumes the one-time code and answers with the store,
 * the device id and number, the currency and time zone and the credential, all written in the node's
 * first transaction (the credential is stored, never printed or logged). Standalone: the till says who it
 * is. A failure leaves no database behind, so the setup can simply be tried again: with the same code
 * while it has not expired, even if the hub had used it (the saved retry key), otherwise with a new one.
 */
export async function setUpNode(
  databasePath: string,
  input: NodeSetupInput,
  deps: {
    readonly fetch?: typeof fetch;
    readonly pinCost?: PinHashCost;
    readonly migrations?: readonly Migration[];
  } = {},
): Promise<NodeSetupResult> {
  if (existsSync(databasePath)) {
    throw new DomainError('CONFLICT', 'setup.alreadyHoldsStoreDatabase', {
      databasePath: dirname(databasePath),
    });
  }
  mkdirSync(dirname(databasePath), { recursive: true, mode: 0o700 });
  const common = {
    databasePath,
    ...optional('firstManager', input.firstManager),
    ...optional('pinCost', deps.pinCost),
    ...optional('migrations', deps.migrations),
  };
  const details = {
    ...optional('locale', input.locale),
    ...optional('cashRoundingIncrement', input.cashRoundingIncrement),
  };
  if (input.mode === 'standalone') {
    const result = initOrClean(databasePath, () =>
      initStoreNode({
        ...common,
        setup: {
          storeId: input.storeId,
          storeCode: input.storeCode,
          deviceNo: input.deviceNo,
          currency: input.currency,
          ...details,
          ...optional('timezone', input.timezone),
        },
      }),
    );
    return { ...result, hubUrl: null, storeName: null };
  }
  const retryKeyFile = `${databasePath}.enroll-key`;
  const enrolled = await enrollWithHub({
    hubUrl: input.hubUrl,
    code: input.code,
    retryKey: savedRetryKey(retryKeyFile),
    ...optional('deviceName', input.deviceName),
    ...optional('fetch', deps.fetch),
  });
  const currency = enrolled.currency;
  if (currency === undefined) {
    throw new DomainError('INTERNAL', 'setup.hubNotSayCurrency');
  }
  const result = initOrClean(databasePath, () =>
    initStoreNode({
      ...common,
      deviceId: enrolled.deviceId,
      hub: { hubUrl: input.hubUrl, credential: enrolled.credential },
      setup: {
        storeId: enrolled.storeId,
        storeCode: enrolled.storeCode,
        deviceNo: enrolled.deviceNo,
        currency,
        ...details,
        ...optional('timezone', input.timezone ?? enrolled.timezone),
      },
    }),
  );
  rmSync(retryKeyFile, { force: true });
  return { ...result, hubUrl: input.hubUrl, storeName: enrolled.storeName ?? null };
}

const RETRY_KEY = /^[A-Za-z0-9_-]{43}$/;

/**
 * The key an interrupted enrollment is retried with (docs/store-node.md, Enrollment). It is on disk before
 * the hub is asked, so a till killed after the hub used the code but before the database was written
 * sends the same key again and gets its device back, rather than a used code and a device no till holds.
 */
function savedRetryKey(file: string): string {
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (RETRY_KEY.test(saved)) return saved;
  }
  const key = randomBytes(32).toString('base64url');
  const handle = openSync(file, 'w', 0o600);
  try {
    writeSync(handle, key);
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
  const folder = openSync(dirname(file), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
  return key;
}

function initOrClean(databasePath: string, init: () => InitResult): InitResult {
  try {
    return init();
  } catch (error) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${databasePath}${suffix}`, { force: true });
    throw error;
  }
}
