import { createHash } from 'node:crypto';
import { DomainError } from '@retail/domain';
import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  NodeAdminCommandName,
  Role,
} from '../shared/commands';
import { MAIN_LANE_ID } from '../shared/lane-commands';
import { sql, type TxContext } from './context';
import type { LaneIdentity } from './lanes/lane-identity';
import type { PinHashCost } from './pin';
import type { NodeSettings } from './settings';

/** The signed-in staff member a command runs for. */
export interface Actor {
  readonly staffId: string;
  readonly staffCode: string;
  readonly name: string;
  readonly role: Role;
  readonly sessionId: string;
  readonly sessionExpiresAtMs: number;
}

/** What the generic audit row of a mutating command records beyond its name and actor. */
export interface AuditNote {
  staffId?: string | null;
  subject?: string | null;
  overrideId?: string | null;
  details?: Record<string, unknown>;
}

export interface CommandContext extends TxContext {
  readonly actor: Actor | undefined;
  /** The lane the command comes from (the main till unless a paired lane sent it). */
  readonly lane: LaneIdentity;
  /** The actor; throws UNAUTHORIZED when nobody is signed in (the dispatcher checks first for staff commands). */
  staff(): Actor;
  settings(): NodeSettings;
  readonly pinCost: PinHashCost;
  /** The key drawer grants are signed with (see drawer-grant.ts); absent on a node without a drawer. */
  readonly drawerKey: Uint8Array | undefined;
  auditNote: AuditNote;
  /**
   * What an async preparation step fetched before the transaction (engine/loyalty: the hub's answer to a
   * lookup or hold); undefined when the command ran without one, which handlers treat as "hub unreachable".
   */
  readonly prepared?: unknown;
}

/**
 * A failure whose writes must still commit: a wrong PIN has to count towards the lockout and be
 * audited even though the command fails. Everything else fails by throwing, which rolls back.
 */
export class CommittedRejection {
  constructor(readonly error: DomainError) {}
}

export function reject(error: DomainError): CommittedRejection {
  return new CommittedRejection(error);
}

export type Handler<N extends CommandName> = (
  ctx: CommandContext,
  input: CommandRequest<N>,
) => CommandResponse<N> | CommittedRejection;

export interface CommandDefinition<N extends CommandName> {
  /** Mutating commands run in an IMMEDIATE transaction and leave an audit row. */
  readonly mutates: boolean;
  readonly handle: Handler<N>;
}

/** Commands that run as one database transaction; the node-admin ones run outside (engine/node-admin). */
export type TransactionalCommandName = Exclude<CommandName, NodeAdminCommandName>;

export type CommandHandlers = { readonly [N in TransactionalCommandName]: CommandDefinition<N> };

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The session behind a token, valid only on the lane it was opened on. */
export function resolveSession(ctx: TxContext, token: string, laneId: string): Actor {
  const row = sql(
    ctx.db,
    `SELECT s.session_id AS sessionId, s.expires_at_ms AS expiresAtMs, s.ended_at_ms AS endedAtMs,
       ${ctx.lanesSchema ? `COALESCE(s.lane_id, '${MAIN_LANE_ID}')` : `'${MAIN_LANE_ID}'`} AS laneId,
       st.staff_id AS staffId, st.staff_code AS staffCode, st.name, st.role, st.active
     FROM staff_sessions s JOIN staff st ON st.staff_id = s.staff_id
     WHERE s.token_hash = ?`,
  ).get(hashSessionToken(token)) as
    | {
        sessionId: string;
        expiresAtMs: number;
        endedAtMs: number | null;
        laneId: string;
        staffId: string;
        staffCode: string;
        name: string;
        role: Role;
        active: number;
      }
    | undefined;
  if (!row || row.endedAtMs !== null) {
    throw new DomainError('UNAUTHORIZED', 'commandContext.signedOutSignStaff');
  }
  if (row.expiresAtMs <= ctx.nowMs) {
    throw new DomainError('UNAUTHORIZED', 'commandContext.sessionExpiredSignAgain');
  }
  if (row.active !== 1) {
    throw new DomainError('UNAUTHORIZED', 'commandContext.staffAccountDisabledAsk');
  }
  // A session token lifted off one lane (or its traffic) must not work from another device.
  if (row.laneId !== laneId) {
    throw new DomainError('UNAUTHORIZED', 'commandContext.sessionBelongsAnotherLane');
  }
  return {
    staffId: row.staffId,
    staffCode: row.staffCode,
    name: row.name,
    role: row.role,
    sessionId: row.sessionId,
    sessionExpiresAtMs: row.expiresAtMs,
  };
}
