import { randomInt } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app';
import { createApiKey } from '../src/auth/api-keys';
import { createUser, login } from '../src/auth/users';
import { createHubContext, type HubContext } from '../src/hub-context';
import type { Storage } from '../src/storage/storage';
import { createTestDatabase, type TestDatabase } from '../src/test-support/backends';
import { enrollTestDevice, seedWorld } from '../src/test-support/fixtures';

/**
 * Calls every operation of the published OpenAPI document with inputs generated from the operation's own
 * schemas, valid and invalid, and checks every answer against the document: a status it declares (never a
 * 5xx), a body its schema for that status accepts. What a generated client and an independent fuzzer rely on.
 *
 * Generator: json-schema-faker (2020-12, seeded, no dependencies; it reads the document's schemas as they
 * are, $refs and patterns included). Validator: Ajv's 2020-12 build with ajv-formats, the reference
 * JSON Schema implementation. Both are in wide use and maintained; fast-check has no JSON Schema input.
 */

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content: Record<string, { schema: Schema }> }>; schemas: Schema };
}

const SEED = Number(process.env.CONFORMANCE_SEED ?? randomInt(1, 2 ** 31 - 1));
const VALID_SAMPLES = 3;

describe('published API conformance', () => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let document: OpenApiDocument;
  const credentials = new Map<string, string>();
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], warehouses: ['w1'], skus: ['A', 'B'] });
    await createUser(hub, {
      username: 'conformance-admin',
      password: 'a long enough password',
      role: 'admin',
    });
    credentials.set(
      'session',
      (await login(hub, { username: 'conformance-admin', password: 'a long enough password' })).token,
    );
    credentials.set('device', (await enrollTestDevice(hub, 's1')).credential);
    const unlimited = { perSecond: 1_000_000, burst: 1_000_000 };
    ({ app } = await buildApp({
      hub,
      rateLimit: unlimited,
      anonymousRateLimit: unlimited,
      signInAddressRateLimit: unlimited,
      sync: { socket: false },
      dashboardRoot: null,
    }));
    document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as OpenApiDocument;
    ajv.addSchema(document as unknown as Schema, 'openapi');
    // Not used by the operations below; keeps the key scopes exercised by the authorization matrix honest.
    await createApiKey(hub, { name: 'conformance', scopes: ['integration:read'] }, 'test');
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  /** The token an operation accepts: an admin session passes every HQ role, devices use their credential. */
  async function tokenFor(path: string, operation: Operation): Promise<string | undefined> {
    if (operation.security.length === 0) return undefined;
    if (path === '/api/auth/logout') {
      // Signing out ends the session it is called with: a fresh one each time.
      return (await login(hub, { username: 'conformance-admin', password: 'a long enough password' })).token;
    }
    return operation.security.some((requirement) => 'deviceCredential' in requirement)
      ? credentials.get('device')
      : credentials.get('session');
  }

  function generate(schema: Schema, seed: number): unknown {
    return generateSync(schema as JsonSchema, {
      seed,
      maxItems: 3,
      maxLength: 40,
      optionalsProbability: 0.5,
      refResolver: (ref: string) => resolve(ref),
    });
  }

  function resolve(ref: string): JsonSchema {
    const path = ref.replace(/^#\//, '').split('/');
    let node: unknown = document;
    for (const part of path) node = (node as Record<string, unknown>)[part];
    return node as JsonSchema;
  }

  /** The schema a response of `status` must match: the declared one, else the operation's default. */
  function responseSchema(operation: Operation, status: number): Schema | undefined {
    let response = operation.responses[String(status)] ?? operation.responses.default;
    if (response === undefined) return undefined;
    if (response.$ref !== undefined) response = resolve(response.$ref) as typeof response;
    return response.content?.['application/json']?.schema;
  }

  function validates(schema: Schema, body: unknown): string | undefined {
    const validate = ajv.compile(
      schema.$ref !== undefined ? { $ref: `openapi${String(schema.$ref)}` } : schema,
    );
    return validate(body) ? undefined : ajv.errorsText(validate.errors);
  }

  function asParameter(value: unknown): string {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  interface Request {
    url: string;
    headers: Record<string, string>;
    payload?: string;
    contentType?: string;
  }

  function buildRequest(
    path: string,
    operation: Operation,
    seed: number,
    invalid: 'body' | 'path' | 'query' | null,
  ): Request {
    let url = path;
    const query = new URLSearchParams();
    const headers: Record<string, string> = {};
    operation.parameters.forEach((parameter, index) => {
      const include = parameter.required || (seed + index) % 2 === 0;
      if (!include && parameter.in !== 'path') return;
      let value = asParameter(generate(parameter.schema, seed + index));
      if (invalid === 'path' && parameter.in === 'path')
        value = 'x'.repeat(Number(parameter.schema.maxLength ?? 100) + 1);
      if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encodeURIComponent(value));
      else if (parameter.in === 'query') query.set(parameter.name, value);
      else headers[parameter.name.toLowerCase()] = value;
    });
    if (invalid === 'query') {
      const typed = operation.parameters.find(
        (parameter) =>
          parameter.in === 'query' && ['integer', 'number'].includes(String(parameter.schema.type)),
      );
      if (typed !== undefined) query.set(typed.name, 'not-a-number');
    }
    const search = query.toString();
    const request: Request = { url: search === '' ? url : `${url}?${search}`, headers };
    const content = operation.requestBody?.content;
    if (content?.['application/json'] !== undefined) {
      const body =
        invalid === 'body'
          ? 'a string where an object belongs'
          : generate(content['application/json'].schema, seed);
      request.payload = JSON.stringify(body);
      request.contentType = 'application/json';
    } else if (content !== undefined) {
      const [type] = Object.keys(content);
      request.payload = invalid === 'body' ? '' : 'sku,product_id\nX,Y\n';
      request.contentType = type ?? 'text/plain';
    }
    return request;
  }

  it('answers every operation, valid and invalid, with a declared status and a body its schema accepts', async () => {
    const problems: string[] = [];
    let calls = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const hasQueryNumber = operation.parameters.some(
          (parameter) =>
            parameter.in === 'query' && ['integer', 'number'].includes(String(parameter.schema.type)),
        );
        const hasPathLimit = operation.parameters.some(
          (parameter) => parameter.in === 'path' && parameter.schema.maxLength !== undefined,
        );
        const cases: ('body' | 'path' | 'query' | null)[] = [
          ...Array.from({ length: VALID_SAMPLES }, () => null),
          ...(operation.requestBody?.content['application/json'] !== undefined ? (['body'] as const) : []),
          ...(hasPathLimit ? (['path'] as const) : []),
          ...(hasQueryNumber ? (['query'] as const) : []),
        ];
        for (const [index, invalid] of cases.entries()) {
          const seed = SEED + calls * 7919 + index;
          const request = buildRequest(path, operation, seed, invalid);
          const token = await tokenFor(path, operation);
          const response = await app.inject({
            method: method.toUpperCase() as 'GET',
            url: request.url,
            headers: {
              ...request.headers,
              ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
              ...(request.contentType === undefined ? {} : { 'content-type': request.contentType }),
            },
            ...(request.payload === undefined ? {} : { payload: request.payload }),
          });
          calls += 1;
          const where = `${method.toUpperCase()} ${request.url.slice(0, 120)} (${invalid ?? 'valid'}, seed ${seed})`;
          const status = response.statusCode;
          if (status >= 500) {
            problems.push(`${where}: ${status} ${response.body.slice(0, 300)}`);
            continue;
          }
          if (invalid !== null && status !== 400) {
            problems.push(
              `${where}: invalid input answered ${status}, not 400: ${response.body.slice(0, 200)}`,
            );
            continue;
          }
          const declared = Object.keys(operation.responses).filter((key) => key !== 'default');
          if (!declared.includes(String(status)) && status !== 422) {
            problems.push(`${where}: ${status} is not declared (${declared.join(', ')})`);
            continue;
          }
          const type = String(response.headers['content-type'] ?? '').split(';')[0]!;
          if (type !== 'application/json') {
            // A download (the journal's CSV): its declared content type, with text in it.
            const declaredTypes = Object.keys(operation.responses[String(status)]?.content ?? {});
            if (!declaredTypes.includes(type) || response.body.length === 0) {
              problems.push(`${where}: ${status} answered ${type}, declared ${declaredTypes.join(', ')}`);
            }
            continue;
          }
          const schema = responseSchema(operation, status);
          if (schema === undefined) {
            problems.push(`${where}: no schema for ${status}`);
            continue;
          }
          const error = validates(schema, response.json());
          if (error !== undefined) problems.push(`${where}: ${status} body does not match: ${error}`);
        }
      }
    }
    expect(calls).toBeGreaterThan(Object.keys(document.paths).length * VALID_SAMPLES);
    expect(problems, `seed ${SEED}; replay with CONFORMANCE_SEED=${SEED}`).toEqual([]);
  }, 240_000);
});
