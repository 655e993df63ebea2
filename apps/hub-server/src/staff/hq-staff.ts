import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { STAFF_ROLES, StaffFeedSchema, type StaffFeed } from '@retail/sync';
import { hashPinAsync } from '@retail/sync/pin-hash';
import { recordAudit } from '../audit/hq-audit';
import { CHAIN_SCOPE } from '../feed/feed-store';
import type { HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import type { HqStaffTable } from '../storage/schema';
import type { Executor } from '../storage/storage';
import { compiledQuery } from '../storage/compiled-query';

/**
 * Staff HQ manages (issue 16 "central staff"): created, edited and deactivated at HQ, carried to every
 * till as `staff` rows of the change feed. The PIN is hashed here (the format tills verify, pin-hash.ts)
 * and never stored, logged or shown; a till signs a person in only at the stores their `stores` list
 * names (empty: every store). Each change checks the version the operator saw and writes an HQ audit entry.
 * Stores can still create their own staff while offline; those stay store-local.
 */

const staffCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,32}$/, 'A staff code is 1 to 32 letters, digits, dots, dashes or underscores.');
const pin = z.string().regex(/^\d{4,12}$/, 'A PIN is 4 to 12 digits.');
const stores = z.array(z.string().trim().min(1).max(100)).max(500);

export const CreateStaffSchema = z
  .object({
    staffCode,
    name: z.string().trim().min(1).max(200),
    role: z.enum(STAFF_ROLES),
    pin,
    stores: stores.default([]),
  })
  .strict();
export type CreateStaff = z.infer<typeof CreateStaffSchema>;

export const UpdateStaffSchema = z
  .object({
    expectedVersion: z.number().int().min(1),
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(STAFF_ROLES).optional(),
    pin: pin.optional(),
    stores: stores.optional(),
    active: z.boolean().optional(),
  })
  .strict();
export type UpdateStaff = z.infer<typeof UpdateStaffSchema>;

export const HqStaffSchema = z.object({
  staffId: z.string(),
  staffCode: z.string(),
  name: z.string(),
  role: z.enum(STAFF_ROLES),
  active: z.boolean(),
  stores: z.array(z.string()),
  version: z.number().int(),
  deactivatedAt: z.number().int().nullable(),
  updatedAt: z.number().int(),
  updatedBy: z.string(),
});
export type HqStaff = z.infer<typeof HqStaffSchema>;

function toStaff(row: HqStaffTable): HqStaff {
  return {
    staffId: row.staff_id,
    staffCode: row.staff_code,
    name: row.name,
    role: row.role as HqStaff['role'],
    active: row.active === 1,
    stores: JSON.parse(row.stores) as string[],
    version: Number(row.version),
    deactivatedAt: row.deactivated_at === null ? null : Number(row.deactivated_at),
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
  };
}

/** What the audit log keeps of a staff member: everything but the PIN hash. */
function audited(staff: HqStaff): Record<string, unknown> {
  const { staffId: _id, updatedAt: _at, updatedBy: _by, ...rest } = staff;
  return rest;
}

function feedRow(row: HqStaffTable): StaffFeed {
  const staff = toStaff(row);
  return StaffFeedSchema.parse({
    staffId: staff.staffId,
    staffCode: staff.staffCode,
    name: staff.name,
    role: staff.role,
    pinHash: row.pin_hash,
    active: staff.active,
    stores: staff.stores,
    version: staff.version,
  });
}

export async function listStaff(executor: Executor): Promise<HqStaff[]> {
  const rows = await executor
    .selectFrom('hq_staff')
    .selectAll()
    .orderBy('name')
    .orderBy('staff_code')
    .execute();
  return rows.map(toStaff);
}

export async function getStaff(executor: Executor, staffId: string): Promise<HqStaff> {
  const row = await executor
    .selectFrom('hq_staff')
    .selectAll()
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  if (row === undefined)
    throw new DomainError('NOT_FOUND', 'hub.staff.noStaffMember', { staffId }, { staffId });
  return toStaff(row);
}

async function checkStores(executor: Executor, wanted: readonly string[]): Promise<string[]> {
  const unique = [...new Set(wanted)].sort();
  if (unique.length === 0) return unique;
  const rows = await executor
    .selectFrom('nodes')
    .select('node_id')
    .where('node_id', 'in', unique)
    .where('kind', '=', 'store')
    .execute();
  const known = new Set(rows.map((row) => row.node_id));
  const unknown = unique.filter((nodeId) => !known.has(nodeId));
  if (unknown.length > 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.staff.notStoresChain',
      { unknown: unknown.join(', ') },
      {
        stores: unknown,
      },
    );
  }
  return unique;
}

const hashNewPin = (value: string) => hashPinAsync(value, (length) => randomBytes(length));

