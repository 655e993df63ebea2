import { sql } from 'kysely';
import { z } from 'zod';
import { STAFF_ROLES, type ApplyOutcome, type EventEnvelope, type EventPayloads } from '@retail/sync';
import { DomainError } from '@retail/domain';
import { recordAudit } from '../audit/hq-audit';
import { annotateException, closeSettledException } from '../exceptions/exception-queue';
import type { HubContext } from '../hub-context';
import { inHubTransaction, type HubTx } from '../hub-tx';
import { chunks } from '../storage/chunks';
import type { StoreCreatedStaffTable } from '../storage/schema';
import type { Executor } from '../storage/storage';

/**
 * Staff a store created itself (`staff.created`, DESIGN §5 "Trust boundary"). A till may create staff
 * offline, so the hub records every creation, but believes the role only when the creator was entitled
 * to give it by the hub's own records: HQ's staff table, or a store creation it verified the same way
 * (recursively). Anything else is recorded with an exception and the person counts as a cashier. A role a
 * sale claims for staff the hub has no record of is never believed either (settings-limits.ts).
 */

export type StaffRole = (typeof STAFF_ROLES)[number];

export const STAFF_ROLE_RANK: Readonly<Record<StaffRole, number>> = { cashier: 1, supervisor: 2, manager: 3 };
/** What the hub falls back to for a role it cannot believe. */
export const LOWEST_ROLE: StaffRole = 'cashier';
/** Who may create staff at a till (`staff-create` is for managers, apps/pos-desktop shared/staff-commands). */
export const STAFF_CREATOR_ROLE: StaffRole = 'manager';

export type StoreStaffStatus = StoreCreatedStaffTable['status'];

/** The hub's own record of a staff member. */
export type StaffRecord =
  | { readonly kind: 'hq'; readonly role: StaffRole; readonly stores: readonly string[] }
  | {
      readonly kind: 'store';
      readonly nodeId: string;
      readonly role: StaffRole;
      readonly status: StoreStaffStatus;
      readonly eventId: string;
    };

/**
 * What the hub believes of someone at a store: `verified` (HQ's staff at that store, or a verified store
 * creation), `unknown` (no record yet), `unverified` (created by someone the hub cannot judge yet),
 * `rejected` (their creation was not believed), `foreign` (another store's). Only `verified` carries a role
 * above the lowest.
 */
export interface BelievedRole {
  readonly role: StaffRole;
  readonly standing: 'verified' | 'unknown' | 'unverified' | 'rejected' | 'foreign';
}

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

export function believedRole(record: StaffRecord | undefined, nodeId: string): BelievedRole {
  if (record === undefined) return { role: LOWEST_ROLE, standing: 'unknown' };
  if (record.kind === 'hq') {
    return record.stores.length === 0 || record.stores.includes(nodeId)
      ? { role: record.role, standing: 'verified' }
      : { role: LOWEST_ROLE, standing: 'foreign' };
  }
  if (record.nodeId !== nodeId) return { role: LOWEST_ROLE, standing: 'foreign' };
  return record.status === 'verified'
    ? { role: record.role, standing: 'verified' }
    : { role: LOWEST_ROLE, standing: record.status };
}

export interface CreationJudgement {
  readonly status: StoreStaffStatus;
  /** The role the hub believes: the claimed one when verified, else the lowest. */
  readonly role: StaffRole;
  /** Why it was not verified; undefined when it was. */
  readonly reason: string | undefined;
}

/**
 * Whether `creator` (as the hub believes them at the store) could create someone with `role`: the till's
 * own rule (only a manager creates staff) and never a role above the creator's.
 */
