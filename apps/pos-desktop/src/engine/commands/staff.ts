import { DomainError } from '@retail/domain';
import type { ManagerOverrideSchema } from '@retail/sync';
import type { z } from 'zod';
import type { CommandRequest, OverrideAction, Role, StaffSummary } from '../../shared/commands';
import { hashSessionToken, reject, type CommandContext, type CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { formatLocalTime } from '../format';
import { hashPin, verifyPin, type PinHashCost } from '../pin';
import type { NodeSettings } from '../settings';

interface StaffRow {
  staffId: string;
  staffCode: string;
  name: string;
  role: Role;
  pinHash: string;
  active: number;
  failedAttempts: number;
  lockedUntilMs: number | null;
}

const STAFF_COLUMNS = `staff_id AS staffId, staff_code AS staffCode, name, role, pin_hash AS pinHash, active,
  failed_attempts AS failedAttempts, locked_until_ms AS lockedUntilMs`;

export function findStaffByCode(ctx: TxContext, staffCode: string): StaffRow | undefined {
  return sql(ctx.db, `SELECT ${STAFF_COLUMNS} FROM staff WHERE staff_code = ?`).get(staffCode) as
    StaffRow | undefined;
}

function toSummary(row: StaffRow, nowMs: number): StaffSummary {
  const locked = row.lockedUntilMs !== null && row.lockedUntilMs > nowMs;
  return {
    staffId: row.staffId,
    staffCode: row.staffCode,
    name: row.name,
    role: row.role,
    active: row.active === 1,
    lockedUntil: locked && row.lockedUntilMs !== null ? new Date(row.lockedUntilMs).toISOString() : null,
  };
}

/**
 * Hash of a PIN nobody has, checked when a staff code is unknown so that a wrong code takes as long as a
 * wrong PIN and the answer time does not reveal which codes exist.
 */
const decoyHashes = new Map<string, string>();
function decoyHash(ctx: CommandContext): string {
  const key = `${ctx.pinCost.n}/${ctx.pinCost.r}/${ctx.pinCost.p}`;
  let hash = decoyHashes.get(key);
  if (!hash) {
    hash = hashPin('decoy-pin', ctx.randomBytes, ctx.pinCost);
    decoyHashes.set(key, hash);
  }
  return hash;
}

/**
 * Checks a PIN and keeps the lockout counters. Returns the error to report (after the counters are
 * written) or undefined when the PIN is right.
 */
function checkPin(
  ctx: CommandContext,
  staff: StaffRow,
  pin: string,
  settings: NodeSettings,
): DomainError | undefined {
  if (staff.active !== 1) {
    return new DomainError('FORBIDDEN', `The account of ${staff.name} is disabled. Ask a manager.`);
  }
  const lockActive = staff.lockedUntilMs !== null && staff.lockedUntilMs > ctx.nowMs;
  if (lockActive && staff.lockedUntilMs !== null) {
    return new DomainError(
      'LOCKED_OUT',
      `Too many wrong PINs: ${staff.name} is locked out until ${formatLocalTime(ctx.identity, staff.lockedUntilMs)}. A manager can unlock sooner.`,
      { lockedUntil: new Date(staff.lockedUntilMs).toISOString() },
    );
  }
  if (verifyPin(pin, staff.pinHash)) {
    if (staff.failedAttempts > 0 || staff.lockedUntilMs !== null) {
      sql(
        ctx.db,
        'UPDATE staff SET failed_attempts = 0, locked_until_ms = NULL, updated_at = ? WHERE staff_id = ?',
      ).run(ctx.nowIso, staff.staffId);
    }
    return undefined;
  }
  const attempts = staff.failedAttempts + 1;
  if (attempts >= settings.lockoutAttempts) {
    const lockedUntilMs = ctx.nowMs + settings.lockoutMs;
    sql(
      ctx.db,
      'UPDATE staff SET failed_attempts = 0, locked_until_ms = ?, updated_at = ? WHERE staff_id = ?',
    ).run(lockedUntilMs, ctx.nowIso, staff.staffId);
    ctx.audit({
      action: 'staff-locked-out',
      staffId: staff.staffId,
      subject: staff.staffCode,
      details: { attempts, lockedUntil: new Date(lockedUntilMs).toISOString() },
    });
    return new DomainError(
      'LOCKED_OUT',
      `Too many wrong PINs: ${staff.name} is locked out until ${formatLocalTime(ctx.identity, lockedUntilMs)}. A manager can unlock sooner.`,
      { lockedUntil: new Date(lockedUntilMs).toISOString() },
    );
  }
  sql(
    ctx.db,
    'UPDATE staff SET failed_attempts = ?, locked_until_ms = NULL, updated_at = ? WHERE staff_id = ?',
  ).run(attempts, ctx.nowIso, staff.staffId);
  const left = settings.lockoutAttempts - attempts;
  return new DomainError(
    'UNAUTHORIZED',
    `Staff code or PIN is wrong. ${left} more wrong ${left === 1 ? 'try locks' : 'tries lock'} the account.`,
    { attemptsLeft: left },
  );
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
    throw new DomainError('CONFLICT', `Staff code ${staff.staffCode} is already taken by ${existing.name}.`, {
      staffCode: staff.staffCode,
    });
  }
  const staffId = ctx.newId();
  sql(
    ctx.db,
    `INSERT INTO staff (staff_id, staff_code, name, role, pin_hash, active, failed_attempts, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?)`,
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
  };
}

