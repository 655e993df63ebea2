import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { z } from 'zod';
import { ERROR_CODES } from '@retail/domain';
import {
  SNAPSHOT_JSON_BYTES,
  type PullRequest,
  type PushRequest,
  type SnapshotRequest,
} from '../server/protocol';
import { SyncTransportError, TRANSPORT_MESSAGES, transportErrorFromBody } from './sync-error';
import {
  ListenerSet,
  parsePullPage,
  parsePushAck,
  parseSnapshotPayload,
  type ConnectionEvent,
  type SyncTransport,
} from './transport';

/** The socket.io contract (docs/sync.md): namespace, event names, handshake fields. */
export const SYNC_NAMESPACE = '/sync';
export const SYNC_EVENTS = {
  push: 'push',
  pull: 'pull',
  snapshot: 'snapshot',
  poke: 'poke',
} as const;
export const DEFAULT_SYNC_TIMEOUT_MS = 15_000;

export const ErrorBodySchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  key: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const AckEnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorBodySchema }),
]);

export interface SocketIoTransportOptions {
  /** The hub's base URL, e.g. `https://hub.example.com`; the namespace is appended. */
  readonly url: string;
  /** The device credential from enrollment; sent in the handshake `auth`, never in the URL. */
  readonly credential: string;
  /** Sent in the handshake so the hub can refuse a client too old for its feed. */
  readonly clientVersion?: string;
  /** Per call and per connection attempt. */
  readonly timeoutMs?: number;
  /** Extra socket.io client options (e.g. `transports`, TLS settings); reconnection stays off. */
  readonly socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

/**
 * socket.io transport: ack'd emits carrying the protocol objects, answered with result envelopes
 * `{ ok: true, value } | { ok: false, error }`. socket.io's own reconnection is off: the agent
 * reconnects with its jittered backoff and always pulls after, and nothing is buffered while
 * disconnected (socket.io would otherwise replay stale emits on reconnect).
 */
export function createSocketIoTransport(options: SocketIoTransportOptions): SyncTransport {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
  const pokes = new ListenerSet<void>();
  const connection = new ListenerSet<ConnectionEvent>();
  let socket: Socket | null = null;
  let pendingConnect: {
    resolve: () => void;
    reject: (error: SyncTransportError) => void;
    timer: ReturnType<typeof setTimeout>;
  } | null = null;

  /** The connect attempt in progress, taken so that exactly one outcome settles it. */
  function takePendingConnect() {
    const waiting = pendingConnect;
    pendingConnect = null;
    if (waiting !== null) clearTimeout(waiting.timer);
    return waiting;
  }

  function ensureSocket(): Socket {
    if (socket !== null) return socket;
    const base = options.url.replace(/\/+$/, '');
    const created = io(`${base}${SYNC_NAMESPACE}`, {
      transports: ['websocket'],
      ...options.socketOptions,
      autoConnect: false,
      reconnection: false,
      timeout: timeoutMs,
      auth: {
        credential: options.credential,
        ...(options.clientVersion === undefined ? {} : { clientVersion: options.clientVersion }),
      },
    });
    created.on('connect', () => {
      const waiting = takePendingConnect();
      if (waiting !== null) waiting.resolve();
      else connection.emit({ type: 'connected' });
    });
    created.on('connect_error', (error: Error & { data?: unknown }) => {
      const waiting = takePendingConnect();
      const body = ErrorBodySchema.safeParse(error.data);
      const failure = body.success
        ? transportErrorFromBody(body.data)
        : new SyncTransportError(
            'unreachable',
            TRANSPORT_MESSAGES.unreachable,
            {},
            {
              details: { cause: error.message },
            },
          );
      waiting?.reject(failure);
    });
    created.on('disconnect', (reason) => {
      // A connection that closes during the handshake (a hub restarting, a proxy dropping it) is a
      // failed connect, not a disconnect: socket.io reports no connect_error then, and a connect left
      // pending would hold the agent in "connecting" with no retry until the node restarts.
      const waiting = takePendingConnect();
      if (waiting !== null) {
        waiting.reject(
          new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable, {
            details: { cause: reason },
          }),
        );
        return;
      }
      // A close the agent asked for is not news to it.
      if (reason !== 'io client disconnect') connection.emit({ type: 'disconnected', reason });
    });
    created.on(SYNC_EVENTS.poke, () => pokes.emit());
    socket = created;
    return created;
  }

  async function call<T>(event: string, request: unknown, parse: (value: unknown) => T): Promise<T> {
    const current = socket;
    if (current === null || !current.connected) {
      throw new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable);
    }
    let answer: unknown;
    try {
      answer = await current.timeout(timeoutMs).emitWithAck(event, request);
    } catch {
      // socket.io rejects pending acks with an error on disconnect, and on timeout.
      throw current.connected
        ? new SyncTransportError('timeout', TRANSPORT_MESSAGES.timeout)
        : new SyncTransportError('unreachable', TRANSPORT_MESSAGES.disconnected);
    }
    const envelope = AckEnvelopeSchema.safeParse(answer);
    if (!envelope.success) {
      throw new SyncTransportError('protocol', 'sync.hubSentMalformedAnswer2', { event });
    }
    if (!envelope.data.ok) throw transportErrorFromBody(envelope.data.error);
    return parse(envelope.data.value);
  }

  return {
    get connected() {
      return socket?.connected ?? false;
    },
    connect() {
      const current = ensureSocket();
      if (current.connected) return Promise.resolve();
      takePendingConnect()?.reject(new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable));
      return new Promise<void>((resolve, reject) => {
        // socket.io's own `timeout` covers opening the transport only; a hub that accepts the transport
        // and never admits the socket to the namespace (stuck in its auth middleware) is bounded here.
        const timer = setTimeout(() => {
          if (pendingConnect?.timer !== timer) return;
          takePendingConnect();
          current.disconnect();
          reject(new SyncTransportError('timeout', TRANSPORT_MESSAGES.timeout));
        }, timeoutMs);
        timer.unref?.();
        pendingConnect = { resolve, reject, timer };
        current.connect();
      });
    },
    disconnect() {
      const waiting = takePendingConnect();
      waiting?.reject(new SyncTransportError('unreachable', TRANSPORT_MESSAGES.disconnected));
      socket?.disconnect();
    },
    push: (request: PushRequest) => call(SYNC_EVENTS.push, request, parsePushAck),
    pull: (request: PullRequest) => call(SYNC_EVENTS.pull, request, parsePullPage),
    snapshot: (request: SnapshotRequest) =>
      call(SYNC_EVENTS.snapshot, { ...request, encoding: SNAPSHOT_JSON_BYTES }, parseSnapshotPayload),
    onPoke: (listener) => pokes.add(listener),
    onConnectionChange: (listener) => connection.add(listener),
  };
}
