import type { ErrorBody } from '@retail/domain';
import { t } from '../i18n/translate';
import type {
  CatalogItem,
  CatalogItemInput,
  CatalogItemPage,
  CatalogOptions,
  ImportReport,
  AdjustableBucket,
  ApiKey,
  ApiKeyScope,
  SubscriptionEdit,
  Transfer,
  AlertDelivery,
  AlertRule,
  AlertRuleInput,
  StoredValueAccountRow,
  StoredValueLedgerPage,
  AuditEntry,
  BopisStatus,
  CreateStaff,
  EffectiveSettings,
  HqStaff,
  StoreCreatedStaff,
  PutSetting,
  Setting,
  SettingsList,
  UpdateStaff,
  DeviceStatus,
  EnrollmentCode,
  EntityVersion,
  ExceptionType,
  HqUser,
  HubException,
  IntegrationSubscription,
  LedgerEntry,
  LoginAnswer,
  NotificationView,
  OrderSummary,
  OrderView,
  PriceBook,
  PriceBookChange,
  PriceBookPage,
  PriceBookPreview,
  Promotion,
  PromotionInput,
  PromotionPreview,
  SalesReportRow,
  SalesAnalytics,
  AnalyticsTable,
  Sku,
  SkuInventory,
  StoreNode,
} from './api-types';

export type ApiResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorBody };

export interface HubApiOptions {
  readonly fetch: typeof fetch;
  /** The session token, read on every call so a sign-out takes effect at once. */
  readonly token: () => string | null;
  /** The hub said the session is gone (401): the app signs out and says why. */
  readonly onUnauthorized: (error: ErrorBody) => void;
}

export interface ExceptionQuery {
  readonly status?: 'open' | 'resolved' | undefined;
  readonly type?: ExceptionType | undefined;
  readonly nodeId?: string | undefined;
  readonly limit?: number;
}

export interface OrderQuery {
  readonly status?: BopisStatus | undefined;
  readonly nodeId?: string | undefined;
  readonly limit?: number;
}

type Query = Readonly<Record<string, string | number | undefined>>;

/** What the gift card and store credit list searches by (GET /api/loyalty/stored-value). */
export interface StoredValueQuery {
  readonly q?: string | undefined;
  readonly kind?: 'gift_card' | 'store_credit' | undefined;
  readonly nodeId?: string | undefined;
  readonly cursor?: string | undefined;
}

/** What the catalog screen searches by (GET /api/catalog/items). */
export interface CatalogItemQuery {
  readonly q?: string | undefined;
  readonly status?: 'active' | 'inactive' | 'all' | undefined;
  readonly after?: string | undefined;
}

/** What the audit screen searches by (GET /api/audit). */
export interface AuditFilter {
  readonly subject?: string | undefined;
  readonly action?: string | undefined;
  readonly actor?: string | undefined;
  /** A store's node id, or `hq` for HQ's own entries. */
  readonly nodeId?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly limit?: number;
}

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

const segment = encodeURIComponent;

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * The admin API as the dashboard uses it: every call carries the session token and answers the hub's
 * envelope, so screens show the hub's own sentence on failure and never have to parse HTTP themselves.
 */
