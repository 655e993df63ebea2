import { createHash, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DomainError } from '@retail/domain';
import { Server as SocketServer, type Socket } from 'socket.io';
import { COMMAND_EVENT, CommandMessageSchema } from '../shared/commands';
import { DISPLAY_EVENT, customerDisplayState, type DisplayContext } from '../shared/customer-display';
import { PAIR_PATH, RegisterIdSchema } from '../shared/lane-commands';
import { NOTIFICATION_EVENT } from '../shared/notifications';
import type { EngineLogger, StoreEngine } from '../engine/engine';
import { localNames, type LanCertificate } from './lan-certificate';
import { handlePairRequest } from './pairing-endpoint';
import { createRequestGuard, DESKTOP_ORIGIN, refuse, setPageSecurityHeaders } from './request-guard';
import { createStaticHandler } from './static-files';
import { limitUnauthenticated, raisePayloadLimit } from './socket-limits';

/** Where lanes reach the node over HTTPS with --lan (the main till stays on loopback HTTP). */
export const DEFAULT_LAN_PORT = 7443;

export interface StoreServerOptions {
  readonly engine: StoreEngine;
  /** The per-launch token of the main till (Electron window, local tools): `auth: { token }`. */
  readonly token: string;
  /**
   * Where the main till reaches the node: 127.0.0.1 (plain HTTP never leaves the machine). A host other
   * than the loopback is for tests and tools only; lanes come through `lan`.
   */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** The renderer build to serve; a plain page says so when it is missing. */
  readonly staticDir?: string;
  readonly logger?: EngineLogger;
  /**
   * Lanes, handhelds and displays on the store LAN (`--lan`): a second listener, HTTPS and WSS only,
   * with the node's own certificate (server/lan-certificate).
   */
  readonly lan?: { readonly host?: string; readonly port: number; readonly tls: LanCertificate };
  /** Host names the node answers to besides IP addresses (default: this machine's names). */
  readonly hostNames?: readonly string[];
  /** Page origins besides the node's own that may open the socket (default: the desktop shell's). */
  readonly extraOrigins?: readonly string[];
}

export interface StoreServer {
  /** The main till's address (loopback, plain HTTP). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The lanes' address and the certificate fingerprint they pin, when serving the LAN. */
  readonly lan: {
    readonly url: string;
    readonly port: number;
    readonly certificateFingerprint: string;
  } | null;
  close(): Promise<void>;
}

/** Who is on the other end of a socket, decided once at the handshake from its credential. */
type Client =
  | { readonly kind: 'main' }
  | { readonly kind: 'lane'; readonly laneId: string; readonly registerId: string }
  | { readonly kind: 'display'; readonly laneId: string | null; readonly registerId: string };

/** Socket rooms: staff screens get notifications, displays get their register's sale, lanes can be cut off. */
const TILLS_ROOM = 'tills';
const DISPLAY_ROOM_PREFIX = 'display:';
const displayRoom = (registerId: string) => `${DISPLAY_ROOM_PREFIX}${registerId}`;
const laneRoom = (laneId: string) => `lane:${laneId}`;

/** Constant-time token comparison (hash first so lengths never leak either). */
export function tokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 512) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function identify(engine: StoreEngine, auth: unknown, token: string): Client | undefined {
  const presented = (typeof auth === 'object' && auth !== null ? auth : {}) as {
    token?: unknown;
    lane?: unknown;
    display?: unknown;
  };
  if (tokenMatches(presented.token, token)) {
    // The desktop shell's second window shows a register's sale with the main till's token.
    if (presented.display === undefined) return { kind: 'main' };
    const register = RegisterIdSchema.safeParse(presented.display);
    return register.success ? { kind: 'display', laneId: null, registerId: register.data } : undefined;
  }
  if (typeof presented.lane !== 'string' || presented.lane.length < 32 || presented.lane.length > 100) {
    return undefined;
  }
  const device = engine.authenticateDevice(presented.lane);
  if (!device) return undefined;
  return device.kind === 'lane'
    ? { kind: 'lane', laneId: device.laneId, registerId: device.registerId }
    : { kind: 'display', laneId: device.laneId, registerId: device.registerId };
}

