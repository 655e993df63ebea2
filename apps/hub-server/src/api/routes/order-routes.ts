import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DomainError, type PickupCodeRandomBytes } from '@retail/domain';
import type { RouteRegistry } from '../route';
import type { PaymentProvider } from '../../payments/payment-provider';
import {
  IdempotencyKeySchema,
  ParsedOrderIntakeSchema,
  placeOrder,
  readPlacedView,
} from '../../orders/intake';
import { CustomerOrderViewSchema } from '../../orders/split-intake';
import {
  NotificationFilterSchema,
  NotificationViewSchema,
  listNotifications,
  retryNotification,
} from '../../orders/notification-outbox';
import { DEFAULT_BOPIS_SETTINGS, type BopisSettings } from '../../orders/order-change';
import { NodeStepRequestSchema, recordNodeStep } from '../../orders/node-steps';
import {
  CancelOrderSchema,
  RerouteOrderSchema,
  cancelOrder,
  rerouteOrder,
} from '../../orders/order-lifecycle';
import {
  OrderReturnViewSchema,
  ReceiveReturnSchema,
  ReturnableViewSchema,
  RmaRequestSchema,
  StoreReturnSchema,
  createRma,
  listOrderReturns,
  receiveRma,
  recordStoreReturn,
  returnableByNumber,
} from '../../orders/order-returns';
import {
  OrderFilterSchema,
  OrderSummarySchema,
  OrderViewSchema,
  listOrders,
} from '../../orders/order-records';

export interface OrderRouteOptions {
  readonly settings?: BopisSettings;
  readonly randomBytes?: PickupCodeRandomBytes;
  /** Authorises `payment.paymentMethod` at intake. */
  readonly payments?: PaymentProvider;
}

const orderId = z.object({ orderId: z.string().min(1).max(100) });

