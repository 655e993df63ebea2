import { z } from 'zod';
import type { PullRequest, PushRequest, SnapshotRequest } from '../server/protocol';
import { ErrorBodySchema } from './socket-io-transport';
import { SyncTransportError, TRANSPORT_MESSAGES, transportErrorFromBody } from './sync-error';
import {
  ListenerSet,
  parsePullPage,
  parsePushAck,
  parseSnapshotPage,
  type ConnectionEvent,
  type SyncTransport,
} from './transport';

/** The HTTP contract (docs/sync.md). */
export const SYNC_HTTP_PATHS = {
  push: '/sync/push',
  pull: '/sync/pull',
  snapshot: '/sync/snapshot',
} as const;
export const CLIENT_VERSION_HEADER = 'x-sync-client-version';

/** The hub answers with result envelopes (CONVENTIONS §3); a bare protocol object is accepted too. */
const SuccessEnvelopeSchema = z.object({ ok: z.literal(true), value: z.unknown() });
const FailedEnvelopeSchema = z.object({ ok: z.literal(false), error: ErrorBodySchema });

/** Error bodies come as `{ code, message }`, `{ error: {...} }` or a failed result envelope. */
const ErrorResponseSchema = z.union([
  ErrorBodySchema,
  z.object({ error: ErrorBodySchema }).transform((body) => body.error),
]);

export interface HttpTransportOptions {
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <credential>`. */
  readonly credential: string;
  readonly clientVersion?: string;
  readonly timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function failureFromStatus(status: number, retryAfterMs: number | undefined): SyncTransportError {
  if (status === 401 || status === 403)
    return new SyncTransportError('unauthorized', TRANSPORT_MESSAGES.unauthorized);
  if (status === 426) return new SyncTransportError('too_old', TRANSPORT_MESSAGES.tooOld);
  if (status === 429 || status >= 500) {
    return new SyncTransportError(
      'busy',
      TRANSPORT_MESSAGES.busy,
      {},
      retryAfterMs === undefined ? {} : { retryAfterMs },
    );
  }
  return new SyncTransportError('rejected', 'sync.hubRefusedRequestHttp', { status });
}

/**
 * HTTP transport: the fallback when websockets are blocked, and the simplest way to test a hub. It has
 * no pokes: the agent's periodic pull carries it. "Connected" means nothing more than "not known to be
 * down": the first failed request reports `unreachable` and the agent backs off.
 */
export function createHttpTransport(options: HttpTransportOptions): SyncTransport {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = options.baseUrl.replace(/\/+$/, '');
  const pokes = new ListenerSet<void>();
  const connection = new ListenerSet<ConnectionEvent>();
  const inFlight = new Set<AbortController>();
  let connected = false;

  async function send<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    parse: (value: unknown) => T,
  ): Promise<T> {
    if (!connected) throw new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable);
    const controller = new AbortController();
    inFlight.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      let response: Response;
      try {
        response = await fetchImpl(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${options.credential}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.clientVersion === undefined
              ? {}
              : { [CLIENT_VERSION_HEADER]: options.clientVersion }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: controller.signal,
        });
      } catch {
        if (timedOut) throw new SyncTransportError('timeout', TRANSPORT_MESSAGES.timeout);
        throw new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable);
      }
      let text: string;
      try {
        text = await response.text();
      } catch {
        if (timedOut) throw new SyncTransportError('timeout', TRANSPORT_MESSAGES.timeout);
        throw new SyncTransportError('unreachable', TRANSPORT_MESSAGES.disconnected);
      }
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (response.ok) {
        const envelope = SuccessEnvelopeSchema.safeParse(json);
        if (envelope.success) return parse(envelope.data.value);
        const failed = FailedEnvelopeSchema.safeParse(json);
        if (failed.success) throw transportErrorFromBody(failed.data.error);
        if (json === undefined) {
          throw new SyncTransportError('protocol', 'sync.hubSentAnswerNot', { path });
        }
        return parse(json);
      }
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      const errorBody = ErrorResponseSchema.safeParse(json);
      if (errorBody.success) throw transportErrorFromBody(errorBody.data, retryAfterMs);
      throw failureFromStatus(response.status, retryAfterMs);
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  }

  return {
    get connected() {
      return connected;
    },
    async connect() {
      connected = true;
    },
    disconnect() {
      connected = false;
      for (const controller of [...inFlight]) controller.abort();
    },
    push: (request: PushRequest) => send('POST', SYNC_HTTP_PATHS.push, request, parsePushAck),
    pull: (request: PullRequest) => send('POST', SYNC_HTTP_PATHS.pull, request, parsePullPage),
    snapshot: (request: SnapshotRequest) => {
      const query = new URLSearchParams({ after: String(request.after), limit: String(request.limit) });
      if (request.upTo !== undefined) query.set('upTo', String(request.upTo));
      return send('GET', `${SYNC_HTTP_PATHS.snapshot}?${query.toString()}`, undefined, parseSnapshotPage);
    },
    onPoke: (listener) => pokes.add(listener),
    onConnectionChange: (listener) => connection.add(listener),
  };
}
