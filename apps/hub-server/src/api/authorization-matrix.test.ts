import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { API_KEY_SCOPES, createApiKey, revokeApiKey, type ApiKeyScope } from '../auth/api-keys';
import { revokeDevice } from '../auth/devices';
import { createUser, HQ_ROLES, login, SESSION_TTL_MS, updateUser, type HqRole } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, seedWorld } from '../test-support/fixtures';
import { buildApp } from './app';

/**
 * Who may call each operation, written down independently of the routes' own `access` declarations so
 * that a mistake in either shows up. Every operation in the OpenAPI document must have an entry: a new
 * route without one fails this test until someone decides who may call it.
 */
type Allowed =
  | { readonly kind: 'public' }
  | { readonly kind: 'device' }
  | { readonly kind: 'hq'; readonly role: HqRole; readonly scopes: readonly ApiKeyScope[] };

const PUBLIC: Allowed = { kind: 'public' };
const DEVICE: Allowed = { kind: 'device' };
const hq = (role: HqRole, ...scopes: ApiKeyScope[]): Allowed => ({ kind: 'hq', role, scopes });

const WHO_MAY_CALL: Record<string, Allowed> = {
  'POST /sync/enroll': PUBLIC,
  'POST /sync/re-enroll': DEVICE,
  'POST /sync/push': DEVICE,
  'GET /sync/pull': DEVICE,
  'POST /sync/pull': DEVICE,
  'GET /sync/snapshot': DEVICE,
  'GET /sync/sales/{receiptNumber}': DEVICE,
  'GET /sync/stock/{sku}/nearby': DEVICE,
  'POST /sync/loyalty/customers/search': DEVICE,
  'POST /sync/loyalty/customers': DEVICE,
  'GET /sync/loyalty/customers/{customerId}': DEVICE,
  'POST /sync/loyalty/stored-value/lookup': DEVICE,
  'POST /sync/loyalty/holds': DEVICE,
  'POST /sync/loyalty/holds/release': DEVICE,

  'POST /api/auth/login': PUBLIC,
  'POST /api/auth/logout': hq('viewer'),
  'GET /api/auth/me': hq('viewer'),
  'GET /api/users': hq('admin'),
  'POST /api/users': hq('admin'),
  'PATCH /api/users/{userId}': hq('admin'),
  'GET /api/api-keys': hq('admin'),
  'POST /api/api-keys': hq('admin'),
  'DELETE /api/api-keys/{keyId}': hq('admin'),
  'PATCH /api/api-keys/{keyId}': hq('admin'),

  'GET /api/nodes': hq('viewer', 'inventory:read'),
  'POST /api/nodes': hq('admin'),
  'GET /api/nodes/{nodeId}': hq('viewer', 'inventory:read'),
  'PATCH /api/nodes/{nodeId}': hq('admin'),
  'POST /api/nodes/{nodeId}/enrollment-codes': hq('operator'),
  'GET /api/settings': hq('viewer'),
  'GET /api/settings/stores/{storeId}': hq('viewer'),
  'PUT /api/settings/{key}': hq('admin'),
  'GET /api/staff': hq('viewer'),
  'GET /api/staff/store-created': hq('viewer'),
  'POST /api/staff/store-created/{staffId}/vouch': hq('admin'),
  'GET /api/staff/{staffId}': hq('viewer'),
  'POST /api/staff': hq('admin'),
  'PATCH /api/staff/{staffId}': hq('admin'),
  'GET /api/audit': hq('viewer'),
  'GET /api/reports/sales': hq('viewer'),
  'GET /api/reports/sales/csv': hq('viewer'),
  'GET /api/reports/analytics': hq('viewer'),
  'GET /api/reports/analytics/{table}/csv': hq('viewer'),
  'GET /api/devices': hq('viewer'),
  'PATCH /api/devices/{deviceId}': hq('admin'),
  'POST /api/devices/{deviceId}/revoke': hq('admin'),
  'GET /api/devices/{deviceId}/events': hq('viewer'),
  'GET /api/events/{eventId}': hq('viewer'),

  'GET /api/exceptions': hq('viewer'),
  'GET /api/exceptions/{exceptionId}': hq('viewer'),
  'POST /api/exceptions/{exceptionId}/resolve': hq('operator'),
  'GET /api/live': hq('viewer'),

  'GET /api/catalog/items': hq('viewer', 'catalog:read'),
  'GET /api/catalog/options': hq('viewer', 'catalog:read'),
  'GET /api/catalog/items/{sku}': hq('viewer', 'catalog:read'),
  'PUT /api/catalog/items/{sku}': hq('operator'),
  'GET /api/catalog/skus/{sku}': hq('viewer', 'catalog:read'),
  'PUT /api/catalog/skus/{sku}': hq('operator'),
  'GET /api/catalog/barcodes/{barcode}': hq('viewer', 'catalog:read'),
  'PUT /api/catalog/products/{productId}': hq('operator'),
  'PUT /api/catalog/categories/{categoryId}': hq('operator'),
  'PUT /api/tax-rates/{rateId}': hq('operator'),
  'POST /api/catalog/import': hq('operator'),
  'GET /api/catalog/imports': hq('viewer'),
  'GET /api/catalog/imports/{importId}': hq('viewer'),
  'GET /api/catalog/imports/{importId}/errors.csv': hq('viewer'),

  'GET /api/inventory': hq('viewer', 'inventory:read'),
  'GET /api/inventory/{sku}': hq('viewer', 'inventory:read'),
  'GET /api/inventory/{sku}/ledger': hq('viewer'),
  'PUT /api/inventory/{sku}/safety-stock/{nodeId}': hq('operator'),
  'GET /api/inventory-check': hq('admin'),
  'POST /api/reservations': hq('operator', 'reservations:write', 'orders:write'),
  'GET /api/reservations': hq('viewer', 'reservations:write', 'inventory:read'),
  'GET /api/reservations/{reservationId}': hq('viewer', 'reservations:write', 'inventory:read'),
  'POST /api/reservations/{reservationId}/transitions': hq('operator', 'reservations:write'),
  'POST /api/reservations/{reservationId}/reassign': hq('operator', 'reservations:write'),
  'POST /api/receipts': hq('operator'),
  'POST /api/adjustments': hq('operator'),
  'POST /api/transfers': hq('operator'),
  'GET /api/transfers': hq('viewer'),
  'POST /api/transfers/{transferId}/receive': hq('operator'),

  'GET /api/price-books': hq('viewer', 'catalog:read'),
  'PUT /api/price-books/{priceBookId}': hq('operator'),
  'GET /api/price-books/{priceBookId}': hq('viewer', 'catalog:read'),
  'PUT /api/price-books/{priceBookId}/prices': hq('operator'),
  'POST /api/price-books/{priceBookId}/preview': hq('operator'),
  'POST /api/price-books/{priceBookId}/publish': hq('operator'),
  'GET /api/price-books/{priceBookId}/versions': hq('viewer', 'catalog:read'),
  'POST /api/price-books/import': hq('operator'),
  'GET /api/promotions': hq('viewer', 'catalog:read'),
  'PUT /api/promotions/{promotionId}': hq('operator'),
  'POST /api/promotions/{promotionId}/preview': hq('operator'),
  'GET /api/promotions/{promotionId}/versions': hq('viewer', 'catalog:read'),

  'POST /api/orders': hq('operator', 'orders:write'),
  'POST /webhooks/payments/stripe': PUBLIC,
  'GET /api/orders': hq('viewer', 'orders:write'),
  'GET /api/orders/{orderId}': hq('viewer', 'orders:write'),
  'POST /api/orders/{orderId}/cancel': hq('operator', 'orders:write'),
  'POST /api/orders/{orderId}/reroute': hq('operator'),
  'GET /api/channels/{channel}': hq('viewer'),
  'PUT /api/channels/{channel}': hq('admin'),
  'PUT /api/channels/{channel}/buffers': hq('admin'),
  'GET /api/channels/{channel}/availability': hq('viewer', 'orders:write', 'integration:read'),
  'GET /api/routing/delivery': hq('viewer'),
  'PUT /api/routing/delivery/nodes/{nodeId}': hq('admin'),
  'PUT /api/routing/delivery/lanes': hq('admin'),
  'POST /api/orders/{orderId}/steps': hq('operator', 'fulfilment:write'),
  'POST /api/orders/{orderId}/returns': hq('operator', 'orders:write'),
  'GET /api/orders/{orderId}/returns': hq('viewer', 'orders:write'),
  'POST /api/orders/{orderId}/returns/{returnId}/receive': hq('operator', 'fulfilment:write'),
  'GET /sync/orders/{orderNumber}/returnable': DEVICE,
  'POST /sync/order-returns': DEVICE,
  'GET /api/notifications': hq('viewer'),
  'POST /api/notifications/{notificationId}/retry': hq('operator'),

  'GET /api/loyalty/programme': hq('viewer'),
  'PUT /api/loyalty/programme': hq('admin'),
  'PUT /api/loyalty/stored-value-settings': hq('admin'),
  'PUT /api/loyalty/default-country-code': hq('admin'),
  'GET /api/loyalty/customers': hq('viewer'),
  'POST /api/loyalty/customers': hq('operator'),
  'GET /api/loyalty/accounts/{accountId}': hq('viewer'),
  'POST /api/loyalty/accounts/{accountId}/adjustments': hq('operator'),
  'GET /api/loyalty/stored-value': hq('viewer'),
  'GET /api/loyalty/stored-value/csv': hq('viewer'),
  'GET /api/loyalty/stored-value/{accountId}/ledger': hq('viewer'),
  'GET /api/loyalty/stored-value/{accountId}/ledger/csv': hq('viewer'),
  'POST /api/loyalty/gift-cards': hq('operator'),

  'GET /api/integration/events': hq('viewer', 'integration:read'),
  'GET /api/integration/catalog': hq('viewer', 'integration:read'),
  'POST /api/purchase-orders': hq('operator', 'purchasing:write'),
  'GET /api/purchase-orders': hq('viewer', 'purchasing:write', 'inventory:read', 'integration:read'),
  'GET /api/purchase-orders/{purchaseOrderId}': hq(
    'viewer',
    'purchasing:write',
    'inventory:read',
    'integration:read',
  ),
  'POST /api/shipping-notices': hq('operator', 'purchasing:write'),
  'GET /api/shipping-notices': hq('viewer', 'purchasing:write', 'inventory:read', 'integration:read'),
  'GET /api/shipping-notices/{asnId}': hq('viewer', 'purchasing:write', 'inventory:read', 'integration:read'),
  'POST /api/shipping-notices/{asnId}/receive': hq('operator'),
  'POST /api/shipping-notices/{asnId}/cancel': hq('operator', 'purchasing:write'),
  'POST /api/purchase-orders/{purchaseOrderId}/cancel': hq('operator', 'purchasing:write'),
  'POST /api/purchase-orders/{purchaseOrderId}/receive': hq('operator'),
  'GET /api/integration/journal': hq('viewer', 'integration:read'),
  'GET /api/integration/journal/csv': hq('viewer', 'integration:read'),
  'GET /api/alerts/rules': hq('viewer'),
  'GET /api/alerts/rules/{ruleId}': hq('viewer'),
  'POST /api/alerts/rules': hq('admin'),
  'PUT /api/alerts/rules/{ruleId}': hq('admin'),
  'DELETE /api/alerts/rules/{ruleId}': hq('admin'),
  'GET /api/alerts/deliveries': hq('viewer'),
  'POST /api/alerts/deliveries/{deliveryId}/retry': hq('operator'),
  'GET /api/receipt-emails': hq('viewer'),
  'POST /api/integration/subscriptions': hq('admin'),
  'GET /api/integration/subscriptions': hq('viewer', 'integration:read'),
  'GET /api/integration/subscriptions/{subscriptionId}': hq('viewer', 'integration:read'),
  'DELETE /api/integration/subscriptions/{subscriptionId}': hq('admin'),
  'PATCH /api/integration/subscriptions/{subscriptionId}': hq('admin'),
  'POST /api/integration/subscriptions/{subscriptionId}/rotate-secret': hq('admin'),
  'POST /api/integration/subscriptions/{subscriptionId}/pause': hq('operator'),
  'POST /api/integration/subscriptions/{subscriptionId}/resume': hq('operator'),
  'POST /api/integration/subscriptions/{subscriptionId}/replay': hq('operator'),
  'GET /api/integration/subscriptions/{subscriptionId}/deliveries': hq('viewer', 'integration:read'),
  'POST /api/integration/subscriptions/{subscriptionId}/deliveries/{seq}/retry': hq('operator'),
  'POST /api/integration/subscriptions/{subscriptionId}/deliveries/{seq}/skip': hq('operator'),
  'GET /api/loyalty/held-points': hq('viewer'),
  'POST /api/loyalty/held-points/{holdId}/release': hq('operator'),
  'POST /api/loyalty/held-points/{holdId}/drop': hq('operator'),
  'GET /api/loyalty/held-credits': hq('viewer'),
  'POST /api/loyalty/held-credits/{creditId}/release': hq('operator'),
  'POST /api/loyalty/held-credits/{creditId}/drop': hq('operator'),
  'GET /api/loyalty/credit-limits': hq('viewer'),
  'PUT /api/loyalty/credit-limits/{currency}': hq('admin'),
};