export function judgeCreation(
  creation: { readonly staffId: string; readonly role: StaffRole; readonly createdBy: string },
  creator: BelievedRole,
  nodeId: string,
): CreationJudgement {
  const { createdBy, role } = creation;
  const rejected = (reason: string): CreationJudgement => ({ status: 'rejected', role: LOWEST_ROLE, reason });
  if (createdBy === creation.staffId) return rejected(`${createdBy} cannot have created themselves.`);
  switch (creator.standing) {
    case 'unknown':
      return {
        status: 'unverified',
        role: LOWEST_ROLE,
        reason:
          `The hub has no record of ${createdBy}, who the till says created them (their own creation ` +
          `may not have arrived yet from another till, or they were set up at the store node itself).`,
      };
    case 'unverified':
      return {
        status: 'unverified',
        role: LOWEST_ROLE,
        reason: `The role of ${createdBy}, who the till says created them, is not verified yet.`,
      };
    case 'foreign':
      return rejected(`${createdBy}, who the till says created them, is not staff of store ${nodeId}.`);
    case 'rejected':
    case 'verified':
      break;
    default:
      return creator.standing satisfies never;
  }
  const as =
    creator.standing === 'rejected'
      ? 'counts as a cashier (their own creation was not believed)'
      : `is a ${creator.role}`;
  if (STAFF_ROLE_RANK[creator.role] < STAFF_ROLE_RANK[STAFF_CREATOR_ROLE]) {
    return rejected(
      `${createdBy} ${as} by the hub's records; only a ${STAFF_CREATOR_ROLE} may create staff.`,
    );
  }
  if (STAFF_ROLE_RANK[role] > STAFF_ROLE_RANK[creator.role]) {
    return rejected(
      `${createdBy} ${as} by the hub's records and cannot give the ${role} role, above their own.`,
    );
  }
  return { status: 'verified', role, reason: undefined };
}

/** Per transaction: the records read or written so far (a staff.created earlier in a push counts). */
const recordsByTx = new WeakMap<HubTx, Map<string, StaffRecord | null>>();

function cacheOf(tx: HubTx): Map<string, StaffRecord | null> {
  let cache = recordsByTx.get(tx);
  if (cache === undefined) {
    cache = new Map();
    recordsByTx.set(tx, cache);
  }
  return cache;
}

function storeRecord(
  row: Pick<StoreCreatedStaffTable, 'node_id' | 'role' | 'status' | 'event_id'>,
): StaffRecord {
  return {
    kind: 'store',
    nodeId: row.node_id,
    role: isStaffRole(row.role) ? row.role : LOWEST_ROLE,
    status: row.status,
    eventId: row.event_id,
  };
}

/** The hub's records of `staffIds` (HQ's first), read once per transaction. */
export async function staffRecords(
  tx: HubTx,
  staffIds: readonly string[],
): Promise<ReadonlyMap<string, StaffRecord | undefined>> {
  const cache = cacheOf(tx);
  const missing = [...new Set(staffIds)].filter((staffId) => !cache.has(staffId));
  if (missing.length > 0) {
    for (const staffId of missing) cache.set(staffId, null);
    for (const chunk of chunks(missing, 500)) {
      const stores = await tx.trx
        .selectFrom('store_created_staff')
        .select(['staff_id', 'node_id', 'role', 'status', 'event_id'])
        .where('staff_id', 'in', chunk)
        .execute();
      for (const row of stores) cache.set(row.staff_id, storeRecord(row));
      const central = await tx.trx
        .selectFrom('hq_staff')
        .select(['staff_id', 'role', 'stores'])
        .where('staff_id', 'in', chunk)
        .execute();
      for (const row of central) {
        if (!isStaffRole(row.role)) continue;
        cache.set(row.staff_id, { kind: 'hq', role: row.role, stores: JSON.parse(row.stores) as string[] });
      }
    }
  }
  return new Map(staffIds.map((staffId) => [staffId, cache.get(staffId) ?? undefined]));
}

function describeCreation(
  created: EventPayloads['staff.created'],
  judgement: CreationJudgement,
  nodeId: string,
): string {
  const who = `${created.name} (${created.staffCode}, ${created.staffId})`;
  return judgement.status === 'unverified'
    ? `Store ${nodeId} created ${who} as a ${created.role}. ${judgement.reason ?? ''} Until it is, the hub ` +
        `treats them as a cashier; this closes by itself once the creator's own record arrives and holds.`
    : `Store ${nodeId} created ${who} as a ${created.role}, which the hub does not believe: ${judgement.reason ?? ''} ` +
        `The hub treats them as a cashier: discounts and approvals they give are judged by a cashier's limits. ` +
        `Ask the store who created them; HQ can manage them centrally with the right role.`;
}

