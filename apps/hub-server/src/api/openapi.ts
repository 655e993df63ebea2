import { z } from 'zod';
import { ErrorEnvelopeSchema } from './http-errors';
import { bodySizeOf, DEFAULT_BODY_LIMITS, type Access, type AnyRoute, type BodyLimits } from './route';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function security(access: Access): Record<string, string[]>[] {
  switch (access.kind) {
    case 'public':
      return [];
    case 'device':
      return [{ deviceCredential: [] }];
    case 'hq':
      return [{ session: [access.role] }, ...(access.scopes?.length ? [{ apiKey: [...access.scopes] }] : [])];
  }
}

/** `idempotency-key` → `Idempotency-Key` (header names are case-insensitive; this is how people write them). */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}

function parameters(schema: z.ZodObject<z.ZodRawShape> | undefined, location: 'path' | 'query' | 'header') {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as { description?: string };
    return {
      name: location === 'header' ? headerName(name) : name,
      in: location,
      required: location === 'path' || (object.required ?? []).includes(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

const ERROR_RESPONSES = {
  400: {
    name: 'BadRequest',
    description:
      'The request is not valid (INVALID_INPUT, INVALID_BARCODE): `details.issues` names every field, e.g. `body.lines.0.qty`.',
  },
  401: {
    name: 'Unauthorized',
    description: 'No credential, or one the hub does not accept (UNAUTHORIZED): sign in or use a valid key.',
  },
  403: {
    name: 'Forbidden',
    description:
      'The credential is valid but may not do this (FORBIDDEN): another role or key scope is needed.',
  },
  404: {
    name: 'NotFound',
    description: 'Something the request names does not exist (NOT_FOUND, UNKNOWN_BARCODE).',
  },
  409: {
    name: 'Conflict',
    description:
      'The request conflicts with the current state (CONFLICT, NOT_ALLOWED, INSUFFICIENT_STOCK): reload and decide again.',
  },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body is larger than this operation accepts (PAYLOAD_TOO_LARGE).',
  },
  429: {
    name: 'TooManyRequests',
    description:
      'Too many requests from this credential or address (RATE_LIMITED, LOCKED_OUT): retry after the delay.',
  },
} as const;
type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** The error statuses an operation can answer, from what it takes and who may call it. */
function errorStatuses(route: AnyRoute): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  const takesInput =
    route.params !== undefined ||
    route.query !== undefined ||
    route.headers !== undefined ||
    route.body !== undefined ||
    route.rawBody !== undefined;
  const writes = route.method !== 'GET';
  if (takesInput) statuses.add(400);
  if (route.access.kind !== 'public') {
    statuses.add(401);
    statuses.add(403);
  }
  if (route.params !== undefined || writes) statuses.add(404);
  if (writes) statuses.add(409);
  if (route.body !== undefined || route.rawBody !== undefined) statuses.add(413);
  statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}

const TAGS: Record<string, string> = {
  sync: 'Store ↔ hub sync over HTTP (device credentials): push, pull, snapshot, lookups for tills.',
  auth: 'HQ sign-in and sessions.',
  admin: 'Users, API keys, nodes and devices.',
  exceptions: 'The exception queue HQ works through.',
  alerts: 'Alert rules sending exception kinds to webhooks or e-mail, and what became of each alert.',
  catalog: 'Products, SKUs, barcodes, categories and tax rates.',
  imports: 'Streamed catalog imports.',
  inventory: 'Stock levels, ledger, receipts, adjustments, transfers.',
  reservations: 'Units promised at a node (e-commerce).',
  pricing: 'Price books and promotions.',
  orders: 'Buy online, pick up in store: intake, status, cancel, re-route, customer notifications.',
  loyalty: 'Loyalty programme, customers, accounts, gift cards.',
  integration: 'Events out to ERP, WMS and sales channels: the outbound log, subscriptions, journal.',
  purchasing: 'Purchase orders and advance shipping notices.',
  staff: 'Cashiers, supervisors and managers HQ manages; they reach the tills through the feed.',
  reports: 'Sales, voids and returns across the chain, as JSON or CSV.',
  audit: 'The append-only log of every HQ change, with who, when, before and after.',
  nodes: 'Stores and warehouses of the chain.',
  settings:
    'Store settings per chain, region and store (store over region over chain), versioned and audited; they reach the tills through the feed.',
};

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApi(
  routes: readonly AnyRoute[],
  version: string,
  bodyLimits: BodyLimits = DEFAULT_BODY_LIMITS,
): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const usedTags = new Set<string>();
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    usedTags.add(route.tag);
    const success =
      route.rawResponse !== undefined
        ? {
            description: 'Success: a file download',
            content: { [route.rawResponse.contentType]: { schema: jsonSchema(route.response, 'output') } },
          }
        : {
            description: 'Success',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['ok', 'value'],
                  properties: { ok: { const: true }, value: jsonSchema(route.response, 'output') },
                },
              },
            },
          };
    const responses: Record<string, unknown> = {};
    for (const status of [route.successStatus ?? 200, ...(route.alsoSucceedsWith ?? [])]) {
      responses[String(status)] = success;
    }
    for (const status of errorStatuses(route)) {
      const known = ERROR_RESPONSES[status as ErrorStatus];
      responses[String(status)] =
        known === undefined
          ? { $ref: '#/components/responses/Error' }
          : { $ref: `#/components/responses/${known.name}` };
    }
    responses.default = { $ref: '#/components/responses/Error' };
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      security: security(route.access),
      parameters: [
        ...parameters(route.params, 'path'),
        ...parameters(route.query, 'query'),
        ...parameters(route.headers, 'header'),
      ],
      responses,
    };
    if (route.rawBody !== undefined) {
      operation.requestBody = {
        required: true,
        description: route.rawBody.description,
        content: Object.fromEntries(
          route.rawBody.contentTypes.map((type) => [type, { schema: { type: 'string' } }]),
        ),
      };
    } else if (route.body !== undefined) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
      // Larger bodies are refused with 413 before they are read.
      operation['x-body-limit-bytes'] = bodyLimits[bodySizeOf(route)];
    }
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  const envelope = { $ref: '#/components/schemas/ErrorEnvelope' };
  const errorResponse = (description: string, headers?: Record<string, unknown>) => ({
    description,
    ...(headers === undefined ? {} : { headers }),
    content: { 'application/json': { schema: envelope } },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Retail hub API',
      version,
      description:
        'Admin API (/api), e-commerce intake (API keys), the outbound integration layer (/api/integration, ' +
        'events catalogued in /api/asyncapi.json) and the HTTP sync transport (/sync). Every response is an ' +
        'envelope: { ok: true, value } or { ok: false, error: { code, message, key?, params?, details? } }.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    // Relative: the document is served by the hub it describes, so clients resolve it against that hub.
    servers: [{ url: '/', description: 'The hub serving this document' }],
    tags: [...usedTags].sort().map((name) => ({ name, description: TAGS[name] ?? name })),
    components: {
      securitySchemes: {
        session: {
          type: 'http',
          scheme: 'bearer',
          description: 'HQ user session token (hs_…) from POST /api/auth/login',
        },
        apiKey: { type: 'http', scheme: 'bearer', description: 'API key (hk_…); X-Api-Key also works' },
        deviceCredential: {
          type: 'http',
          scheme: 'bearer',
          description: 'Device credential (dev_…) from POST /sync/enroll',
        },
      },
      schemas: { ErrorEnvelope: jsonSchema(ErrorEnvelopeSchema, 'output') },
      responses: {
        ...Object.fromEntries(
          Object.entries(ERROR_RESPONSES).map(([status, { name, description }]) => [
            name,
            errorResponse(
              description,
              status === '429'
                ? {
                    'Retry-After': {
                      description: 'Seconds to wait before trying again.',
                      schema: { type: 'integer', minimum: 0 },
                    },
                  }
                : undefined,
            ),
          ]),
        ),
        Error: errorResponse(
          'Any other error, in the same envelope: 422 (a business rule refused it), 426 (client too old), 500, 503 (database unreachable).',
        ),
      },
    },
    paths,
  };
}
