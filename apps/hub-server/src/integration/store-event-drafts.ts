import { checkPayload, type EventEnvelope, type EventPayloads, type PayloadCheck } from '@retail/sync';
import type { TransferTable } from '../storage/schema';
import type { EventData } from './event-catalog';
import type { EventDraft } from './outbound-log';
import type { DraftContext } from './transaction-events';

/**
 * The canonical events of one till event the hub applied. Only what the hub accepted gets here (a
 * rejected event is an exception, never published), and each draft reads the state the hub left (the
 * transfer as settled, the sale as recorded), not just what the till claimed.
 */
export async function storeEventDrafts(
  context: DraftContext,
  event: EventEnvelope,
  checked: PayloadCheck = checkPayload(event.type, event.schemaVersion, event.payload),
): Promise<EventDraft[]> {
  if (!checked.ok) return [];
  // Every sale a push applies comes here: its draft is built without the other kinds' locals.
  if (checked.type === 'sale.completed') {
    return saleCompletedDrafts(context, event, checked.payload as EventPayloads['sale.completed']);
  }
  const base = { sourceEventId: event.eventId, nodeId: event.storeId };
  const recordedBy = `device:${event.deviceId}`;
  switch (checked.type) {
    case 'sale.voided': {
      const voided = checked.payload as EventPayloads['sale.voided'];
      const date = await context.businessDate(event.storeId, Date.parse(voided.voidedAt));
      const known = await context.tx.trx
        .selectFrom('sales')
        .select('sale_id')
        .where('sale_id', '=', voided.saleId)
        .executeTakeFirst();
      return [
        {
          ...base,
          type: 'sale.voided',
          key: event.eventId,
          aggregateId: voided.saleId,
          businessDate: date,
          occurredAt: Date.parse(voided.voidedAt),
          data: {
            saleId: voided.saleId,
            receiptNumber: voided.receiptNumber,
            nodeId: event.storeId,
            deviceId: event.deviceId,
            currency: voided.currency,
            businessDate: date!,
            voidedAt: voided.voidedAt,
            reason: voided.reason,
            managerId: voided.override.managerId,
            refunds: voided.refunds.map(tender),
            saleKnown: known !== undefined,
          } satisfies EventData<'sale.voided'>,
        },
      ];
    }
    case 'return.completed': {
      const ret = checked.payload as EventPayloads['return.completed'];
      const date = await context.businessDate(event.storeId, Date.parse(ret.completedAt));
      return [
        {
          ...base,
          type: 'return.completed',
          key: event.eventId,
          aggregateId: ret.returnId,
          businessDate: date,
          occurredAt: Date.parse(ret.completedAt),
          data: await returnData(context, ret, event, date!),
        },
      ];
    }
    case 'shift.closed': {
      const shift = checked.payload as EventPayloads['shift.closed'];
      const date = await context.businessDate(event.storeId, Date.parse(shift.closedAt));
      return [
        {
          ...base,
          type: 'shift.closed',
          key: event.eventId,
          aggregateId: shift.shiftId,
          businessDate: date,
          occurredAt: Date.parse(shift.closedAt),
          data: {
            shiftId: shift.shiftId,
            nodeId: event.storeId,
            deviceId: event.deviceId,
            staffId: shift.staffId,
            currency: shift.currency,
            businessDate: date!,
            closedAt: shift.closedAt,
            float: shift.float,
            expectedCash: shift.expectedCash,
            countedCash: shift.countedCash,
            overShort: shift.overShort,
            totals: shift.totals,
          } satisfies EventData<'shift.closed'>,
        },
      ];
    }
    case 'stock.received': {
      const receipt = checked.payload as EventPayloads['stock.received'];
      const date = await context.businessDate(event.storeId, Date.parse(receipt.receivedAt));
      const drafts: EventDraft[] = [
        {
          ...base,
          type: 'stock.received',
          key: event.eventId,
          aggregateId: receipt.receiptId,
          businessDate: date,
          occurredAt: Date.parse(receipt.receivedAt),
          data: {
            receiptId: receipt.receiptId,
            nodeId: event.storeId,
            businessDate: date!,
            recordedBy,
            movements: receipt.movements.map(movement),
            receivedAt: receipt.receivedAt,
            source: receipt.source,
            lines: receipt.lines,
          } satisfies EventData<'stock.received'>,
        },
      ];
      if (receipt.source.type === 'transfer') {
        const transfer = await findTransfer(context, receipt.source.reference);
        if (transfer !== undefined) {
          drafts.push(...transferDrafts(transfer, 'received', event.eventId, Date.parse(receipt.receivedAt)));
        }
      }
      return drafts;
    }
    case 'stock.adjusted': {
      const adjustment = checked.payload as EventPayloads['stock.adjusted'];
      const date = await context.businessDate(event.storeId, Date.parse(adjustment.adjustedAt));
      return [
        {
          ...base,
          type: 'stock.adjusted',
          key: event.eventId,
          aggregateId: adjustment.adjustmentId,
          businessDate: date,
          occurredAt: Date.parse(adjustment.adjustedAt),
          data: {
            adjustmentId: adjustment.adjustmentId,
            nodeId: event.storeId,
            businessDate: date!,
            recordedBy,
            movements: adjustment.movements.map(movement),
            adjustedAt: adjustment.adjustedAt,
            reason: adjustment.reason,
          } satisfies EventData<'stock.adjusted'>,
        },
      ];
    }
    case 'stock.counted': {
      const count = checked.payload as EventPayloads['stock.counted'];
      const date = await context.businessDate(event.storeId, Date.parse(count.countedAt));
      return [
        {
          ...base,
          type: 'stock.counted',
          key: event.eventId,
          aggregateId: count.countId,
          businessDate: date,
          occurredAt: Date.parse(count.countedAt),
          data: {
            countId: count.countId,
            nodeId: event.storeId,
            businessDate: date!,
            recordedBy,
            movements: count.movements.map(movement),
            countedAt: count.countedAt,
            sku: count.sku,
            bucket: count.bucket,
            expectedQty: count.expectedQty,
            countedQty: count.countedQty,
          } satisfies EventData<'stock.counted'>,
        },
      ];
    }
    case 'stock.transferred_out': {
      const shipment = checked.payload as EventPayloads['stock.transferred_out'];
      const transfer = await findTransfer(context, shipment.transferId);
      if (transfer === undefined) return [];
      // A shipment that reaches the hub after its receipt settles the transfer at once.
      return transferDrafts(
        transfer,
        transfer.status === 'in_transit' ? 'shipped' : 'shipped-and-settled',
        event.eventId,
        Date.parse(shipment.shippedAt),
      );
    }
    default:
      // Shift openings, cash movements, customers and BOPIS steps: orders publish their own events
      // (OrderChange), the rest is not part of the catalog.
      return [];
  }
}

