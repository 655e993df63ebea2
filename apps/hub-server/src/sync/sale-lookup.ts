import { DomainError, isDomainError } from '@retail/domain';
import {
  checkPayload,
  type DevicePrincipal,
  type EventEnvelope,
  type EventPayloads,
  type SaleLookup,
} from '@retail/sync';
import type { HubMetrics } from '../api/metrics';
import { RateLimiter, type RateLimit } from '../api/rate-limit';
import { raiseException } from '../exceptions/exception-queue';
import type { HubContext } from '../hub-context';
import type { SyncLog } from './sync-gateway';

/** The event as the till sent it, lifted to the current payload version (it may be years old). */
export async function payloadOf<T extends 'sale.completed' | 'return.completed'>(
  hub: HubContext,
  eventId: string,
  type: T,
): Promise<EventPayloads[T] | undefined> {
  const row = await hub.storage.db
    .selectFrom('ingested_events')
    .select('envelope')
    .where('event_id', '=', eventId)
    .where('status', '=', 'applied')
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const envelope = JSON.parse(row.envelope) as EventEnvelope;
  const checked = checkPayload(envelope.type, envelope.schemaVersion, envelope.payload);
  return checked.ok && checked.type === type ? (checked.payload as EventPayloads[T]) : undefined;
}

/**
 * Quantities returned per sale line. A return line names the sale line it returns; one that does not
 * (an older till) counts against the sale's lines of the same SKU in order, as far as they go.
 */
function returnedPerLine(
  sale: EventPayloads['sale.completed'],
  returns: readonly EventPayloads['return.completed'][],
): Map<string, number> {
  const returned = new Map(sale.lines.map((line) => [line.lineId, 0]));
  for (const item of returns) {
    for (const line of item.lines) {
      if (line.originalLineId !== undefined && returned.has(line.originalLineId)) {
        returned.set(line.originalLineId, returned.get(line.originalLineId)! + line.qty);
        continue;
      }
      let left = line.qty;
      for (const saleLine of sale.lines) {
        if (left <= 0) break;
        if (saleLine.sku !== line.sku) continue;
        const taken = Math.min(left, Math.max(0, saleLine.qty - returned.get(saleLine.lineId)!));
        returned.set(saleLine.lineId, returned.get(saleLine.lineId)! + taken);
        left -= taken;
      }
    }
  }
  return returned;
}

/**
 * A sale by receipt number with what is still returnable after every return recorded against it at any
 * store (returns at any store, BORIS, DESIGN §5). Receipt numbers are `{storeCode}-{deviceNo}-{seq}`,
 * unique across the chain. Only what a return needs leaves the hub: see SaleLookupSchema.
 */
export async function lookupSale(hub: HubContext, receiptNumber: string): Promise<SaleLookup> {
  const sale = await hub.storage.db
    .selectFrom('sales')
    .select(['sale_id', 'node_id', 'status', 'event_id'])
    .where('receipt_number', '=', receiptNumber)
    .executeTakeFirst();
  const payload = sale === undefined ? undefined : await payloadOf(hub, sale.event_id, 'sale.completed');
  if (sale === undefined || payload === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.sync.hubNoSaleReceipt', { receiptNumber }, { receiptNumber });
  }
  const returnRows = await hub.storage.db
    .selectFrom('returns')
    .select('event_id')
    .where('original_sale_id', '=', sale.sale_id)
    .orderBy('completed_at')
    .execute();
  const returns: EventPayloads['return.completed'][] = [];
  for (const row of returnRows) {
    const returned = await payloadOf(hub, row.event_id, 'return.completed');
    if (returned !== undefined) returns.push(returned);
  }
  const returned = returnedPerLine(payload, returns);
  const refunded = new Map<string, number>();
  for (const item of returns) {
    for (const refund of item.refunds) {
      if (refund.originalTenderId === undefined) continue;
      refunded.set(refund.originalTenderId, (refunded.get(refund.originalTenderId) ?? 0) + refund.amount);
    }
  }
  const voided = sale.status === 'voided';
  return {
    saleId: payload.saleId,
    receiptNumber: payload.receiptNumber,
    storeId: sale.node_id,
    status: sale.status,
    currency: payload.currency,
    completedAt: payload.completedAt,
    lines: payload.lines.map((line) => {
      const returnedQty = returned.get(line.lineId) ?? 0;
      return {
        lineId: line.lineId,
        sku: line.sku,
        name: line.name,
        unit: line.unit,
        qty: line.qty,
        unitPrice: line.unitPrice,
        paid: line.paid,
        returnedQty,
        returnableQty: voided ? 0 : Math.max(0, line.qty - returnedQty),
      };
    }),
    tenders: payload.tenders.map((tender) => ({
      tenderId: tender.tenderId,
      type: tender.type,
      amount: tender.amount,
      refunded: refunded.get(tender.tenderId) ?? 0,
    })),
  };
}

