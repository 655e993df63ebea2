import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import pino, { type Logger } from 'pino';
import { DomainError } from '@retail/domain';
import {
  DEFAULT_SIGN_IN_THROTTLE,
  SignInThrottle,
  type SignInThrottleOptions,
} from '../auth/sign-in-throttle';
import { hashToken, sameHash } from '../auth/secrets';
import type { HubContext } from '../hub-context';
import { registerDashboard } from './dashboard-static';
import { databaseUnavailable } from '../storage/database-errors';
import { errorBodyOf, frameworkError, retryAfterSecondsOf, statusOf } from './http-errors';
import { HubMetrics } from './metrics';
import { SUPPORTED_METHODS, methodNotAllowed } from './methods';
import { buildOpenApi } from './openapi';
import { RateLimiter, type RateLimit } from './rate-limit';
import { registerJsonBodyParser } from './json-body';
import { bearer, DEFAULT_BODY_LIMITS, RouteRegistry, type BodyLimits } from './route';
import { registerAdminRoutes } from './routes/admin-routes';
import { registerCatalogRoutes } from './routes/catalog-routes';
import { registerEventRoutes } from './routes/event-routes';
import { registerImportRoutes } from './routes/import-routes';
import { registerInventoryRoutes } from './routes/inventory-routes';
import { registerLoyaltyRoutes } from './routes/loyalty-routes';
import { registerPricingRoutes } from './routes/pricing-routes';
import { registerReportRoutes } from './routes/report-routes';
import { registerStaffRoutes } from './routes/staff-routes';
import { registerSettingsRoutes } from './routes/settings-routes';
import { registerSyncRoutes, type SyncEndpoints, type SyncOptions } from './routes/sync-routes';
import { registerOrderRoutes, type OrderRouteOptions } from './routes/order-routes';
import { registerPaymentRoutes, type PaymentRouteOptions } from './routes/payment-routes';
import { registerChannelRoutes } from './routes/channel-routes';
import { registerDeliveryRoutes } from './routes/delivery-routes';
import { buildAsyncApi } from '../integration/asyncapi';
import { registerIntegrationRoutes } from './routes/integration-routes';
import { registerAlertRoutes } from './routes/alert-routes';
import { registerReceiptEmailRoutes } from './routes/receipt-email-routes';
import { registerPurchasingRoutes } from './routes/purchasing-routes';
import { registerLiveRoutes, type LiveRouteOptions } from './routes/live-routes';

export interface AppOptions {
  readonly hub: HubContext;
  readonly logger?: Logger;
  /** Per authenticated principal. */
  readonly rateLimit?: RateLimit;
  /** Per address, for calls without a credential (sign-in, enrollment) or with a refused one. */
  readonly anonymousRateLimit?: RateLimit;
  /** Per address, sign-in attempts whatever the account. */
  readonly signInAddressRateLimit?: RateLimit;
  /** Growing delays per (account, address) and the alert to HQ. */
  readonly signInThrottle?: Partial<SignInThrottleOptions>;
  /** JSON body size per class of route (small, standard, large). */
  readonly bodyLimits?: Partial<BodyLimits>;
  /** How deep a JSON body may nest arrays and objects. */
  readonly maxJsonDepth?: number;
  /** Catalog uploads, which are streamed rather than buffered. */
  readonly importLimitBytes?: number;
  readonly version?: string;
  /** Sync transports: catch-up admission, pokes, the socket.io `/sync` namespace. */
  readonly sync?: SyncOptions;
  /** The dashboard's live stream (`GET /api/live`): polling, coalescing and heartbeat intervals. */
  readonly live?: LiveRouteOptions;
  /** BOPIS intake settings (default pickup policy, offline threshold) and pickup-code randomness. */
  readonly orders?: OrderRouteOptions;
  /** The payment provider's webhook (and, through `orders.payments`, intake authorisation). */
  readonly payments?: PaymentRouteOptions;
  /** The built HQ dashboard served at `/` (default: found next to the hub's build; null: not built). */
  readonly dashboardRoot?: string | null;
  /**
   * `GET /metrics` needs `Authorization: Bearer <metricsToken>` when set. Without one it is served only
   * while the hub listens on a loopback address: device ids, store codes and exception counts are not for
   * everyone who can reach the hub.
   */
  readonly metricsToken?: string;
  /** How long requests in flight may finish once the hub is closing (default 2 s). */
  readonly closeGraceMs?: number;
}

export interface HubApp {
  readonly app: FastifyInstance;
  readonly metrics: HubMetrics;
  readonly routes: RouteRegistry;
  readonly sync: SyncEndpoints;
}

/** The longest path parameter the router hands to a route (ids are at most 100; see frameworkErrors). */
const MAX_ROUTED_PARAM_LENGTH = 500;