function raiseFor(
  tx: HubTx,
  nodeId: string,
  causeEventIds: readonly string[],
  created: Pick<EventPayloads['staff.created'], 'staffId' | 'staffCode' | 'name' | 'role' | 'createdBy'>,
  judgement: CreationJudgement,
): string {
  const exceptionId = tx.hub.newId();
  tx.raise({
    type: judgement.status === 'rejected' ? 'STAFF_CLAIM_REJECTED' : 'STAFF_ROLE_UNVERIFIED',
    severity: 'warning',
    nodeId,
    causeEventIds,
    exceptionId,
    details: {
      staffId: created.staffId,
      staffCode: created.staffCode,
      name: created.name,
      claimedRole: created.role,
      treatedAs: LOWEST_ROLE,
      createdBy: created.createdBy,
      cause: judgement.reason,
      message: describeCreation(created as EventPayloads['staff.created'], judgement, nodeId),
      resolution: {
        message:
          `Recorded as ${created.staffId} of store ${nodeId} with the role ${LOWEST_ROLE}; ` +
          'nothing they did was refused (offline sales are never refused).',
      },
    },
  });
  return exceptionId;
}

/**
 * Applies `staff.created`: records the person for the store with the role the hub believes, raises an
 * exception when that is not the role claimed, and settles what waited for them (later creations they
 * made, sales that relied on their role). Refused only when the staff id is already someone else's.
 */
export async function applyStaffCreated(
  tx: HubTx,
  event: EventEnvelope,
  created: EventPayloads['staff.created'],
  origin: { readonly nodeId: string; readonly deviceId: string },
): Promise<ApplyOutcome> {
  const { nodeId } = origin;
  const records = await staffRecords(tx, [created.staffId, created.createdBy]);
  const existing = records.get(created.staffId);
  if (existing?.kind === 'hq') {
    return {
      status: 'rejected',
      reason: `Staff member ${created.staffId} is managed by HQ; a store cannot create them. Nothing of it was applied.`,
    };
  }
  if (existing !== undefined) {
    return {
      status: 'rejected',
      reason: `Staff member ${created.staffId} was already created (event ${existing.eventId}); a second creation is not applied.`,
    };
  }
  const judgement = judgeCreation(created, believedRole(records.get(created.createdBy), nodeId), nodeId);
  const exceptionId =
    judgement.status === 'verified' ? null : raiseFor(tx, nodeId, [event.eventId], created, judgement);
  const row: StoreCreatedStaffTable = {
    staff_id: created.staffId,
    node_id: nodeId,
    device_id: origin.deviceId,
    event_id: event.eventId,
    staff_code: created.staffCode,
    name: created.name,
    claimed_role: created.role,
    role: judgement.role,
    status: judgement.status,
    reason: judgement.reason ?? null,
    created_by: created.createdBy,
    created_at: Date.parse(created.createdAt),
    recorded_at: tx.at,
    judged_at: tx.at,
    exception_id: exceptionId,
  };
  await tx.trx.insertInto('store_created_staff').values(row).execute();
  cacheOf(tx).set(created.staffId, storeRecord(row));
  if (judgement.status !== 'unverified') await settleDependents(tx, nodeId, created.staffId, event.eventId);
  tx.recheckAfterCommit.add(settleWaitingStaff);
  return { status: 'applied' };
}

/**
 * Someone's standing became final (verified or not believed): judge again the creations they made that
 * waited for them, and the sale exceptions that relied on a role claimed for them.
 */