export interface SaleLookupOptions {
  /** Per device: a till looks up a receipt per return, not hundreds a minute. */
  readonly rateLimit?: RateLimit;
  /** A device over its limit tells HQ at most this often. */
  readonly alertEveryMs?: number;
}

export const DEFAULT_SALE_LOOKUP_LIMIT: RateLimit = { perSecond: 0.5, burst: 20 };

/**
 * The receipt lookup as devices call it: rate limited per device, because receipt numbers are sequential
 * and a stolen credential could otherwise walk through every store's sales, and audited: every lookup is
 * a log line naming the device, its store, the receipt and the selling store, and a device over its limit
 * raises a SALE_LOOKUP_LIMIT exception for HQ.
 */
export class SaleLookupService {
  private readonly limiter: RateLimiter;
  private readonly alertedAt = new Map<string, number>();

  constructor(
    private readonly hub: HubContext,
    private readonly options: SaleLookupOptions = {},
    private readonly metrics?: HubMetrics,
  ) {
    this.limiter = new RateLimiter(options.rateLimit ?? DEFAULT_SALE_LOOKUP_LIMIT, hub.now);
  }

  async lookup(device: DevicePrincipal, receiptNumber: string, log: SyncLog): Promise<SaleLookup> {
    const audit = { audit: 'sale-lookup', deviceId: device.deviceId, storeId: device.storeId, receiptNumber };
    try {
      this.limiter.take(device.deviceId);
    } catch (error) {
      this.count('refused');
      log.info({ ...audit, outcome: 'refused' }, 'receipt lookup refused: over the limit');
      await this.alert(device, receiptNumber);
      throw error;
    }
    try {
      const sale = await lookupSale(this.hub, receiptNumber);
      this.count('found');
      log.info({ ...audit, outcome: 'found', saleStoreId: sale.storeId }, 'receipt looked up');
      return sale;
    } catch (error) {
      if (isDomainError(error) && error.code === 'NOT_FOUND') {
        this.count('not_found');
        log.info({ ...audit, outcome: 'not_found' }, 'receipt looked up: not found');
      }
      throw error;
    }
  }

  private count(outcome: 'found' | 'not_found' | 'refused'): void {
    this.metrics?.saleLookups.inc({ outcome });
  }

  private async alert(device: DevicePrincipal, receiptNumber: string): Promise<void> {
    const now = this.hub.now();
    const last = this.alertedAt.get(device.deviceId);
    if (last !== undefined && now - last < (this.options.alertEveryMs ?? 10 * 60_000)) return;
    this.alertedAt.set(device.deviceId, now);
    if (this.alertedAt.size > 10_000) this.alertedAt.delete(this.alertedAt.keys().next().value as string);
    await raiseException(
      this.hub.storage.db,
      {
        type: 'SALE_LOOKUP_LIMIT',
        severity: 'warning',
        nodeId: device.storeId,
        causeEventIds: [],
        conditionKey: `SALE_LOOKUP_LIMIT:${device.deviceId}`,
        details: {
          message: `Device ${device.deviceId} looked up receipts faster than any till doing returns would (last: ${receiptNumber}). If the till is not in a returns rush, its credential may be in the wrong hands: revoke the device.`,
          deviceId: device.deviceId,
          receiptNumber,
        },
      },
      now,
      this.hub.newId,
    );
  }
}