function pathTooLong() {
  return {
    ok: false,
    error: new DomainError(
      'INVALID_INPUT',
      'hub.api.pathValueTooLong',
      { max: MAX_ROUTED_PARAM_LENGTH },
      { issues: [{ path: 'params', message: 'too long' }] },
    ).toJSON(),
  };
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/** A database that does not answer a trivial query in this time is as good as gone for readiness. */
const READY_TIMEOUT_MS = 3_000;

/**
 * Query parameters whose values are logged: positions and filters that say nothing about a person.
 * Every other value (a customer search, whatever a client adds) is logged as `[redacted]`.
 */
const LOGGED_QUERY_KEYS = new Set([
  'cursor',
  'after',
  'upTo',
  'limit',
  'epoch',
  'before',
  'format',
  'dryRun',
  'importId',
  'status',
  'type',
  'severity',
  'channel',
  'nodeId',
  'sku',
]);

/** The request URL as logged: the path, and the query with only harmless values kept. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const kept = [...new URLSearchParams(url.slice(mark + 1))].map(([key, value]) =>
    LOGGED_QUERY_KEYS.has(key)
      ? `${encodeURIComponent(key)}=${encodeURIComponent(value)}`
      : `${encodeURIComponent(key)}=[redacted]`,
  );
  return `${url.slice(0, mark)}?${kept.join('&')}`;
}

/** Secrets never reach the logs, whatever a handler logs; neither do customers' details in query strings. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      serializers: {
        // Fastify's own request serializer, with the URL's query redacted.
        req: (request: { method?: string; url?: string; host?: string; ip?: string }) => ({
          method: request.method,
          url: redactUrl(request.url ?? ''),
          host: request.host,
          remoteAddress: request.ip,
        }),
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          '*.password',
          '*.credential',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Why `/metrics` is refused to this caller, or null to serve it. Without a token it is served only when
 * the hub is not listening (in-process injection) or listens on a loopback address.
 */
export function metricsRefusal(
  bound: AddressInfo | string | null,
  token: string | undefined,
  presented: string | undefined,
): DomainError | null {
  if (token === undefined) {
    if (bound === null || (typeof bound === 'object' && isLoopback(bound.address))) return null;
    return new DomainError('FORBIDDEN', 'hub.api.metricsNotServedPublic');
  }
  if (presented !== undefined && sameHash(hashToken(presented), hashToken(token))) return null;
  return new DomainError('UNAUTHORIZED', 'hub.api.metricsNeedMetricsToken');
}

export async function buildApp(options: AppOptions): Promise<HubApp> {
  const { hub } = options;
  const bodyLimits: BodyLimits = { ...DEFAULT_BODY_LIMITS, ...options.bodyLimits };
  const app: FastifyInstance = Fastify({
    loggerInstance: (options.logger ?? createLogger({ level: 'silent' })) as FastifyBaseLogger,
    // Routes outside the registry (health, metrics, unknown URLs) take no body worth the name.
    bodyLimit: bodyLimits.small,
    // Callers may pass their correlation id; otherwise each request gets one. It is on every log line.
    genReqId: (request) => {
      const given = request.headers['x-correlation-id'];
      return typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    // Past the 100 characters every id allows, so an over-long one reaches the route's own validation
    // and is answered with the field's name; anything longer still gets the product's envelope below.
    routerOptions: { maxParamLength: MAX_ROUTED_PARAM_LENGTH },
    // The router's own refusals (an over-long parameter, a malformed URL) in the product's envelope
    // instead of Fastify's bodies.
    frameworkErrors: (error, _request, reply: FastifyReply) =>
      reply.code(400).send(
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? pathTooLong()
          : {
              ok: false,
              error: new DomainError(
                'INVALID_INPUT',
                'hub.api.pathNotValidUrl',
                {},
                { issues: [{ path: 'params', message: 'malformed' }] },
              ).toJSON(),
            },
      ),
  });
  const metrics = new HubMetrics();
  const limiter = new RateLimiter(options.rateLimit ?? { perSecond: 200, burst: 400 }, hub.now);
  const anonymousLimiter = new RateLimiter(
    options.anonymousRateLimit ?? { perSecond: 5, burst: 20 },
    hub.now,
  );
  // Loose enough for one office behind NAT; the throttle per (account, address) does the real work.
  const signIn = {
    perAddress: new RateLimiter(options.signInAddressRateLimit ?? { perSecond: 0.5, burst: 50 }, hub.now),
    throttle: new SignInThrottle({ ...DEFAULT_SIGN_IN_THROTTLE, ...options.signInThrottle }, hub.now),
  };
  const routes = new RouteRegistry({ hub, limiter, anonymousLimiter, bodyLimits });
  registerJsonBodyParser(app, options.maxJsonDepth);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    const path = request.url.split('?')[0] ?? '/';
    // Refused before routing reads a body: QUERY, for one, would otherwise fail on its missing body.
    if (!(SUPPORTED_METHODS as readonly string[]).includes(request.method)) {
      const refused = methodNotAllowed(app, request.method, path);
      return reply
        .code(405)
        .header('allow', refused?.allow.join(', ') ?? '')
        .send({
          ok: false,
          error: (refused?.error ?? new DomainError('NOT_ALLOWED', 'hub.api.notAllowed')).toJSON(),
        });
    }
    // The dashboard's catch-all would take an over-long id for a page: the product's answer instead.
    if (path.split('/').some((segment) => segment.length > MAX_ROUTED_PARAM_LENGTH)) {
      return reply.code(400).send(pathTooLong());
    }
    return undefined;
  });
  app.addHook('onResponse', async (request, reply) => {
    const status = `${Math.floor(reply.statusCode / 100)}xx`;
    metrics.httpRequests.inc({ status });
    // The route's template, never the raw URL: ids in paths would make a series per order.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error, request, reply) => {
    const body =
      error instanceof DomainError
        ? error.toJSON()
        : typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
            (error as { statusCode: number }).statusCode < 500
          ? frameworkError(error as { statusCode: number; message: string })
          : errorBodyOf(error);
    const status = statusOf(body.code);
    // A database restart fails every request in flight at once: one warning each, not a stack trace.
    if (body.code === 'HUB_UNAVAILABLE')
      request.log.warn({ errorCode: body.code, err: String(error) }, body.message);
    else if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ errorCode: body.code, status }, body.message);
    const retryAfter = retryAfterSecondsOf(body);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.code(status).send({ ok: false, error: body });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const refused = methodNotAllowed(app, request.method, path);
    if (refused !== undefined) {
      return reply
        .code(405)
        .header('allow', refused.allow.join(', '))
        .send({ ok: false, error: refused.error.toJSON() });
    }
    return reply.code(404).send({
      ok: false,
      error: new DomainError('NOT_FOUND', 'hub.api.noSuchEndpoint', {
        method: request.method,
        path,
      }).toJSON(),
    });
  });

  app.get('/healthz', async () => ({ ok: true, value: { status: 'alive' } }));
  // Load balancers take a hub out of rotation while its database is away (restart, failover) and put it
  // back by themselves once this answers 200 again; the process stays up throughout (/healthz).
  app.get('/readyz', async (_request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        hub.storage.db.selectFrom('hub_meta').select('key').limit(1).execute(),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('readiness query timed out')), READY_TIMEOUT_MS);
        }),
      ]);
      return {
        ok: true,
        value: {
          status: 'ready',
          database: hub.storage.kind,
          feedNotifications: hub.storage.feedNotifications(),
        },
      };
    } catch {
      const unavailable = databaseUnavailable();
      return reply
        .code(503)
        .header('retry-after', String(retryAfterSecondsOf(unavailable.toJSON())))
        .send({
          ok: false,
          error: new DomainError(
            'HUB_UNAVAILABLE',
            'hub.api.databaseUnreachable',
            {},
            unavailable.details,
          ).toJSON(),
        });
    } finally {
      clearTimeout(timer);
    }
  });
  app.get('/metrics', async (request, reply) => {
    const refusal = metricsRefusal(app.server.address(), options.metricsToken, bearer(request));
    if (refusal !== null) throw refusal;
    return reply.type(metrics.registry.contentType).send(await metrics.render(hub));
  });

  const sync = registerSyncRoutes(app, routes, metrics, options.sync);
  registerAdminRoutes(app, routes, signIn);
  registerEventRoutes(app, routes);
  registerCatalogRoutes(app, routes);
  registerImportRoutes(app, routes, options.importLimitBytes);
  registerInventoryRoutes(app, routes);
  registerPricingRoutes(app, routes);
  registerSettingsRoutes(app, routes);
  registerStaffRoutes(app, routes);
  registerReportRoutes(app, routes);
  registerOrderRoutes(app, routes, options.orders);
  registerPaymentRoutes(app, routes, options.payments);
  registerChannelRoutes(app, routes);
  registerDeliveryRoutes(app, routes);
  registerLoyaltyRoutes(app, routes);
  registerIntegrationRoutes(app, routes);
  registerAlertRoutes(app, routes);
  registerReceiptEmailRoutes(app, routes);
  registerPurchasingRoutes(app, routes);
  registerLiveRoutes(app, routes, options.live);
  await registerDashboard(app, options.dashboardRoot);

  // Built on first request: routes registered inside plugin scopes only exist once the app is ready.
  let openApi: Record<string, unknown> | undefined;
  app.get(
    '/api/openapi.json',
    async () => (openApi ??= buildOpenApi(routes.routes, options.version ?? '0.1.0', bodyLimits)),
  );
  // The outbound event catalog, next to the API it complements (docs/integration.md).
  let asyncApi: Record<string, unknown> | undefined;
  app.get('/api/asyncapi.json', async () => (asyncApi ??= buildAsyncApi(options.version ?? '0.1.0')));
  // Fastify closes idle keep-alive connections, but a client that connected and never sent a request (a
  // till that lost power mid-connect, an aborted fetch) would hold close() until Node's headers timeout,
  // about a minute. Requests in flight get a short grace; then every connection is closed and tills retry.
  app.addHook('preClose', (done) => {
    const timer = setTimeout(() => app.server.closeAllConnections(), options.closeGraceMs ?? 2000);
    timer.unref();
    app.server.once('close', () => clearTimeout(timer));
    done();
  });
  await app.ready();
  return { app, metrics, routes, sync };
}