async function settleDependents(
  tx: HubTx,
  nodeId: string,
  staffId: string,
  causeEventId: string,
): Promise<void> {
  const settled = believedRole(cacheOf(tx).get(staffId) ?? undefined, nodeId);
  await settleDoubts(tx, nodeId, staffId, settled, causeEventId);
  const waiting = await tx.trx
    .selectFrom('store_created_staff')
    .selectAll()
    .where('created_by', '=', staffId)
    .where('node_id', '=', nodeId)
    .where('status', '=', 'unverified')
    .execute();
  for (const dependent of waiting) {
    const claimed = isStaffRole(dependent.claimed_role) ? dependent.claimed_role : LOWEST_ROLE;
    const creation = { staffId: dependent.staff_id, role: claimed, createdBy: staffId };
    const judgement = judgeCreation(creation, settled, nodeId);
    if (judgement.status === 'unverified') continue;
    const note =
      judgement.status === 'verified'
        ? `Verified: ${staffId}, who created ${dependent.name} as a ${claimed}, is a ${settled.role} by the hub's records (event ${causeEventId}).`
        : `Not believed now that ${staffId}'s record arrived (event ${causeEventId}): ${judgement.reason ?? ''}`;
    // Judged here only if still waiting: a concurrent transaction's settleWaitingStaff may have got there first.
    const [judged] = await tx.trx
      .updateTable('store_created_staff')
      .set({
        role: judgement.role,
        status: judgement.status,
        reason: judgement.reason ?? null,
        judged_at: tx.at,
        exception_id: null,
      })
      .where('staff_id', '=', dependent.staff_id)
      .where('status', '=', 'unverified')
      .execute();
    if (judged === undefined || judged.numUpdatedRows === 0n) continue;
    if (judgement.status === 'rejected') {
      const exceptionId = raiseFor(
        tx,
        nodeId,
        [dependent.event_id, causeEventId],
        {
          staffId: dependent.staff_id,
          staffCode: dependent.staff_code,
          name: dependent.name,
          role: claimed,
          createdBy: staffId,
        },
        judgement,
      );
      await tx.trx
        .updateTable('store_created_staff')
        .set({ exception_id: exceptionId })
        .where('staff_id', '=', dependent.staff_id)
        .execute();
    }
    if (dependent.exception_id !== null) {
      await closeSettledException(tx.trx, dependent.exception_id, note, 'hub', tx.at);
    }
    cacheOf(tx).set(
      dependent.staff_id,
      storeRecord({ ...dependent, role: judgement.role, status: judgement.status }),
    );
    await settleDependents(tx, nodeId, dependent.staff_id, causeEventId);
  }
}

/**
 * The sale exceptions that waited for `staffId`'s role: closed once every staff member they doubted is
 * verified with at least the role the till claimed; otherwise annotated with what the hub now knows.
 */
async function settleDoubts(
  tx: HubTx,
  nodeId: string,
  staffId: string,
  settled: BelievedRole,
  causeEventId: string,
): Promise<void> {
  const doubts = await tx.trx
    .selectFrom('staff_role_doubts')
    .select(['exception_id', 'claimed_role'])
    .where('staff_id', '=', staffId)
    .where('node_id', '=', nodeId)
    .execute();
  for (const doubt of doubts) {
    const claimed = isStaffRole(doubt.claimed_role) ? doubt.claimed_role : LOWEST_ROLE;
    const holds =
      settled.standing === 'verified' && STAFF_ROLE_RANK[settled.role] >= STAFF_ROLE_RANK[claimed];
    const [removed] = await tx.trx
      .deleteFrom('staff_role_doubts')
      .where('exception_id', '=', doubt.exception_id)
      .where('staff_id', '=', staffId)
      .execute();
    // Another transaction settled this doubt meanwhile (settleWaitingStaff after a concurrent commit).
    if (removed === undefined || removed.numDeletedRows === 0n) continue;
    if (!holds) {
      await annotateException(
        tx.trx,
        doubt.exception_id,
        `${staffId}'s record arrived (event ${causeEventId}): the hub believes them a ${settled.role} ` +
          `(${settled.standing}), not the ${claimed} the till claimed. The limit stands as checked.`,
        tx.at,
      );
      continue;
    }
    const left = await tx.trx
      .selectFrom('staff_role_doubts')
      .select('staff_id')
      .where('exception_id', '=', doubt.exception_id)
      .execute();
    if (left.length > 0) {
      await annotateException(
        tx.trx,
        doubt.exception_id,
        `${staffId} is verified as a ${settled.role} (event ${causeEventId}); still waiting for ${left.map((row) => row.staff_id).join(', ')}.`,
        tx.at,
      );
      continue;
    }
    await closeSettledException(
      tx.trx,
      doubt.exception_id,
      `Verified: ${staffId} is a ${settled.role} by the hub's records (event ${causeEventId}), as the till claimed; ` +
        'the discount was within the limit of the roles that approved it.',
      'hub',
      tx.at,
    );
  }
}

