import { DomainError } from '@retail/domain';
import type { Role, StaffSummary } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import { hashPin, type PinHashCost } from '../pin';

export interface StaffRow {
  staffId: string;
  staffCode: string;
  name: string;
  role: Role;
  pinHash: string;
  active: number;
}

export const STAFF_COLUMNS = `staff_id AS staffId, staff_code AS staffCode, name, role, pin_hash AS pinHash, active`;

export function findStaffByCode(ctx: TxContext, staffCode: string): StaffRow | undefined {
  return sql(ctx.db, `SELECT ${STAFF_COLUMNS} FROM staff WHERE staff_code = ?`).get(staffCode) as
    StaffRow | undefined;
}

export interface NewStaff {
  readonly staffCode: string;
  readonly name: string;
  readonly role: Role;
  readonly pin: string;
}

/** Adds a staff member; used by `staff-create`, `pos-store init` and fixture loading alike. */
export function createStaff(ctx: TxContext, staff: NewStaff, pinCost: PinHashCost): StaffSummary {
  const existing = findStaffByCode(ctx, staff.staffCode);
  if (existing) {
    throw new DomainError(
      'CONFLICT',
      'services.staffCodeAlreadyTaken',
      { staffCode: staff.staffCode, existingName: existing.name },
      {
        staffCode: staff.staffCode,
      },
    );
  }
  const staffId = ctx.newId();
  sql(
    ctx.db,
    `INSERT INTO staff (staff_id, staff_code, name, role, pin_hash, active, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
  ).run(
    staffId,
    staff.staffCode,
    staff.name,
    staff.role,
    hashPin(staff.pin, ctx.randomBytes, pinCost),
    ctx.nowIso,
    ctx.nowIso,
  );
  return {
    staffId,
    staffCode: staff.staffCode,
    name: staff.name,
    role: staff.role,
    active: true,
    lockedUntil: null,
    lockouts: [],
  };
}
