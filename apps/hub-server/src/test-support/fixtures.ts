import { randomUUID } from 'node:crypto';
import type { Sku } from '@retail/domain';
import { CURRENT_VERSION, type EventEnvelope, type EventPayloads, type EventType } from '@retail/sync';
import { createEnrollmentCode, enrollDevice, type EnrollResponse } from '../auth/devices';
import { writeCatalog } from '../catalog/catalog-store';
import { inHubTransaction } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { createNode, type NodeInput } from '../nodes/nodes';

export const ISO = '2026-11-23T10:00:00.000Z';

export function nodeInput(nodeId: string, overrides: Partial<NodeInput> = {}): NodeInput {
  return {
    nodeId,
    code: nodeId.toUpperCase(),
    name: `Node ${nodeId}`,
    kind: 'store',
    region: 'north',
    pickupEnabled: true,
    pickCapacity: 20,
    jurisdiction: 'US-NY',
    currency: 'USD',
    timezone: 'UTC',
    active: true,
    ...overrides,
  };
}

export function sku(id: string, overrides: Partial<Sku> = {}): Sku {
  return {
    sku: id,
    productId: `P-${id}`,
    name: `Item ${id}`,
    unit: 'each',
    taxCategory: 'standard',
    categoryIds: [],
    barcodes: [],
    active: true,
    ...overrides,
  };
}

/** Nodes, a few SKUs and their products: enough world for ingest and reservation tests. */
export async function seedWorld(
  hub: HubContext,
  options: { nodes?: string[]; skus?: string[]; warehouses?: string[] } = {},
): Promise<void> {
  for (const nodeId of options.nodes ?? ['s1', 's2']) await createNode(hub, nodeInput(nodeId));
  for (const nodeId of options.warehouses ?? [])
    await createNode(hub, nodeInput(nodeId, { kind: 'warehouse' }));
  const skus = options.skus ?? ['A', 'B', 'C'];
  await inHubTransaction(hub, (tx) =>
    writeCatalog(tx, [
      ...skus.map((id) => ({
        kind: 'product' as const,
        data: { productId: `P-${id}`, name: `Product ${id}` },
      })),
      ...skus.map((id) => ({ kind: 'sku' as const, data: sku(id) })),
    ]),
  );
}

export async function enrollTestDevice(
  hub: HubContext,
  nodeId: string,
  name = 'Lane',
): Promise<EnrollResponse> {
  const { code } = await createEnrollmentCode(hub, nodeId, 'test');
  return enrollDevice(hub, { code, deviceName: name });
}

/** Builds a device's events with gapless deviceSeqs, like a store node's outbox. */
export class EventFactory {
  private seq = 0;
  constructor(readonly device: { deviceId: string; storeId: string }) {}

  next<T extends EventType>(type: T, payload: EventPayloads[T] | Record<string, unknown>): EventEnvelope {
    this.seq += 1;
    return {
      eventId: randomUUID(),
      type,
      schemaVersion: CURRENT_VERSION[type],
      storeId: this.device.storeId,
      deviceId: this.device.deviceId,
      deviceSeq: this.seq,
      hlc: `${String(this.seq).padStart(15, '0')}:00000:${this.device.deviceId}`,
      occurredAt: ISO,
      txId: randomUUID(),
      payload,
    };
  }

  get lastSeq(): number {
    return this.seq;
  }
}

export function movement(skuId: string, delta: number, type = 'ADJUSTMENT', bucket = 'sellable') {
  return {
    movementId: randomUUID(),
    sku: skuId,
    type,
    bucket,
    delta,
  } as EventPayloads['stock.adjusted']['movements'][number];
}

export function adjustment(...movements: ReturnType<typeof movement>[]): EventPayloads['stock.adjusted'] {
  return { adjustmentId: randomUUID(), reason: 'test', movements, adjustedAt: ISO };
}

export function saleOf(lines: { sku: string; qty: number }[]): EventPayloads['sale.completed'] {
  const saleId = randomUUID();
  return {
    saleId,
    receiptNumber: `R-${saleId.slice(0, 8)}`,
    shiftId: 'shift-1',
    staffId: 'staff-1',
    currency: 'USD',
    priceBookVersion: 'pb@1',
    promotionIds: [],
    promotions: [],
    lines: lines.map((line, index) => ({
      lineId: `${saleId}-${index}`,
      sku: line.sku,
      name: line.sku,
      qty: line.qty,
      unit: 'each' as const,
      taxCategory: 'standard',
      unitPrice: 100,
      taxInclusive: true,
      priceSource: 'price_book' as const,
      extended: 100 * line.qty,
      adjustments: [],
      net: 100 * line.qty,
      taxes: [],
      paid: 100 * line.qty,
    })),
    totals: {
      subtotal: 0,
      discount: 0,
      tax: 0,
      total: lines.reduce((t, l) => t + 100 * l.qty, 0),
      cashRounding: 0,
      paid: 0,
      change: 0,
    },
    tenders: [{ tenderId: randomUUID(), type: 'cash' as const, amount: 100 }],
    overrides: [],
    movements: lines.map((line) => movement(line.sku, -line.qty, 'POS_SALE')),
    completedAt: ISO,
  };
}

export function receiptOf(
  lines: { sku: string; qty: number }[],
  source: { type: 'supplier' | 'transfer'; reference: string } = { type: 'supplier', reference: 'PO-1' },
): EventPayloads['stock.received'] {
  return {
    receiptId: randomUUID(),
    source,
    lines: lines.map((line) => ({ ...line, bucket: 'sellable' as const })),
    movements: lines.map((line) =>
      movement(line.sku, line.qty, source.type === 'supplier' ? 'RECEIPT' : 'TRANSFER_IN'),
    ),
    receivedAt: ISO,
  };
}
