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

function parameters(schema: z.ZodObject<z.ZodRawShape> | undefined, location: 'path' | 'query') {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApi(
  routes: readonly AnyRoute[],
  version: string,
  bodyLimits: BodyLimits = DEFAULT_BODY_LIMITS,
): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      security: security(route.access),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        [String(route.successStatus ?? 200)]: {
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
        },
        default: {
          description:
            'Error envelope: 400 invalid input (with field paths), 401, 403, 404, 409, 413, 429, 500',
          content: { 'application/json': { schema: jsonSchema(ErrorEnvelopeSchema, 'output') } },
        },
      },
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
  return {
    openapi: '3.1.0',
    info: {
      title: 'Retail hub API',
      version,
      description:
        'Admin API (/api), e-commerce intake (API keys) and the HTTP sync transport (/sync). Every response is an ' +
        'envelope: { ok: true, value } or { ok: false, error: { code, message, details? } }.',
    },
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
    },
    paths,
  };
}
