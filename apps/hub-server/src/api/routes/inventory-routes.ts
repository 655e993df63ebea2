import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readLedger, verifyProjections } from '../../inventory/ledger-reads';
import {
  CreateReservationSchema,
  ReassignReservationSchema,
  ReservationFilterSchema,
  ReservationSchema,
  ReservationTransitionSchema,
  SafetyStockSchema,
  createReservation,
  getReservation,
  listReservations,
  moveReservation,
  reassignReservation,
  setSafetyStock,
} from '../../inventory/reservations';
import {
  AdjustmentInputSchema,
  ReceiptInputSchema,
  TransferInputSchema,
  TransferReceiptSchema,
  TransferSchema,
  adjustStock,
  createTransfer,
  listTransfers,
  receiveStock,
  receiveTransfer,
} from '../../inventory/stock-operations';
import {
  InventoryLevelSchema,
  NetworkAtpSchema,
  readInventoryLevels,
  readNetworkAtp,
} from '../../inventory/stock-levels';
import type { RouteRegistry } from '../route';

const id = z.string().min(1).max(100);

/** Inventory by SKU and node, reservations (also for e-commerce intake), receipts, transfers, adjustments. */
export function registerInventoryRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const read = { kind: 'hq', role: 'viewer', scopes: ['inventory:read'] } as const;

  routes.add(app, {
    method: 'GET',
    url: '/api/inventory',
    summary: 'Stock levels (buckets, committed, safety stock, ATP) by SKU and node, paged by SKU',
    tag: 'inventory',
    access: read,
    query: z.object({
      sku: id.optional(),
      nodeId: id.optional(),
      afterSku: id.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(200),
    }),
    response: z.array(InventoryLevelSchema),
    handler: ({ query }) => readInventoryLevels(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/inventory/:sku',
    summary: 'One SKU across the network: levels per node, network ATP, open reservations',
    tag: 'inventory',
    access: read,
    params: z.object({ sku: id }),
    query: z.object({ channel: z.enum(['pickup', 'any']).default('any') }),
    response: z.object({
      sku: z.string(),
      levels: z.array(InventoryLevelSchema),
      network: NetworkAtpSchema,
      reservations: z.array(ReservationSchema),
    }),
    handler: async ({ params, query }) => {
      const [levels, network, held, active, staged] = await Promise.all([
        readInventoryLevels(hub.storage.db, { sku: params.sku }),
        readNetworkAtp(hub.storage.db, params.sku, query.channel),
        listReservations(hub.storage.db, { sku: params.sku, status: 'HELD', limit: 500 }),
        listReservations(hub.storage.db, { sku: params.sku, status: 'ACTIVE', limit: 500 }),
        listReservations(hub.storage.db, { sku: params.sku, status: 'STAGED', limit: 500 }),
      ]);
      return { sku: params.sku, levels, network, reservations: [...held, ...active, ...staged] };
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/inventory/:sku/ledger',
    summary:
      'Movement history of a SKU (optionally at one node), newest first; next page: `before` and `beforeMovementId` of the last row',
    tag: 'inventory',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ sku: id }),
    query: z.object({
      nodeId: id.optional(),
      before: z.coerce.number().int().min(0).optional(),
      /** With `before`: the last row's movementId, so rows sharing its millisecond are not skipped. */
      beforeMovementId: z.string().min(1).max(200).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    response: z.array(
      z.object({
        movementId: z.string(),
        nodeId: z.string(),
        sku: z.string(),
        type: z.string(),
        bucket: z.string(),
        delta: z.number().int(),
        reason: z.string().nullable(),
        sourceDoc: z.string().nullable(),
        eventId: z.string().nullable(),
        actor: z.string(),
        recordedAt: z.number().int(),
      }),
    ),
    handler: ({ params, query }) => readLedger(hub.storage.db, { sku: params.sku, ...query }),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/inventory/:sku/safety-stock/:nodeId',
    summary: 'Set the safety stock ATP keeps back at a node',
    tag: 'inventory',
    access: { kind: 'hq', role: 'operator' },
    params: z.object({ sku: id, nodeId: id }),
    body: SafetyStockSchema,
    response: z.object({ done: z.literal(true) }),
    handler: async ({ params, body }) => {
      await setSafetyStock(hub, params.nodeId, params.sku, body.safetyStock);
      return { done: true as const };
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/inventory-check',
    summary: 'Re-fold the ledger and reservations and list any balance that disagrees (empty = healthy)',
    tag: 'inventory',
    access: { kind: 'hq', role: 'admin' },
    response: z.array(
      z.object({
        nodeId: z.string(),
        sku: z.string(),
        field: z.string(),
        projected: z.number(),
        refolded: z.number(),
      }),
    ),
    handler: () => verifyProjections(hub.storage.db),
  });

  routes.add(app, {
    method: 'POST',
    url: '/api/reservations',
    summary:
      'Promise units at a node (e-commerce intake; Idempotency-Key or idempotencyKey makes it safe to retry)',
    tag: 'reservations',
    access: { kind: 'hq', role: 'operator', scopes: ['reservations:write', 'orders:write'] },
    headers: z.object({ 'idempotency-key': z.string().trim().max(200).optional() }),
    body: CreateReservationSchema,
    response: ReservationSchema,
    successStatus: 201,
    handler: ({ body, actor, headers }) => {
      // An empty header counts as none.
      const key = body.idempotencyKey ?? (headers['idempotency-key'] || undefined);
      return createReservation(
        hub,
        key === undefined ? body : { ...body, idempotencyKey: `${actor}:${key}` },
        actor,
      );
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/reservations',
    summary: 'List reservations',
    tag: 'reservations',
    access: { kind: 'hq', role: 'viewer', scopes: ['reservations:write', 'inventory:read'] },
    query: ReservationFilterSchema,
    response: z.array(ReservationSchema),
    handler: ({ query }) => listReservations(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/reservations/:reservationId',
    summary: 'One reservation',
    tag: 'reservations',
    access: { kind: 'hq', role: 'viewer', scopes: ['reservations:write', 'inventory:read'] },
    params: z.object({ reservationId: id }),
    response: ReservationSchema,
    handler: ({ params }) => getReservation(hub.storage.db, params.reservationId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/reservations/:reservationId/transitions',
    summary: 'Activate, stage, consume, release or mark a reservation short',
    tag: 'reservations',
    access: { kind: 'hq', role: 'operator', scopes: ['reservations:write'] },
    params: z.object({ reservationId: id }),
    body: ReservationTransitionSchema,
    response: ReservationSchema,
    handler: ({ params, body, actor }) => moveReservation(hub, params.reservationId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/reservations/:reservationId/reassign',
    summary: 'Move a reservation to another node with ATP',
    tag: 'reservations',
    access: { kind: 'hq', role: 'operator', scopes: ['reservations:write'] },
    params: z.object({ reservationId: id }),
    body: ReassignReservationSchema,
    response: z.object({ previous: ReservationSchema, next: ReservationSchema }),
    handler: ({ params, body, actor }) => reassignReservation(hub, params.reservationId, body, actor),
  });

  routes.add(app, {
    method: 'POST',
    url: '/api/receipts',
    summary: 'Book a supplier delivery at a node (warehouses; stores book theirs at the till)',
    tag: 'warehouse',
    access: { kind: 'hq', role: 'operator' },
    body: ReceiptInputSchema,
    response: z.object({ receiptId: z.string() }),
    successStatus: 201,
    handler: ({ body, actor }) => receiveStock(hub, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/adjustments',
    summary:
      'Adjust stock at a node (damage, found, write-off) with a reason; `expectedQty` per line refuses it (409) when the figure changed',
    tag: 'warehouse',
    access: { kind: 'hq', role: 'operator' },
    audit: 'in-handler',
    errors: [409],
    body: AdjustmentInputSchema,
    response: z.object({ adjustmentId: z.string() }),
    successStatus: 201,
    handler: ({ body, actor }) => adjustStock(hub, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/transfers',
    summary:
      'Ship stock from one node to another under a transfer number (T-{code}-0-{seq}): incoming at the destination until received; `expectedSellable` per line refuses it (409) when the figure changed',
    tag: 'warehouse',
    access: { kind: 'hq', role: 'operator' },
    audit: 'in-handler',
    errors: [409],
    body: TransferInputSchema,
    response: TransferSchema,
    successStatus: 201,
    handler: ({ body, actor }) => createTransfer(hub, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/transfers/:transferId/receive',
    summary: 'Book the arrival of a transfer at a node without a till; differences raise a variance',
    tag: 'warehouse',
    access: { kind: 'hq', role: 'operator' },
    params: z.object({ transferId: id }),
    body: TransferReceiptSchema,
    response: TransferSchema,
    handler: ({ params, body, actor }) => receiveTransfer(hub, params.transferId, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/transfers',
    summary: 'List transfers',
    tag: 'warehouse',
    access: { kind: 'hq', role: 'viewer' },
    query: z.object({
      status: TransferSchema.shape.status.optional(),
      nodeId: id.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: z.array(TransferSchema),
    handler: ({ query }) => listTransfers(hub.storage.db, query),
  });
}
