import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { recordAudit } from '../../audit/hq-audit';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import {
  ApiKeySchema,
  CreateApiKeySchema,
  UpdateApiKeySchema,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  updateApiKey,
} from '../../auth/api-keys';
import {
  DEFAULT_ENROLLMENT_TTL_MS,
  DeviceStatusSchema,
  RenameDeviceSchema,
  createEnrollmentCode,
  listDeviceStatus,
  renameDevice,
  revokeDevice,
} from '../../auth/devices';
import {
  CreateUserSchema,
  HqUserSchema,
  LoginSchema,
  UpdateUserSchema,
  createUser,
  listUsers,
  login,
  logout,
  updateUser,
} from '../../auth/users';
import {
  raiseException,
  ExceptionFilterSchema,
  HubExceptionSchema,
  getException,
  listExceptions,
  resolveException,
} from '../../exceptions/exception-queue';
import { StoreNodeSchema } from '../../feed/feed-entities';
import {
  NodeInputSchema,
  NodeUpdateSchema,
  createNode,
  getNode,
  listNodes,
  updateNode,
} from '../../nodes/nodes';
import type { SignInFailure, SignInThrottle } from '../../auth/sign-in-throttle';
import type { HubContext } from '../../hub-context';
import type { RateLimiter } from '../rate-limit';
import { inHubTransaction } from '../../hub-tx';
import type { RouteRegistry } from '../route';

const id = z.string().min(1).max(100);

/**
 * Tells HQ that an existing account is being guessed at: one open exception per account, updated as
 * failures go on. Names that do not exist raise nothing, so spraying made-up names cannot flood the queue.
 */
