import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError, type ErrorBody } from '@retail/domain';
import { errorBodyOf } from '../http-errors';
import { bearer, type RouteRegistry } from '../route';
import { authenticateSession } from '../../auth/users';
import { countOpenExceptions, EXCEPTION_SEVERITIES } from '../../exceptions/exception-queue';
import { LiveChanges, type LiveChange, type LiveChangesOptions } from '../../live/live-changes';

export interface LiveRouteOptions extends LiveChangesOptions {
  /** A comment line this often keeps proxies from closing an idle stream and re-checks the session. */
  readonly heartbeatMs?: number;
  /** A dashboard that reads nothing while this much is queued for it is cut off; it reconnects. */
  readonly maxQueuedBytes?: number;
}

const LiveSummarySchema = z.object({
  openExceptions: z.object(
    Object.fromEntries(EXCEPTION_SEVERITIES.map((severity) => [severity, z.number().int()])) as Record<
      (typeof EXCEPTION_SEVERITIES)[number],
      z.ZodNumber
    >,
  ),
  /** Dashboards connected to this hub process's stream. */
  listening: z.number().int(),
});

/** What the stream sends: `changes` (a JSON array of LiveChange), `refresh`, `session-ended`, `ready`. */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * `GET /api/live`: the open dashboard's server-sent event stream of exceptions, order states and device
 * sync status (docs/hub.md). A session streams only while it lasts: it is checked again on every message
 * and heartbeat, and a signed-out, expired or deactivated session gets `session-ended` and the stream
 * closes. Without `Accept: text/event-stream` the route answers a JSON summary instead.
 */
export function registerLiveRoutes(
  app: FastifyInstance,
  routes: RouteRegistry,
  options: LiveRouteOptions = {},
): LiveChanges {
  const hub = routes.hub;
  const live = new LiveChanges(hub.storage, options);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
  const streams = new Set<() => void>();

  routes.add(app, {
    method: 'GET',
    url: '/api/live',
    summary:
      'Live dashboard updates as server-sent events (Accept: text/event-stream): `changes` with the exceptions, orders and devices that changed, `refresh`, `session-ended`; otherwise a JSON summary',
    tag: 'exceptions',
    access: { kind: 'hq', role: 'viewer' },
    headers: z.object({ accept: z.string().max(1000).optional() }),
    response: LiveSummarySchema,
    handler: async ({ headers, request, reply }) => {
      if (headers.accept?.includes('text/event-stream') !== true) {
        const counts = await countOpenExceptions(hub.storage.db);
        const openExceptions = { info: 0, warning: 0, critical: 0 };
        for (const row of counts) {
          if (row.severity in openExceptions)
            openExceptions[row.severity as keyof typeof openExceptions] += row.count;
        }
        return { openExceptions, listening: live.listening() };
      }
      const token = bearer(request) ?? '';
      streamTo(reply, token);
      return { openExceptions: { info: 0, warning: 0, critical: 0 }, listening: 0 };
    },
  });

  function streamTo(reply: FastifyReply, token: string): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-correlation-id': String(reply.request.id),
    });
    let ended = false;
    let checking: Promise<boolean> | undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      unsubscribe();
      clearInterval(heartbeat);
      streams.delete(end);
      raw.end();
    };
    const write = (text: string) => {
      if (ended) return;
      if (raw.writableLength > maxQueuedBytes) return end();
      raw.write(text);
    };
    /** The session's rights are those of now, not of when the stream opened. */
    const sessionStillValid = (): Promise<boolean> =>
      (checking ??= authenticateSession(hub, token)
        .then(() => true)
        .catch((error: unknown) => {
          if (error instanceof DomainError && error.code === 'UNAUTHORIZED') {
            write(frame('session-ended', errorBodyOf(error) satisfies ErrorBody));
            end();
            return false;
          }
          // The database is away for a moment: keep the stream, the next check decides.
          return true;
        })
        .finally(() => {
          checking = undefined;
        }));
    const send = (changes: readonly LiveChange[] | null) => {
      void sessionStillValid().then((valid) => {
        if (!valid) return;
        write(changes === null ? frame('refresh', {}) : frame('changes', changes));
      });
    };
    const unsubscribe = live.subscribe(send);
    const heartbeat = setInterval(() => {
      void sessionStillValid().then((valid) => {
        if (valid) write(': heartbeat\n\n');
      });
    }, heartbeatMs);
    heartbeat.unref();
    streams.add(end);
    raw.on('close', end);
    raw.on('error', end);
    // How long the browser waits before reconnecting after the stream is lost.
    write('retry: 2000\n\n');
    void live.ready().then(() => write(frame('ready', {})));
  }

  // Streams never end by themselves: close them, or app.close() waits for the connection grace.
  app.addHook('preClose', (done) => {
    for (const end of [...streams]) end();
    live.close();
    done();
  });
  return live;
}
