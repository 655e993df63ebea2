import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  StoreConfigEntrySchema,
  StoreConfigKeySchema,
  StoreConfigValueSchema,
  listStoreConfig,
  removeStoreConfig,
  setStoreConfig,
} from '../../nodes/store-config';
import type { RouteRegistry } from '../route';

/** Store policy HQ sets for every till; it reaches them through the change feed (see store-config.ts). */
export function registerStoreConfigRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const params = z.object({ key: StoreConfigKeySchema });
  routes.add(app, {
    method: 'GET',
    url: '/api/store-config',
    summary: 'Store settings HQ has set for every till (unset ones use the till default)',
    tag: 'nodes',
    access: { kind: 'hq', role: 'viewer' },
    response: z.array(StoreConfigEntrySchema),
    handler: () => listStoreConfig(hub.storage.db),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/store-config/:key',
    summary: 'Set a store setting for every till (e.g. pos.stock.countWriteOffApprovalLimit)',
    tag: 'nodes',
    access: { kind: 'hq', role: 'admin' },
    params,
    body: StoreConfigValueSchema,
    response: StoreConfigEntrySchema,
    handler: ({ params: { key }, body, actor }) => setStoreConfig(hub, key, body.value, actor),
  });
  routes.add(app, {
    method: 'DELETE',
    url: '/api/store-config/:key',
    summary: 'Remove a store setting: every till goes back to its default',
    tag: 'nodes',
    access: { kind: 'hq', role: 'admin' },
    params,
    response: z.object({ done: z.literal(true) }),
    handler: async ({ params: { key }, actor }) => {
      await removeStoreConfig(hub, key, actor);
      return { done: true as const };
    },
  });
}
