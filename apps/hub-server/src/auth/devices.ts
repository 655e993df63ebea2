import { z } from 'zod';
import { DomainError } from '@retail/domain';
import {
  EnrollRequestSchema,
  EnrollResponseSchema,
  type DevicePrincipal,
  type EnrollRequest,
  type EnrollResponse,
  type ReEnrollRequest,
  type ReplacedDevice,
} from '@retail/sync';
import { recordAudit } from '../audit/hq-audit';
import type { HubContext } from '../hub-context';
import { compiledQuery } from '../storage/compiled-query';
import type { Executor } from '../storage/storage';
import { replaceDevice } from '../sync/device-restore';
import { hashToken, newEnrollmentCode, newSecret, normalizeEnrollmentCode, sameHash } from './secrets';

export const DEFAULT_ENROLLMENT_TTL_MS = 24 * 60 * 60 * 1000;

export interface EnrollmentCode {
  readonly code: string;
  readonly nodeId: string;
  readonly nodeCode: string;
  readonly expiresAt: number;
}

/** A one-time code HQ hands to whoever sets up a till; only its hash is stored. */
export async function createEnrollmentCode(
  hub: HubContext,
  nodeId: string,
  createdBy: string,
  ttlMs: number = DEFAULT_ENROLLMENT_TTL_MS,
): Promise<EnrollmentCode> {
  const node = await hub.storage.db
    .selectFrom('nodes')
    .select(['node_id', 'code', 'active'])
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (node === undefined) throw new DomainError('NOT_FOUND', 'hub.auth.noNode', { nodeId }, { nodeId });
  if (node.active !== 1) {
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.auth.nodeInactiveActivateBefore',
      { nodeCode: node.code },
      {
        nodeId,
      },
    );
  }
  const code = newEnrollmentCode();
  const now = hub.now();
  await hub.storage.db
    .insertInto('enrollment_codes')
    .values({
      code_hash: hashToken(code),
      node_id: nodeId,
      created_by: createdBy,
      created_at: now,
      expires_at: now + ttlMs,
      used_at: null,
      device_id: null,
    })
    .execute();
  return { code, nodeId, nodeCode: node.code, expiresAt: now + ttlMs };
}

// The enrollment wire shapes are part of the sync protocol, shared with the tills.
export { EnrollRequestSchema, EnrollResponseSchema, type EnrollRequest, type EnrollResponse };

/** Consumes a one-time code atomically and registers the device with a fresh credential. */
export async function enrollDevice(hub: HubContext, request: EnrollRequest): Promise<EnrollResponse> {
  const codeHash = hashToken(normalizeEnrollmentCode(request.code));
  return hub.storage.transaction(async (trx) => {
    const now = hub.now();
    const code = await trx
      .selectFrom('enrollment_codes')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (code === undefined || code.expires_at <= now) {
      throw new DomainError('UNAUTHORIZED', 'hub.auth.enrollmentCodeNotValid');
    }
    if (code.used_at !== null) {
      const retried = await retriedEnrollment(trx, hub, code, request);
      if (retried === undefined) throw new DomainError('UNAUTHORIZED', 'hub.auth.enrollmentCodeNotValid');
      return retried;
    }
    // The node row lock serialises enrollments at one store, so device numbers never collide.
    const node = await trx
      .selectFrom('nodes')
      .select(['node_id', 'code', 'name', 'currency', 'timezone', 'region'])
      .where('node_id', '=', code.node_id)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirstOrThrow();
    // Refusals throw before anything is written, so the code stays usable.
    if (request.storeId !== undefined && request.storeId !== node.node_id) {
      throw new DomainError(
        'CONFLICT',
        'hub.auth.enrollmentCodeOtherStore',
        { nodeCode: node.code, storeId: request.storeId },
        { storeId: request.storeId, codeStoreId: node.node_id },
      );
    }
    if (
      request.replaces !== undefined &&
      (request.deviceId !== undefined || request.deviceNo !== undefined || request.retryKey !== undefined)
    ) {
      throw new DomainError('INVALID_INPUT', 'hub.auth.replacementCannotChooseId');
    }
    const registered = await registerDevice(trx, hub, node, {
      name: request.deviceName,
      ...(request.deviceId === undefined ? {} : { deviceId: request.deviceId }),
      ...(request.deviceNo === undefined ? {} : { deviceNo: request.deviceNo }),
    });
    const replaced =
      request.replaces === undefined
        ? undefined
        : await replaceDevice(trx, hub, {
            node,
            report: request.replaces,
            successor: registered,
            via: 'enrollment-code',
          });
    await trx
      .updateTable('enrollment_codes')
      .set({
        used_at: now,
        device_id: registered.deviceId,
        retry_key_hash: request.retryKey === undefined ? null : hashToken(request.retryKey),
      })
      .where('code_hash', '=', codeHash)
      .execute();
    return enrollmentAnswer(node, registered, replaced);
  });
}

