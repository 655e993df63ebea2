import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_CURRENCIES } from '@retail/domain';
import { createHubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { buildApp } from './app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walked field by field

/** A raw HTTP exchange: methods and paths exactly as a client sends them, no client-side normalising. */
function exchange(port: number, method: string, path: string) {
  return new Promise<{ status: number; allow: string | undefined; body: Json }>((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port, method, path }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          allow: response.headers.allow,
          body: JSON.parse(text) as Json,
        }),
      );
    });
    call.on('error', reject);
    call.end();
  });
}

describe('api/openapi', () => {
  let database: TestDatabase;
  let storage: Storage;
  let app: FastifyInstance;
  let document: Json;
  let port: number;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    storage = await database.open();
    ({ app } = await buildApp({
      hub: createHubContext(storage),
      sync: { socket: false },
      dashboardRoot: null,
    }));
    document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as Json;
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  describe('buildOpenApi', () => {
    it('declares the Idempotency-Key header POST /api/orders requires, and the replay status', () => {
      const placeOrder = document.paths['/api/orders'].post;
      expect(placeOrder.parameters).toContainEqual(
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
      );
      expect(Object.keys(placeOrder.responses)).toEqual(
        expect.arrayContaining(['200', '201', '400', '401', '403', '404', '409', '413', '429', 'default']),
      );
    });

    it('documents the error answers of every operation with the error envelope, and a server', () => {
      expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
      for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
        for (const [method, operation] of Object.entries(methods)) {
          const statuses = Object.keys(operation.responses);
          expect(statuses, `${method} ${path}`).toContain('429');
          if (operation.security.length > 0)
            expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
          if (operation.parameters.length > 0 || operation.requestBody !== undefined)
            expect(statuses, `${method} ${path}`).toContain('400');
          if (method !== 'get')
            expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['404', '409']));
        }
      }
      expect(document.components.responses.NotFound.content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/ErrorEnvelope',
      });
    });

    it('states business rules in the schemas: currencies, barcodes, a transfer to another node', () => {
      const nodeBody = document.paths['/api/nodes'].post.requestBody.content['application/json'].schema;
      expect(nodeBody.properties.currency.enum).toEqual([...SUPPORTED_CURRENCIES]);
      const order = document.paths['/api/orders'].post.requestBody.content['application/json'].schema;
      expect(order.properties.payment.properties.currency.enum).toContain('EUR');
      const barcode = document.paths['/api/catalog/barcodes/{barcode}'].get.parameters[0].schema;
      expect(new RegExp(barcode.pattern).test('4006381333931')).toBe(true);
      expect(new RegExp(barcode.pattern).test('12345')).toBe(false);
      expect(new RegExp(barcode.pattern).test('123456789012345')).toBe(false);
      const transfer = document.paths['/api/transfers'].post.requestBody.content['application/json'].schema;
      expect(transfer.properties.toNodeId['x-differs-from']).toBe('fromNodeId');
    });
  });

  describe('answers outside the operations', () => {
    it('answers TRACE, QUERY and a method a path does not have with 405 and Allow', async () => {
      for (const method of ['TRACE', 'QUERY']) {
        const answer = await exchange(port, method, '/api/nodes');
        expect(answer, method).toMatchObject({
          status: 405,
          body: { ok: false, error: { code: 'NOT_ALLOWED' } },
        });
        expect(answer.allow).toBe('GET, HEAD, POST');
      }
      expect(await exchange(port, 'DELETE', '/api/nodes')).toMatchObject({
        status: 405,
        allow: 'GET, HEAD, POST',
      });
      expect(await exchange(port, 'POST', '/api/no-such-thing')).toMatchObject({ status: 404 });
    });

    it('answers an over-long path parameter with the envelope, never the framework’s body', async () => {
      const long = await exchange(port, 'GET', `/api/catalog/skus/${'a'.repeat(150)}`);
      expect(long.status).toBe(401);
      for (const length of [101, 600, 5000]) {
        const answer = await exchange(port, 'GET', `/api/orders/${'x'.repeat(length)}`);
        expect(answer.body, String(length)).toMatchObject({ ok: false, error: { code: expect.any(String) } });
        expect(JSON.stringify(answer.body)).not.toContain('FST_ERR');
      }
      const huge = await exchange(port, 'GET', `/api/orders/${'x'.repeat(600)}`);
      expect(huge).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
    });
  });
});
