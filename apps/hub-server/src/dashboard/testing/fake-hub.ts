import type { ErrorBody } from '@retail/domain';

/** One request the dashboard made, as the hub would have received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly authorization: string | null;
}

export interface FakeAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface HandlerInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

type Handler = (input: HandlerInput) => unknown;

const FAILURE = Symbol('failure');

/** What a handler returns to make the hub answer with an error envelope. */
export function failure(code: ErrorBody['code'], message: string, status = statusOf(code)) {
  return { [FAILURE]: true, status, error: { code, message } };
}

function statusOf(code: ErrorBody['code']): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    default:
      return 409;
  }
}

function isFailure(value: unknown): value is ReturnType<typeof failure> {
  return typeof value === 'object' && value !== null && FAILURE in value;
}

/**
 * The hub at the fetch boundary: routes like `GET /api/orders/:orderId` answer scripted values in the
 * hub's envelope, every request is recorded, and an unscripted route fails the way the hub's 404 does.
 */
export function createFakeHub() {
  const routes: { method: string; pattern: RegExp; names: string[]; handler: Handler }[] = [];
  const requests: RecordedRequest[] = [];
  /** Open `GET /api/live` event streams, with the session token each was opened with. */
  const liveStreams = new Set<{
    controller: ReadableStreamDefaultController<Uint8Array>;
    authorization: string | null;
  }>();
  const liveWaiters = new Set<() => void>();
  let liveScripted = false;

  function handle(route: string, handler: Handler): void {
    const [method, path] = route.split(' ') as [string, string];
    const names: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/:(\w+)/g, (_whole, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    // Later scripts win, so a test can override the default answer of a shared setup.
    routes.unshift({ method, pattern, names, handler });
    if (method === 'GET' && path === '/api/live') liveScripted = true;
  }

  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://hub.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    // An uploaded file (a catalog CSV) is recorded as sent; JSON bodies as their value.
    const body =
      typeof init.body === 'string'
        ? (JSON.parse(init.body) as unknown)
        : init.body instanceof Blob
          ? init.body
          : undefined;
    const query = Object.fromEntries(url.searchParams.entries());
    if (
      method === 'GET' &&
      url.pathname === '/api/live' &&
      !liveScripted &&
      headers.get('accept')?.includes('text/event-stream') === true
    ) {
      return openLiveStream(headers.get('authorization'), init.signal ?? undefined);
    }
    requests.push({ method, path: url.pathname, query, body, authorization: headers.get('authorization') });
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(url.pathname);
      if (match === null) continue;
      const params = Object.fromEntries(
        route.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
      );
      const answer = await route.handler({ params, query, body });
      if (isFailure(answer)) return json(answer.status, { ok: false, error: answer.error });
      return json(200, { ok: true, value: answer });
    }
    return json(404, {
      ok: false,
      error: { code: 'NOT_FOUND', message: `There is no ${method} ${url.pathname} endpoint.` },
    });
  };

  function openLiveStream(authorization: string | null, signal: AbortSignal | undefined): Response {
    let entry: (typeof liveStreams extends Set<infer E> ? E : never) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        entry = { controller, authorization };
        liveStreams.add(entry);
        for (const wake of [...liveWaiters]) wake();
      },
      cancel() {
        if (entry !== undefined) liveStreams.delete(entry);
      },
    });
    signal?.addEventListener('abort', () => {
      if (entry === undefined || !liveStreams.delete(entry)) return;
      try {
        entry.controller.close();
      } catch {
        // Already closed by the reader.
      }
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }

  const live = {
    /** Resolves once the dashboard holds an open stream (bounded by the test's own timeout). */
    connected(): Promise<void> {
      return new Promise((resolve) => {
        const check = () => {
          if (liveStreams.size === 0) return;
          liveWaiters.delete(check);
          resolve();
        };
        liveWaiters.add(check);
        check();
      });
    },
    /** The session tokens of the open streams. */
    authorizations(): (string | null)[] {
      return [...liveStreams].map((stream) => stream.authorization);
    },
    /** Sends one server-sent event to every open stream, as the hub's `GET /api/live` does. */
    send(event: string, data: unknown): void {
      const frame = new TextEncoder().encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      for (const stream of liveStreams) stream.controller.enqueue(frame);
    },
  };

  return {
    fetch: fetch as typeof globalThis.fetch,
    handle,
    live,
    requests,
    /** The bodies sent to one route, e.g. `sent('POST', '/api/exceptions/e1/resolve')`. */
    sent(method: string, path: string): unknown[] {
      return requests
        .filter((request) => request.method === method && request.path === path)
        .map((r) => r.body);
    },
  };
}

export type FakeHub = ReturnType<typeof createFakeHub>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