/**
 * The same code with the same retry key, from a till that died before it stored the answer: the device the
 * code made is answered again with a new credential (the first one was never stored by anyone, and the hub
 * cannot show it twice). Undefined when this is not such a retry: no key, another key, a device since
 * revoked, or a request asking for another identity.
 */
async function retriedEnrollment(
  trx: Executor,
  hub: HubContext,
  code: {
    readonly node_id: string;
    readonly device_id: string | null;
    readonly retry_key_hash: string | null;
  },
  request: EnrollRequest,
): Promise<EnrollResponse | undefined> {
  if (
    request.retryKey === undefined ||
    code.retry_key_hash === null ||
    code.device_id === null ||
    !sameHash(code.retry_key_hash, hashToken(request.retryKey))
  ) {
    return undefined;
  }
  const device = await trx
    .selectFrom('devices')
    .select(['device_id', 'device_no', 'name', 'revoked_at'])
    .where('device_id', '=', code.device_id)
    .executeTakeFirst();
  if (
    device === undefined ||
    device.revoked_at !== null ||
    (request.deviceId !== undefined && request.deviceId !== device.device_id) ||
    (request.deviceNo !== undefined && request.deviceNo !== Number(device.device_no)) ||
    (request.storeId !== undefined && request.storeId !== code.node_id)
  ) {
    return undefined;
  }
  const node = await trx
    .selectFrom('nodes')
    .select(['node_id', 'code', 'name', 'currency', 'timezone', 'region'])
    .where('node_id', '=', code.node_id)
    .executeTakeFirstOrThrow();
  const credential = `dev_${device.device_id}.${newSecret()}`;
  await trx
    .updateTable('devices')
    .set({ credential_hash: hashToken(credential), last_seen_at: hub.now() })
    .where('device_id', '=', device.device_id)
    .execute();
  return enrollmentAnswer(node, {
    deviceId: device.device_id,
    deviceNo: Number(device.device_no),
    name: device.name,
    credential,
  });
}

/**
 * `POST /sync/re-enroll`: a till that found it was restored from a backup becomes a new device of its
 * store with its own credential (docs/sync.md §2). The hub registers the successor, revokes the old
 * device and answers which of the till's events it already holds, in one transaction.
 */
