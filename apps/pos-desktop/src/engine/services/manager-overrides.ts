import { DomainError } from '@retail/domain';
import type { ManagerOverrideSchema } from '@retail/sync';
import type { z } from 'zod';
import { OVERRIDE_APPROVER, ROLE_RANK, type OverrideAction } from '../../shared/commands';
import type { CommandContext } from '../command-context';
import { sql } from '../context';

export type ManagerOverride = z.infer<typeof ManagerOverrideSchema> & { readonly overrideId: string };

/** Who to ask for an override of `action`, for the cashier's sentence. */
export function approverWords(action: OverrideAction): string {
  return OVERRIDE_APPROVER[action] === 'manager' ? 'a manager' : 'a supervisor or manager';
}

/**
 * Uses up a manager override for `action` in the current transaction. Staff who may authorize the action
 * themselves (OVERRIDE_APPROVER) need none: their own session is the override, recorded with the
 * command's reason.
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
    if (ROLE_RANK[actor.role] >= ROLE_RANK[OVERRIDE_APPROVER[action]]) {
      return { overrideId: '', managerId: actor.staffId, reason: selfReason, at: ctx.nowIso };
    }
    throw new DomainError(
      'OVERRIDE_REQUIRED',
      'services.askAuthorize',
      { requirement, action: approverWords(action) },
      {
        action,
      },
    );
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
    new DomainError(
      'OVERRIDE_REQUIRED',
      'services.askAuthorizeAgain',
      { why, action: approverWords(action) },
      {
        action,
        overrideId,
      },
    );
  if (!row) throw refuse('That manager override does not exist.');
  if (row.action !== action)
    throw refuse(`That manager override was given for ${row.action}, not ${action}.`);
  if (row.consumedAtMs !== null) throw refuse('That manager override has already been used.');
  if (row.expiresAtMs <= ctx.nowMs) throw refuse('That manager override has expired.');
  // Its lifetime is [given, expires): a clock set back past the moment it was given would otherwise
  // stretch a few minutes' approval by however far the clock moved.
  if (ctx.nowMs < row.createdAtMs) {
    throw refuse("That manager override was given at a later time than this till's clock now shows.");
  }
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