/** Every kind of credential a caller can present, valid or not. */
type Credential =
  | { readonly kind: 'none' | 'malformed' | 'unknown' | 'expired' | 'deactivated' | 'revoked-key' }
  | { readonly kind: 'revoked-device' | 'device' }
  | { readonly kind: 'role'; readonly role: HqRole }
  | { readonly kind: 'scope'; readonly scope: ApiKeyScope };

const CREDENTIALS: readonly Credential[] = [
  { kind: 'none' },
  { kind: 'malformed' },
  { kind: 'unknown' },
  { kind: 'expired' },
  { kind: 'deactivated' },
  { kind: 'revoked-key' },
  { kind: 'revoked-device' },
  ...HQ_ROLES.map((role) => ({ kind: 'role' as const, role })),
  ...API_KEY_SCOPES.map((scope) => ({ kind: 'scope' as const, scope })),
  { kind: 'device' },
];

function nameOf(credential: Credential): string {
  if (credential.kind === 'role') return `session:${credential.role}`;
  if (credential.kind === 'scope') return `api-key:${credential.scope}`;
  return credential.kind;
}

/** 'pass': authentication and authorization let it through (the handler may still refuse the input). */
function expected(allowed: Allowed, credential: Credential): 'pass' | 401 | 403 {
  switch (credential.kind) {
    case 'none':
    case 'malformed':
    case 'unknown':
    case 'expired':
    case 'deactivated':
    case 'revoked-key':
    case 'revoked-device':
      return allowed.kind === 'public' ? 'pass' : 401;
    case 'device':
      return allowed.kind === 'public' || allowed.kind === 'device' ? 'pass' : 403;
    case 'role':
      if (allowed.kind === 'public') return 'pass';
      if (allowed.kind === 'device') return 403;
      return HQ_ROLES.indexOf(credential.role) >= HQ_ROLES.indexOf(allowed.role) ? 'pass' : 403;
    case 'scope':
      if (allowed.kind === 'public') return 'pass';
      if (allowed.kind === 'device') return 403;
      return allowed.scopes.includes(credential.scope) ? 'pass' : 403;
  }
}

