import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  NEARBY_STOCK_PATH,
  NearbyStockSchema,
  PullPageSchema,
  PullRequestSchema,
  PushAckSchema,
  PushRequestSchema,
  ReEnrollRequestSchema,
  SALE_LOOKUP_PATH,
  SYNC_REENROLL_PATH,
  SaleLookupSchema,
  SnapshotPageSchema,
  SnapshotRequestSchema,
} from '@retail/sync';
import { readNearbyStock } from '../../inventory/nearby-stock';
import { EnrollRequestSchema, EnrollResponseSchema, enrollDevice, reEnrollDevice } from '../../auth/devices';
import type { CatchUpAdmissionOptions } from '../../sync/admission';
import { pushRequestAsSent } from '../../sync/push-request';
import type { RefusedPushOptions } from '../../sync/refused-pushes';
import { SaleLookupService, type SaleLookupOptions } from '../../sync/sale-lookup';
import {
  SyncGateway,
  attachSyncSocket,
  type SyncSocketLogger,
  type SyncSocketServer,
} from '../../sync/sync-gateway';
import type { HubMetrics } from '../metrics';
import type { Principal, RouteRegistry } from '../route';

export interface SyncOptions {
  /** Catch-up admission control (concurrent snapshots and far-behind pulls). */
  readonly admission?: CatchUpAdmissionOptions;
  /** Pokes for one store within this window go out once. */
  readonly pokeCoalesceMs?: number;
  /** Refuse socket.io tills older than this `clientVersion`. */
  readonly minClientVersion?: string;
  /** Serve the socket.io `/sync` namespace on the app's HTTP server (default true). */
  readonly socket?: boolean;
  /** Receipt lookups: the rate per device and how often a device over it alerts HQ. */
  readonly saleLookup?: SaleLookupOptions;
  /** How often one device's pushes refused whole update its `PUSH_REFUSED` exception. */
  readonly refusedPushes?: RefusedPushOptions;
}

export interface SyncEndpoints {
  readonly gateway: SyncGateway;
  /** Null when the socket.io transport is switched off. */
  readonly socket: SyncSocketServer | null;
}

function device(principal: Principal | null) {
  if (principal?.kind !== 'device') throw new Error('device route without a device principal');
  return { deviceId: principal.deviceId, storeId: principal.storeId };
}

/**
 * Both sync transports of docs/sync.md §7 over one SyncGateway: the HTTP endpoints here, and the
 * socket.io `/sync` namespace on the same HTTP server (closed with the app).
 */
export function registerSyncRoutes(
  app: FastifyInstance,
  routes: RouteRegistry,
  metrics: HubMetrics,
  options: SyncOptions = {},
): SyncEndpoints {
  const gateway = new SyncGateway({
    hub: routes.hub,
    metrics,
    ...(options.admission === undefined ? {} : { admission: options.admission }),
    ...(options.refusedPushes === undefined ? {} : { refusedPushes: options.refusedPushes }),
  });
  const saleLookup = new SaleLookupService(routes.hub, options.saleLookup, metrics);
  routes.add(app, {
    method: 'POST',
    url: '/sync/enroll',
    summary: 'Enroll a device with a one-time code from HQ; returns its credential once',
    tag: 'sync',
    access: { kind: 'public' },
    // An unknown, used or expired code.
    errors: [401],
    body: EnrollRequestSchema,
    response: EnrollResponseSchema,
    successStatus: 201,
    handler: ({ body }) => enrollDevice(routes.hub, body),
  });
  routes.add(app, {
    method: 'POST',
    url: SYNC_REENROLL_PATH,
    summary:
      'A till restored from a backup becomes a new device of its store (the old one is revoked); answers which of its events the hub already holds',
    tag: 'sync',
    access: { kind: 'device' },
    // The report lists the till's events after its acknowledged point (up to MAX_RESTORE_EVENTS).
    bodySize: 'large',
    body: ReEnrollRequestSchema,
    response: EnrollResponseSchema,
    successStatus: 201,
    handler: ({ body, principal }) => reEnrollDevice(routes.hub, device(principal), body),
  });
  routes.add(app, {
    method: 'POST',
    url: '/sync/push',
    summary: 'Push a batch of store events (≤ 500, increasing deviceSeq); acknowledges each one',
    tag: 'sync',
    access: { kind: 'device' },
    bodySize: 'large',
    body: PushRequestSchema,
    // A till's push is taken as sent when the schema would return it so (as over socket.io).
    bodyAsParsed: pushRequestAsSent,
    response: PushAckSchema,
    onInvalidBody: (principal, error) => gateway.noteRefusedPush(device(principal), error),
    handler: ({ body, principal, request }) => gateway.push(device(principal), body, request.log),
  });
  routes.add(app, {
    method: 'GET',
    url: '/sync/pull',
    summary: 'Read the change feed for this store after a cursor',
    tag: 'sync',
    access: { kind: 'device' },
    query: PullRequestSchema,
    response: PullPageSchema,
    handler: ({ query, principal }) => gateway.pull(device(principal), query),
  });
  routes.add(app, {
    method: 'POST',
    url: '/sync/pull',
    summary: 'Same as GET /sync/pull with the request in the body',
    tag: 'sync',
    access: { kind: 'device' },
    body: PullRequestSchema,
    response: PullPageSchema,
    handler: ({ body, principal }) => gateway.pull(device(principal), body),
  });
  routes.add(app, {
    method: 'GET',
    url: '/sync/snapshot',
    summary: 'Paged snapshot for a new node; then pull from `upTo`',
    tag: 'sync',
    access: { kind: 'device' },
    query: SnapshotRequestSchema,
    response: SnapshotPageSchema,
    handler: ({ query, principal }) => gateway.snapshot(device(principal), query),
  });
  routes.add(app, {
    method: 'GET',
    url: `${SALE_LOOKUP_PATH}/:receiptNumber`,
    summary:
      'A sale of any store by receipt number, for a return: lines with returnable quantities, tenders with refundable amounts; rate limited per device and audited',
    tag: 'sync',
    access: { kind: 'device' },
    params: z.object({ receiptNumber: z.string().trim().min(1).max(60) }),
    response: SaleLookupSchema,
    handler: ({ params, principal, request }) =>
      saleLookup.lookup(device(principal), params.receiptNumber, request.log),
  });
  routes.add(app, {
    method: 'GET',
    url: `${NEARBY_STOCK_PATH}/:sku/nearby`,
    summary:
      "A SKU's stock at the chain's other active stores, nearest to the asking till's store first (by location when the hub has it, else by region), for the till's price check",
    tag: 'sync',
    access: { kind: 'device' },
    params: z.object({ sku: z.string().trim().min(1).max(100) }),
    response: NearbyStockSchema,
    handler: ({ params, principal }) =>
      readNearbyStock(routes.hub.storage.db, device(principal).storeId, params.sku),
  });

  let socket: SyncSocketServer | null = null;
  if (options.socket !== false) {
    socket = attachSyncSocket(app.server, {
      hub: routes.hub,
      gateway,
      metrics,
      logger: app.log as unknown as SyncSocketLogger,
      ...(options.pokeCoalesceMs === undefined ? {} : { pokeCoalesceMs: options.pokeCoalesceMs }),
      ...(options.minClientVersion === undefined ? {} : { minClientVersion: options.minClientVersion }),
    });
    const opened = socket;
    // Open websockets would keep the HTTP server from closing.
    app.addHook('preClose', async () => opened.close());
  }
  return { gateway, socket };
}
