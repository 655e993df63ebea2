import type { Result } from '@retail/domain';
import { io, type Socket } from 'socket.io-client';
import {
  COMMAND_EVENT,
  STORE_COMMANDS,
  type CommandInput,
  type CommandMessage,
  type CommandName,
  type CommandResponse,
} from './commands';
import {
  NOTIFICATION_EVENT,
  STORE_NOTIFICATIONS,
  type NotificationName,
  type NotificationPayload,
} from './notifications';
import { resultSchema } from './result';

/**
 * The typed client of a store node's command channel. It runs in Node (tests, benchmarks, tools) and in
 * the browser (the renderer): it uses only socket.io-client and the shared contract.
 */
export interface SendOptions {
  /** The session token from `staff-sign-in`. */
  readonly session?: string;
  /** How long to wait for the answer before giving up (default 10 s). */
  readonly timeoutMs?: number;
}

export interface CommandClient {
  send<N extends CommandName>(
    name: N,
    input: CommandInput<N>,
    options?: SendOptions,
  ): Promise<Result<CommandResponse<N>>>;
  /** Listens to one kind of change notification; returns the function that stops listening. */
  on<N extends NotificationName>(name: N, listener: (payload: NotificationPayload<N>) => void): () => void;
  /** Resolves once connected; rejects when the token is refused or the node cannot be reached. */
  ready(): Promise<void>;
  readonly socket: Socket;
  close(): void;
}

export interface CommandClientOptions {
  /** How long `ready()` waits for the first connection (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Force a transport (tests use websocket to skip long-polling). */
  readonly transports?: ('websocket' | 'polling')[];
  /**
   * TLS settings for clients outside a browser (Node tools, a lane app): the node's certificate as the
   * only trust anchor and a check of its fingerprint pin the connection (see lane-client/pinned-tls).
   */
  readonly tls?: {
    readonly ca: string;
    readonly checkServerIdentity: (
      host: string,
      certificate: { fingerprint256: string },
    ) => Error | undefined;
  };
}

/**
 * How a client proves who it is: the main till's per-launch token, or a paired lane's credential
 * (`POST /lanes/pair`). A plain string is the launch token.
 */
export type ClientCredential = string | { readonly token: string } | { readonly lane: string };

function handshakeAuth(credential: ClientCredential): Record<string, string> {
  if (typeof credential === 'string') return { token: credential };
  return 'token' in credential ? { token: credential.token } : { lane: credential.lane };
}

function unreachable(message: string): { ok: false; error: { code: 'INTERNAL'; message: string } } {
  return { ok: false, error: { code: 'INTERNAL', message } };
}

export function createCommandClient(
  url: string,
  credential: ClientCredential,
  options: CommandClientOptions = {},
): CommandClient {
  const socket = io(url, {
    auth: handshakeAuth(credential),
    ...(options.tls ?? {}),
    transports: options.transports ?? ['websocket', 'polling'],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  let refused: Error | undefined;
  socket.on('connect_error', (error) => {
    // A refused token will never succeed: stop retrying so the caller sees the reason once.
    if (error.message === 'unauthorized') {
      refused = new Error(
        'The store node refused this device: its access token is wrong or its pairing was revoked. Pair it again.',
      );
      socket.disconnect();
    }
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(refused ?? new Error(`Cannot reach the store node at ${url}.`)),
      options.connectTimeoutMs ?? 10_000,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect_error', () => {
      if (refused) {
        clearTimeout(timer);
        reject(refused);
      }
    });
  });
  // Callers that never await ready() must not see an unhandled rejection.
  ready.catch(() => undefined);

  return {
    socket,
    ready: () => ready,
    async send(name, input, sendOptions = {}) {
      const message: CommandMessage = {
        name,
        input,
        ...(sendOptions.session === undefined ? {} : { session: sendOptions.session }),
      };
      let answer: unknown;
      try {
        answer = await socket.timeout(sendOptions.timeoutMs ?? 10_000).emitWithAck(COMMAND_EVENT, message);
      } catch {
        return unreachable(
          'The store node did not answer in time. Check that it is running and reachable, then try again.',
        );
      }
      const parsed = resultSchema(STORE_COMMANDS[name].response).safeParse(answer);
      if (!parsed.success) {
        return unreachable('The store node sent an answer this screen does not understand. Update the app.');
      }
      return parsed.data as Result<CommandResponse<typeof name>>;
    },
    on(name, listener) {
      const handler = (notification: { name?: unknown; payload?: unknown }) => {
        if (notification?.name !== name) return;
        const parsed = STORE_NOTIFICATIONS[name].safeParse(notification.payload);
        if (parsed.success) listener(parsed.data as NotificationPayload<typeof name>);
      };
      socket.on(NOTIFICATION_EVENT, handler);
      return () => {
        socket.off(NOTIFICATION_EVENT, handler);
      };
    },
    close() {
      socket.disconnect();
    },
  };
}