export async function reEnrollDevice(
  hub: HubContext,
  principal: DevicePrincipal,
  request: ReEnrollRequest,
): Promise<EnrollResponse> {
  if (request.restored.deviceId !== principal.deviceId) {
    throw new DomainError(
      'FORBIDDEN',
      'hub.auth.deviceReEnrollsOnlyItself',
      {},
      {
        deviceId: request.restored.deviceId,
      },
    );
  }
  return hub.storage.transaction(async (trx) => {
    const node = await trx
      .selectFrom('nodes')
      .select(['node_id', 'code', 'name', 'currency', 'timezone', 'region'])
      .where('node_id', '=', principal.storeId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirstOrThrow();
    const old = await trx
      .selectFrom('devices')
      .select('name')
      .where('device_id', '=', principal.deviceId)
      .executeTakeFirstOrThrow();
    const registered = await registerDevice(trx, hub, node, { name: request.deviceName ?? old.name });
    const replaced = await replaceDevice(trx, hub, {
      node,
      report: request.restored,
      successor: registered,
      via: 'device',
    });
    return enrollmentAnswer(node, registered, replaced);
  });
}

/** What a till set up by enrollment needs: its new identity and the store's facts. */
export function enrollmentAnswer(
  node: EnrollingNode,
  registered: RegisteredDevice,
  replaced?: ReplacedDevice,
): EnrollResponse {
  return {
    deviceId: registered.deviceId,
    storeId: node.node_id,
    storeCode: node.code,
    deviceNo: registered.deviceNo,
    credential: registered.credential,
    storeName: node.name,
    currency: node.currency,
    timezone: node.timezone,
    region: node.region,
    ...(replaced === undefined ? {} : { replaced }),
  };
}

/** The store a device enrolls at, as read (and, on PostgreSQL, row-locked) inside the enrollment. */
export interface EnrollingNode {
  readonly node_id: string;
  readonly code: string;
  readonly name: string;
  readonly currency: string;
  readonly timezone: string;
  readonly region: string;
}

export interface RegisteredDevice {
  readonly deviceId: string;
  readonly deviceNo: number;
  readonly name: string;
  readonly credential: string;
}

/**
 * Registers a device of a store with a fresh credential, inside the caller's transaction (which holds the
 * node row, so device numbers never collide). A requested id or number that is taken is refused before
 * anything is written.
 */
export async function registerDevice(
  trx: Executor,
  hub: HubContext,
  node: EnrollingNode,
  wanted: { readonly name: string; readonly deviceId?: string; readonly deviceNo?: number },
): Promise<RegisteredDevice> {
  if (wanted.deviceId !== undefined) {
    const taken = await trx
      .selectFrom('devices')
      .select('device_id')
      .where('device_id', '=', wanted.deviceId)
      .executeTakeFirst();
    if (taken !== undefined) {
      throw new DomainError(
        'CONFLICT',
        'hub.auth.tillAlreadyEnrolledRevoke',
        {},
        {
          deviceId: wanted.deviceId,
        },
      );
    }
  }
  let deviceNo: number;
  if (wanted.deviceNo !== undefined) {
    const taken = await trx
      .selectFrom('devices')
      .select('device_id')
      .where('node_id', '=', node.node_id)
      .where('device_no', '=', wanted.deviceNo)
      .executeTakeFirst();
    if (taken !== undefined) {
      throw new DomainError(
        'CONFLICT',
        'hub.auth.storeAlreadyDeviceNumber',
        { nodeCode: node.code, deviceNo: wanted.deviceNo },
        { deviceNo: wanted.deviceNo },
      );
    }
    deviceNo = wanted.deviceNo;
  } else {
    const highest = await trx
      .selectFrom('devices')
      .select((eb) => eb.fn.max('device_no').as('highest'))
      .where('node_id', '=', node.node_id)
      .executeTakeFirst();
    deviceNo = Number(highest?.highest ?? 0) + 1;
  }
  const deviceId = wanted.deviceId ?? hub.newId();
  const credential = `dev_${deviceId}.${newSecret()}`;
  const now = hub.now();
  await trx
    .insertInto('devices')
    .values({
      device_id: deviceId,
      node_id: node.node_id,
      device_no: deviceNo,
      name: wanted.name,
      credential_hash: hashToken(credential),
      enrolled_at: now,
      revoked_at: null,
      last_seen_at: now,
      last_seq: 0,
      last_push_at: null,
      outbox_pending: null,
      outbox_oldest_at: null,
      version: 1,
    })
    .execute();
  return { deviceId, deviceNo, name: wanted.name, credential };
}

/** Resolves a device credential to the device and store it may act for. */
const credentialRow = compiledQuery<{
  device_id: string;
  node_id: string;
  credential_hash: string;
  revoked_at: number | null;
}>();

export async function authenticateDevice(executor: Executor, credential: string): Promise<DevicePrincipal> {
  const match = /^dev_([0-9a-f-]{36})\.[A-Za-z0-9_-]{20,}$/.exec(credential);
  if (match === null) throw new DomainError('UNAUTHORIZED', 'hub.auth.deviceNotEnrolled');
  const deviceId = match[1]!;
  // Every device call (a till's every push and pull) reads this row: its statement is built once.
  const [device] = await credentialRow(executor, 'device', [deviceId], () =>
    executor
      .selectFrom('devices')
      .select(['device_id', 'node_id', 'credential_hash', 'revoked_at'])
      .where('device_id', '=', deviceId),
  );
  if (
    device === undefined ||
    device.revoked_at !== null ||
    !sameHash(device.credential_hash, hashToken(credential))
  ) {
    throw new DomainError('UNAUTHORIZED', 'hub.auth.deviceNotEnrolled');
  }
  return { deviceId: device.device_id, storeId: device.node_id };
}

/** Revokes the credential and, once committed, disconnects the device's socket in every hub process. */
export async function revokeDevice(hub: HubContext, deviceId: string): Promise<void> {
  await hub.storage.transaction(async (trx) => {
    const result = await trx
      .updateTable('devices')
      .set({ revoked_at: hub.now() })
      .where('device_id', '=', deviceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw new DomainError('NOT_FOUND', 'hub.auth.noEnrolledDevice', { deviceId }, { deviceId });
    }
    await hub.storage.deviceRevoked(trx, deviceId);
  });
}

export const RenameDeviceSchema = z.object({
  name: z.string().trim().min(1).max(100),
  /** The version the operator saw; another one means someone changed the device since. */
  expectedVersion: z.number().int().min(1),
});

/** Renames a device as HQ lists it, in one transaction with its audit entry. */
export async function renameDevice(
  hub: HubContext,
  deviceId: string,
  input: z.infer<typeof RenameDeviceSchema>,
  actor: string,
): Promise<DeviceStatus> {
  await hub.storage.transaction(async (trx) => {
    const device = await trx
      .selectFrom('devices')
      .select(['name', 'version'])
      .where('device_id', '=', deviceId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (device === undefined)
      throw new DomainError('NOT_FOUND', 'hub.auth.noDevice', { deviceId }, { deviceId });
    const version = Number(device.version);
    if (version !== input.expectedVersion) {
      throw new DomainError(
        'CONFLICT',
        'hub.auth.deviceChangedSomeoneElse',
        { deviceName: device.name, version },
        { reason: 'STALE_VERSION', deviceId, version },
      );
    }
    await trx
      .updateTable('devices')
      .set({ name: input.name, version: version + 1 })
      .where('device_id', '=', deviceId)
      .execute();
    await recordAudit(
      trx,
      {
        actor,
        action: 'devices.rename',
        subject: `devices:${deviceId}`,
        before: { name: device.name, version },
        after: { name: input.name, version: version + 1 },
      },
      hub.now(),
      hub.newId,
    );
  });
  const [status] = (await listDeviceStatus(hub.storage.db)).filter((row) => row.deviceId === deviceId);
  return status!;
}

export const DeviceStatusSchema = z.object({
  deviceId: z.string(),
  nodeId: z.string(),
  nodeCode: z.string(),
  deviceNo: z.number().int(),
  name: z.string(),
  enrolledAt: z.number().int(),
  revoked: z.boolean(),
  lastSeenAt: z.number().int().nullable(),
  lastPushAt: z.number().int().nullable(),
  lastSeq: z.number().int(),
  outboxPending: z.number().int().nullable(),
  outboxOldestAt: z.string().nullable(),
  /** What an edit (rename) names as the version it was made on. */
  version: z.number().int(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;

/** Sync status per device: when it was last seen, how far it has pushed, what it says is still queued. */
export async function listDeviceStatus(executor: Executor, nodeId?: string): Promise<DeviceStatus[]> {
  const rows = await executor
    .selectFrom('devices')
    .innerJoin('nodes', 'nodes.node_id', 'devices.node_id')
    .select([
      'devices.device_id',
      'devices.node_id',
      'nodes.code',
      'devices.device_no',
      'devices.name',
      'devices.enrolled_at',
      'devices.revoked_at',
      'devices.last_seen_at',
      'devices.last_push_at',
      'devices.last_seq',
      'devices.outbox_pending',
      'devices.outbox_oldest_at',
      'devices.version',
    ])
    .$if(nodeId !== undefined, (query) => query.where('devices.node_id', '=', nodeId!))
    .orderBy('nodes.code')
    .orderBy('devices.device_no')
    .execute();
  return rows.map((row) => ({
    deviceId: row.device_id,
    nodeId: row.node_id,
    nodeCode: row.code,
    deviceNo: row.device_no,
    name: row.name,
    enrolledAt: Number(row.enrolled_at),
    revoked: row.revoked_at !== null,
    lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
    lastPushAt: row.last_push_at === null ? null : Number(row.last_push_at),
    lastSeq: Number(row.last_seq),
    outboxPending: row.outbox_pending === null ? null : Number(row.outbox_pending),
    outboxOldestAt: row.outbox_oldest_at,
    version: Number(row.version),
  }));
}
