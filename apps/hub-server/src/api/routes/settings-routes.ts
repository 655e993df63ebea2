import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  EffectiveSettingsSchema,
  PutSettingSchema,
  SettingKeySchema,
  SettingSchema,
  SettingsListSchema,
  effectiveSettings,
  listSettings,
  putSetting,
} from '../../settings/hq-settings';
import type { RouteRegistry } from '../route';

/** Store settings per chain, region and store; they reach the tills through the feed (hq-settings.ts). */
export function registerSettingsRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  routes.add(app, {
    method: 'GET',
    url: '/api/settings',
    summary: 'Every setting HQ has set at every scope, with its version, and the known keys',
    tag: 'settings',
    access: { kind: 'hq', role: 'viewer' },
    response: SettingsListSchema,
    handler: () => listSettings(hub.storage.db),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/settings/stores/:storeId',
    summary: "A store's effective settings, where each value comes from, and its settings version",
    tag: 'settings',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ storeId: z.string().min(1).max(100) }),
    response: EffectiveSettingsSchema,
    handler: ({ params }) => effectiveSettings(hub.storage.db, params.storeId),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/settings/:key',
    summary:
      'Set (or with value null clear) a setting at the chain, a region or a store, given the version the operator saw',
    tag: 'settings',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    params: z.object({ key: SettingKeySchema }),
    body: PutSettingSchema,
    response: SettingSchema,
    errors: [409],
    handler: ({ params: { key }, body, actor }) => putSetting(hub, key, body, actor),
  });
}
