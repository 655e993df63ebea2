import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../route';
import { EVENT_CATALOG, INTEGRATION_EVENT_TYPES, eventJsonSchema } from '../../integration/event-catalog';
import { JournalQuerySchema, JournalViewSchema, journalCsv, journalView } from '../../integration/journal';
import { PullPageSchema, PullQuerySchema, pullEvents } from '../../integration/pull';
import {
  DeliveryFilterSchema,
  DeliverySchema,
  ReplaySchema,
  RotateSecretSchema,
  SubscriptionInputSchema,
  SubscriptionSchema,
  SubscriptionUpdateSchema,
  createSubscription,
  deleteSubscription,
  getSubscription,
  listDeliveries,
  updateSubscription,
  listSubscriptions,
  replaySubscription,
  rotateSubscriptionSecret,
  setSubscriptionStatus,
  settleDeadLetter,
} from '../../integration/subscriptions';

const subscriptionId = z.object({ subscriptionId: z.string().min(1).max(100) });
const deliveryKey = z.object({
  subscriptionId: z.string().min(1).max(100),
  seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});

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

  routes.add(app, {
    method: 'GET',
    url: '/api/integration/journal',
    summary:
      "A store's daily financial summary (the ERP journal): sales by tax rate, discounts, tenders, voids, returns, cash over/short, gift card and store credit liabilities; as of now, with the revision last published",
    tag: 'integration',
    access: read,
    query: JournalQuerySchema,
    errors: [404],
    response: JournalViewSchema,
    handler: ({ query }) => journalView(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/integration/journal/csv',
    summary: "The store's daily journal as CSV (one line per figure, amounts in minor units)",
    tag: 'integration',
    access: read,
    query: JournalQuerySchema,
    errors: [404],
    response: z.string(),
    rawResponse: { contentType: 'text/csv' },
    handler: async ({ query, reply }) => {
      const view = await journalView(hub.storage.db, query);
      void reply.header(
        'content-disposition',
        `attachment; filename="journal-${view.nodeCode}-${view.businessDate}.csv"`.replace(
          /[^\x20-\x7e]/g,
          '_',
        ),
      );
      return journalCsv(view.journals);
    },
  });

  const manage = { kind: 'hq', role: 'operator' } as const;
  routes.add(app, {
    method: 'POST',
    url: '/api/integration/subscriptions',
    summary:
      'Subscribe a URL to events (types or families, from now, a cursor or a time): signed deliveries, at least once, in order per aggregate; the secret is returned once',
    tag: 'integration',
    access: { kind: 'hq', role: 'admin' },
    body: SubscriptionInputSchema,
    response: z.object({ subscription: SubscriptionSchema, secret: z.string() }),
    successStatus: 201,
    handler: ({ body, actor }) => createSubscription(hub, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/integration/subscriptions',
    summary: 'Webhook subscriptions with their lag, dead letters and last error',
    tag: 'integration',
    access: read,
    response: z.array(SubscriptionSchema),
    handler: () => listSubscriptions(hub.storage.db),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/integration/subscriptions/:subscriptionId',
    summary: 'One webhook subscription',
    tag: 'integration',
    access: read,
    params: subscriptionId,
    response: SubscriptionSchema,
    handler: ({ params }) => getSubscription(hub.storage.db, params.subscriptionId),
  });
  routes.add(app, {
    method: 'PATCH',
    url: '/api/integration/subscriptions/:subscriptionId',
    summary:
      'Edit a webhook endpoint (name, URL, event types, retries, enabled) on the version you read; a stale version is a 409',
    tag: 'integration',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    errors: [409],
    params: subscriptionId,
    body: SubscriptionUpdateSchema,
    response: SubscriptionSchema,
    handler: ({ params, body, actor }) => updateSubscription(hub, params.subscriptionId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/integration/subscriptions/:subscriptionId/rotate-secret',
    summary: 'Replace the signing secret (used from the next attempt on); the new secret is returned once',
    tag: 'integration',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    errors: [409],
    params: subscriptionId,
    body: RotateSecretSchema,
    response: z.object({ subscription: SubscriptionSchema, secret: z.string() }),
    handler: ({ params, body, actor }) => rotateSubscriptionSecret(hub, params.subscriptionId, body, actor),
  });
  routes.add(app, {
    method: 'DELETE',
    url: '/api/integration/subscriptions/:subscriptionId',
    summary: 'Remove a webhook subscription and its queue',
    tag: 'integration',
    access: { kind: 'hq', role: 'admin' },
    params: subscriptionId,
    response: z.object({ deleted: z.literal(true) }),
    handler: async ({ params }) => {
      await deleteSubscription(hub, params.subscriptionId);
      return { deleted: true as const };
    },
  });
  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    routes.add(app, {
      method: 'POST',
      url: `/api/integration/subscriptions/:subscriptionId/${action}`,
      summary:
        action === 'pause'
          ? 'Stop delivering (events keep being queued, so nothing is missed)'
          : 'Deliver again, from where it stopped',
      tag: 'integration',
      access: manage,
      params: subscriptionId,
      response: SubscriptionSchema,
      handler: ({ params }) => setSubscriptionStatus(hub, params.subscriptionId, status),
    });
  }
  routes.add(app, {
    method: 'POST',
    url: '/api/integration/subscriptions/:subscriptionId/replay',
    summary: 'Deliver everything after a cursor or a time again (consumers de-duplicate by event id)',
    tag: 'integration',
    access: manage,
    params: subscriptionId,
    body: ReplaySchema,
    response: SubscriptionSchema,
    handler: ({ params, body }) => replaySubscription(hub, params.subscriptionId, body),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/integration/subscriptions/:subscriptionId/deliveries',
    summary: 'Deliveries of a subscription, newest first (status, attempts, last error)',
    tag: 'integration',
    access: read,
    params: subscriptionId,
    query: DeliveryFilterSchema,
    response: z.array(DeliverySchema),
    handler: ({ params, query }) => listDeliveries(hub.storage.db, params.subscriptionId, query),
  });
  for (const action of ['retry', 'skip'] as const) {
    routes.add(app, {
      method: 'POST',
      url: `/api/integration/subscriptions/:subscriptionId/deliveries/:seq/${action}`,
      summary:
        action === 'retry'
          ? 'Send a dead letter again (its aggregate waits for it)'
          : 'Let a dead letter go, so later events of its aggregate are delivered',
      tag: 'integration',
      access: manage,
      params: deliveryKey,
      response: DeliverySchema,
      handler: ({ params }) => settleDeadLetter(hub, params.subscriptionId, params.seq, action),
    });
  }
}
