import { EVENT_CATALOG, INTEGRATION_EVENT_TYPES, eventJsonSchema } from './event-catalog';
import { SIGNATURE_HEADER } from './webhook-signature';

/**
 * The event catalog as an AsyncAPI 3.0 document (GET /api/asyncapi.json, next to /api/openapi.json): one
 * channel per event type, the same envelope on both ways out (pull pages and webhook deliveries).
 */
export function buildAsyncApi(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const type of INTEGRATION_EVENT_TYPES) {
    const entry = EVENT_CATALOG[type];
    const name = type.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase());
    const { $schema: _ignored, ...payload } = eventJsonSchema(type);
    messages[name] = {
      name: type,
      title: type,
      summary: entry.summary,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          [SIGNATURE_HEADER]: {
            type: 'string',
            description: 't=<epoch ms>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (webhooks only)',
          },
          'x-retail-event-id': { type: 'string' },
          'x-retail-event': { type: 'string', const: type },
        },
      },
      payload,
    };
    channels[name] = {
      address: type,
      title: type,
      description: `${entry.summary} Aggregate: ${entry.aggregate}; schema version ${entry.version}.`,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`receive${name.charAt(0).toUpperCase()}${name.slice(1)}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${name}` },
      security: [{ $ref: '#/components/securitySchemes/webhookSignature' }],
      summary: `Receive ${type} (webhook subscription or GET /api/integration/events).`,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Retail hub outbound events',
      version,
      description:
        'Canonical events the hub publishes to ERPs, warehouses and sales channels: pulled with ' +
        'GET /api/integration/events (API key scope integration:read) or pushed to webhook subscriptions ' +
        '(HMAC-signed, at least once, in order per aggregate). De-duplicate on eventId. See docs/integration.md.',
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        webhookSignature: {
          type: 'httpApiKey',
          in: 'header',
          name: SIGNATURE_HEADER,
          description:
            'Webhook deliveries carry t=<epoch ms>,v1=<hex HMAC-SHA256 of "<t>.<body>"> keyed with the ' +
            "subscription's secret; pulls authenticate with an API key (scope integration:read) instead.",
        },
      },
    },
  };
}