async function alertSignInFailures(
  hub: HubContext,
  username: string,
  failure: SignInFailure,
  log: FastifyBaseLogger,
): Promise<void> {
  try {
    const account = await hub.storage.db
      .selectFrom('hq_users')
      .select('user_id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (account === undefined) return;
    await raiseException(
      hub.storage.db,
      {
        type: 'SIGN_IN_FAILURES',
        severity: 'warning',
        causeEventIds: [],
        conditionKey: `SIGN_IN_FAILURES:${username}`,
        details: {
          message: `${failure.accountFailures} wrong passwords for ${username} within the hour, from ${failure.addresses.length} address(es). If this was not the user, check who is guessing and consider a new password.`,
          username,
          failures: failure.accountFailures,
          addresses: failure.addresses,
        },
      },
      hub.now(),
      hub.newId,
    );
  } catch (error) {
    // The alert must never turn a wrong password into a 500.
    log.error({ err: error, username }, 'could not raise the sign-in failures exception');
  }
}
const ok = z.object({ done: z.literal(true) });

/** Sign-in, users, API keys, nodes, enrollment codes, device sync status and the exception queue. */
export function registerAdminRoutes(
  app: FastifyInstance,
  routes: RouteRegistry,
  signIn: { perAddress: RateLimiter; throttle: SignInThrottle },
): void {
  const hub = routes.hub;

  routes.add(app, {
    method: 'POST',
    url: '/api/auth/login',
    summary: 'Sign in as an HQ user; returns a session token',
    tag: 'auth',
    access: { kind: 'public' },
    // A wrong user name or password.
    errors: [401],
    body: LoginSchema,
    response: z.object({ token: z.string(), expiresAt: z.number().int(), user: HqUserSchema }),
    handler: async ({ body, request }) => {
      const address = request.ip;
      signIn.perAddress.take(`ip:${address}`);
      signIn.throttle.check(body.username, address);
      // Sign-ins are on the audit log (a public route, so the registry does not audit it).
      const auditSignIn = (action: string, after: Record<string, unknown>) =>
        recordAudit(
          hub.storage.db,
          { actor: `user:${body.username}`, action, subject: `user:${body.username}`, before: null, after },
          hub.now(),
          hub.newId,
        );
      try {
        const session = await login(hub, body);
        signIn.throttle.recordSuccess(body.username, address);
        await auditSignIn('session.sign-in', { address, expiresAt: session.expiresAt });
        return session;
      } catch (error) {
        if (error instanceof DomainError && error.code === 'UNAUTHORIZED') {
          await auditSignIn('session.sign-in-failed', { address });
          const failure = signIn.throttle.recordFailure(body.username, address);
          if (failure.alert) await alertSignInFailures(hub, body.username, failure, request.log);
        }
        throw error;
      }
    },
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/auth/logout',
    summary: 'End this session',
    tag: 'auth',
    access: { kind: 'hq', role: 'viewer' },
    audit: { action: 'session.sign-out', subjectKind: 'session' },
    response: ok,
    handler: async ({ request }) => {
      await logout(hub, (request.headers.authorization ?? '').replace(/^Bearer /, ''));
      return { done: true as const };
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/auth/me',
    summary: 'Who this session belongs to',
    tag: 'auth',
    access: { kind: 'hq', role: 'viewer' },
    response: HqUserSchema,
    handler: ({ principal }) => {
      if (principal?.kind !== 'user') throw new DomainError('FORBIDDEN', 'hub.api.onlyHqUsersProfile');
      const { kind: _kind, ...user } = principal;
      return user;
    },
  });

  routes.add(app, {
    method: 'GET',
    url: '/api/users',
    summary: 'List HQ users',
    tag: 'users',
    access: { kind: 'hq', role: 'admin' },
    response: z.array(HqUserSchema),
    handler: () => listUsers(hub.storage.db),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/users',
    summary: 'Create an HQ user (admin, operator or viewer)',
    tag: 'users',
    access: { kind: 'hq', role: 'admin' },
    body: CreateUserSchema,
    response: HqUserSchema,
    successStatus: 201,
    handler: ({ body }) => createUser(hub, body),
  });
  routes.add(app, {
    method: 'PATCH',
    url: '/api/users/:userId',
    summary: 'Change a user’s role, password or active flag (ends their sessions on password change)',
    tag: 'users',
    access: { kind: 'hq', role: 'admin' },
    params: z.object({ userId: id }),
    body: UpdateUserSchema,
    response: HqUserSchema,
    handler: ({ params, body }) => updateUser(hub, params.userId, body),
  });

  routes.add(app, {
    method: 'GET',
    url: '/api/api-keys',
    summary: 'List API keys (never their secrets)',
    tag: 'users',
    access: { kind: 'hq', role: 'admin' },
    response: z.array(ApiKeySchema),
    handler: () => listApiKeys(hub.storage.db),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/api-keys',
    summary: 'Create an API key for an integration; the key is shown once',
    tag: 'users',
    access: { kind: 'hq', role: 'admin' },
    body: CreateApiKeySchema,
    response: z.object({ key: z.string(), apiKey: ApiKeySchema }),
    successStatus: 201,
    handler: ({ body, actor }) => createApiKey(hub, body, actor),
  });
  routes.add(app, {
    method: 'PATCH',
    url: '/api/api-keys/:keyId',
    summary:
      'Rename an API key or change its scopes (the whole new set); the integration keeps its key and the next call is checked against the new scopes',
    tag: 'users',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    params: z.object({ keyId: id }),
    body: UpdateApiKeySchema,
    response: ApiKeySchema,
    errors: [404],
    handler: ({ params, body, actor }) => updateApiKey(hub, params.keyId, body, actor),
  });
  routes.add(app, {
    method: 'DELETE',
    url: '/api/api-keys/:keyId',
    summary: 'Revoke an API key',
    tag: 'users',
    access: { kind: 'hq', role: 'admin' },
    params: z.object({ keyId: id }),
    response: ok,
    handler: async ({ params }) => {
      await revokeApiKey(hub, params.keyId);
      return { done: true as const };
    },
  });

  routes.add(app, {
    method: 'GET',
    url: '/api/nodes',
    summary: 'List stores and warehouses',
    tag: 'nodes',
    access: { kind: 'hq', role: 'viewer', scopes: ['inventory:read'] },
    response: z.array(StoreNodeSchema),
    handler: () => listNodes(hub.storage.db),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/nodes',
    summary: 'Create a store or warehouse',
    tag: 'nodes',
    access: { kind: 'hq', role: 'admin' },
    body: NodeInputSchema,
    response: StoreNodeSchema,
    successStatus: 201,
    handler: ({ body }) => createNode(hub, body),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/nodes/:nodeId',
    summary: 'One node',
    tag: 'nodes',
    access: { kind: 'hq', role: 'viewer', scopes: ['inventory:read'] },
    params: z.object({ nodeId: id }),
    response: StoreNodeSchema,
    handler: ({ params }) => getNode(hub.storage.db, params.nodeId),
  });
  routes.add(app, {
    method: 'PATCH',
    url: '/api/nodes/:nodeId',
    summary: 'Change a node (optimistic: send the version you read)',
    tag: 'nodes',
    access: { kind: 'hq', role: 'admin' },
    params: z.object({ nodeId: id }),
    body: NodeUpdateSchema,
    response: StoreNodeSchema,
    handler: ({ params, body }) => updateNode(hub, params.nodeId, body),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/nodes/:nodeId/enrollment-codes',
    summary: 'Issue a one-time, expiring code to enroll a device at this node',
    tag: 'nodes',
    access: { kind: 'hq', role: 'operator' },
    params: z.object({ nodeId: id }),
    body: z
      .object({
        ttlMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .optional(),
      })
      .default({}),
    response: z.object({
      code: z.string(),
      nodeId: z.string(),
      nodeCode: z.string(),
      expiresAt: z.number().int(),
    }),
    successStatus: 201,
    handler: ({ params, body, actor }) =>
      createEnrollmentCode(
        hub,
        params.nodeId,
        actor,
        body.ttlMinutes === undefined ? DEFAULT_ENROLLMENT_TTL_MS : body.ttlMinutes * 60_000,
      ),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/devices',
    summary: 'Sync status per device: last seen, lastSeq, outbox lag the device reported',
    tag: 'nodes',
    access: { kind: 'hq', role: 'viewer' },
    query: z.object({ nodeId: id.optional() }),
    response: z.array(DeviceStatusSchema),
    handler: ({ query }) => listDeviceStatus(hub.storage.db, query.nodeId),
  });
  routes.add(app, {
    method: 'PATCH',
    url: '/api/devices/:deviceId',
    summary: 'Rename a device (optimistic: send the version you read)',
    tag: 'nodes',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    errors: [409],
    params: z.object({ deviceId: id }),
    body: RenameDeviceSchema,
    response: DeviceStatusSchema,
    handler: ({ params, body, actor }) => renameDevice(hub, params.deviceId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/devices/:deviceId/revoke',
    summary: 'Revoke a device credential (lost or replaced till)',
    tag: 'nodes',
    access: { kind: 'hq', role: 'admin' },
    params: z.object({ deviceId: id }),
    response: ok,
    handler: async ({ params }) => {
      await revokeDevice(hub, params.deviceId);
      return { done: true as const };
    },
  });

  routes.add(app, {
    method: 'GET',
    url: '/api/exceptions',
    summary: 'The exception queue, newest first, filtered',
    tag: 'exceptions',
    access: { kind: 'hq', role: 'viewer' },
    query: ExceptionFilterSchema,
    response: z.array(HubExceptionSchema),
    handler: ({ query }) => listExceptions(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/exceptions/:exceptionId',
    summary: 'One exception with its causing events',
    tag: 'exceptions',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ exceptionId: id }),
    response: HubExceptionSchema,
    handler: ({ params }) => getException(hub.storage.db, params.exceptionId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/exceptions/:exceptionId/resolve',
    summary: 'Resolve an exception with a note saying what was done',
    tag: 'exceptions',
    access: { kind: 'hq', role: 'operator' },
    audit: 'in-handler',
    params: z.object({ exceptionId: id }),
    body: z.object({ note: z.string().trim().min(3).max(2000) }),
    response: HubExceptionSchema,
    handler: ({ params, body, actor }) =>
      inHubTransaction(hub, async (tx) => {
        const resolved = await resolveException(tx.trx, params.exceptionId, body.note, actor, tx.at);
        tx.events.exceptionResolved(params.exceptionId);
        await recordAudit(
          tx.trx,
          {
            actor,
            action: 'exception.resolve',
            subject: `exception:${params.exceptionId}`,
            before: { type: resolved.type, status: 'open' },
            after: { type: resolved.type, status: 'resolved', note: body.note },
          },
          tx.at,
          hub.newId,
        );
        return resolved;
      }),
  });
}