export async function createStaff(hub: HubContext, input: CreateStaff, actor: string): Promise<HqStaff> {
  const storeIds = await checkStores(hub.storage.db, input.stores);
  const pinHash = await hashNewPin(input.pin);
  return inHubTransaction(hub, async (tx) => {
    const taken = await tx.trx
      .selectFrom('hq_staff')
      .select(['name'])
      .where('staff_code_key', '=', input.staffCode.toLowerCase())
      .executeTakeFirst();
    if (taken !== undefined) {
      throw new DomainError(
        'CONFLICT',
        'hub.staff.staffCodeAlreadyTaken',
        { staffCode: input.staffCode, takenName: taken.name },
        {
          staffCode: input.staffCode,
        },
      );
    }
    const row: HqStaffTable = {
      staff_id: hub.newId(),
      staff_code: input.staffCode,
      staff_code_key: input.staffCode.toLowerCase(),
      name: input.name,
      role: input.role,
      pin_hash: pinHash,
      active: 1,
      stores: JSON.stringify(storeIds),
      version: 1,
      deactivated_at: null,
      created_at: tx.at,
      updated_at: tx.at,
      updated_by: actor,
    };
    await tx.trx.insertInto('hq_staff').values(row).execute();
    tx.publish({ entity: 'staff', key: row.staff_id, op: 'upsert', scope: CHAIN_SCOPE, data: feedRow(row) });
    const created = toStaff(row);
    await recordAudit(
      tx.trx,
      {
        actor,
        action: 'staff.create',
        subject: `staff:${row.staff_id}`,
        before: null,
        after: audited(created),
      },
      tx.at,
      hub.newId,
    );
    return created;
  });
}

/**
 * Changes a staff member if they are still at the version the operator saw (CONFLICT otherwise, naming
 * the current version). A deactivation reaches every till with the next feed pull and ends the person's
 * sessions there; a new PIN replaces the hash everywhere.
 */
export async function updateStaff(
  hub: HubContext,
  staffId: string,
  input: UpdateStaff,
  actor: string,
): Promise<HqStaff> {
  const storeIds = input.stores === undefined ? undefined : await checkStores(hub.storage.db, input.stores);
  const pinHash = input.pin === undefined ? undefined : await hashNewPin(input.pin);
  return inHubTransaction(hub, async (tx) => {
    const current = await tx.trx
      .selectFrom('hq_staff')
      .selectAll()
      .where('staff_id', '=', staffId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (current === undefined) {
      throw new DomainError('NOT_FOUND', 'hub.staff.noStaffMember', { staffId }, { staffId });
    }
    const before = toStaff(current);
    if (before.version !== input.expectedVersion) {
      throw new DomainError(
        'CONFLICT',
        'hub.staff.changedSinceOpenedVersion',
        {
          beforeName: before.name,
          updatedBy: before.updatedBy,
          version: before.version,
          expectedVersion: input.expectedVersion,
        },
        { staffId, version: before.version, expectedVersion: input.expectedVersion },
      );
    }
    const active = input.active ?? before.active;
    const row: HqStaffTable = {
      ...current,
      name: input.name ?? current.name,
      role: input.role ?? current.role,
      pin_hash: pinHash ?? current.pin_hash,
      stores: storeIds === undefined ? current.stores : JSON.stringify(storeIds),
      active: active ? 1 : 0,
      deactivated_at: active ? null : before.active ? tx.at : before.deactivatedAt,
      version: before.version + 1,
      updated_at: tx.at,
      updated_by: actor,
    };
    await tx.trx
      .updateTable('hq_staff')
      .set({
        name: row.name,
        role: row.role,
        pin_hash: row.pin_hash,
        stores: row.stores,
        active: row.active,
        deactivated_at: row.deactivated_at,
        version: row.version,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      })
      .where('staff_id', '=', staffId)
      .execute();
    tx.publish({ entity: 'staff', key: staffId, op: 'upsert', scope: CHAIN_SCOPE, data: feedRow(row) });
    const after = toStaff(row);
    const action =
      before.active && !after.active
        ? 'staff.deactivate'
        : !before.active && after.active
          ? 'staff.reactivate'
          : 'staff.update';
    await recordAudit(
      tx.trx,
      {
        actor,
        action,
        subject: `staff:${staffId}`,
        before: audited(before),
        after: { ...audited(after), ...(pinHash === undefined ? {} : { pinChanged: true }) },
      },
      tx.at,
      hub.newId,
    );
    return after;
  });
}

/** The HQ staff named by `staffIds`, for checking the events that name them (see ingest/store-scope.ts). */
const hqStaffReads = compiledQuery<Pick<HqStaffTable, 'staff_id' | 'stores' | 'active' | 'deactivated_at'>>();

export async function hqStaffFacts(
  executor: Executor,
  staffIds: readonly string[],
): Promise<Map<string, { readonly stores: readonly string[]; readonly deactivatedAt: number | null }>> {
  const facts = new Map<string, { stores: string[]; deactivatedAt: number | null }>();
  if (staffIds.length === 0) return facts;
  const ids = [...staffIds];
  // Every ingest push asks: the statement is built by Kysely once per list length.
  const rows = await hqStaffReads(executor, `hq staff:${ids.length}`, ids, () =>
    executor
      .selectFrom('hq_staff')
      .select(['staff_id', 'stores', 'active', 'deactivated_at'])
      .where('staff_id', 'in', ids),
  );
  for (const row of rows) {
    facts.set(row.staff_id, {
      stores: JSON.parse(row.stores) as string[],
      deactivatedAt: row.active === 1 || row.deactivated_at === null ? null : Number(row.deactivated_at),
    });
  }
  return facts;
}
