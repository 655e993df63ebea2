import type { ErrorBody, Result } from '@retail/domain';
import {
  STORE_COMMANDS,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
} from '../../shared/commands';
import {
  STORE_NOTIFICATIONS,
  type NotificationName,
  type NotificationPayload,
} from '../../shared/notifications';
import type { NodeConnection, PosClient } from '../api/pos-client';

type Handler<N extends CommandName> = (
  input: CommandRequest<N>,
  session: string | undefined,
) => CommandResponse<N> | Result<CommandResponse<N>>;

export interface SentCommand {
  readonly name: CommandName;
  readonly input: unknown;
  readonly session: string | undefined;
}

/**
 * A store node faked at the socket boundary: it implements the same `send`/`on` interface as the real
 * command client and holds every exchange to the real contract. Inputs are validated with the command's
 * request schema exactly as the node's server does (a screen sending a bad input gets INVALID_INPUT), and
 * every scripted answer is checked against the response schema, so a fake cannot drift from the node.
 */
export interface FakeNode extends PosClient {
  handle<N extends CommandName>(name: N, handler: Handler<N>): void;
  /** Answers once with a failure envelope, then falls back to the handler. */
  failOnce(name: CommandName, error: ErrorBody): void;
  notify<N extends NotificationName>(name: N, payload: NotificationPayload<N>): void;
  setConnection(state: NodeConnection): void;
  readonly sent: readonly SentCommand[];
  /** The validated inputs of every call of one command, in order. */
  inputs<N extends CommandName>(name: N): CommandRequest<N>[];
}

export function failure(
  code: ErrorBody['code'],
  message: string,
  details?: Record<string, unknown>,
): Result<never> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

export function createFakeNode(): FakeNode {
  const handlers = new Map<CommandName, Handler<CommandName>>();
  const failures = new Map<CommandName, ErrorBody[]>();
  const listeners = new Map<NotificationName, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: NodeConnection) => void>();
  const sent: SentCommand[] = [];
  let connection: NodeConnection = 'online';

  function answer(name: CommandName, rawInput: unknown, session: string | undefined): Result<unknown> {
    const spec = STORE_COMMANDS[name];
    const parsed = spec.request.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return failure(
        'INVALID_INPUT',
        `The screen sent ${name} an input the node refuses: ${parsed.error.message}`,
      );
    }
    sent.push({ name, input: parsed.data, session });
    if (spec.auth !== 'none' && session === undefined) {
      return failure('UNAUTHORIZED', 'Sign in with your staff code and PIN first.');
    }
    const queued = failures.get(name);
    const error = queued?.shift();
    if (error) return { ok: false, error };
    const handler = handlers.get(name);
    if (!handler) return failure('NOT_FOUND', `The fake store node has no answer scripted for ${name}.`);
    const outcome = handler(parsed.data as never, session) as unknown;
    const result =
      typeof outcome === 'object' && outcome !== null && 'ok' in outcome && typeof outcome.ok === 'boolean'
        ? (outcome as Result<unknown>)
        : ({ ok: true, value: outcome } as const);
    if (result.ok) {
      const checked = spec.response.safeParse(result.value);
      // A scripted answer the real node could never send is a broken test, not a screen bug.
      if (!checked.success)
        throw new Error(`Scripted ${name} answer breaks the contract: ${checked.error.message}`);
      return { ok: true, value: checked.data };
    }
    return result;
  }

  return {
    send(name, input, options = {}) {
      const result = answer(name, input, options.session);
      // The real channel answers asynchronously; so does the fake, so screens see their busy states.
      return new Promise((resolve) => setTimeout(() => resolve(result as never), 0));
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    connection: () => connection,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {
      connectionListeners.clear();
      listeners.clear();
    },
    handle(name, handler) {
      handlers.set(name, handler as unknown as Handler<CommandName>);
    },
    failOnce(name, error) {
      failures.set(name, [...(failures.get(name) ?? []), error]);
    },
    notify(name, payload) {
      const parsed = STORE_NOTIFICATIONS[name].parse(payload);
      for (const listener of listeners.get(name) ?? []) listener(parsed);
    },
    setConnection(state) {
      connection = state;
      for (const listener of connectionListeners) listener(state);
    },
    sent,
    inputs<N extends CommandName>(name: N) {
      return sent.filter((entry) => entry.name === name).map((entry) => entry.input as CommandRequest<N>);
    },
  };
}