async function findTransfer(context: DraftContext, transferId: string): Promise<TransferTable | undefined> {
  return context.tx.trx
    .selectFrom('transfers')
    .selectAll()
    .where('transfer_id', '=', transferId)
    .executeTakeFirst();
}

type TransferLine = { sku: string; shipped: number; received: number };

/** transfer.shipped / transfer.received (and transfer.variance) from the transfer as the hub settled it. */
export function transferDrafts(
  row: TransferTable,
  step: 'shipped' | 'received' | 'shipped-and-settled',
  sourceKey: string,
  occurredAt: number,
  sourceEventId: string | null = sourceKey,
): EventDraft[] {
  const lines = JSON.parse(row.lines) as TransferLine[];
  const base = {
    transferId: row.transfer_id,
    transferNumber: row.transfer_id,
    fromNodeId: row.from_node_id === '' ? null : row.from_node_id,
    toNodeId: row.to_node_id,
    status: row.status,
    lines,
  };
  const iso = new Date(occurredAt).toISOString();
  const drafts: EventDraft[] = [];
  const common = { aggregateId: row.transfer_id, occurredAt, sourceEventId };
  if (step !== 'received') {
    drafts.push({
      ...common,
      type: 'transfer.shipped',
      key: `${sourceKey}:shipped`,
      nodeId: row.from_node_id === '' ? null : row.from_node_id,
      data: { ...base, shippedAt: iso } satisfies EventData<'transfer.shipped'>,
    });
  }
  if (step !== 'shipped') {
    drafts.push({
      ...common,
      type: 'transfer.received',
      key: `${sourceKey}:received`,
      nodeId: row.to_node_id,
      data: {
        ...base,
        receivedAt: row.received_at === null ? iso : new Date(Number(row.received_at)).toISOString(),
      } satisfies EventData<'transfer.received'>,
    });
    const variances = lines
      .filter((line) => line.shipped !== line.received)
      .map((line) => ({ ...line, difference: line.received - line.shipped }));
    if (row.status === 'received_with_variance' && variances.length > 0) {
      drafts.push({
        ...common,
        type: 'transfer.variance',
        key: `${sourceKey}:variance`,
        nodeId: row.to_node_id,
        data: { ...base, variances } satisfies EventData<'transfer.variance'>,
      });
    }
  }
  return drafts;
}

