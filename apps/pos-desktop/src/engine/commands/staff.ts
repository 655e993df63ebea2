import { DomainError } from '@retail/domain';
import { OVERRIDE_APPROVER, ROLE_RANK, type CommandRequest, type StaffSummary } from '../../shared/commands';
import { hashSessionToken, reject, type CommandContext, type CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { formatLocalTime } from '../format';
import { laneName } from '../lanes/lanes';
import { hashPin, verifyPin } from '../pin';
import { approverWords } from '../services/manager-overrides';
import { STAFF_COLUMNS, createStaff, findStaffByCode, type StaffRow } from '../services/staff-records';
import type { NodeSettings } from '../settings';

interface LockoutRow {
  laneId: string;
  failedAttempts: number;
  lockouts: number;
  lockedUntilMs: number | null;
}

function lockoutOn(ctx: TxContext, staffId: string, laneId: string): LockoutRow {
  if (!ctx.lanesSchema) return { laneId, failedAttempts: 0, lockouts: 0, lockedUntilMs: null };
  const row = sql(
    ctx.db,
    `SELECT lane_id AS laneId, failed_attempts AS failedAttempts, lockouts, locked_until_ms AS lockedUntilMs
     FROM pin_lockouts WHERE staff_id = ? AND lane_id = ?`,
  ).get(staffId, laneId) as LockoutRow | undefined;
  return row ?? { laneId, failedAttempts: 0, lockouts: 0, lockedUntilMs: null };
}

function saveLockout(ctx: TxContext, staffId: string, lockout: LockoutRow): void {
  if (!ctx.lanesSchema) return;
  sql(
    ctx.db,
    `INSERT INTO pin_lockouts (staff_id, lane_id, failed_attempts, lockouts, locked_until_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (staff_id, lane_id) DO UPDATE SET failed_attempts = excluded.failed_attempts,
       lockouts = excluded.lockouts, locked_until_ms = excluded.locked_until_ms, updated_at_ms = excluded.updated_at_ms`,
  ).run(staffId, lockout.laneId, lockout.failedAttempts, lockout.lockouts, lockout.lockedUntilMs, ctx.nowMs);
}

/** The lanes a staff member is locked out of right now, soonest unlock first. */
function activeLockouts(ctx: TxContext, staffId: string): NonNullable<StaffSummary['lockouts']> {
  if (!ctx.lanesSchema) return [];
  const rows = sql(
    ctx.db,
    `SELECT lane_id AS laneId, locked_until_ms AS lockedUntilMs FROM pin_lockouts
     WHERE staff_id = ? AND locked_until_ms > ? ORDER BY locked_until_ms, lane_id`,
  ).all(staffId, ctx.nowMs) as { laneId: string; lockedUntilMs: number }[];
  return rows.map((row) => ({
    laneId: row.laneId,
    laneName: laneName(ctx, row.laneId),
    lockedUntil: new Date(row.lockedUntilMs).toISOString(),
  }));
}

/** `lockedUntil` is the lock on the lane asking; `lockouts` lists every lane's. */
function toSummary(ctx: CommandContext, row: StaffRow): StaffSummary {
  const lockouts = activeLockouts(ctx, row.staffId);
  return {
    staffId: row.staffId,
    staffCode: row.staffCode,
    name: row.name,
    role: row.role,
    active: row.active === 1,
    lockedUntil: lockouts.find((lockout) => lockout.laneId === ctx.lane.laneId)?.lockedUntil ?? null,
    lockouts,
  };
}

const MAX_LOCKOUT_MS = 24 * 3_600_000;

/**
 * How long the next lockout on a lane lasts: the configured time, doubled for each lockout in a row on
 * that lane before it (a right PIN there or a manager resets the count), never more than a day.
 */
export function lockoutDuration(baseMs: number, previousLockouts: number): number {
  return Math.min(baseMs * 2 ** Math.min(previousLockouts, 20), Math.max(baseMs, MAX_LOCKOUT_MS));
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
 * Checks a PIN and keeps the lockout counters of the lane asking: wrong PINs on one lane lock the staff
 * member out of that lane only, so nobody at a lane can lock a manager out of every till. Returns the
 * error to report (after the counters are written) or undefined when the PIN is right.
 */
function checkPin(
  ctx: CommandContext,
  staff: StaffRow,
  pin: string,
  settings: NodeSettings,
): DomainError | undefined {
  if (staff.active !== 1) {
    return new DomainError('FORBIDDEN', 'staff.accountDisabledAskManager', { staffName: staff.name });
  }
  const lane = ctx.lane;
  const lockout = lockoutOn(ctx, staff.staffId, lane.laneId);
  const lockedOut = (lockedUntilMs: number) =>
    new DomainError(
      'LOCKED_OUT',
      'staff.tooManyWrongPINs',
      { staffName: staff.name, laneName: lane.name, identity: formatLocalTime(ctx.identity, lockedUntilMs) },
      { lockedUntil: new Date(lockedUntilMs).toISOString(), laneId: lane.laneId },
    );
  if (lockout.lockedUntilMs !== null && lockout.lockedUntilMs > ctx.nowMs)
    return lockedOut(lockout.lockedUntilMs);
  if (verifyPin(pin, staff.pinHash)) {
    if (lockout.failedAttempts > 0 || lockout.lockouts > 0 || lockout.lockedUntilMs !== null) {
      saveLockout(ctx, staff.staffId, {
        laneId: lane.laneId,
        failedAttempts: 0,
        lockouts: 0,
        lockedUntilMs: null,
      });
    }
    return undefined;
  }
  const attempts = lockout.failedAttempts + 1;
  if (attempts >= settings.lockoutAttempts) {
    const lockedUntilMs = ctx.nowMs + lockoutDuration(settings.lockoutMs, lockout.lockouts);
    saveLockout(ctx, staff.staffId, {
      laneId: lane.laneId,
      failedAttempts: 0,
      lockouts: lockout.lockouts + 1,
      lockedUntilMs,
    });
    ctx.audit({
      action: 'staff-locked-out',
      staffId: staff.staffId,
      subject: staff.staffCode,
      details: {
        attempts,
        laneId: lane.laneId,
        lockoutInARow: lockout.lockouts + 1,
        lockedUntil: new Date(lockedUntilMs).toISOString(),
      },
    });
    return lockedOut(lockedUntilMs);
  }
  saveLockout(ctx, staff.staffId, { ...lockout, failedAttempts: attempts, lockedUntilMs: null });
  const left = settings.lockoutAttempts - attempts;
  return new DomainError('UNAUTHORIZED', 'staff.staffCodePinWrong', { left }, { attemptsLeft: left });
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
    return reject(new DomainError('UNAUTHORIZED', 'staff.staffCodePinWrong2'));
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
  if (ctx.lanesSchema) {
    sql(
      ctx.db,
      `INSERT INTO staff_sessions (token_hash, session_id, staff_id, started_at_ms, expires_at_ms, lane_id)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(hashSessionToken(token), sessionId, staff.staffId, ctx.nowMs, expiresAtMs, ctx.lane.laneId);
  } else {
    sql(
      ctx.db,
      `INSERT INTO staff_sessions (token_hash, session_id, staff_id, started_at_ms, expires_at_ms)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(hashSessionToken(token), sessionId, staff.staffId, ctx.nowMs, expiresAtMs);
  }
  ctx.auditNote = {
    staffId: staff.staffId,
    subject: staff.staffCode,
    details: { sessionId, laneId: ctx.lane.laneId },
  };
  return {
    session: token,
    expiresAt: new Date(expiresAtMs).toISOString(),
    staff: toSummary(ctx, staff),
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
        staff: toSummary(ctx, row),
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
        return failed(new DomainError('UNAUTHORIZED', 'staff.managerCodePinWrong'), null);
      }
      const pinError = checkPin(ctx, manager, input.managerPin, ctx.settings());
      if (pinError) return failed(pinError, manager.staffId);
      if (ROLE_RANK[manager.role] < ROLE_RANK[OVERRIDE_APPROVER[input.action]]) {
        const approver = approverWords(input.action);
        return failed(
          new DomainError('FORBIDDEN', 'staff.notMustAuthorize', { managerName: manager.name, approver }),
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
      const creator = ctx.staff();
      const created = createStaff(ctx, input, ctx.pinCost);
      // In the same transaction as the row: the hub learns who created whom, with which role, and judges
      // the role by its own record of the creator. The PIN stays here.
      ctx.appendEvent('staff.created', {
        staffId: created.staffId,
        staffCode: created.staffCode,
        name: created.name,
        role: created.role,
        createdBy: creator.staffId,
        createdAt: ctx.nowIso,
      });
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
        throw new DomainError('NOT_FOUND', 'staff.noStaffMemberCode', { staffCode: input.staffCode });
      // Clearing also resets the escalation: the next lockout there lasts the configured time again.
      const cleared =
        input.laneId === undefined
          ? sql(ctx.db, 'DELETE FROM pin_lockouts WHERE staff_id = ?').run(staff.staffId)
          : sql(ctx.db, 'DELETE FROM pin_lockouts WHERE staff_id = ? AND lane_id = ?').run(
              staff.staffId,
              input.laneId,
            );
      ctx.auditNote = {
        subject: staff.staffCode,
        details: { staffId: staff.staffId, laneId: input.laneId ?? 'all', lanesCleared: cleared.changes },
      };
      return toSummary(ctx, staff);
    },
  },
  'staff-list': {
    mutates: false,
    handle(ctx) {
      const rows = sql(
        ctx.db,
        `SELECT ${STAFF_COLUMNS} FROM staff ORDER BY name, staff_code`,
      ).all() as StaffRow[];
      return { staff: rows.map((row) => toSummary(ctx, row)) };
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
