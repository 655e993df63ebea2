import { staffMaySignInAt, type StaffFeed } from '@retail/sync';
import { sql } from '../context';
import type { Db } from '../database';

/**
 * Staff HQ manages reach the till through the feed and live in the same `staff` table as staff created
 * at the store, under the hub's staff id, so sign-in, overrides and sessions treat both alike. HQ owns
 * their name, role, PIN hash and whether they may sign in here; a deactivation or a change of stores
 * that leaves this one out ends their open sessions at once (the session check also refuses an inactive
 * staff member, so nothing signed in survives the change).
 */
export function applyHubStaff(db: Db, storeId: string, staff: StaffFeed, nowMs: number): void {
  const active = staffMaySignInAt(staff, storeId);
  const nowIso = new Date(nowMs).toISOString();
  const clash = sql(db, 'SELECT staff_id AS staffId FROM staff WHERE staff_code = ? AND staff_id <> ?').get(
    staff.staffCode,
    staff.staffId,
  ) as { staffId: string } | undefined;
  if (clash) {
    // HQ's staff codes win: the store-made account with the same code is parked under a code nobody can
    // type (`~` is not allowed in a staff code) and disabled, so its history stays and no sign-in is ambiguous.
    sql(
      db,
      "UPDATE staff SET staff_code = staff_code || '~' || staff_id, active = 0, updated_at = ? WHERE staff_id = ?",
    ).run(nowIso, clash.staffId);
    endSessions(db, clash.staffId, nowMs);
  }
  sql(
    db,
    `INSERT INTO staff (staff_id, staff_code, name, role, pin_hash, active, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (staff_id) DO UPDATE SET staff_code = excluded.staff_code, name = excluded.name,
       role = excluded.role, pin_hash = excluded.pin_hash, active = excluded.active, updated_at = excluded.updated_at`,
  ).run(
    staff.staffId,
    staff.staffCode,
    staff.name,
    staff.role,
    staff.pinHash,
    active ? 1 : 0,
    nowIso,
    nowIso,
  );
  if (!active) endSessions(db, staff.staffId, nowMs);
}

/** HQ withdrew the staff member from the feed: they may no longer sign in here. */
export function withdrawHubStaff(db: Db, staffId: string, nowMs: number): void {
  sql(db, 'UPDATE staff SET active = 0, updated_at = ? WHERE staff_id = ?').run(
    new Date(nowMs).toISOString(),
    staffId,
  );
  endSessions(db, staffId, nowMs);
}

function endSessions(db: Db, staffId: string, nowMs: number): void {
  sql(
    db,
    "UPDATE staff_sessions SET ended_at_ms = ?, end_reason = 'deactivated' WHERE staff_id = ? AND ended_at_ms IS NULL",
  ).run(nowMs, staffId);
}