interface Operation {
  readonly key: string;
  readonly method: string;
  readonly url: string;
}

describe.each(backendKinds())('api authorization matrix on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let operations: Operation[];
  const clock = { now: 1_800_000_000_000 };
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => clock.now);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    const password = 'correct horse battery';
    for (const role of HQ_ROLES) await createUser(hub, { username: `${role}-user`, password, role });
    const gone = await createUser(hub, { username: 'gone-user', password, role: 'admin' });

    tokens.set('expired', (await login(hub, { username: 'admin-user', password })).token);
    clock.now += SESSION_TTL_MS;
    for (const role of HQ_ROLES) {
      tokens.set(`session:${role}`, (await login(hub, { username: `${role}-user`, password })).token);
    }
    tokens.set('deactivated', (await login(hub, { username: 'gone-user', password })).token);
    await updateUser(hub, gone.userId, { active: false });
    for (const scope of API_KEY_SCOPES) {
      tokens.set(`api-key:${scope}`, (await createApiKey(hub, { name: scope, scopes: [scope] }, 'test')).key);
    }
    const revokedKey = await createApiKey(hub, { name: 'old', scopes: [...API_KEY_SCOPES] }, 'test');
    await revokeApiKey(hub, revokedKey.apiKey.keyId);
    tokens.set('revoked-key', revokedKey.key);
    tokens.set('device', (await enrollTestDevice(hub, 's1')).credential);
    const revokedDevice = await enrollTestDevice(hub, 's1');
    await revokeDevice(hub, revokedDevice.deviceId);
    tokens.set('revoked-device', revokedDevice.credential);
    tokens.set('malformed', 'not-a-credential');
    tokens.set('unknown', `hs_${'A'.repeat(43)}`);

    const unlimited = { perSecond: 1_000_000, burst: 1_000_000 };
    ({ app } = await buildApp({
      hub,
      rateLimit: unlimited,
      anonymousRateLimit: unlimited,
      signInAddressRateLimit: unlimited,
      sync: { socket: false },
    }));
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { parameters: { name: string; in: string }[] }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        // Placeholders: authorization is decided before the parameters are even looked at.
        url: path.replace(/\{[^}]+\}/g, 'matrix-placeholder'),
      })),
    );
    // Signing out ends the session the other cases use: it goes last.
    operations.sort((a, b) => Number(a.key.endsWith('/logout')) - Number(b.key.endsWith('/logout')));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  it('has an entry in the table for every operation the hub publishes, and none for operations it lacks', () => {
    const published = operations.map((operation) => operation.key).sort();
    expect(published.filter((key) => WHO_MAY_CALL[key] === undefined)).toEqual([]);
    expect(Object.keys(WHO_MAY_CALL).filter((key) => !published.includes(key))).toEqual([]);
  });

  it('answers every operation for every kind of credential as the table says', async () => {
    const mismatches: string[] = [];
    for (const operation of operations) {
      const allowed = WHO_MAY_CALL[operation.key];
      if (allowed === undefined) continue;
      for (const credential of CREDENTIALS) {
        const token = tokens.get(nameOf(credential));
        const response = await app.inject({
          method: operation.method as 'GET',
          url: operation.url,
          headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        });
        const want = expected(allowed, credential);
        const status = response.statusCode;
        // A download answers with its own content type (a CSV); refusals are always the JSON envelope.
        const code = String(response.headers['content-type']).startsWith('application/json')
          ? (response.json() as { error?: { code?: string } }).error?.code
          : undefined;
        const ok =
          want === 'pass'
            ? status !== 401 && status !== 403 && status !== 429 && status < 500
            : status === want && code === (want === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
        if (!ok)
          mismatches.push(`${operation.key} as ${nameOf(credential)}: ${status} ${code}, want ${want}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