/** Links a sale's STAFF_ROLE_UNVERIFIED exception to the staff whose claimed role it waits for. */
export async function recordRoleDoubts(
  tx: HubTx,
  exceptionId: string,
  nodeId: string,
  claims: ReadonlyMap<string, StaffRole>,
): Promise<void> {
  if (claims.size === 0) return;
  tx.recheckAfterCommit.add(settleWaitingStaff);
  await tx.trx
    .insertInto('staff_role_doubts')
    .values(
      [...claims].map(([staffId, claimedRole]) => ({
        exception_id: exceptionId,
        staff_id: staffId,
        node_id: nodeId,
        claimed_role: claimedRole,
      })),
    )
    .execute();
}

/**
 * Settles what still waits for someone whose standing is final: sale doubts about them and creations they
 * made. Normally the transaction that makes a standing final settles these itself; on PostgreSQL a doubt
 * or a creation committed at the same moment by another till's push is invisible to it, and neither
 * transaction sees the other's row. Each transaction that records a doubt or a creation therefore runs this
 * once more after it commits (HubTx.recheckAfterCommit): whichever of the two commits last sees both. The
 * hub's 5-second sweep runs it too, for a process that stopped between its commit and this check.
 */
export async function settleWaitingStaff(hub: HubContext): Promise<void> {
  const settledStore = (staffId: 'd.staff_id' | 'c.created_by', nodeId: 'd.node_id' | 'c.node_id') =>
    sql<boolean>`exists (select 1 from store_created_staff s where s.staff_id = ${sql.ref(staffId)}
      and s.node_id = ${sql.ref(nodeId)} and s.status <> 'unverified')`;
  const doubted = await hub.storage.db
    .selectFrom('staff_role_doubts as d')
    .select(['d.node_id as nodeId', 'd.staff_id as staffId'])
    .where(settledStore('d.staff_id', 'd.node_id'))
    .distinct()
    .execute();
  const creators = await hub.storage.db
    .selectFrom('store_created_staff as c')
    .select(['c.node_id as nodeId', 'c.created_by as staffId'])
    .where('c.status', '=', 'unverified')
    .where(settledStore('c.created_by', 'c.node_id'))
    .distinct()
    .execute();
  const waiting = new Map(
    [...doubted, ...creators].map((entry) => [`${entry.nodeId}\u0000${entry.staffId}`, entry]),
  );
  if (waiting.size === 0) return;
  const ordered = [...waiting.values()].sort((a, b) =>
    a.nodeId === b.nodeId ? (a.staffId < b.staffId ? -1 : 1) : a.nodeId < b.nodeId ? -1 : 1,
  );
  await inHubTransaction(hub, async (tx) => {
    const records = await staffRecords(
      tx,
      ordered.map((entry) => entry.staffId),
    );
    for (const { nodeId, staffId } of ordered) {
      const record = records.get(staffId);
      if (record?.kind !== 'store' || record.status === 'unverified') continue;
      await settleDependents(tx, nodeId, staffId, record.eventId);
    }
  });
}

export const StoreCreatedStaffSchema = z.object({
  staffId: z.string(),
  storeId: z.string(),
  staffCode: z.string(),
  name: z.string(),
  /** The role the till gave them. */
  claimedRole: z.enum(STAFF_ROLES),
  /** What the hub believes: the claimed role when verified, else cashier. */
  role: z.enum(STAFF_ROLES),
  status: z.enum(['verified', 'rejected', 'unverified']),
  verified: z.boolean(),
  /** Why the role is not believed (null when verified). */
  reason: z.string().nullable(),
  createdBy: z.string(),
  /** The creator's name when the hub knows them (HQ's staff or a store creation). */
  createdByName: z.string().nullable(),
  deviceId: z.string(),
  eventId: z.string(),
  /** The till's time of the creation, and when the hub recorded it (epoch ms). */
  createdAt: z.number().int(),
  recordedAt: z.number().int(),
  /** The exception raised about the claim, when there is one. */
  exceptionId: z.string().nullable(),
});
export type StoreCreatedStaff = z.infer<typeof StoreCreatedStaffSchema>;