export type ManagerOverride = z.infer<typeof ManagerOverrideSchema> & { readonly overrideId: string };

/**
 * Uses up a manager override for `action` in the current transaction. Managers authorize themselves:
 * their own session is the override, recorded with the command's reason.
 */
export function consumeOverride(
  ctx: CommandContext,
  overrideId: string | undefined,
  action: OverrideAction,
  selfReason: string,
  requirement: string,
): ManagerOverride {
  const actor = ctx.staff();
  if (overrideId === undefined) {
    if (actor.role === 'manager') {
      return { overrideId: '', managerId: actor.staffId, reason: selfReason, at: ctx.nowIso };
    }
    throw new DomainError('OVERRIDE_REQUIRED', `${requirement} Ask a manager to authorize it.`, { action });
  }
  const row = sql(
    ctx.db,
    `SELECT override_id AS overrideId, action, manager_id AS managerId, requested_by AS requestedBy, reason,
       created_at_ms AS createdAtMs, expires_at_ms AS expiresAtMs, consumed_at_ms AS consumedAtMs
     FROM manager_overrides WHERE override_id = ?`,
  ).get(overrideId) as
    | {
        overrideId: string;
        action: string;
        managerId: string;
        requestedBy: string;
        reason: string;
        createdAtMs: number;
        expiresAtMs: number;
        consumedAtMs: number | null;
      }
    | undefined;
  const refuse = (why: string) =>
    new DomainError('OVERRIDE_REQUIRED', `${why} Ask a manager to authorize it again.`, {
      action,
      overrideId,
    });
  if (!row) throw refuse('That manager override does not exist.');
  if (row.action !== action)
    throw refuse(`That manager override was given for ${row.action}, not ${action}.`);
  if (row.consumedAtMs !== null) throw refuse('That manager override has already been used.');
  if (row.expiresAtMs <= ctx.nowMs) throw refuse('That manager override has expired.');
  if (row.requestedBy !== actor.staffId) throw refuse('That manager override was given to someone else.');
  sql(
    ctx.db,
    'UPDATE manager_overrides SET consumed_at_ms = ?, consumed_by_command = ?, consumed_tx_id = ? WHERE override_id = ?',
  ).run(ctx.nowMs, ctx.command, ctx.txId, row.overrideId);
  return {
    overrideId: row.overrideId,
    managerId: row.managerId,
    reason: row.reason,
    at: new Date(row.createdAtMs).toISOString(),
  };
}

function signIn(ctx: CommandContext, input: CommandRequest<'staff-sign-in'>) {
  const staff = findStaffByCode(ctx, input.staffCode);
  if (!staff) {
    verifyPin(input.pin, decoyHash(ctx));
    ctx.audit({
      action: 'staff-sign-in-failed',
      subject: input.staffCode,
      details: { reason: 'unknown staff code' },
    });
    return reject(new DomainError('UNAUTHORIZED', 'Staff code or PIN is wrong.'));
  }
  const settings = ctx.settings();
  const pinError = checkPin(ctx, staff, input.pin, settings);
  if (pinError) {
    ctx.audit({
      action: 'staff-sign-in-failed',
      staffId: staff.staffId,
      subject: staff.staffCode,
      details: { reason: pinError.code },
    });
    return reject(pinError);
  }
  const token = Buffer.from(ctx.randomBytes(32)).toString('base64url');
  const sessionId = ctx.newId();
  const expiresAtMs = ctx.nowMs + settings.sessionTtlMs;
  sql(
    ctx.db,
    `INSERT INTO staff_sessions (token_hash, session_id, staff_id, started_at_ms, expires_at_ms)
     VALUES (?, ?, ?, ?, ?)`,
  ).run(hashSessionToken(token), sessionId, staff.staffId, ctx.nowMs, expiresAtMs);
  ctx.auditNote = { staffId: staff.staffId, subject: staff.staffCode, details: { sessionId } };
  return {
    session: token,
    expiresAt: new Date(expiresAtMs).toISOString(),
    staff: toSummary({ ...staff, failedAttempts: 0, lockedUntilMs: null }, ctx.nowMs),
  };
}

