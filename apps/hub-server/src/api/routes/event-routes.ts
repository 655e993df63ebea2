import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  DeviceEventsQuerySchema,
  LoggedEventSchema,
  getLoggedEvent,
  listDeviceEvents,
} from '../../sync/event-log';
import type { RouteRegistry } from '../route';

const id = z.string().min(1).max(100);

/** The store events the hub received, with their contents: what exceptions point at. */
export function registerEventRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  routes.add(app, {
    method: 'GET',
    url: '/api/events/:eventId',
    summary:
      'One store event the hub received (applied or rejected), with the envelope as the device sent it',
    tag: 'exceptions',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ eventId: id }),
    response: LoggedEventSchema,
    handler: ({ params }) => getLoggedEvent(hub.storage.db, params.eventId),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/devices/:deviceId/events',
    summary: "A device's events as the hub logged them, in deviceSeq order after `afterSeq`",
    tag: 'nodes',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ deviceId: id }),
    query: DeviceEventsQuerySchema,
    response: z.array(LoggedEventSchema),
    handler: ({ params, query }) => listDeviceEvents(hub.storage.db, params.deviceId, query),
  });
}
