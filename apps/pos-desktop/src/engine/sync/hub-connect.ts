import { DomainError } from '@retail/domain';
import type { Db } from '../database';
import type { NodeIdentity } from '../identity';
import { setHubUrl } from './sync-status';
import { enrollWithHub } from './enrollment';
import { readHubConnection, type StoreSync } from './store-sync';

export interface HubConnectRequest {
  readonly hubUrl: string;
  /** A one-time enrollment code from HQ, for a till that is not enrolled yet. */
  readonly code?: string | undefined;
  readonly deviceName?: string | undefined;
}

export interface HubConnectDeps {
  readonly db: Db;
  readonly identity: NodeIdentity;
  readonly sync: StoreSync;
  readonly fetch?: typeof fetch;
}

/**
 * Connects a set-up node to its hub, the same way from `pos-store start --hub URL [--enroll CODE]` and
 * from the desktop app's settings screen:
 * - not enrolled, with a code: enrolls, keeping this till's device id, number and store (its receipts and
 *   events already carry them; the hub refuses a code for another store without using it up);
 * - enrolled, at another address: follows the hub that moved, keeping the credential;
 * - not enrolled, no code: records the address, and events wait in the outbox until it is enrolled.
 * The sync agent (re)starts with the new connection at once; the node keeps serving meanwhile.
 * `codeWhenEnrolled` says what a code for an enrolled till means: the CLI ignores it (a start script
 * passes it every time), a person in the settings screen is told the till is enrolled already.
 */
export async function connectToHub(
  deps: HubConnectDeps,
  request: HubConnectRequest,
  options: { readonly codeWhenEnrolled: 'ignore' | 'refuse' },
): Promise<{ hubUrl: string; enrolled: boolean }> {
  const connection = readHubConnection(deps.db);
  if (connection !== null) {
    if (request.code !== undefined && options.codeWhenEnrolled === 'refuse') {
      throw new DomainError('CONFLICT', 'sync.tillAlreadyEnrolledHub');
    }
    if (connection.hubUrl !== request.hubUrl) {
      await deps.sync.configure({ hubUrl: request.hubUrl, credential: connection.credential });
    }
    return { hubUrl: request.hubUrl, enrolled: true };
  }
  if (request.code === undefined) {
    setHubUrl(deps.db, request.hubUrl);
    return { hubUrl: request.hubUrl, enrolled: false };
  }
  const { deviceId, deviceNo, storeId } = deps.identity;
  const enrolled = await enrollWithHub({
    hubUrl: request.hubUrl,
    code: request.code,
    keep: { deviceId, deviceNo, storeId },
    ...(request.deviceName === undefined ? {} : { deviceName: request.deviceName }),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  }).catch((error: unknown) => {
    // The hub refusing the code says nothing about the staff member's session: keep them signed in.
    if (error instanceof DomainError && error.code === 'UNAUTHORIZED') {
      throw DomainError.fromBody({ ...error.toJSON(), code: 'INVALID_INPUT' });
    }
    throw error;
  });
  await deps.sync.configure({ hubUrl: request.hubUrl, credential: enrolled.credential });
  return { hubUrl: request.hubUrl, enrolled: true };
}
