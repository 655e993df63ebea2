import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { DomainError, toErrorBody, type ErrorBody } from '@retail/domain';
import type { DevicePrincipal } from '../server/ingest';
import { SYNC_HTTP_PATHS } from '../client/http-transport';
import { SYNC_EVENTS, SYNC_NAMESPACE } from '../client/socket-io-transport';
import type { ReferenceHub } from './reference-hub';

export interface ReferenceSyncServer {
  /** `http://127.0.0.1:<port>`: the base URL for both transports. */
  readonly url: string;
  /** Answer every sync request with 503 / RATE_LIMITED and this retryAfter, or behave again (null). */
  setBusy(retryAfterMs: number | null): void;
  /** Stop answering (requests hang until the client's timeout), or answer again. */
  setSilent(silent: boolean): void;
  /** The hub drops every socket.io connection, as on a restart. */
  disconnectAll(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError('INVALID_INPUT', 'The request body is not JSON.');
  }
}

const STATUS: Partial<Record<ErrorBody['code'], number>> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  SCHEMA_VERSION: 426,
  RATE_LIMITED: 429,
  HUB_UNAVAILABLE: 503,
};

/**
 * The sync contract of docs/sync.md served over real sockets on 127.0.0.1 by a ReferenceHub: socket.io
 * namespace `/sync` and the HTTP endpoints. The transports' tests run against it, and the apps can use
 * it to test their agent wiring without a real hub.
 */
export async function startReferenceSyncServer(options: {
  hub: ReferenceHub;
  /** credential → the device it authenticates. */
  credentials: ReadonlyMap<string, DevicePrincipal>;
}): Promise<ReferenceSyncServer> {
  const { hub, credentials } = options;
  let busyRetryAfterMs: number | null = null;
  let silent = false;

  const busyBody = (): ErrorBody => ({
    code: 'RATE_LIMITED',
    message: 'The hub is busy; try again later.',
    details: { retryAfterMs: busyRetryAfterMs ?? 0 },
  });

  function principalOf(credential: unknown): DevicePrincipal {
    const principal = typeof credential === 'string' ? credentials.get(credential) : undefined;
    if (principal === undefined) {
      throw new DomainError('UNAUTHORIZED', 'This device credential is not valid. Enroll the device again.');
    }
    return principal;
  }

  async function answerHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // Result envelopes, as the hub's API answers (CONVENTIONS §3).
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(status < 300 ? { ok: true, value: body } : { ok: false, error: body }));
    };
    try {
      if (silent) return;
      const authorization = request.headers.authorization ?? '';
      const principal = principalOf(authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined);
      if (busyRetryAfterMs !== null) {
        send(503, busyBody(), { 'retry-after': String(Math.ceil(busyRetryAfterMs / 1000)) });
        return;
      }
      const route = `${request.method ?? 'GET'} ${url.pathname}`;
      if (route === `POST ${SYNC_HTTP_PATHS.push}`)
        send(200, await hub.push(principal, await readJson(request)));
      else if (route === `POST ${SYNC_HTTP_PATHS.pull}`)
        send(200, await hub.pull(principal, await readJson(request)));
      else if (route === `GET ${SYNC_HTTP_PATHS.pull}`)
        send(200, await hub.pull(principal, Object.fromEntries(url.searchParams)));
      else if (route === `GET ${SYNC_HTTP_PATHS.snapshot}`) {
        send(200, await hub.snapshot(principal, Object.fromEntries(url.searchParams)));
      } else send(404, { code: 'NOT_FOUND', message: `There is no ${route}.` });
    } catch (error) {
      const body = toErrorBody(error);
      send(STATUS[body.code] ?? 500, body);
    }
  }

  const server = createServer((request, response) => {
    void answerHttp(request, response);
  });
  const io = new Server(server, { serveClient: false });
  const sync = io.of(SYNC_NAMESPACE);
  sync.use((socket, next) => {
    try {
      socket.data.principal = principalOf((socket.handshake.auth as Record<string, unknown>)['credential']);
      next();
    } catch (error) {
      const failure = new Error('unauthorized') as Error & { data: ErrorBody };
      failure.data = toErrorBody(error);
      next(failure);
    }
  });
  sync.on('connection', (socket) => {
    const principal = socket.data.principal as DevicePrincipal;
    const stopPokes = hub.onPoke(principal.storeId, () => socket.emit(SYNC_EVENTS.poke));
    socket.on('disconnect', stopPokes);
    const handle =
      (call: (principal: DevicePrincipal, body: unknown) => Promise<unknown>) =>
      (body: unknown, ack: unknown) => {
        if (typeof ack !== 'function' || silent) return;
        if (busyRetryAfterMs !== null) {
          ack({ ok: false, error: busyBody() });
          return;
        }
        call(principal, body).then(
          (value) => ack({ ok: true, value }),
          (error: unknown) => ack({ ok: false, error: toErrorBody(error) }),
        );
      };
    socket.on(
      SYNC_EVENTS.push,
      handle((p, body) => hub.push(p, body)),
    );
    socket.on(
      SYNC_EVENTS.pull,
      handle((p, body) => hub.pull(p, body)),
    );
    socket.on(
      SYNC_EVENTS.snapshot,
      handle((p, body) => hub.snapshot(p, body)),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setBusy(retryAfterMs) {
      busyRetryAfterMs = retryAfterMs;
    },
    setSilent(value) {
      silent = value;
    },
    disconnectAll() {
      sync.disconnectSockets(true);
    },
    async close() {
      sync.disconnectSockets(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
