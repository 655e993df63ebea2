import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError, toErrorBody } from '@retail/domain';
import { Server as SocketServer } from 'socket.io';
import {
  COMMAND_EVENT,
  CommandMessageSchema,
  STORE_COMMANDS,
  type CommandRequest,
  type CommandResponse,
} from '../shared/commands';
import type { EngineLogger } from '../engine/engine';
import { localNames } from './lan-certificate';
import { createRequestGuard, refuse, setPageSecurityHeaders } from './request-guard';
import { tokenMatches } from './server';
import { limitUnauthenticated, raisePayloadLimit } from './socket-limits';
import { createStaticHandler } from './static-files';

/**
 * What a new till serves before it has a database: the renderer (its first-run screen) and a command
 * channel that answers only `node-setup-status` and `node-setup`, on the loopback and for the launch
 * token only (lanes cannot set a till up). Once the setup succeeded the caller closes this server and
 * starts the store server on the same port; the renderer's socket reconnects to it by itself.
 */
export interface SetupServerOptions {
  readonly token: string;
  readonly port: number;
  readonly staticDir?: string;
  readonly logger?: EngineLogger;
  /** The hub the app was started with (`--hub`), offered on the setup screen. */
  readonly hubUrl: string | null;
  readonly setUp: (request: CommandRequest<'node-setup'>) => Promise<CommandResponse<'node-setup'>>;
  /** Host names the node answers to besides IP addresses (default: this machine's names). */
  readonly hostNames?: readonly string[];
}

export interface SetupServer {
  readonly url: string;
  readonly port: number;
  /** Resolves with the setup's answer once the till is set up and the renderer has had its answer. */
  readonly done: Promise<CommandResponse<'node-setup'>>;
  close(): Promise<void>;
}

/** How long the answer to node-setup may take to reach the renderer before the server is replaced. */
const ANSWER_GRACE_MS = 5000;

export async function startSetupServer(options: SetupServerOptions): Promise<SetupServer> {
  const log = options.logger;
  const guard = createRequestGuard({ scheme: 'http', names: options.hostNames ?? localNames() });
  const serveStatic = createStaticHandler(options.staticDir);
  const http = createServer((request: IncomingMessage, response: ServerResponse) => {
    setPageSecurityHeaders(response);
    if (!guard.hostAllowed(request)) {
      refuse(response, 421, 'This store node answers to its own names and addresses only.');
      return;
    }
    if (!guard.originAllowed(request)) {
      refuse(response, 403, 'Requests from other sites are refused.');
      return;
    }
    serveStatic(request, response);
  });
  const io = new SocketServer(http, {
    serveClient: false,
    ...limitUnauthenticated(),
    allowRequest: (request, callback) =>
      guard.hostAllowed(request) && guard.originAllowed(request)
        ? callback(null, true)
        : callback('refused', false),
  });
  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    if (!tokenMatches(auth?.token, options.token)) {
      log?.warn({ address: socket.handshake.address }, 'refused a client during setup');
      next(new Error('unauthorized'));
      return;
    }
    raisePayloadLimit(socket.conn, log);
    next();
  });

  let settle: (answer: CommandResponse<'node-setup'>) => void = () => undefined;
  const done = new Promise<CommandResponse<'node-setup'>>((resolve) => (settle = resolve));
  let running = false;
  let answer: CommandResponse<'node-setup'> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    if (answer === undefined) return;
    if (graceTimer) clearTimeout(graceTimer);
    settle(answer);
  };

  io.on('connection', (socket) => {
    socket.on(COMMAND_EVENT, async (message: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const parsed = CommandMessageSchema.safeParse(message);
      const name = parsed.success ? parsed.data.name : '';
      // Anything the renderer sends after its node-setup answer proves that answer arrived.
      if (answer !== undefined) {
        ack(
          name === 'node-setup-status'
            ? {
                ok: true,
                value: {
                  state: 'ready',
                  storeCode: answer.storeCode,
                  deviceNo: answer.deviceNo,
                  hubUrl: answer.hubUrl,
                  enrolled: answer.hubUrl !== null,
                },
              }
            : {
                ok: false,
                error: new DomainError('NOT_ALLOWED', 'lane.tillSetUpStarting').toJSON(),
              },
        );
        finish();
        return;
      }
      if (name === 'node-setup-status') {
        ack({ ok: true, value: { state: 'needs-setup', hubUrl: options.hubUrl } });
        return;
      }
      if (name !== 'node-setup') {
        ack({
          ok: false,
          error: new DomainError('NOT_ALLOWED', 'lane.tillNotSetUp').toJSON(),
        });
        return;
      }
      const request = STORE_COMMANDS['node-setup'].request.safeParse(parsed.data?.input ?? {});
      if (!request.success) {
        const issue = request.error.issues[0];
        ack({
          ok: false,
          error: new DomainError(
            'INVALID_INPUT',
            'lane.setupNotComplete',
            {
              hasPath: issue && issue.path.length > 0 ? 'yes' : 'no',
              path: issue?.path.join('.') ?? '',
              hasIssue: issue?.message ? 'yes' : 'no',
              issue: issue?.message ?? '',
            },
            { issues: request.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
          ).toJSON(),
        });
        return;
      }
      if (running) {
        ack({
          ok: false,
          error: new DomainError('CONFLICT', 'lane.tillSetUpAlready').toJSON(),
        });
        return;
      }
      running = true;
      try {
        const value = await options.setUp(request.data);
        answer = value;
        log?.info({ storeCode: value.storeCode, deviceNo: value.deviceNo }, 'till set up');
        ack({ ok: true, value });
        graceTimer = setTimeout(finish, ANSWER_GRACE_MS);
      } catch (error) {
        if (!(error instanceof DomainError)) log?.error({ err: error }, 'setup failed unexpectedly');
        ack({ ok: false, error: toErrorBody(error) });
      } finally {
        running = false;
      }
    });
    // A renderer that went away after its answer does not need the grace period.
    socket.on('disconnect', () => {
      if (answer !== undefined && io.sockets.sockets.size === 0) finish();
    });
  });

  const address = await new Promise<AddressInfo>((resolveListen, rejectListen) => {
    http.once('error', rejectListen);
    http.listen(options.port, '127.0.0.1', () => {
      http.off('error', rejectListen);
      resolveListen(http.address() as AddressInfo);
    });
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    done,
    close: () =>
      new Promise<void>((resolveClose) => {
        if (graceTimer) clearTimeout(graceTimer);
        void io.close(() => resolveClose());
      }),
  };
}
