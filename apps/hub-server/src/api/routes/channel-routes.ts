import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../route';
import { ChannelSchema } from '../../channels/channel-availability';
import {
  ChannelBuffersBodySchema,
  ChannelConfigViewSchema,
  ChannelRulesBodySchema,
  readChannelConfig,
  setChannelBuffers,
  setChannelRules,
} from '../../channels/channel-config';
import {
  ChannelAvailabilityPageSchema,
  ChannelAvailabilityQuerySchema,
  readChannelAvailabilityPage,
} from '../../channels/channel-feed';

/** Sales channels: HQ's split policy and buffers, and what each channel may sell (docs/orders.md). */
export function registerChannelRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const params = z.object({ channel: ChannelSchema });
  routes.add(app, {
    method: 'GET',
    url: '/api/channels/:channel',
    summary: "A sales channel's split policy and safety buffers",
    tag: 'orders',
    access: { kind: 'hq', role: 'viewer' },
    params,
    response: ChannelConfigViewSchema,
    handler: ({ params: { channel } }) => readChannelConfig(hub.storage.db, channel),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/channels/:channel',
    summary:
      'Set whether orders from a channel may be split over several nodes (also starts its availability events)',
    tag: 'orders',
    access: { kind: 'hq', role: 'admin' },
    params,
    body: ChannelRulesBodySchema,
    response: ChannelConfigViewSchema,
    handler: ({ params: { channel }, body, actor }) => setChannelRules(hub, channel, body, actor),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/channels/:channel/buffers',
    summary:
      'Set safety buffers (units held back from the channel) per SKU or category; units 0 removes one. Publishes the new figures',
    tag: 'orders',
    access: { kind: 'hq', role: 'admin' },
    params,
    body: ChannelBuffersBodySchema,
    response: ChannelConfigViewSchema,
    handler: ({ params: { channel }, body, actor }) => setChannelBuffers(hub, channel, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/channels/:channel/availability',
    summary:
      'What a channel may sell per SKU (network ATP − buffer): a snapshot without `after`, then the changes since a cursor',
    tag: 'orders',
    access: { kind: 'hq', role: 'viewer', scopes: ['orders:write', 'integration:read'] },
    // A bare position beyond the head of the log (this hub was restored): take a new snapshot.
    errors: [409],
    params,
    query: ChannelAvailabilityQuerySchema,
    response: ChannelAvailabilityPageSchema,
    handler: ({ params: { channel }, query }) =>
      readChannelAvailabilityPage(hub.storage.db, channel, query, hub.now()),
  });
}