/**
 * The store node's local server: one HTTP(S) server carrying the renderer's static files, the lane
 * pairing endpoint and the socket.io channel. Staff screens (the main till with the launch token, paired
 * lanes with their credential) send commands as ack'd emits answered with result envelopes and receive
 * change notifications; customer displays receive only their register's sale.
 */
export async function startStoreServer(options: StoreServerOptions): Promise<StoreServer> {
  if (options.token.length < 16) {
    throw new DomainError('INVALID_INPUT', 'lane.storeServerTokenMust');
  }
  const { engine } = options;
  const log = options.logger;
  const names = options.hostNames ?? localNames();
  const extraOrigins = options.extraOrigins ?? [DESKTOP_ORIGIN];
  const certificateFingerprint = options.lan?.tls.fingerprint ?? null;
  const serveStatic = createStaticHandler(options.staticDir);
  const sockets: SocketServer[] = [];

  const displayContext = (registerId: string): DisplayContext => {
    const info = engine.execute('node-info', {});
    return {
      registerId,
      currency: info.ok ? info.value.currency : engine.identity.currency,
      locale: info.ok ? info.value.locale : engine.identity.locale,
      storeName: info.ok ? info.value.storeName : null,
    };
  };
  const displayState = (registerId: string) =>
    customerDisplayState(engine.currentSale(registerId), displayContext(registerId));

  function onConnection(socket: Socket): void {
    const client = socket.data.client as Client;
    log?.info(
      { socketId: socket.id, address: socket.handshake.address, kind: client.kind },
      'client connected',
    );
    if (client.kind !== 'main' && client.laneId !== null) void socket.join(laneRoom(client.laneId));
    if (client.kind === 'display') {
      void socket.join(displayRoom(client.registerId));
      socket.emit(DISPLAY_EVENT, displayState(client.registerId));
      socket.on(COMMAND_EVENT, (_message: unknown, ack: unknown) => {
        if (typeof ack === 'function') {
          ack({
            ok: false,
            error: { code: 'FORBIDDEN', message: 'A customer display cannot run commands.' },
          });
        }
      });
    } else {
      void socket.join(TILLS_ROOM);
      const laneId = client.kind === 'lane' ? client.laneId : undefined;
      socket.on(COMMAND_EVENT, async (message: unknown, ack: unknown) => {
        // Without an ack callback nobody could ever learn the outcome: refuse to run the command at all.
        if (typeof ack !== 'function') return;
        const parsed = CommandMessageSchema.safeParse(message);
        if (!parsed.success) {
          ack({
            ok: false,
            error: new DomainError(
              'INVALID_INPUT',
              'lane.commandMustSentName',
              {},
              {
                issues: parsed.error.issues.map((issue) => ({
                  path: issue.path.join('.'),
                  message: issue.message,
                })),
              },
            ).toJSON(),
          });
          return;
        }
        const { name, input, session } = parsed.data;
        // What follows a committed command (the pusher's wake-up, notifications, displays) runs once the
        // answer is written: the command is committed (and fsynced where it must be) before either.
        let followUp: (() => void) | undefined;
        // The lane is resolved again inside the command's transaction: a revoked lane runs nothing.
        const result = await engine.executeUnknownAsync(name, input, {
          ...(session === undefined ? {} : { session }),
          ...(laneId === undefined ? {} : { laneId }),
          afterAnswer: (work) => {
            followUp = work;
          },
        });
        try {
          ack(result);
        } finally {
          followUp?.();
        }
        if (!result.ok) log?.info({ command: name, code: result.error.code, laneId }, 'command refused');
      });
    }
    socket.on('disconnect', (reason) => log?.info({ socketId: socket.id, reason }, 'client disconnected'));
  }

  /** One listener: its own request guard (scheme, names, origins), the static files, pairing, the socket. */
  function serve(listener: HttpServer, scheme: 'http' | 'https'): void {
    const guard = createRequestGuard({ scheme, names, extraOrigins });
    listener.on('request', (request: IncomingMessage, response: ServerResponse) => {
      setPageSecurityHeaders(response);
      if (!guard.hostAllowed(request)) {
        refuse(response, 421, 'This store node answers to its own names and addresses only.');
        return;
      }
      if (!guard.originAllowed(request)) {
        refuse(response, 403, 'Requests from other sites are refused.');
        return;
      }
      if ((request.url ?? '/').split('?')[0] === PAIR_PATH) {
        handlePairRequest(request, response, engine, scheme === 'https' ? certificateFingerprint : null, log);
        return;
      }
      serveStatic(request, response);
    });
    const io = new SocketServer(listener, {
      serveClient: false,
      ...limitUnauthenticated(),
      allowRequest: (request, callback) => {
        if (!guard.hostAllowed(request)) {
          log?.warn({ host: request.headers.host }, 'refused a socket for an unknown host name');
          callback('unknown host', false);
          return;
        }
        if (!guard.originAllowed(request)) {
          log?.warn({ origin: request.headers.origin }, 'refused a socket opened by another site');
          callback('origin not allowed', false);
          return;
        }
        callback(null, true);
      },
    });
    io.use((socket, next) => {
      const client = identify(engine, socket.handshake.auth, options.token);
      if (!client) {
        log?.warn(
          { address: socket.handshake.address },
          'refused a client with a wrong or missing credential',
        );
        next(new Error('unauthorized'));
        return;
      }
      socket.data.client = client;
      // Displays only listen: they keep the small limit of unauthenticated connections.
      if (client.kind !== 'display') raisePayloadLimit(socket.conn, log);
      next();
    });
    io.on('connection', onConnection);
    sockets.push(io);
  }

  const unsubscribe = engine.subscribe((notification) => {
    for (const io of sockets) {
      io.to(TILLS_ROOM).emit(NOTIFICATION_EVENT, notification);
      // A revoked device is cut off now, not at its next command.
      if (notification.name === 'lane-revoked') {
        io.in(laneRoom(notification.payload.laneId)).disconnectSockets(true);
      }
      // A price that switched on or off re-prices open sales: displays show them again.
      if (notification.name === 'prices-changed') {
        for (const room of io.sockets.adapter.rooms.keys()) {
          if (room.startsWith(DISPLAY_ROOM_PREFIX)) {
            io.to(room).emit(DISPLAY_EVENT, displayState(room.slice(DISPLAY_ROOM_PREFIX.length)));
          }
        }
      }
    }
  });
  const unsubscribeSales = engine.onSaleChanged((sale) => {
    const room = displayRoom(sale.registerId);
    // The display state costs a node-info command: only built when that register's display is connected.
    const watching = sockets.filter((io) => (io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0);
    if (watching.length === 0) return;
    const state = customerDisplayState(sale, displayContext(sale.registerId));
    for (const io of watching) io.to(room).emit(DISPLAY_EVENT, state);
  });

  const listen = (listener: HttpServer, port: number, host: string) =>
    new Promise<AddressInfo>((resolveListen, rejectListen) => {
      listener.once('error', rejectListen);
      listener.listen(port, host, () => {
        listener.off('error', rejectListen);
        resolveListen(listener.address() as AddressInfo);
      });
    });
  const close = () =>
    Promise.all(
      sockets.map(
        // io.close() also closes its HTTP server once every socket is gone.
        (io) => new Promise<void>((resolveClose) => void io.close(() => resolveClose())),
      ),
    ).then(() => undefined);

  const host = options.host ?? '127.0.0.1';
  try {
    const local = createServer();
    serve(local, 'http');
    const localAddress = await listen(local, options.port ?? 0, host);
    let lan: StoreServer['lan'] = null;
    if (options.lan) {
      const secure = createHttpsServer({
        cert: options.lan.tls.cert,
        key: options.lan.tls.key,
        minVersion: 'TLSv1.2',
      });
      serve(secure, 'https');
      const lanHost = options.lan.host ?? '0.0.0.0';
      const lanAddress = await listen(secure, options.lan.port, lanHost);
      lan = {
        url: `https://${lanHost === '0.0.0.0' ? '127.0.0.1' : lanHost}:${lanAddress.port}`,
        port: lanAddress.port,
        certificateFingerprint: options.lan.tls.fingerprint,
      };
    }
    const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
    return {
      url: `http://${urlHost}:${localAddress.port}`,
      host,
      port: localAddress.port,
      lan,
      close: async () => {
        unsubscribe();
        unsubscribeSales();
        await close();
      },
    };
  } catch (error) {
    unsubscribe();
    unsubscribeSales();
    await close();
    throw error;
  }
}
