import type { EventEnvelope, EventPayloads, ValidPayload } from '@retail/sync';
import type { HqAuditTable } from '../storage/schema';

/**
 * The stores' audit trail at HQ: what a till records that HQ reviews (manager overrides, price
 * overrides, voids, no-receipt returns, cash movements, drawer openings) taken from the events the
 * store pushes. Only applied events get here, so the store scope checks (store-scope.ts) have already
 * made sure the event came from the device's own store and names only that store's staff and shifts.
 */

export type StoreAuditAction =
  | 'store.override'
  | 'store.price-override'
  | 'store.void'
  | 'store.no-receipt-return'
  | 'store.cash-movement'
  | 'store.drawer-open';

export const STORE_AUDIT_ACTIONS: readonly StoreAuditAction[] = [
  'store.override',
  'store.price-override',
  'store.void',
  'store.no-receipt-return',
  'store.cash-movement',
  'store.drawer-open',
];

interface StoreAuditDraft {
  readonly action: StoreAuditAction;
  readonly staffId: string;
  readonly subject: string;
  /** The store's own time of the action. */
  readonly at: string;
  readonly details: Record<string, unknown>;
}

function drafts(valid: ValidPayload): StoreAuditDraft[] {
  switch (valid.type) {
    case 'sale.completed': {
      const sale = valid.payload as EventPayloads['sale.completed'];
      const subject = `sale:${sale.saleId}`;
      const base = { receiptNumber: sale.receiptNumber, cashierId: sale.staffId };
      return [
        ...sale.overrides.map((override) => ({
          action: 'store.override' as const,
          staffId: override.managerId,
          subject,
          at: override.at,
          details: { ...base, managerId: override.managerId, reason: override.reason },
        })),
        ...sale.lines
          .filter((line) => line.priceSource === 'override')
          .map((line) => ({
            action: 'store.price-override' as const,
            staffId: sale.staffId,
            subject,
            at: sale.completedAt,
            details: {
              ...base,
              lineId: line.lineId,
              sku: line.sku,
              originalUnitPrice: line.originalUnitPrice ?? null,
              unitPrice: line.unitPrice,
              currency: sale.currency,
            },
          })),
      ];
    }
    case 'sale.voided': {
      const voided = valid.payload as EventPayloads['sale.voided'];
      return [
        {
          action: 'store.void',
          staffId: voided.override.managerId,
          subject: `sale:${voided.saleId}`,
          at: voided.voidedAt,
          details: {
            receiptNumber: voided.receiptNumber,
            reason: voided.reason,
            managerId: voided.override.managerId,
            overrideReason: voided.override.reason,
            refunded: voided.refunds.reduce((sum, refund) => sum + refund.amount, 0),
            currency: voided.currency,
          },
        },
      ];
    }
    case 'return.completed': {
      const ret = valid.payload as EventPayloads['return.completed'];
      if (ret.originalSaleId !== undefined) return [];
      return [
        {
          action: 'store.no-receipt-return',
          staffId: ret.staffId,
          subject: `return:${ret.returnId}`,
          at: ret.completedAt,
          details: {
            receiptNumber: ret.receiptNumber,
            originalReceiptNumber: ret.originalReceiptNumber ?? null,
            refunded: ret.refunds.reduce((sum, refund) => sum + refund.amount, 0),
            currency: ret.currency,
            managerId: ret.override?.managerId ?? null,
            overrideReason: ret.override?.reason ?? null,
          },
        },
      ];
    }
    case 'shift.cash_moved': {
      const moved = valid.payload as EventPayloads['shift.cash_moved'];
      return [
        {
          action: 'store.cash-movement',
          staffId: moved.staffId,
          subject: `shift:${moved.shiftId}`,
          at: moved.movedAt,
          details: {
            direction: moved.direction,
            amount: moved.amount,
            reason: moved.reason,
            managerId: moved.override?.managerId ?? null,
          },
        },
      ];
    }
    case 'drawer.opened': {
      const opened = valid.payload as EventPayloads['drawer.opened'];
      return [
        {
          action: 'store.drawer-open',
          staffId: opened.staffId,
          subject: `shift:${opened.shiftId}`,
          at: opened.openedAt,
          details: {
            openingId: opened.openingId,
            registerId: opened.registerId,
            reason: opened.reason,
            reference: opened.reference ?? null,
          },
        },
      ];
    }
    case 'stock.counted': {
      const counted = valid.payload as EventPayloads['stock.counted'];
      if (counted.override === undefined) return [];
      return [
        {
          action: 'store.override',
          staffId: counted.override.managerId,
          subject: `count:${counted.countId}`,
          at: counted.override.at,
          details: {
            sku: counted.sku,
            expectedQty: counted.expectedQty,
            countedQty: counted.countedQty,
            managerId: counted.override.managerId,
            reason: counted.override.reason,
          },
        },
      ];
    }
    default:
      return [];
  }
}

/** The audit rows an applied store event adds; `at` is the store's clock, falling back to the hub's. */
export function storeAuditRows(
  event: EventEnvelope,
  valid: ValidPayload,
  receivedAt: number,
  newId: () => string,
): HqAuditTable[] {
  return drafts(valid).map((draft) => {
    const at = Date.parse(draft.at);
    return {
      audit_id: newId(),
      at: Number.isFinite(at) ? at : receivedAt,
      actor: `staff:${draft.staffId}`,
      action: draft.action,
      subject: draft.subject,
      before: null,
      after: JSON.stringify({
        ...draft.details,
        eventId: event.eventId,
        deviceId: event.deviceId,
        receivedAt,
      }),
      node_id: event.storeId,
    };
  });
}