type Tender = EventPayloads['sale.completed']['tenders'][number];

function tender(value: Tender) {
  return {
    tenderId: value.tenderId,
    type: value.type,
    amount: value.amount,
    // Masked by the ingest: a card number typed where the terminal's reference belongs is never passed on.
    reference: value.reference ?? null,
    points: value.points ?? null,
  };
}

function movement(value: EventPayloads['stock.adjusted']['movements'][number]) {
  return {
    movementId: value.movementId,
    sku: value.sku,
    type: value.type,
    bucket: value.bucket,
    delta: value.delta,
  };
}

interface TaxRow {
  rateId: string;
  name: string;
  percent: number;
  amount: number;
}

/** Σ per rate over lines: taxable is the line's net for every rate it carries; untaxed lines are "none". */
export function taxesByRate(lines: readonly { net: number; taxes: readonly TaxRow[] }[]) {
  const byRate = new Map<
    string,
    { rateId: string; name: string; percent: number; taxable: number; tax: number }
  >();
  for (const line of lines) {
    const rows =
      line.taxes.length === 0 ? [{ rateId: 'none', name: 'No tax', percent: 0, amount: 0 }] : line.taxes;
    for (const row of rows) {
      const entry = byRate.get(row.rateId) ?? {
        rateId: row.rateId,
        name: row.name,
        percent: row.percent,
        taxable: 0,
        tax: 0,
      };
      entry.taxable += line.net;
      entry.tax += row.amount;
      byRate.set(row.rateId, entry);
    }
  }
  return [...byRate.values()].sort((a, b) => a.rateId.localeCompare(b.rateId));
}

/** The `sale.completed` draft of a sale the hub applied. */
async function saleCompletedDrafts(
  context: DraftContext,
  event: EventEnvelope,
  sale: EventPayloads['sale.completed'],
): Promise<EventDraft[]> {
  const occurredAt = Date.parse(sale.completedAt);
  const date = await context.businessDate(event.storeId, occurredAt);
  return [
    {
      sourceEventId: event.eventId,
      nodeId: event.storeId,
      type: 'sale.completed',
      key: event.eventId,
      aggregateId: sale.saleId,
      businessDate: date,
      occurredAt,
      data: saleData(sale, event, date!),
    },
  ];
}

