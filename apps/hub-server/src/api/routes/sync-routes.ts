import type { FastifyInstance } from 'fastify';
import {
  PullPageSchema,
  PullRequestSchema,
  PushAckSchema,
  PushRequestSchema,
  SnapshotPageSchema,
  SnapshotRequestSchema,
} from '@retail/sync';
import { EnrollRequestSchema, EnrollResponseSchema, enrollDevice } from '../../auth/devices';
import { pushEvents } from '../../ingest/hub-ingest';
import { pullFeed, snapshotPage } from '../../sync/sync-service';
import type { HubMetrics } from '../metrics';
import type { Principal, RouteRegistry } from '../route';

function device(principal: Principal | null) {
  if (principal?.kind !== 'device') throw new Error('device route without a device principal');
  return { deviceId: principal.deviceId, storeId: principal.storeId };
}

/** The HTTP sync transport (fallback and tests); socket.io carries the same objects (issue 5). */
export function registerSyncRoutes(app: FastifyInstance, routes: RouteRegistry, metrics: HubMetrics): void {
  routes.add(app, {
    method: 'POST',
    url: '/sync/enroll',
    summary: 'Enroll a device with a one-time code from HQ; returns its credential once',
    tag: 'sync',
    access: { kind: 'public' },
    body: EnrollRequestSchema,
    response: EnrollResponseSchema,
    successStatus: 201,
    handler: ({ body }) => enrollDevice(routes.hub, body),
  });
  routes.add(app, {
    method: 'POST',
    url: '/sync/push',
    summary: 'Push a batch of store events (≤ 500, increasing deviceSeq); acknowledges each one',
    tag: 'sync',
    access: { kind: 'device' },
    body: PushRequestSchema,
    response: PushAckSchema,
    handler: async ({ body, principal, request }) => {
      const ack = await pushEvents(routes.hub, device(principal), body);
      metrics.countIngest(ack.results);
      request.log.info(
        {
          deviceId: ack.deviceId,
          storeId: body.storeId,
          events: body.events.length,
          lastSeq: ack.lastSeq,
          resumeFrom: ack.resumeFrom,
          rejected: ack.results.filter((r) => r.status === 'rejected').map((r) => r.eventId),
        },
        'push applied',
      );
      return ack;
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/sync/pull',
    summary: 'Read the change feed for this store after a cursor',
    tag: 'sync',
    access: { kind: 'device' },
    query: PullRequestSchema,
    response: PullPageSchema,
    handler: ({ query, principal }) => pullFeed(routes.hub, device(principal), query),
  });
  routes.add(app, {
    method: 'POST',
    url: '/sync/pull',
    summary: 'Same as GET /sync/pull with the request in the body',
    tag: 'sync',
    access: { kind: 'device' },
    body: PullRequestSchema,
    response: PullPageSchema,
    handler: ({ body, principal }) => pullFeed(routes.hub, device(principal), body),
  });
  routes.add(app, {
    method: 'GET',
    url: '/sync/snapshot',
    summary: 'Paged snapshot for a new node; then pull from `upTo`',
    tag: 'sync',
    access: { kind: 'device' },
    query: SnapshotRequestSchema,
    response: SnapshotPageSchema,
    handler: ({ query, principal }) => snapshotPage(routes.hub, device(principal), query),
  });
}
