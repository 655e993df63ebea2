import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '@retail/domain';
import type { DevicePrincipal } from '@retail/sync';
import { recordAudit } from '../audit/hq-audit';
import { auditActionOf, auditSubjectOf, boundedForAudit, type RouteAudit } from '../audit/route-audit';
import { authenticateApiKey, type ApiKeyPrincipal, type ApiKeyScope } from '../auth/api-keys';
import { authenticateDevice } from '../auth/devices';
import { authenticateSession, roleAtLeast, type HqRole, type HqUser } from '../auth/users';
import type { HubContext } from '../hub-context';
import { invalidInput } from './http-errors';
import type { RateLimiter } from './rate-limit';

export type Principal =
  | ({ readonly kind: 'user' } & HqUser)
  | ({ readonly kind: 'apiKey' } & ApiKeyPrincipal)
  | ({ readonly kind: 'device' } & DevicePrincipal);

/**
 * Who may call a route. HQ routes name the lowest role allowed and, optionally, the API key scopes that
 * also grant access (e-commerce intake); device routes accept only enrolled devices.
 */
export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'device' }
  | { readonly kind: 'hq'; readonly role: HqRole; readonly scopes?: readonly ApiKeyScope[] };

/**
 * Request body size classes: `small` for what anyone may send (sign-in, enrollment), `standard` for
 * ordinary writes, `large` only where a request legitimately carries a lot (a push of 500 events, a price
 * list). Streamed imports have their own limit.
 */
export interface BodyLimits {
  readonly small: number;
  readonly standard: number;
  readonly large: number;
}
export type BodySize = keyof BodyLimits;

export const DEFAULT_BODY_LIMITS: BodyLimits = {
  small: 16 * 1024,
  standard: 1024 * 1024,
  large: 16 * 1024 * 1024,
};

export interface RouteContext<P, Q, B, H = unknown> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The headers the route declares, parsed (names in lower case). */
  readonly headers: H;
  readonly principal: Principal | null;
  /** Who to record in ledgers and audit trails: `user:<name>`, `api-key:<id>`, `device:<id>`. */
  readonly actor: string;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteSpec<
  P extends AnyObject,
  Q extends AnyObject,
  B extends z.ZodType,
  R extends z.ZodType,
  H extends AnyObject = AnyObject,
> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  /** Request headers the operation reads, by lower-case name; published as header parameters. */
  readonly headers?: H;
  readonly body?: B;
  /**
   * The body exactly as `body` would return it, found by a hand check proven against the schema (the
   * push's `pushRequestAsSent`), or undefined to let the schema decide (and word its error).
   */
  readonly bodyAsParsed?: (body: unknown) => z.output<B> | undefined;
  /** Describes a streamed body (catalog import) for the OpenAPI document; the handler reads the stream. */
  readonly rawBody?: { readonly contentTypes: readonly string[]; readonly description: string };
  /** Default: `small` for public routes, `standard` otherwise. */
  readonly bodySize?: BodySize;
  readonly response: R;
  /**
   * A download instead of the JSON envelope (a CSV file): the handler returns the text, sent with this
   * content type; errors are still the JSON envelope.
   */
  readonly rawResponse?: { readonly contentType: string };
  readonly successStatus?: number;
  /** Other success statuses the handler answers with the same body (an idempotent replay's 200). */
  readonly alsoSucceedsWith?: readonly number[];
  /** Error statuses beyond the ones every operation of its kind documents (see openapi.ts). */
  readonly errors?: readonly number[];
  /**
   * How an HQ write is audited (route-audit.ts). Every HQ route that is not a GET is, by default from
   * the request once the handler succeeded.
   */
  readonly audit?: RouteAudit;
  /** Called (authenticated callers only) before a body that fails `body` is answered 400. */
  readonly onInvalidBody?: (principal: Principal, error: unknown) => Promise<void>;
  readonly handler: (
    context: RouteContext<z.output<P>, z.output<Q>, z.output<B>, z.output<H>>,
  ) => Promise<z.input<R>> | z.input<R>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds routes of every shape
export type AnyRoute = RouteSpec<any, any, any, any, any>;

export interface RouteServices {
  readonly hub: HubContext;
  /** Per authenticated principal. */
  readonly limiter: RateLimiter;
  /** Per address, for calls without a credential or with one that was refused. */
  readonly anonymousLimiter: RateLimiter;
  readonly bodyLimits: BodyLimits;
}

export function bodySizeOf(route: AnyRoute): BodySize {
  return route.bodySize ?? (route.access.kind === 'public' ? 'small' : 'standard');
}

export function actorOf(principal: Principal | null): string {
  if (principal === null) return 'anonymous';
  switch (principal.kind) {
    case 'user':
      return `user:${principal.username}`;
    case 'apiKey':
      return `api-key:${principal.keyId}`;
    case 'device':
      return `device:${principal.deviceId}`;
  }
}

export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer '))
    return header.slice('Bearer '.length).trim();
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/** Resolves the caller from its token; the prefix says what kind of token it is. */
export async function authenticate(hub: HubContext, token: string): Promise<Principal> {
  if (token.startsWith('hs_')) return { kind: 'user', ...(await authenticateSession(hub, token)) };
  if (token.startsWith('hk_')) return { kind: 'apiKey', ...(await authenticateApiKey(hub, token)) };
  if (token.startsWith('dev_'))
    return { kind: 'device', ...(await authenticateDevice(hub.storage.db, token)) };
  throw new DomainError('UNAUTHORIZED', 'hub.api.credentialNotRecognised');
}

