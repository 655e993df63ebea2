import {
  DomainError,
  money,
  multiplyRatio,
  noReceiptRefund,
  storeCreditCode,
  sum,
  type PriceObservation,
} from '@retail/domain';
import type { CommandRequest, ReturnView } from '../../shared/commands';
import { currentPrice } from '../catalog';
import type { CommandContext, CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { findCustomerRow } from '../loyalty/loyalty-cache';
import { findLocalSaleByReceipt } from '../sales/draft';
import { hubSaleFor, planHubSaleReturn } from '../sales/hub-sale';
import { planReceiptReturn } from '../sales/return-plan';
import { skuInfo } from '../sales/sale-pricing';
import { consumeOverride } from '../services/manager-overrides';
import { recordReturn, returnView, toRefundInput, type RefundInput } from '../services/return-records';

/** Window in which a no-receipt return takes the lowest price (config `pos.returns.noReceiptWindowDays`). */
function noReceiptWindowDays(ctx: TxContext): number {
  const row = sql(ctx.db, "SELECT data FROM config WHERE key = 'pos.returns.noReceiptWindowDays'").get() as
    { data: string } | undefined;
  const value = row ? (JSON.parse(row.data) as { value?: unknown }).value : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 3650 ? value : 90;
}

/** A return event always names how the money went back, even when items cost nothing. */
function refundsOrZero(refunds: RefundInput[], zeroRefund: () => RefundInput): RefundInput[] {
  return refunds.length > 0 ? refunds : [zeroRefund()];
}

/** A customer named by the screen must be one this till found (customer-find caches what it finds). */
function assertKnownCustomer(ctx: TxContext, customerId: string | undefined): void {
  if (customerId === undefined || findCustomerRow(ctx.db, customerId)) return;
  throw new DomainError('NOT_FOUND', 'return.tillNotKnowCustomer', {}, { customerId });
}

function returnWithReceipt(ctx: CommandContext, input: CommandRequest<'return-create'>): ReturnView {
  assertKnownCustomer(ctx, input.customerId);
  const atHub = findLocalSaleByReceipt(ctx, input.receiptNumber) === undefined;
  const plan = atHub
    ? planHubSaleReturn(ctx, hubSaleFor(ctx, ctx.prepared, input.receiptNumber), input)
    : planReceiptReturn(ctx, input);
  const recorded = recordReturn(ctx, {
    registerId: input.registerId,
    originalSaleId: plan.saleId,
    originalAtHub: atHub,
    originalReceiptNumber: plan.receiptNumber,
    lines: plan.lines,
    ...(input.customerId === undefined ? {} : { customerId: input.customerId }),
    refunds: refundsOrZero(
      plan.refunds.map((planned) => toRefundInput(ctx, planned)),
      () => ({ tenderId: ctx.newId(), type: 'cash', amount: 0 }),
    ),
  });
  return returnView(
    ctx,
    recorded.returnId,
    plan.refunds.map((planned) => planned.reason),
  );
}

/** Prices a SKU has sold at here recently (what customers paid per unit) plus its price now. */
function priceObservations(ctx: TxContext, sku: string, windowDays: number): PriceObservation[] {
  const currency = ctx.identity.currency;
  const now = currentPrice(ctx, sku);
  if (!now) {
    throw new DomainError('NO_PRICE', 'return.skuNoPriceStore', { sku }, { sku });
  }
  const since = ctx.nowMs - windowDays * 86_400_000;
  const sold = sql(
    ctx.db,
    `SELECT l.qty, l.unit, l.paid, s.completed_at_ms AS at, s.receipt_number AS receiptNumber
     FROM sale_lines l JOIN sales s ON s.sale_id = l.sale_id
     WHERE l.sku = ? AND s.status = 'completed' AND s.completed_at_ms >= ?`,
  ).all(sku, since) as {
    qty: number;
    unit: 'each' | 'kg';
    paid: number;
    at: number;
    receiptNumber: string;
  }[];
  return [
    { unitPrice: now.unitPrice, from: ctx.nowMs, source: `current price, book ${now.priceBookId}` },
    ...sold.map((line) => ({
      // What that customer paid per piece (per kilogram for weighed goods), rounded down.
      unitPrice: multiplyRatio(money(line.paid, currency), line.unit === 'kg' ? 1000 : 1, line.qty, 'DOWN'),
      from: line.at,
      to: line.at + 1,
      source: `sale ${line.receiptNumber}`,
    })),
  ];
}

function returnWithoutReceipt(
  ctx: CommandContext,
  input: CommandRequest<'return-without-receipt'>,
): ReturnView {
  assertKnownCustomer(ctx, input.customerId);
  const override = consumeOverride(
    ctx,
    input.overrideId,
    'return-without-receipt',
    input.reason,
    'A return without a receipt needs a manager override.',
  );
  const windowDays = noReceiptWindowDays(ctx);
  const valued = input.lines.map((line) => {
    const info = skuInfo(ctx, line.sku);
    const refund = noReceiptRefund(priceObservations(ctx, line.sku, windowDays), {
      at: ctx.nowMs,
      windowDays,
      qty: line.qty,
      unit: info.unit,
    });
    return { line, refund };
  });
  const total = sum(
    valued.map(({ refund }) => refund.refund),
    ctx.identity.currency,
  );
  const recorded = recordReturn(ctx, {
    registerId: input.registerId,
    // A receipt the till could not look up (offline): recorded so the hub links the return to the sale.
    ...(input.originalReceiptNumber === undefined
      ? {}
      : { originalReceiptNumber: input.originalReceiptNumber }),
    lines: valued.map(({ line, refund }) => ({
      returnLineId: ctx.newId(),
      sku: line.sku,
      qty: line.qty,
      refund: refund.refund.amount,
      disposition: line.disposition,
    })),
    refunds: [
      {
        tenderId: ctx.newId(),
        type: 'store_credit',
        amount: total.amount,
        reference: storeCreditCode(ctx.newId()),
      },
    ],
    override,
    ...(input.customerId === undefined ? {} : { customerId: input.customerId }),
  });
  return returnView(
    ctx,
    recorded.returnId,
    valued.map(({ refund }) => refund.reason),
  );
}

export const returnHandlers = {
  'return-create': { mutates: true, handle: returnWithReceipt },
  'return-without-receipt': { mutates: true, handle: returnWithoutReceipt },
  'return-get': {
    mutates: false,
    handle(ctx, input) {
      const row = sql(ctx.db, 'SELECT return_id AS returnId FROM returns WHERE receipt_number = ?').get(
        input.receiptNumber,
      ) as { returnId: string } | undefined;
      if (!row)
        throw new DomainError('NOT_FOUND', 'return.noReturnReceiptNumber', {
          receiptNumber: input.receiptNumber,
        });
      return returnView(ctx, row.returnId);
    },
  },
} satisfies Pick<CommandHandlers, 'return-create' | 'return-without-receipt' | 'return-get'>;