export const staffHandlers = {
  'staff-sign-in': { mutates: true, handle: signIn },
  'staff-session': {
    mutates: false,
    handle(ctx) {
      const actor = ctx.staff();
      const row = sql(ctx.db, `SELECT ${STAFF_COLUMNS} FROM staff WHERE staff_id = ?`).get(
        actor.staffId,
      ) as StaffRow;
      return {
        staff: toSummary(row, ctx.nowMs),
        expiresAt: new Date(actor.sessionExpiresAtMs).toISOString(),
      };
    },
  },
  'staff-sign-out': {
    mutates: true,
    handle(ctx) {
      const actor = ctx.staff();
      sql(
        ctx.db,
        "UPDATE staff_sessions SET ended_at_ms = ?, end_reason = 'signed-out' WHERE session_id = ? AND ended_at_ms IS NULL",
      ).run(ctx.nowMs, actor.sessionId);
      ctx.auditNote = { subject: actor.staffCode, details: { sessionId: actor.sessionId } };
      return { signedOutAt: ctx.nowIso };
    },
  },
  'staff-override': {
    mutates: true,
    handle(ctx, input) {
      const requester = ctx.staff();
      const manager = findStaffByCode(ctx, input.managerCode);
      const failed = (error: DomainError, managerId: string | null) => {
        ctx.audit({
          action: 'staff-override-failed',
          staffId: requester.staffId,
          subject: input.action,
          details: { managerCode: input.managerCode, managerId, reason: error.code },
        });
        return reject(error);
      };
      if (!manager) {
        verifyPin(input.managerPin, decoyHash(ctx));
        return failed(new DomainError('UNAUTHORIZED', 'Manager code or PIN is wrong.'), null);
      }
      const pinError = checkPin(ctx, manager, input.managerPin, ctx.settings());
      if (pinError) return failed(pinError, manager.staffId);
      if (manager.role !== 'manager') {
        return failed(
          new DomainError('FORBIDDEN', `${manager.name} is not a manager; a manager must authorize this.`),
          manager.staffId,
        );
      }
      const overrideId = ctx.newId();
      const expiresAtMs = ctx.nowMs + ctx.settings().overrideTtlMs;
      sql(
        ctx.db,
        `INSERT INTO manager_overrides (override_id, action, manager_id, requested_by, reason, created_at_ms, expires_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        overrideId,
        input.action,
        manager.staffId,
        requester.staffId,
        input.reason,
        ctx.nowMs,
        expiresAtMs,
      );
      ctx.auditNote = {
        subject: input.action,
        overrideId,
        details: { managerId: manager.staffId, managerName: manager.name, reason: input.reason },
      };
      return {
        overrideId,
        action: input.action,
        managerId: manager.staffId,
        managerName: manager.name,
        expiresAt: new Date(expiresAtMs).toISOString(),
      };
    },
  },
  'staff-create': {
    mutates: true,
    handle(ctx, input) {
      const created = createStaff(ctx, input, ctx.pinCost);
      ctx.auditNote = {
        subject: created.staffCode,
        details: { staffId: created.staffId, role: created.role },
      };
      return created;
    },
  },
  'staff-unlock': {
    mutates: true,
    handle(ctx, input) {
      const staff = findStaffByCode(ctx, input.staffCode);
      if (!staff)
        throw new DomainError('NOT_FOUND', `There is no staff member with code ${input.staffCode}.`);
      sql(
        ctx.db,
        'UPDATE staff SET failed_attempts = 0, locked_until_ms = NULL, updated_at = ? WHERE staff_id = ?',
      ).run(ctx.nowIso, staff.staffId);
      ctx.auditNote = { subject: staff.staffCode, details: { staffId: staff.staffId } };
      return toSummary({ ...staff, failedAttempts: 0, lockedUntilMs: null }, ctx.nowMs);
    },
  },
  'staff-list': {
    mutates: false,
    handle(ctx) {
      const rows = sql(
        ctx.db,
        `SELECT ${STAFF_COLUMNS} FROM staff ORDER BY name, staff_code`,
      ).all() as StaffRow[];
      return { staff: rows.map((row) => toSummary(row, ctx.nowMs)) };
    },
  },
} satisfies Pick<
  CommandHandlers,
  | 'staff-sign-in'
  | 'staff-session'
  | 'staff-sign-out'
  | 'staff-override'
  | 'staff-create'
  | 'staff-unlock'
  | 'staff-list'
>;