/** BOPIS orders: e-commerce intake and status (API keys with `orders:write`), HQ cancel and re-route. */
export function registerOrderRoutes(
  app: FastifyInstance,
  routes: RouteRegistry,
  options: OrderRouteOptions = {},
): void {
  const hub = routes.hub;
  const settings = options.settings ?? DEFAULT_BOPIS_SETTINGS;
  const orders = { kind: 'hq', role: 'viewer', scopes: ['orders:write'] } as const;

  routes.add(app, {
    method: 'POST',
    url: '/api/orders',
    summary:
      'Place a BOPIS order (Idempotency-Key header required): routed at once, units promised at the store; with split consent and no single store able to take it, split over the fewest stores (answer: one order with a shipment per part); the answer says where and why',
    tag: 'orders',
    access: { kind: 'hq', role: 'operator', scopes: ['orders:write'] },
    audit: { skip: 'an order placed by the shop is business traffic; the order keeps its own history' },
    headers: z.object({ 'idempotency-key': IdempotencyKeySchema }),
    // Validated here, once: placeOrder does not parse a body this schema made again.
    body: ParsedOrderIntakeSchema,
    response: z.union([OrderViewSchema, CustomerOrderViewSchema]),
    successStatus: 201,
    alsoSucceedsWith: [200],
    handler: async ({ body, actor, headers, reply }) => {
      const result = await placeOrder(hub, body, headers['idempotency-key'], actor, {
        settings,
        ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
        ...(options.payments === undefined ? {} : { payments: options.payments }),
      });
      if (result.replayed) {
        // The order this key already made: 200 instead of 201, so the caller can tell.
        reply.header('idempotent-replayed', 'true');
        return reply.code(200).send({ ok: true, value: result.view });
      }
      return result.view;
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/orders',
    summary: 'BOPIS orders, newest first',
    tag: 'orders',
    access: orders,
    query: OrderFilterSchema,
    response: z.array(OrderSummarySchema),
    handler: ({ query }) => listOrders(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/orders/:orderId',
    summary:
      'One order: status, where it is and why (routing explanation), timeline, reservations, notifications, refunds; a split order answers its shipments (parts), each such',
    tag: 'orders',
    access: orders,
    params: orderId,
    response: z.union([OrderViewSchema, CustomerOrderViewSchema]),
    handler: ({ params }) => readPlacedView(hub.storage.db, params.orderId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/orders/:orderId/cancel',
    summary:
      'Cancel an order (customer via API key, or HQ); refused once handed over — an offline handover that arrives later wins and becomes a refund exception',
    tag: 'orders',
    access: { kind: 'hq', role: 'operator', scopes: ['orders:write'] },
    params: orderId,
    body: CancelOrderSchema,
    response: OrderViewSchema,
    handler: ({ params, body, actor, principal }) =>
      cancelOrder(hub, params.orderId, body, { actor, customer: principal?.kind === 'apiKey' }),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/orders/:orderId/reroute',
    summary:
      'Move an order off its store to the next best one (or cancel it with a refund record if none can take it)',
    tag: 'orders',
    access: { kind: 'hq', role: 'operator' },
    params: orderId,
    body: RerouteOrderSchema,
    response: OrderViewSchema,
    handler: ({ params, body, actor }) => rerouteOrder(hub, params.orderId, body, actor, settings),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/orders/:orderId/steps',
    summary:
      'A warehouse (its WMS, or HQ for it) accepts, picks (scan-verified), packs into weighed parcels and ships an order routed to it; the hub records the stock movements',
    tag: 'orders',
    access: { kind: 'hq', role: 'operator', scopes: ['fulfilment:write'] },
    params: orderId,
    body: NodeStepRequestSchema,
    response: OrderViewSchema,
    handler: ({ params, body, actor }) => recordNodeStep(hub, params.orderId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/orders/:orderId/returns',
    summary:
      'Authorise a return by mail (RMA) of a collected or shipped order (Idempotency-Key header required): units beyond what the customer received and has not yet returned are refused chain-wide',
    tag: 'orders',
    access: { kind: 'hq', role: 'operator', scopes: ['orders:write'] },
    params: orderId,
    headers: z.object({ 'idempotency-key': IdempotencyKeySchema }),
    body: RmaRequestSchema,
    response: z.array(OrderReturnViewSchema),
    successStatus: 201,
    handler: ({ params, body, headers, actor }) =>
      createRma(hub, params.orderId, body, headers['idempotency-key'], actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/orders/:orderId/returns',
    summary: "An order's returns (RMAs and returns at stores) with their refunds",
    tag: 'orders',
    access: orders,
    params: orderId,
    response: z.array(OrderReturnViewSchema),
    handler: ({ params }) => listOrderReturns(hub.storage.db, params.orderId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/orders/:orderId/returns/:returnId/receive',
    summary:
      "A warehouse received a returned parcel: units back to its sellable or damaged bucket, refund to the order's original payment",
    tag: 'orders',
    access: { kind: 'hq', role: 'operator', scopes: ['fulfilment:write'] },
    params: z.object({ orderId: z.string().min(1).max(100), returnId: z.string().min(1).max(200) }),
    body: ReceiveReturnSchema,
    response: OrderReturnViewSchema,
    handler: ({ params, body, actor }) => receiveRma(hub, params.orderId, params.returnId, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/sync/orders/:orderNumber/returnable',
    summary:
      'Returns anywhere for online orders: what a till may take back of an online order, by its number',
    tag: 'sync',
    access: { kind: 'device' },
    params: z.object({ orderNumber: z.string().trim().min(1).max(100) }),
    response: ReturnableViewSchema,
    handler: ({ params }) => returnableByNumber(hub, params.orderNumber),
  });
  routes.add(app, {
    method: 'POST',
    url: '/sync/order-returns',
    summary:
      "A till takes back units of an online order (collected or shipped) at its store: stock back to the store's sellable or damaged bucket, refund to the original payment; retried safely by returnId",
    tag: 'sync',
    access: { kind: 'device' },
    body: StoreReturnSchema,
    response: z.array(OrderReturnViewSchema),
    handler: ({ body, principal, actor }) => {
      if (principal?.kind !== 'device')
        throw new DomainError('FORBIDDEN', 'hub.api.onlyTillRecordsStoreReturn');
      return recordStoreReturn(hub, principal.storeId, body, actor);
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/notifications',
    summary: 'Customer notifications and their webhook delivery state',
    tag: 'orders',
    access: { kind: 'hq', role: 'viewer' },
    query: NotificationFilterSchema,
    response: z.array(NotificationViewSchema),
    handler: ({ query }) => listNotifications(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/notifications/:notificationId/retry',
    summary: 'Send a failed notification again',
    tag: 'orders',
    access: { kind: 'hq', role: 'operator' },
    params: z.object({ notificationId: z.string().min(1).max(100) }),
    response: NotificationViewSchema,
    handler: ({ params }) => retryNotification(hub, params.notificationId),
  });
}