export function createHubApi(options: HubApiOptions) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.token();
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await options.fetch(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      return { ok: false, error: { code: 'HUB_UNAVAILABLE', message: t('error.unreachable') } };
    }
    let envelope: unknown;
    try {
      envelope = await response.json();
    } catch {
      envelope = undefined;
    }
    const answer = envelope as { ok?: unknown; value?: unknown; error?: unknown } | undefined;
    if (response.ok && answer?.ok === true) return { ok: true, value: answer.value as T };
    const error: ErrorBody = isErrorBody(answer?.error)
      ? answer.error
      : { code: 'INTERNAL', message: t('error.unexpected', { status: response.status }) };
    if (response.status === 401 && path !== '/api/auth/login') options.onUnauthorized(error);
    return { ok: false, error };
  }

  async function csvText(path: string): Promise<ApiResult<string>> {
    const token = options.token();
    try {
      const response = await options.fetch(path, {
        method: 'GET',
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      });
      if (!response.ok) return { ok: false, error: { code: 'INTERNAL', message: t('reports.csvFailed') } };
      return { ok: true, value: await response.text() };
    } catch {
      return { ok: false, error: { code: 'HUB_UNAVAILABLE', message: t('error.unreachable') } };
    }
  }

  /** A file streamed as the request body (a catalog CSV), answered with the hub's envelope. */
  async function upload<T>(path: string, file: Blob, contentType: string): Promise<ApiResult<T>> {
    const token = options.token();
    let response: Response;
    try {
      response = await options.fetch(path, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': contentType,
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: file,
      });
    } catch {
      return { ok: false, error: { code: 'HUB_UNAVAILABLE', message: t('error.unreachable') } };
    }
    const answer = (await response.json().catch(() => undefined)) as
      { ok?: unknown; value?: unknown; error?: unknown } | undefined;
    if (response.ok && answer?.ok === true) return { ok: true, value: answer.value as T };
    const error: ErrorBody = isErrorBody(answer?.error)
      ? answer.error
      : { code: 'INTERNAL', message: t('error.unexpected', { status: response.status }) };
    if (response.status === 401) options.onUnauthorized(error);
    return { ok: false, error };
  }

  return {
    login: (username: string, password: string) =>
      call<LoginAnswer>('POST', '/api/auth/login', { username, password }),
    logout: () => call<{ done: true }>('POST', '/api/auth/logout'),
    me: () => call<HqUser>('GET', '/api/auth/me'),

    exceptions: (query: ExceptionQuery) =>
      call<HubException[]>('GET', withQuery('/api/exceptions', { limit: 500, ...query })),
    exception: (exceptionId: string) => call<HubException>('GET', `/api/exceptions/${segment(exceptionId)}`),
    resolveException: (exceptionId: string, note: string) =>
      call<HubException>('POST', `/api/exceptions/${segment(exceptionId)}/resolve`, { note }),
    /** Releases or drops points or store credit the hub held for review (closes its exception). */
    settleHeld: (kind: 'points' | 'credits', id: string, action: 'release' | 'drop', note: string) =>
      call<unknown>('POST', `/api/loyalty/held-${kind}/${segment(id)}/${action}`, { note }),

    orders: (query: OrderQuery) =>
      call<OrderSummary[]>('GET', withQuery('/api/orders', { limit: 200, ...query })),
    order: (orderId: string) => call<OrderView>('GET', `/api/orders/${segment(orderId)}`),
    cancelOrder: (orderId: string, expectedVersion: number, note: string) =>
      call<OrderView>('POST', `/api/orders/${segment(orderId)}/cancel`, {
        reason: 'hq_request',
        expectedVersion,
        ...(note === '' ? {} : { note }),
      }),
    rerouteOrder: (orderId: string, expectedVersion: number) =>
      call<OrderView>('POST', `/api/orders/${segment(orderId)}/reroute`, {
        reason: 'hq_request',
        expectedVersion,
      }),
    retryNotification: (notificationId: string) =>
      call<NotificationView>('POST', `/api/notifications/${segment(notificationId)}/retry`),

    skuByBarcode: (barcode: string) => call<Sku>('GET', `/api/catalog/barcodes/${segment(barcode)}`),
    sku: (sku: string) => call<Sku>('GET', `/api/catalog/skus/${segment(sku)}`),
    inventory: (sku: string) => call<SkuInventory>('GET', `/api/inventory/${segment(sku)}`),
    ledger: (sku: string, nodeId: string) =>
      call<LedgerEntry[]>('GET', withQuery(`/api/inventory/${segment(sku)}/ledger`, { nodeId, limit: 100 })),

    catalogItems: (query: CatalogItemQuery) =>
      call<CatalogItemPage>('GET', withQuery('/api/catalog/items', { limit: 50, ...query })),
    catalogItem: (sku: string) => call<CatalogItem>('GET', `/api/catalog/items/${segment(sku)}`),
    saveCatalogItem: (sku: string, input: CatalogItemInput) =>
      call<CatalogItem>('PUT', `/api/catalog/items/${segment(sku)}`, input),
    catalogOptions: () => call<CatalogOptions>('GET', '/api/catalog/options'),
    /** Streams a catalog CSV; the answer comes when it is applied or refused (poll `catalogImport`). */
    importCatalog: (file: Blob, importId: string) =>
      upload<ImportReport>(withQuery('/api/catalog/import', { format: 'csv', importId }), file, 'text/csv'),
    catalogImport: (importId: string) =>
      call<ImportReport>('GET', `/api/catalog/imports/${segment(importId)}`),
    catalogImportErrorsCsv: (importId: string) =>
      csvText(`/api/catalog/imports/${segment(importId)}/errors.csv`),

    nodes: () => call<StoreNode[]>('GET', '/api/nodes'),
    devices: () => call<DeviceStatus[]>('GET', '/api/devices'),
    revokeDevice: (deviceId: string) =>
      call<{ done: true }>('POST', `/api/devices/${segment(deviceId)}/revoke`, {}),
    enrollmentCode: (nodeId: string) =>
      call<EnrollmentCode>('POST', `/api/nodes/${segment(nodeId)}/enrollment-codes`, {}),

    priceBooks: () => call<PriceBook[]>('GET', '/api/price-books'),
    priceBookVersions: (priceBookId: string) =>
      call<EntityVersion[]>('GET', `/api/price-books/${segment(priceBookId)}/versions`),
    priceBook: (priceBookId: string) =>
      call<PriceBookPage>('GET', withQuery(`/api/price-books/${segment(priceBookId)}`, { limit: 5000 })),
    previewPriceBook: (priceBookId: string, input: PriceBookChange) =>
      call<PriceBookPreview>('POST', `/api/price-books/${segment(priceBookId)}/preview`, input),
    publishPriceBook: (priceBookId: string, input: PriceBookChange) =>
      call<PriceBook>('POST', `/api/price-books/${segment(priceBookId)}/publish`, input),
    promotions: () => call<Promotion[]>('GET', '/api/promotions'),
    previewPromotion: (promotionId: string, input: PromotionInput) =>
      call<PromotionPreview>('POST', `/api/promotions/${segment(promotionId)}/preview`, input),
    savePromotion: (promotionId: string, input: PromotionInput) =>
      call<Promotion>('PUT', `/api/promotions/${segment(promotionId)}`, input),
    subscriptions: () => call<IntegrationSubscription[]>('GET', '/api/integration/subscriptions'),
    setSubscriptionPaused: (subscriptionId: string, paused: boolean) =>
      call<IntegrationSubscription>(
        'POST',
        `/api/integration/subscriptions/${segment(subscriptionId)}/${paused ? 'pause' : 'resume'}`,
      ),
    salesAnalytics: (from: string, to: string, nodeId?: string) =>
      call<SalesAnalytics>('GET', withQuery('/api/reports/analytics', { from, to, nodeId })),
    /** A report table as CSV text, fetched with the session (a plain link would carry no token). */
    analyticsCsv: (table: AnalyticsTable, query: { from: string; to: string; nodeId?: string | undefined }) =>
      csvText(withQuery(`/api/reports/analytics/${segment(table)}/csv`, query)),
    alertRules: () => call<AlertRule[]>('GET', '/api/alerts/rules'),
    createAlertRule: (input: AlertRuleInput) =>
      call<{ rule: AlertRule; secret: string | null }>('POST', '/api/alerts/rules', input),
    updateAlertRule: (ruleId: string, input: AlertRuleInput & { version: number }) =>
      call<{ rule: AlertRule; secret: string | null }>('PUT', `/api/alerts/rules/${segment(ruleId)}`, input),
    deleteAlertRule: (ruleId: string, version: number) =>
      call<{ deleted: true }>('DELETE', withQuery(`/api/alerts/rules/${segment(ruleId)}`, { version })),
    alertDeliveries: (status?: 'pending' | 'delivered' | 'failed') =>
      call<AlertDelivery[]>('GET', withQuery('/api/alerts/deliveries', { status, limit: 100 })),
    retryAlertDelivery: (deliveryId: string) =>
      call<AlertDelivery>('POST', `/api/alerts/deliveries/${segment(deliveryId)}/retry`),
    storedValueAccounts: (query: StoredValueQuery) =>
      call<{ accounts: StoredValueAccountRow[]; nextCursor: string | null }>(
        'GET',
        withQuery('/api/loyalty/stored-value', { limit: 50, ...query }),
      ),
    storedValueLedger: (accountId: string, cursor?: string) =>
      call<StoredValueLedgerPage>(
        'GET',
        withQuery(`/api/loyalty/stored-value/${segment(accountId)}/ledger`, { cursor, limit: 50 }),
      ),
    /** Any of the hub's CSV downloads, fetched with the session (a plain link would carry no token). */
    csv: (path: string, query: Query = {}) => csvText(withQuery(path, query)),
    salesReport: (from: string, to: string) =>
      call<SalesReportRow[]>('GET', withQuery('/api/reports/sales', { from, to })),
    staff: () => call<HqStaff[]>('GET', '/api/staff'),
    storeCreatedStaff: () => call<StoreCreatedStaff[]>('GET', '/api/staff/store-created'),
    vouchForStoreStaff: (staffId: string, role: StoreCreatedStaff['role']) =>
      call<StoreCreatedStaff>('POST', `/api/staff/store-created/${segment(staffId)}/vouch`, { role }),
    createStaff: (input: CreateStaff) => call<HqStaff>('POST', '/api/staff', input),
    updateStaff: (staffId: string, input: UpdateStaff) =>
      call<HqStaff>('PATCH', `/api/staff/${segment(staffId)}`, input),
    settings: () => call<SettingsList>('GET', '/api/settings'),
    storeSettings: (storeId: string) =>
      call<EffectiveSettings>('GET', `/api/settings/stores/${segment(storeId)}`),
    putSetting: (key: string, input: PutSetting) =>
      call<Setting>('PUT', `/api/settings/${segment(key)}`, input),
    audit: (query: AuditFilter) =>
      call<AuditEntry[]>('GET', withQuery('/api/audit', { limit: 200, ...query })),
    /** Stock edits name the figure the operator saw: a different one at the hub is a CONFLICT (409). */
    adjustStock: (input: {
      nodeId: string;
      reason: string;
      lines: { sku: string; bucket: AdjustableBucket; delta: number; expectedQty: number }[];
    }) => call<{ adjustmentId: string }>('POST', '/api/adjustments', input),
    createTransfer: (input: {
      fromNodeId: string;
      toNodeId: string;
      lines: { sku: string; qty: number; expectedSellable: number }[];
    }) => call<Transfer>('POST', '/api/transfers', input),
    transfers: (nodeId?: string) =>
      call<Transfer[]>('GET', withQuery('/api/transfers', { nodeId, limit: 20 })),
    renameDevice: (deviceId: string, name: string, expectedVersion: number) =>
      call<DeviceStatus>('PATCH', `/api/devices/${segment(deviceId)}`, { name, expectedVersion }),
    apiKeys: () => call<ApiKey[]>('GET', '/api/api-keys'),
    createApiKey: (name: string, scopes: readonly ApiKeyScope[]) =>
      call<{ key: string; apiKey: ApiKey }>('POST', '/api/api-keys', { name, scopes }),
    revokeApiKey: (keyId: string) => call<{ done: true }>('DELETE', `/api/api-keys/${segment(keyId)}`),
    updateApiKey: (keyId: string, input: { name?: string; scopes?: readonly ApiKeyScope[] }) =>
      call<ApiKey>('PATCH', `/api/api-keys/${segment(keyId)}`, input),
    createSubscription: (input: { name: string; url: string; types: readonly string[] }) =>
      call<{ subscription: IntegrationSubscription; secret: string }>(
        'POST',
        '/api/integration/subscriptions',
        input,
      ),
    updateSubscription: (subscriptionId: string, edit: SubscriptionEdit, expectedVersion: number) =>
      call<IntegrationSubscription>('PATCH', `/api/integration/subscriptions/${segment(subscriptionId)}`, {
        ...edit,
        expectedVersion,
      }),
    rotateSubscriptionSecret: (subscriptionId: string, expectedVersion: number) =>
      call<{ subscription: IntegrationSubscription; secret: string }>(
        'POST',
        `/api/integration/subscriptions/${segment(subscriptionId)}/rotate-secret`,
        { expectedVersion },
      ),
    promotionVersions: (promotionId: string) =>
      call<EntityVersion[]>('GET', `/api/promotions/${segment(promotionId)}/versions`),
  };
}

export type HubApi = ReturnType<typeof createHubApi>;