function saleData(
  sale: EventPayloads['sale.completed'],
  event: EventEnvelope,
  businessDate: string,
): EventData<'sale.completed'> {
  return {
    saleId: sale.saleId,
    receiptNumber: sale.receiptNumber,
    nodeId: event.storeId,
    deviceId: event.deviceId,
    shiftId: sale.shiftId,
    staffId: sale.staffId,
    customerId: sale.customerId ?? null,
    currency: sale.currency,
    businessDate,
    completedAt: sale.completedAt,
    lines: sale.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      qty: line.qty,
      unit: line.unit,
      unitPrice: line.unitPrice,
      taxInclusive: line.taxInclusive,
      extended: line.extended,
      discounts: line.adjustments.map((adjustment) => ({
        kind: adjustment.kind,
        promotionId: adjustment.promotionId ?? null,
        amount: adjustment.amount,
      })),
      net: line.net,
      taxes: line.taxes,
      paid: line.paid,
    })),
    totals: {
      subtotal: sale.totals.subtotal,
      discount: sale.totals.discount,
      tax: sale.totals.tax,
      total: sale.totals.total,
      cashRounding: sale.totals.cashRounding,
      paid: sale.totals.paid,
    },
    taxes: taxesByRate(sale.lines),
    tenders: sale.tenders.map(tender),
    promotionIds: sale.promotionIds,
    priceBookVersion: sale.priceBookVersion,
    loyaltyAccountId: sale.loyalty?.accountId ?? null,
  };
}

/** `part` of `amount` in the proportion refund/paid, rounded half away from zero, in exact integers. */
function share(amount: number, refund: number, paid: number): number {
  if (paid === 0) return 0;
  const numerator = BigInt(amount) * BigInt(refund) * 2n;
  const denominator = BigInt(paid) * 2n;
  const quotient = (numerator + (numerator >= 0n ? BigInt(paid) : -BigInt(paid))) / denominator;
  return Number(quotient);
}

async function returnData(
  context: DraftContext,
  ret: EventPayloads['return.completed'],
  event: EventEnvelope,
  businessDate: string,
): Promise<EventData<'return.completed'>> {
  const originalLines = new Map<string, EventPayloads['sale.completed']['lines'][number]>();
  if (ret.originalSaleId !== undefined) {
    const original = await context.tx.trx
      .selectFrom('sales')
      .innerJoin('ingested_events', 'ingested_events.event_id', 'sales.event_id')
      .select('ingested_events.envelope')
      .where('sales.sale_id', '=', ret.originalSaleId)
      .executeTakeFirst();
    if (original !== undefined) {
      const payload = (JSON.parse(original.envelope) as EventEnvelope)
        .payload as EventPayloads['sale.completed'];
      for (const line of payload.lines ?? []) originalLines.set(line.lineId, line);
    }
  }
  const lines = ret.lines.map((line) => {
    const source = line.originalLineId === undefined ? undefined : originalLines.get(line.originalLineId);
    const taxes =
      source === undefined
        ? []
        : source.taxes.map((tax) => ({ ...tax, amount: share(tax.amount, line.refund, source.paid) }));
    return {
      returnLineId: line.returnLineId,
      originalLineId: line.originalLineId ?? null,
      sku: line.sku,
      qty: line.qty,
      refund: line.refund,
      taxes,
      disposition: line.disposition,
      net: line.refund - taxes.reduce((total, tax) => total + tax.amount, 0),
    };
  });
  return {
    returnId: ret.returnId,
    receiptNumber: ret.receiptNumber,
    nodeId: event.storeId,
    deviceId: event.deviceId,
    shiftId: ret.shiftId,
    staffId: ret.staffId,
    customerId: ret.customerId ?? null,
    originalSaleId: ret.originalSaleId ?? null,
    originalReceiptNumber: ret.originalReceiptNumber ?? null,
    currency: ret.currency,
    businessDate,
    completedAt: ret.completedAt,
    lines: lines.map(({ net: _net, ...line }) => line),
    refundTotal: ret.refunds.reduce((total, refund) => total + refund.amount, 0),
    taxes: taxesByRate(lines),
    refunds: ret.refunds.map((refund) => ({
      ...tender(refund),
      originalTenderId: refund.originalTenderId ?? null,
    })),
  };
}
