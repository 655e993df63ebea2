import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { resolveConfig } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { createTestDatabase, type TestDatabase } from '../test-support/backends';
import { buildApp } from './app';
import { DASHBOARD_CSP } from './dashboard-static';

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script></body></html>';

describe('api/dashboard-static', () => {
  let database: TestDatabase;
  let storage: Storage;
  let app: FastifyInstance;
  let unbuilt: FastifyInstance;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'hub-dashboard-'));
    const root = join(folder, 'dashboard');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'app-1a2b.js'), 'console.log("dashboard");');
    // What an old build with source maps left behind.
    writeFileSync(join(root, 'assets', 'app-1a2b.js.map'), '{"sources":["../src/secret-logic.ts"]}');
    // Next to the build, where a path that climbs out of it would land.
    writeFileSync(join(folder, 'secret.txt'), 'not for the web');
    database = await createTestDatabase('sqlite');
    storage = await database.open();
    const hub = createHubContext(storage);
    ({ app } = await buildApp({ hub, dashboardRoot: root }));
    ({ app: unbuilt } = await buildApp({ hub, dashboardRoot: null }));
  });

  afterAll(async () => {
    await app?.close();
    await unbuilt?.close();
    await storage?.close();
    await database?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  describe('the dashboard build', () => {
    it('makes no source maps, and the hub serves none a build left behind', async () => {
      const config = await resolveConfig(
        { configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), logLevel: 'silent' },
        'build',
        'production',
      );
      expect(config.build.sourcemap).toBe(false);
      const map = await app.inject({ method: 'GET', url: '/assets/app-1a2b.js.map' });
      expect(map.statusCode).toBe(404);
      expect(map.body).not.toContain('secret-logic');
    });
  });

  describe('registerDashboard', () => {
    it('serves the app at / with a strict CSP and no caching of index.html', async () => {
      const response = await app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(DASHBOARD_CSP).toContain("script-src 'self'");
      expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toBe(INDEX);
    });

    it('answers a client route such as /orders/123 with index.html', async () => {
      for (const url of ['/orders/123', '/inventory?sku=SKU-1', '/stores']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-security-policy']).toBe(DASHBOARD_CSP);
        expect(response.body).toBe(INDEX);
      }
    });

    it('serves hashed assets with a long cache and refuses a missing one with the API’s 404', async () => {
      const asset = await app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.body).toBe('console.log("dashboard");');

      const missing = await app.inject({ method: 'GET', url: '/assets/gone-9z.js' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });

    it('never serves a file outside the build, however the path is spelled', async () => {
      for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.body).not.toContain('not for the web');
      }
    });

    it('leaves /api, /sync and the health endpoints exactly as they were', async () => {
      const unknownApi = await app.inject({ method: 'GET', url: '/api/nowhere' });
      expect(unknownApi.statusCode).toBe(404);
      expect(unknownApi.headers['content-security-policy']).toBeUndefined();
      expect(unknownApi.json()).toEqual({
        ok: false,
        error: {
          code: 'NOT_FOUND',
          message: 'There is no GET /api/nowhere endpoint.',
          key: 'hub.api.noSuchEndpoint',
          params: { method: 'GET', path: '/api/nowhere' },
        },
      });
      const unauthenticated = await app.inject({ method: 'GET', url: '/api/nodes' });
      expect(unauthenticated.statusCode).toBe(401);
      expect(unauthenticated.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      const unknownSync = await app.inject({ method: 'GET', url: '/sync/nowhere' });
      expect(unknownSync.statusCode).toBe(404);
      expect(unknownSync.json()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.json()).toEqual({ ok: true, value: { status: 'alive' } });
      const openApi = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(openApi.statusCode).toBe(200);
      expect(
        Object.keys(openApi.json().paths as object).some(
          (path) => !['/api/', '/sync/', '/webhooks/'].some((prefix) => path.startsWith(prefix)),
        ),
      ).toBe(false);
      // A provider's webhook path is the API's, never a page of the dashboard.
      const webhook = await app.inject({ method: 'GET', url: '/webhooks/payments/stripe' });
      expect(webhook.headers['content-security-policy']).toBeUndefined();
      expect(webhook.json()).toMatchObject({ ok: false });
      const post = await app.inject({ method: 'POST', url: '/orders/123' });
      expect(post.statusCode).toBe(404);
      expect(post.json()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });

    it('says how to build the dashboard when it is not built, and the API still works', async () => {
      const response = await unbuilt.inject({ method: 'GET', url: '/orders/123' });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('npm run build -w @retail/hub-server');
      const unknownApi = await unbuilt.inject({ method: 'GET', url: '/api/nowhere' });
      expect(unknownApi.statusCode).toBe(404);
      expect(unknownApi.json()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });
  });
});
