import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../route';
import {
  CancelDocumentSchema,
  DocumentFilterSchema,
  ReceiveAgainstOrderSchema,
  cancelPurchaseOrder,
  cancelShippingNotice,
  receivePurchaseOrder,
  PurchaseOrderInputSchema,
  PurchaseOrderSchema,
  ReceiveAgainstNoticeSchema,
  ShippingNoticeInputSchema,
  ShippingNoticeSchema,
  createPurchaseOrder,
  createShippingNotice,
  getPurchaseOrder,
  getShippingNotice,
  listPurchaseOrders,
  listShippingNotices,
  receiveShippingNotice,
} from '../../purchasing/purchasing';

/** Purchase orders and advance shipping notices (docs/integration.md). */
export function registerPurchasingRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const write = { kind: 'hq', role: 'operator', scopes: ['purchasing:write'] } as const;
  const read = {
    kind: 'hq',
    role: 'viewer',
    scopes: ['purchasing:write', 'inventory:read', 'integration:read'],
  } as const;
  const orderId = z.object({ purchaseOrderId: z.string().min(1).max(100) });
  const asnId = z.object({ asnId: z.string().min(1).max(100) });

  routes.add(app, {
    method: 'POST',
    url: '/api/purchase-orders',
    summary: 'Create a purchase order for a store or warehouse (number unique; each SKU once)',
    tag: 'purchasing',
    access: write,
    body: PurchaseOrderInputSchema,
    response: PurchaseOrderSchema,
    successStatus: 201,
    errors: [404, 409],
    handler: ({ body, actor }) => createPurchaseOrder(hub, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/purchase-orders',
    summary: 'Purchase orders, newest first, by node and status',
    tag: 'purchasing',
    access: read,
    query: DocumentFilterSchema,
    response: z.array(PurchaseOrderSchema),
    handler: ({ query }) => listPurchaseOrders(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/purchase-orders/:purchaseOrderId',
    summary: 'One purchase order with what was received of each line',
    tag: 'purchasing',
    access: read,
    params: orderId,
    response: PurchaseOrderSchema,
    handler: ({ params }) => getPurchaseOrder(hub.storage.db, params.purchaseOrderId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/shipping-notices',
    summary:
      'Announce a delivery (advance shipping notice), against a purchase order or to a node from a supplier',
    tag: 'purchasing',
    access: write,
    body: ShippingNoticeInputSchema,
    response: ShippingNoticeSchema,
    successStatus: 201,
    errors: [404, 409],
    handler: ({ body, actor }) => createShippingNotice(hub, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/shipping-notices',
    summary: 'Shipping notices, newest first, by node and status (open: what a store is waiting for)',
    tag: 'purchasing',
    access: read,
    query: DocumentFilterSchema,
    response: z.array(ShippingNoticeSchema),
    handler: ({ query }) => listShippingNotices(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/shipping-notices/:asnId',
    summary: 'One shipping notice',
    tag: 'purchasing',
    access: read,
    params: asnId,
    response: ShippingNoticeSchema,
    handler: ({ params }) => getShippingNotice(hub.storage.db, params.asnId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/shipping-notices/:asnId/receive',
    summary:
      'Receive a delivery against its notice: stock booked, purchase order updated, differences become a RECEIPT_VARIANCE exception',
    tag: 'purchasing',
    access: { kind: 'hq', role: 'operator' },
    params: asnId,
    body: ReceiveAgainstNoticeSchema,
    response: ShippingNoticeSchema,
    handler: ({ params, body, actor }) => receiveShippingNotice(hub, params.asnId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/shipping-notices/:asnId/cancel',
    summary: 'Withdraw an open shipping notice (the delivery will not come); its tills stop listing it',
    tag: 'purchasing',
    access: write,
    params: asnId,
    body: CancelDocumentSchema,
    response: ShippingNoticeSchema,
    errors: [404],
    handler: ({ params, body, actor }) => cancelShippingNotice(hub, params.asnId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/purchase-orders/:purchaseOrderId/cancel',
    summary:
      'Cancel what is still to come of a purchase order (open or partly received), with its open notices',
    tag: 'purchasing',
    access: write,
    params: orderId,
    body: CancelDocumentSchema,
    response: PurchaseOrderSchema,
    errors: [404],
    handler: ({ params, body, actor }) => cancelPurchaseOrder(hub, params.purchaseOrderId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/purchase-orders/:purchaseOrderId/receive',
    summary:
      'Blind receipt: goods against a purchase order without a notice; more than is on order becomes a RECEIPT_VARIANCE exception',
    tag: 'purchasing',
    access: { kind: 'hq', role: 'operator' },
    params: orderId,
    body: ReceiveAgainstOrderSchema,
    response: PurchaseOrderSchema,
    errors: [404],
    handler: ({ params, body, actor }) => receivePurchaseOrder(hub, params.purchaseOrderId, body, actor),
  });
}
