import type { ErrorBody, Result } from '@retail/domain';
import { z } from 'zod';
import {
  OVERRIDE_ACTIONS,
  type CommandInput,
  type CommandName,
  type CommandResponse,
  type OverrideAction,
} from '../../shared/commands';
import { t } from '../i18n/translate';
import type { PosClient } from './pos-client';

/** Commands a manager override can unlock: their input carries an optional `overrideId`. */
export type OverridableCommand = {
  [N in CommandName]: 'overrideId' extends keyof CommandInput<N> ? N : never;
}[CommandName];

export interface OverrideRequest {
  readonly action: OverrideAction;
  /** The store node's sentence saying why a manager is needed. */
  readonly message: string;
  /** The reason the cashier already gave for the action, offered as the override's reason. */
  readonly reason?: string;
}

export interface PosApiOptions {
  readonly client: PosClient;
  /** The signed-in staff member's session, if any. */
  readonly session: () => string | null;
  /** Called when the node no longer accepts the session (expired, signed out elsewhere). */
  readonly onSessionRejected: (error: ErrorBody) => void;
  /** Asks a manager for an override; resolves with its id, or null when the cashier gave up. */
  readonly requestOverride: (request: OverrideRequest) => Promise<string | null>;
}

export interface PosApi {
  readonly client: PosClient;
  /** Sends a command as the signed-in staff member. */
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<Result<CommandResponse<N>>>;
  /**
   * Sends a command that may need a manager: when the node answers OVERRIDE_REQUIRED the override
   * dialog opens, and the command is sent again with the override the manager granted.
   */
  callWithOverride<N extends OverridableCommand>(
    name: N,
    input: CommandInput<N>,
  ): Promise<Result<CommandResponse<N>>>;
}

/**
 * Commands that check a PIN answer UNAUTHORIZED for a wrong one; that says nothing about the signed-in
 * session, so it must not sign the cashier out (a manager mistyping an override PIN is routine).
 */
const CREDENTIAL_COMMANDS: ReadonlySet<CommandName> = new Set(['staff-sign-in', 'staff-override']);

const OverrideDetailsSchema = z.object({ action: z.enum(OVERRIDE_ACTIONS) });

/** An expired or already-used override earns one more request before the failure is shown as it is. */
const MAX_OVERRIDE_ATTEMPTS = 2;

/** What every command answers while this screen cannot reach the store node. */
export function nodeUnreachable(): { ok: false; error: ErrorBody } {
  return {
    ok: false,
    error: { code: 'INTERNAL', message: t('node.unreachable'), details: { unreachable: true } },
  };
}

/** True for the failure of a command that never reached the store node. */
export function isUnreachable(error: ErrorBody): boolean {
  return error.details?.['unreachable'] === true;
}

export function createPosApi(options: PosApiOptions): PosApi {
  const { client } = options;
  async function call<N extends CommandName>(
    name: N,
    input: CommandInput<N>,
  ): Promise<Result<CommandResponse<N>>> {
    // A command sent while the socket is down would wait out the timeout in silence (the cashier sees a
    // scan vanish): say at once that nothing was done.
    const connection = client.connection();
    if (connection === 'offline' || connection === 'refused') return nodeUnreachable();
    const session = options.session();
    const result = await client.send(name, input, session === null ? {} : { session });
    if (
      !result.ok &&
      result.error.code === 'UNAUTHORIZED' &&
      session !== null &&
      !CREDENTIAL_COMMANDS.has(name)
    ) {
      options.onSessionRejected(result.error);
    }
    return result;
  }
  return {
    client,
    call,
    async callWithOverride(name, input) {
      let result = await call(name, input);
      for (let attempt = 0; attempt < MAX_OVERRIDE_ATTEMPTS; attempt += 1) {
        if (result.ok || result.error.code !== 'OVERRIDE_REQUIRED') return result;
        const details = OverrideDetailsSchema.safeParse(result.error.details);
        if (!details.success) return result;
        const reason = (input as { reason?: unknown }).reason;
        const overrideId = await options.requestOverride({
          action: details.data.action,
          message: result.error.message,
          ...(typeof reason === 'string' ? { reason } : {}),
        });
        if (overrideId === null) return result;
        result = await call(name, { ...input, overrideId });
      }
      return result;
    },
  };
}
