import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../api/route';
import { EVENT_CATALOG, INTEGRATION_EVENT_TYPES, eventJsonSchema } from './event-catalog';
import { PullPageSchema, PullQuerySchema, pullEvents } from './pull';

const CatalogEntrySchema = z.object({
  type: z.string(),
  version: z.number().int(),
  aggregate: z.string(),
  summary: z.string(),
  /** JSON Schema (2020-12) of the whole event, envelope included. */
  schema: z.record(z.string(), z.unknown()),
});

/** The outbound integration layer's HTTP side (docs/integration.md). */
export function registerIntegrationRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const read = { kind: 'hq', role: 'viewer', scopes: ['integration:read'] } as const;

  routes.add(app, {
    method: 'GET',
    url: '/api/integration/events',
    summary:
      'The outbound event log in total order: from a cursor (`after`) or a time (`since`), optionally of some types; replayable, never skipping a late commit',
    tag: 'integration',
    access: read,
    // A bare position beyond the head of the log (this hub was restored): resume with `since`.
    errors: [409],
    query: PullQuerySchema,
    response: PullPageSchema,
    handler: ({ query }) => pullEvents(hub.storage.db, query, hub.now()),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/integration/catalog',
    summary: 'Every event type the hub publishes, with its version, aggregate and JSON Schema',
    tag: 'integration',
    access: read,
    response: z.array(CatalogEntrySchema),
    handler: () =>
      INTEGRATION_EVENT_TYPES.map((type) => ({
        type,
        version: EVENT_CATALOG[type].version,
        aggregate: EVENT_CATALOG[type].aggregate,
        summary: EVENT_CATALOG[type].summary,
        schema: eventJsonSchema(type),
      })),
  });
}
