import {
  CustomerAnswerSchema,
  CustomerSearchAnswerSchema,
  HoldAnswerSchema,
  LOYALTY_SYNC_PATHS,
  NearbyStockSchema,
  nearbyStockPath,
  ReleaseAnswerSchema,
  StoredValueAnswerSchema,
  type CustomerAnswer,
  type CustomerCreateRequest,
  type CustomerSearchAnswer,
  type HoldAnswer,
  type HoldRequest,
  type NearbyStock,
  type ReleaseRequest,
  type StoredValueAnswer,
} from '@retail/sync';
import type { z } from 'zod';
import type { HubConnection } from '../sync/store-sync';

/**
 * The till's online calls to the hub (loyalty, stored value, and the price check's stock at nearby stores;
 * device credential, short timeout). The answer is one of: the hub's value, the hub's refusal (a business answer such as INSUFFICIENT_BALANCE the till must show), or
 * `unreachable` (offline, timeout, hub error) after which the till works from its cache within the
 * offline allowance.
 */

export type HubOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: 'refused'; readonly code: string; readonly message: string }
  | { readonly ok: false; readonly reason: 'unreachable'; readonly detail: string };

export interface LoyaltyHubClient {
  searchCustomers(query: string): Promise<HubOutcome<CustomerSearchAnswer>>;
  createCustomer(request: CustomerCreateRequest): Promise<HubOutcome<CustomerAnswer>>;
  customer(customerId: string): Promise<HubOutcome<CustomerAnswer>>;
  storedValue(number: string, pin?: string): Promise<HubOutcome<StoredValueAnswer>>;
  placeHold(request: HoldRequest): Promise<HubOutcome<HoldAnswer>>;
  release(request: ReleaseRequest): Promise<HubOutcome<z.infer<typeof ReleaseAnswerSchema>>>;
  /** A SKU's stock at the chain's other stores, nearest first (the price check's "nearby stores"). */
  nearbyStock(sku: string): Promise<HubOutcome<NearbyStock>>;
}

export interface LoyaltyHubClientOptions {
  readonly connection: () => HubConnection | null;
  /** Whether the sync agent is connected; when it is not, the till does not wait for a timeout. */
  readonly online: () => boolean;
  readonly fetch?: typeof fetch;
  /** How long a till waits for the hub before falling back to its cache (default 2 s). */
  readonly timeoutMs?: number;
}

export const DEFAULT_LOYALTY_TIMEOUT_MS = 2_000;

export type HubCall = <S extends z.ZodType>(
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  schema: S,
) => Promise<HubOutcome<z.output<S>>>;

/** One online call to the hub with the device credential: the hub's value, its refusal, or unreachable. */
export function createHubCall(options: LoyaltyHubClientOptions): HubCall {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOYALTY_TIMEOUT_MS;

  return async function call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<HubOutcome<z.output<S>>> {
    const connection = options.connection();
    if (connection === null) return { ok: false, reason: 'unreachable', detail: 'no hub configured' };
    if (!options.online()) return { ok: false, reason: 'unreachable', detail: 'hub offline' };
    const fetchImpl = options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetchImpl(`${connection.hubUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${connection.credential}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return {
        ok: false,
        reason: 'unreachable',
        detail: error instanceof Error ? error.name : 'fetch failed',
      };
    }
    let parsedBody:
      { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      parsedBody = (await response.json()) as typeof parsedBody;
    } catch {
      return { ok: false, reason: 'unreachable', detail: `HTTP ${response.status} without a JSON body` };
    }
    if (
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 401 &&
      response.status !== 429
    ) {
      const code = typeof parsedBody?.error?.code === 'string' ? parsedBody.error.code : 'INVALID_INPUT';
      const message =
        typeof parsedBody?.error?.message === 'string'
          ? parsedBody.error.message
          : 'The hub refused the request.';
      return { ok: false, reason: 'refused', code, message };
    }
    if (!response.ok || parsedBody?.ok !== true) {
      return { ok: false, reason: 'unreachable', detail: `HTTP ${response.status}` };
    }
    const value = schema.safeParse(parsedBody.value);
    if (!value.success) return { ok: false, reason: 'unreachable', detail: 'answer outside the protocol' };
    return { ok: true, value: value.data };
  };
}

export function createLoyaltyHubClient(options: LoyaltyHubClientOptions): LoyaltyHubClient {
  const call = createHubCall(options);
  return {
    searchCustomers: (query) =>
      call('POST', LOYALTY_SYNC_PATHS.customerSearch, { query }, CustomerSearchAnswerSchema),
    createCustomer: (request) =>
      call('POST', LOYALTY_SYNC_PATHS.customerCreate, request, CustomerAnswerSchema),
    customer: (customerId) =>
      call(
        'GET',
        `${LOYALTY_SYNC_PATHS.customer}/${encodeURIComponent(customerId)}`,
        undefined,
        CustomerAnswerSchema,
      ),
    storedValue: (number, pin) =>
      call(
        'POST',
        LOYALTY_SYNC_PATHS.storedValueLookup,
        { number, ...(pin === undefined ? {} : { pin }) },
        StoredValueAnswerSchema,
      ),
    placeHold: (request) => call('POST', LOYALTY_SYNC_PATHS.holds, request, HoldAnswerSchema),
    release: (request) => call('POST', LOYALTY_SYNC_PATHS.release, request, ReleaseAnswerSchema),
    nearbyStock: (sku) => call('GET', nearbyStockPath(sku), undefined, NearbyStockSchema),
  };
}
