import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '@retail/domain';
import { Server as SocketServer } from 'socket.io';
import { COMMAND_EVENT, CommandMessageSchema } from '../shared/commands';
import { NOTIFICATION_EVENT } from '../shared/notifications';
import type { EngineLogger, StoreEngine } from '../engine/engine';
import { createStaticHandler } from './static-files';

export interface StoreServerOptions {
  readonly engine: StoreEngine;
  /** The per-launch token every client must present in the socket.io handshake (`auth: { token }`). */
  readonly token: string;
  /** 127.0.0.1 unless the node serves lanes and handhelds on the store LAN (`--lan`: 0.0.0.0). */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The renderer build to serve; a plain page says so when it is missing. */
  readonly staticDir?: string;
  readonly logger?: EngineLogger;
}

export interface StoreServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly http: HttpServer;
  readonly io: SocketServer;
  close(): Promise<void>;
}

/** Constant-time token comparison (hash first so lengths never leak either). */
function tokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The store node's local server: one HTTP server carrying the renderer's static files and the socket.io
 * command channel. Commands are ack'd emits answered with result envelopes; change notifications are
 * pushed to every authenticated client after the command that caused them commits.
 */
export async function startStoreServer(options: StoreServerOptions): Promise<StoreServer> {
  if (options.token.length < 16) {
    throw new DomainError('INVALID_INPUT', 'The store server token must be at least 16 characters long.');
  }
  const host = options.host ?? '127.0.0.1';
  const log = options.logger;
  const http = createServer(createStaticHandler(options.staticDir));
  const io = new SocketServer(http, { serveClient: false, maxHttpBufferSize: 1_000_000 });

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    if (!tokenMatches(auth?.token, options.token)) {
      log?.warn({ address: socket.handshake.address }, 'refused a client with a wrong or missing token');
      next(new Error('unauthorized'));
      return;
    }
    next();
  });

  io.on('connection', (socket) => {
    log?.info({ socketId: socket.id, address: socket.handshake.address }, 'client connected');
    socket.on(COMMAND_EVENT, async (message: unknown, ack: unknown) => {
      // Without an ack callback nobody could ever learn the outcome: refuse to run the command at all.
      if (typeof ack !== 'function') return;
      const parsed = CommandMessageSchema.safeParse(message);
      if (!parsed.success) {
        ack({
          ok: false,
          error: new DomainError('INVALID_INPUT', 'A command must be sent as { name, input, session? }.', {
            issues: parsed.error.issues.map((issue) => ({
              path: issue.path.join('.'),
              message: issue.message,
            })),
          }).toJSON(),
        });
        return;
      }
      const { name, input, session } = parsed.data;
      const result = await options.engine.executeUnknownAsync(
        name,
        input,
        session === undefined ? {} : { session },
      );
      if (!result.ok) log?.info({ command: name, code: result.error.code }, 'command refused');
      ack(result);
    });
    socket.on('disconnect', (reason) => log?.info({ socketId: socket.id, reason }, 'client disconnected'));
  });

  const unsubscribe = options.engine.subscribe((notification) => {
    io.emit(NOTIFICATION_EVENT, notification);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    http.once('error', rejectListen);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = http.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${address.port}`,
    host,
    port: address.port,
    http,
    io,
    close: () =>
      new Promise<void>((resolveClose) => {
        unsubscribe();
        // io.close() also closes the HTTP server once every socket is gone.
        void io.close(() => resolveClose());
      }),
  };
}
