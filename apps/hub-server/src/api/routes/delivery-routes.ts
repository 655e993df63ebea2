import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../route';
import {
  DeliveryConfigSchema,
  DeliveryLanesBodySchema,
  NodeDeliveryBodySchema,
  readDeliveryConfig,
  setDeliveryLanes,
  setNodeDelivery,
} from '../../orders/delivery-config';

/** HQ's cost and SLA routing settings (docs/orders.md#routing-by-cost-and-sla). */
export function registerDeliveryRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  routes.add(app, {
    method: 'GET',
    url: '/api/routing/delivery',
    summary: 'Shipping zones and cut-offs of nodes, and the lanes (cost, transit days) between zones',
    tag: 'orders',
    access: { kind: 'hq', role: 'viewer' },
    response: DeliveryConfigSchema,
    handler: () => readDeliveryConfig(hub.storage.db),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/routing/delivery/nodes/:nodeId',
    summary: "Place a node in a shipping zone with its daily cut-off (local time, the node's timezone)",
    tag: 'orders',
    access: { kind: 'hq', role: 'admin' },
    params: z.object({ nodeId: z.string().min(1).max(100) }),
    body: NodeDeliveryBodySchema,
    response: DeliveryConfigSchema,
    handler: ({ params, body, actor }) => setNodeDelivery(hub, params.nodeId, body, actor),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/routing/delivery/lanes',
    summary:
      'Set lanes between zones: shipping cost and transit days (routing ranks by promised date, then cost)',
    tag: 'orders',
    access: { kind: 'hq', role: 'admin' },
    body: DeliveryLanesBodySchema,
    response: DeliveryConfigSchema,
    handler: ({ body, actor }) => setDeliveryLanes(hub, body, actor),
  });
}
