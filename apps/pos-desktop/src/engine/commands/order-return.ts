import { DomainError } from '@retail/domain';
import {
  ORDER_RETURN_SYNC_PATHS,
  OrderReturnableSchema,
  StoreOrderReturnAnswerSchema,
  type OrderReturnable,
  type StoreOrderReturnAnswer,
} from '@retail/sync';
import type { OrderReturnResult } from '../../shared/order-return-commands';
import type { CommandHandlers } from '../command-context';
import { sql } from '../context';
import type { Db } from '../database';
import type { HubOutcome } from '../loyalty/hub-loyalty-client';
import type { Preparers } from '../loyalty/loyalty-commands';
import { hubRefusal } from '../loyalty/sale-loyalty';

/**
 * Online-order returns at the till (docs/orders.md "Online-order returns"). The hub is asked before the
 * transaction (a preparer); the transaction only checks its answer, names the items from this store's
 * catalog and audits the return. The hub writes the stock movement at this store and decides the refund
 * to the original payment, so this till writes no movement and pays nothing out of its drawer.
 */

interface PreparedReturnable {
  readonly kind: 'order-returnable';
  readonly orderNumber: string;
  readonly outcome: HubOutcome<OrderReturnable>;
}

interface PreparedReturn {
  readonly kind: 'order-return';
  readonly returnId: string;
  readonly outcome: HubOutcome<StoreOrderReturnAnswer>;
}

export const ORDER_RETURN_PREPARERS: Preparers = {
  'order-return-lookup': async (pctx, input) => ({
    prepared: {
      kind: 'order-returnable',
      orderNumber: input.orderNumber,
      outcome: await pctx.call(
        'GET',
        `${ORDER_RETURN_SYNC_PATHS.orders}/${encodeURIComponent(input.orderNumber)}/returnable`,
        undefined,
        OrderReturnableSchema,
      ),
    } satisfies PreparedReturnable,
  }),
  'order-return-create': async (pctx, input) => ({
    prepared: {
      kind: 'order-return',
      returnId: input.returnId,
      outcome: await pctx.call(
        'POST',
        ORDER_RETURN_SYNC_PATHS.returns,
        { returnId: input.returnId, orderNumber: input.orderNumber, lines: input.lines },
        StoreOrderReturnAnswerSchema,
      ),
    } satisfies PreparedReturn,
  }),
};

function unreachable(orderNumber: string, recording: boolean): DomainError {
  return new DomainError(
    'HUB_UNAVAILABLE',
    recording ? 'orderReturn.hubNotConfirmReturn' : 'orderReturn.onlineOrdersReturnedThrough',
    recording ? { orderNumber } : { orderNumber },
    { orderNumber },
  );
}

function answerOf<T>(outcome: HubOutcome<T> | undefined, orderNumber: string, recording: boolean): T {
  if (outcome === undefined) throw unreachable(orderNumber, recording);
  if (outcome.ok) return outcome.value;
  if (outcome.reason === 'refused') throw hubRefusal(outcome.code, outcome.message);
  throw unreachable(orderNumber, recording);
}

function catalogEntry(db: Db, sku: string): { name: string | null; unit: 'each' | 'kg' | null } {
  const row = sql(db, 'SELECT name, unit FROM skus WHERE sku = ?').get(sku) as
    { name: string; unit: 'each' | 'kg' } | undefined;
  return { name: row?.name ?? null, unit: row?.unit ?? null };
}

export const orderReturnHandlers = {
  'order-return-lookup': {
    mutates: false,
    handle(ctx, input) {
      const prepared = ctx.prepared as PreparedReturnable | undefined;
      const answer = answerOf(
        prepared?.kind === 'order-returnable' && prepared.orderNumber === input.orderNumber
          ? prepared.outcome
          : undefined,
        input.orderNumber,
        false,
      );
      return {
        orderNumber: answer.orderNumber,
        customerName: answer.customerName,
        lines: answer.lines.map((line) => ({ ...line, ...catalogEntry(ctx.db, line.sku) })),
      };
    },
  },
  'order-return-create': {
    mutates: true,
    handle(ctx, input): OrderReturnResult {
      ctx.staff();
      const prepared = ctx.prepared as PreparedReturn | undefined;
      const records = answerOf(
        prepared?.kind === 'order-return' && prepared.returnId === input.returnId
          ? prepared.outcome
          : undefined,
        input.orderNumber,
        true,
      );
      const lines = records.flatMap((record) =>
        record.lines.map((line) => ({
          lineId: line.lineId,
          sku: line.sku,
          ...catalogEntry(ctx.db, line.sku),
          qty: line.qty,
          disposition: line.disposition ?? 'sellable',
          refund: line.refund,
        })),
      );
      // One return may come from several parts of a split order; the customer sees one refund. The
      // strongest promise wins the sentence: anything by hand must be said.
      const kinds = records.map((record) => record.refund);
      const refundMethod =
        kinds.includes('manual') || kinds.includes(null)
          ? 'manual'
          : kinds.includes('refund')
            ? 'card'
            : 'reduced_charge';
      const refundAmount = records.reduce((total, record) => total + record.refundAmount, 0);
      ctx.auditNote = {
        subject: input.orderNumber,
        details: {
          returnId: input.returnId,
          orderIds: records.map((record) => record.orderId),
          refundAmount,
          refundMethod,
          lines: lines.map((line) => ({ lineId: line.lineId, qty: line.qty, disposition: line.disposition })),
        },
      };
      return {
        returnId: input.returnId,
        orderNumber: input.orderNumber,
        lines,
        refundAmount,
        refundMethod,
        recordedAt: ctx.nowIso,
      };
    },
  },
} satisfies Pick<CommandHandlers, 'order-return-lookup' | 'order-return-create'>;