export const StoreCreatedStaffQuerySchema = z
  .object({
    storeId: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(500),
  })
  .strict();

/** Store-created staff for HQ, newest first; `storeId` narrows to one store. */
export async function listStoreCreatedStaff(
  executor: Executor,
  filter: Partial<z.infer<typeof StoreCreatedStaffQuerySchema>> = {},
): Promise<StoreCreatedStaff[]> {
  const rows = await executor
    .selectFrom('store_created_staff')
    .selectAll()
    .$if(filter.storeId !== undefined, (query) => query.where('node_id', '=', filter.storeId ?? ''))
    .orderBy('created_at', 'desc')
    .orderBy('staff_id')
    .limit(filter.limit ?? 500)
    .execute();
  const names = await creatorNames(
    executor,
    rows.map((row) => row.created_by),
  );
  return rows.map((row) => toStoreCreatedStaff(row, names));
}

/** The names of the people who created store staff: HQ's staff or store creations. */
async function creatorNames(executor: Executor, staffIds: readonly string[]): Promise<Map<string, string>> {
  const creatorIds = [...new Set(staffIds)];
  const names = new Map<string, string>();
  if (creatorIds.length === 0) return names;
  for (const row of await executor
    .selectFrom('hq_staff')
    .select(['staff_id', 'name'])
    .where('staff_id', 'in', creatorIds)
    .execute())
    names.set(row.staff_id, row.name);
  for (const row of await executor
    .selectFrom('store_created_staff')
    .select(['staff_id', 'name'])
    .where('staff_id', 'in', creatorIds)
    .execute())
    names.set(row.staff_id, row.name);
  return names;
}

function toStoreCreatedStaff(
  row: StoreCreatedStaffTable,
  names: ReadonlyMap<string, string>,
): StoreCreatedStaff {
  return {
    staffId: row.staff_id,
    storeId: row.node_id,
    staffCode: row.staff_code,
    name: row.name,
    claimedRole: isStaffRole(row.claimed_role) ? row.claimed_role : LOWEST_ROLE,
    role: isStaffRole(row.role) ? row.role : LOWEST_ROLE,
    status: row.status,
    verified: row.status === 'verified',
    reason: row.reason,
    createdBy: row.created_by,
    createdByName: names.get(row.created_by) ?? null,
    deviceId: row.device_id,
    eventId: row.event_id,
    createdAt: Number(row.created_at),
    recordedAt: Number(row.recorded_at),
    exceptionId: row.exception_id,
  };
}

export const VouchForStoreStaffSchema = z
  .object({
    /** The role HQ vouches for: the one the store gave, or a lower one. */
    role: z.enum(STAFF_ROLES),
  })
  .strict();

/**
 * HQ vouches for someone a store created whom the hub could not believe (their creator is unknown to it,
 * e.g. the manager a store node was set up with, or was not entitled): the person is verified with the
 * role HQ names (at most the one the store gave; HQ manages anyone it wants to give more to), their
 * exception is closed with who vouched, and what waited for them is judged again: the people they
 * created (also those not believed because of them) and the sales that relied on their role.
 */