export function authorize(access: Access, principal: Principal | null): void {
  if (access.kind === 'public') return;
  if (principal === null) {
    throw new DomainError(
      'UNAUTHORIZED',
      access.kind === 'device' ? 'hub.api.endpointNeedsDeviceCredential' : 'hub.api.signInFirst',
    );
  }
  if (access.kind === 'device') {
    if (principal.kind !== 'device') throw new DomainError('FORBIDDEN', 'hub.api.onlyEnrolledDevicesMay');
    return;
  }
  if (principal.kind === 'user' && roleAtLeast(principal.role, access.role)) return;
  if (principal.kind === 'apiKey' && access.scopes?.some((scope) => principal.scopes.includes(scope))) return;
  throw new DomainError(
    'FORBIDDEN',
    principal.kind === 'user' ? 'hub.api.needsRole' : 'hub.api.credentialNotAllowed',
    principal.kind === 'user' ? { role: access.role, role2: principal.role } : {},
  );
}

function parse<T extends z.ZodType>(
  schema: T | undefined,
  value: unknown,
  where: 'body' | 'query' | 'params' | 'headers',
): z.output<T> {
  if (schema === undefined) return undefined as z.output<T>;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw invalidInput(where, result.error);
  return result.data;
}

async function parseBody(spec: AnyRoute, body: unknown, principal: Principal | null): Promise<unknown> {
  const asParsed: unknown = spec.bodyAsParsed?.(body);
  if (asParsed !== undefined) return asParsed;
  try {
    return parse(spec.body as z.ZodType | undefined, body, 'body');
  } catch (error) {
    if (principal !== null) await spec.onInvalidBody?.(principal, error);
    throw error;
  }
}

export class RouteRegistry {
  readonly routes: AnyRoute[] = [];

  constructor(private readonly services: RouteServices) {}

  get hub(): HubContext {
    return this.services.hub;
  }

  add<
    P extends AnyObject,
    Q extends AnyObject,
    B extends z.ZodType,
    R extends z.ZodType,
    H extends AnyObject = AnyObject,
  >(app: FastifyInstance, spec: RouteSpec<P, Q, B, R, H>): void {
    this.routes.push(spec);
    const principals = new WeakMap<FastifyRequest, Principal | null>();
    app.route({
      method: spec.method,
      url: spec.url,
      // A streamed import reads its own body under its own limit.
      ...(spec.rawBody === undefined ? { bodyLimit: this.services.bodyLimits[bodySizeOf(spec)] } : {}),
      // Who is calling, and whether they may, is settled before a byte of the body is read: an
      // unauthenticated caller can make the hub neither buffer nor parse anything.
      onRequest: async (request) => {
        principals.set(request, await this.admit(spec.access, request));
      },
      handler: async (request, reply) => {
        const principal = principals.get(request) ?? null;
        const context = {
          params: parse(spec.params, request.params, 'params'),
          query: parse(spec.query, request.query, 'query'),
          headers: parse(spec.headers, request.headers, 'headers') ?? {},
          body: spec.rawBody === undefined ? await parseBody(spec, request.body, principal) : request.body,
          principal,
          actor: actorOf(principal),
          request,
          reply,
        } as RouteContext<z.output<P>, z.output<Q>, z.output<B>, z.output<H>>;
        const value = await spec.handler(context);
        await this.auditWrite(spec, context, value);
        if (reply.sent) return reply;
        if (spec.rawResponse !== undefined) {
          return reply
            .code(spec.successStatus ?? 200)
            .type(spec.rawResponse.contentType)
            .send(value);
        }
        return reply.code(spec.successStatus ?? 200).send({ ok: true, value });
      },
    });
  }

  private async auditWrite(
    spec: AnyRoute,
    context: RouteContext<unknown, unknown, unknown>,
    value: unknown,
  ): Promise<void> {
    if (spec.access.kind !== 'hq' || spec.method === 'GET') return;
    const audit = spec.audit ?? {};
    if (audit === 'in-handler' || 'skip' in audit) return;
    const { hub } = this.services;
    // Written right after the handler's own transaction committed: the handlers of these routes own
    // their transactions, and an entry for a change that failed must not exist.
    await recordAudit(
      hub.storage.db,
      {
        actor: context.actor,
        action: audit.action ?? auditActionOf(spec.method, spec.url),
        subject: auditSubjectOf(
          spec.url,
          context.params as Record<string, unknown> | undefined,
          value,
          audit.subjectKind,
        ),
        before: null,
        after: {
          request: `${spec.method} ${context.request.url.split('?')[0] ?? ''}`,
          ...(context.query === undefined ? {} : { query: boundedForAudit(context.query) }),
          ...(context.body === undefined || spec.rawBody !== undefined
            ? {}
            : { body: boundedForAudit(context.body) }),
        },
      },
      hub.now(),
      hub.newId,
    );
  }

  /**
   * Rate limits and authentication, from the headers alone. A call without a credential, or with one
   * that is refused, spends from its address's bucket; a known caller spends from its own bucket. A
   * valid credential is never held back by its address, so someone behind the same address (a store's
   * NAT) cannot stop a till's sync by sending garbage.
   */
  private async admit(access: Access, request: FastifyRequest): Promise<Principal | null> {
    const { hub, limiter, anonymousLimiter } = this.services;
    const address = `ip:${request.ip}`;
    const token = bearer(request);
    if (token === undefined || token === '') {
      anonymousLimiter.take(address);
      authorize(access, null);
      return null;
    }
    let principal: Principal;
    try {
      principal = await authenticate(hub, token);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'UNAUTHORIZED') throw error;
      anonymousLimiter.take(address);
      // A stale token does not stop anyone from signing in or enrolling.
      if (access.kind !== 'public') throw error;
      return null;
    }
    limiter.take(actorOf(principal));
    authorize(access, principal);
    return principal;
  }
}
