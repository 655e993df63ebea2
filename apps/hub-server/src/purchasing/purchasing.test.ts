import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExceptions } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import type { IntegrationEvent } from '../integration/event-catalog';
import { integrationHead, readIntegrationEvents } from '../integration/outbound-log';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';
import {
  PurchaseOrderInputSchema,
  ShippingNoticeInputSchema,
  createPurchaseOrder,
  createShippingNotice,
  getPurchaseOrder,
  listShippingNotices,
  receiveShippingNotice,
} from './purchasing';

describe.each(backendKinds())('purchasing on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], warehouses: ['w1'], skus: ['A', 'B', 'C'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function eventsOf(work: () => Promise<unknown>): Promise<IntegrationEvent[]> {
    const head = await integrationHead(storage.db);
    await work();
    return (await readIntegrationEvents(storage.db, { after: head, limit: 1000 })).events;
  }

  async function sellable(nodeId: string, sku: string): Promise<number> {
    const row = await storage.db
      .selectFrom('stock_balances')
      .select('sellable')
      .where('node_id', '=', nodeId)
      .where('sku', '=', sku)
      .executeTakeFirst();
    return Number(row?.sellable ?? 0);
  }

  it('receives a delivery against its notice: stock, purchase order, variance exception and events', async () => {
    const order = await createPurchaseOrder(
      hub,
      PurchaseOrderInputSchema.parse({
        poNumber: 'PO-1001',
        supplier: 'Acme',
        nodeId: 's1',
        lines: [
          { sku: 'A', qty: 10 },
          { sku: 'B', qty: 5 },
        ],
      }),
      'api-key:erp',
    );
    expect(order).toMatchObject({
      status: 'open',
      lines: [{ sku: 'A', ordered: 10, received: 0 }, { sku: 'B' }],
    });
    const notice = await createShippingNotice(
      hub,
      ShippingNoticeInputSchema.parse({
        asnNumber: 'ASN-77',
        purchaseOrderId: order.purchaseOrderId,
        lines: [
          { sku: 'A', qty: 10 },
          { sku: 'B', qty: 5 },
        ],
      }),
      'api-key:erp',
    );
    expect(notice).toMatchObject({ nodeId: 's1', supplier: 'Acme', status: 'open' });
    expect(
      (await listShippingNotices(storage.db, { nodeId: 's1', status: 'open', limit: 10 })).map(
        (n) => n.asnNumber,
      ),
    ).toEqual(['ASN-77']);

    const before = await sellable('s1', 'A');
    // 9 of A, none of B, and 2 of C nobody announced.
    const events = await eventsOf(() =>
      receiveShippingNotice(
        hub,
        notice.asnId,
        {
          lines: [
            { sku: 'A', qty: 9, bucket: 'sellable' },
            { sku: 'C', qty: 2, bucket: 'sellable' },
          ],
        },
        'user:receiver',
      ),
    );
    expect(await sellable('s1', 'A')).toBe(before + 9);
    expect(await sellable('s1', 'C')).toBe(2);
    const types = events.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'stock.received',
        'shipping_notice.received',
        'purchase_order.updated',
        'exception.raised',
      ]),
    );
    expect(events.find((event) => event.type === 'stock.received')!.data).toMatchObject({
      source: { type: 'shipping_notice', reference: 'ASN-77' },
      lines: [
        { sku: 'A', qty: 9 },
        { sku: 'C', qty: 2 },
      ],
    });
    expect(events.find((event) => event.type === 'shipping_notice.received')!.data).toMatchObject({
      status: 'received_with_variance',
      lines: [
        { sku: 'A', expected: 10, received: 9 },
        { sku: 'B', expected: 5, received: 0 },
        { sku: 'C', expected: 0, received: 2 },
      ],
    });
    const [variance] = await listExceptions(storage.db, { type: 'RECEIPT_VARIANCE', limit: 5 });
    expect(variance).toMatchObject({
      nodeId: 's1',
      status: 'open',
      details: {
        asnNumber: 'ASN-77',
        variances: [
          { sku: 'A', difference: -1 },
          { sku: 'B', difference: -5 },
          { sku: 'C', difference: 2 },
        ],
      },
    });
    expect(await getPurchaseOrder(storage.db, order.purchaseOrderId)).toMatchObject({
      status: 'partially_received',
      lines: [
        { sku: 'A', ordered: 10, received: 9 },
        { sku: 'B', ordered: 5, received: 0 },
      ],
    });

    // A notice is received once; a second delivery needs its own notice.
    await expect(
      receiveShippingNotice(
        hub,
        notice.asnId,
        { lines: [{ sku: 'B', qty: 5, bucket: 'sellable' }] },
        'user:x',
      ),
    ).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    const rest = await createShippingNotice(
      hub,
      ShippingNoticeInputSchema.parse({
        asnNumber: 'ASN-78',
        purchaseOrderId: order.purchaseOrderId,
        lines: [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 5 },
        ],
      }),
      'api-key:erp',
    );
    const exact = await eventsOf(() =>
      receiveShippingNotice(
        hub,
        rest.asnId,
        {
          lines: [
            { sku: 'A', qty: 1, bucket: 'sellable' },
            { sku: 'B', qty: 5, bucket: 'sellable' },
          ],
        },
        'user:receiver',
      ),
    );
    expect(exact.map((event) => event.type)).not.toContain('exception.raised');
    expect(exact.find((event) => event.type === 'shipping_notice.received')!.data).toMatchObject({
      status: 'received',
    });
    expect((await getPurchaseOrder(storage.db, order.purchaseOrderId)).status).toBe('received');
    await expect(
      createShippingNotice(
        hub,
        ShippingNoticeInputSchema.parse({
          asnNumber: 'ASN-79',
          purchaseOrderId: order.purchaseOrderId,
          lines: [{ sku: 'A', qty: 1 }],
        }),
        'api-key:erp',
      ),
    ).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('refuses a number in use, an unknown SKU or node, and a notice without a destination, writing nothing', async () => {
    const input = PurchaseOrderInputSchema.parse({
      poNumber: 'PO-2000',
      supplier: 'Acme',
      nodeId: 'w1',
      lines: [{ sku: 'A', qty: 1 }],
    });
    await createPurchaseOrder(hub, input, 'user:hq');
    await expect(createPurchaseOrder(hub, input, 'user:hq')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      createPurchaseOrder(
        hub,
        { ...input, poNumber: 'PO-2001', lines: [{ sku: 'NOPE', qty: 1 }] },
        'user:hq',
      ),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      createPurchaseOrder(hub, { ...input, poNumber: 'PO-2002', nodeId: 'nowhere' }, 'user:hq'),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      createShippingNotice(
        hub,
        ShippingNoticeInputSchema.parse({ asnNumber: 'ASN-2', lines: [{ sku: 'A', qty: 1 }] }),
        'user:hq',
      ),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(
      await storage.db
        .selectFrom('purchase_orders')
        .select('po_number')
        .where('po_number', 'like', 'PO-200%')
        .execute(),
    ).toEqual([{ po_number: 'PO-2000' }]);
    expect(
      PurchaseOrderInputSchema.safeParse({
        ...input,
        lines: [
          { sku: 'A', qty: 1 },
          { sku: 'A', qty: 2 },
        ],
      }).success,
    ).toBe(false);
  });
});