export async function vouchForStoreStaff(
  hub: HubContext,
  staffId: string,
  input: z.infer<typeof VouchForStoreStaffSchema>,
  actor: string,
): Promise<StoreCreatedStaff> {
  return inHubTransaction(hub, async (tx) => {
    const row = await tx.trx
      .selectFrom('store_created_staff')
      .selectAll()
      .where('staff_id', '=', staffId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (row === undefined) {
      throw new DomainError('NOT_FOUND', 'hub.staff.storeCreatedNotFound', { staffId }, { staffId });
    }
    const claimed = isStaffRole(row.claimed_role) ? row.claimed_role : LOWEST_ROLE;
    if (STAFF_ROLE_RANK[input.role] > STAFF_ROLE_RANK[claimed]) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.staff.vouchAboveClaim',
        { staffId, role: input.role, claimedRole: claimed },
        { staffId, role: input.role, claimedRole: claimed },
      );
    }
    // Vouching raises the hub's belief; a lower role for someone already verified would leave standing
    // what was believed because of their role (people they created, sales they approved).
    if (
      row.status === 'verified' &&
      isStaffRole(row.role) &&
      STAFF_ROLE_RANK[input.role] < STAFF_ROLE_RANK[row.role]
    ) {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.staff.vouchBelowVerified',
        { staffId, role: input.role, verifiedRole: row.role },
        { staffId, role: input.role, verifiedRole: row.role },
      );
    }
    const before = toStoreCreatedStaff(row, new Map());
    const verified = {
      ...row,
      role: input.role,
      status: 'verified' as const,
      reason: null,
      exception_id: null,
    };
    if (row.status !== 'verified' || row.role !== input.role) {
      await tx.trx
        .updateTable('store_created_staff')
        .set({ role: input.role, status: 'verified', reason: null, judged_at: tx.at, exception_id: null })
        .where('staff_id', '=', staffId)
        .execute();
      if (row.exception_id !== null) {
        await closeSettledException(
          tx.trx,
          row.exception_id,
          `HQ (${actor}) vouched for ${row.name} (${row.staff_code}) as a ${input.role} of store ${row.node_id}.`,
          actor,
          tx.at,
        );
      }
      cacheOf(tx).set(staffId, storeRecord(verified));
      await reconsiderCreations(tx, row.node_id, staffId, actor);
      await settleDependents(tx, row.node_id, staffId, row.event_id);
      await recordAudit(
        tx.trx,
        {
          actor,
          action: 'staff.vouch',
          subject: `staff:${staffId}`,
          before,
          after: toStoreCreatedStaff(verified, new Map()),
        },
        tx.at,
        hub.newId,
      );
    }
    return toStoreCreatedStaff(verified, await creatorNames(tx.trx, [row.created_by]));
  });
}

/**
 * The creations `staffId` made that were not believed because of who they were: judged again now that HQ
 * vouched for them (a rejection for the role asked, above the creator's, stands), down the chain.
 */
async function reconsiderCreations(tx: HubTx, nodeId: string, staffId: string, actor: string): Promise<void> {
  const creator = believedRole(cacheOf(tx).get(staffId) ?? undefined, nodeId);
  const rejected = await tx.trx
    .selectFrom('store_created_staff')
    .selectAll()
    .where('created_by', '=', staffId)
    .where('node_id', '=', nodeId)
    .where('status', '=', 'rejected')
    .execute();
  for (const dependent of rejected) {
    const claimed = isStaffRole(dependent.claimed_role) ? dependent.claimed_role : LOWEST_ROLE;
    const judgement = judgeCreation(
      { staffId: dependent.staff_id, role: claimed, createdBy: staffId },
      creator,
      nodeId,
    );
    if (judgement.status !== 'verified') continue;
    await tx.trx
      .updateTable('store_created_staff')
      .set({ role: judgement.role, status: 'verified', reason: null, judged_at: tx.at, exception_id: null })
      .where('staff_id', '=', dependent.staff_id)
      .where('status', '=', 'rejected')
      .execute();
    if (dependent.exception_id !== null) {
      await closeSettledException(
        tx.trx,
        dependent.exception_id,
        `Verified: HQ (${actor}) vouched for ${staffId}, who created ${dependent.name} as a ${claimed}.`,
        actor,
        tx.at,
      );
    }
    cacheOf(tx).set(
      dependent.staff_id,
      storeRecord({ ...dependent, role: judgement.role, status: 'verified' }),
    );
    await reconsiderCreations(tx, nodeId, dependent.staff_id, actor);
    await settleDependents(tx, nodeId, dependent.staff_id, dependent.event_id);
  }
}
