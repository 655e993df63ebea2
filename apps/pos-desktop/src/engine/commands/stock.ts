import {
  DomainError,
  MAX_STOCK_QTY,
  lineAmountBound,
  type MovementType,
  type PhysicalBucket,
} from '@retail/domain';
import type { MovementPayload } from '@retail/sync';
import type { CommandRequest, LocalStock } from '../../shared/commands';
import type { CommandContext, CommandHandlers } from '../command-context';
import { currentPrice } from '../catalog';
import { sql, type TxContext } from '../context';
import { formatAmount } from '../format';
import { localBucket, localStock } from '../local-stock';
import { consumeOverride, type ManagerOverride } from '../services/manager-overrides';
import { recordMovements, requireSkus, type SkuRow } from '../services/stock-movements';
import { allocateTransferNumber, normaliseTransferNumber } from '../transfer-number';

function formatQty(row: SkuRow, qty: number): string {
  return row.unit === 'kg' ? `${qty} g` : `${qty}`;
}

const BUCKET_NAMES: Readonly<Record<PhysicalBucket, string>> = {
  sellable: 'sellable stock',
  staged: 'staged stock',
  damaged: 'damaged stock',
  quality_control: 'quality control',
};

interface PlannedMovement {
  readonly sku: string;
  readonly type: MovementType;
  readonly bucket: PhysicalBucket;
  readonly delta: number;
  readonly reason?: string;
}

/**
 * Refuses a plan that would take a bucket below zero by removing stock. Local stock can already be
 * negative after offline sales; removing more from it is then refused too, because the fix for a wrong
 * figure is a count, not another guess.
 */
function assertCanRemove(
  ctx: TxContext,
  catalog: Map<string, SkuRow>,
  plan: readonly PlannedMovement[],
): void {
  const levels = new Map<string, LocalStock>(
    localStock(ctx.db, ctx.identity, [...new Set(plan.map((movement) => movement.sku))]).map((level) => [
      level.sku,
      level,
    ]),
  );
  const running = new Map<string, number>();
  for (const movement of plan) {
    const key = `${movement.sku}\u0000${movement.bucket}`;
    const level = levels.get(movement.sku);
    const before = running.get(key) ?? (level ? localBucket(level, movement.bucket) : 0);
    const after = before + movement.delta;
    running.set(key, after);
    if (movement.delta < 0 && after < 0) {
      const row = catalog.get(movement.sku);
      const name = row ? `${row.name} (${movement.sku})` : movement.sku;
      const available = Math.max(0, before);
      throw new DomainError(
        'INSUFFICIENT_STOCK',
        'stock.onlyCannotRemoveCount',
        {
          shown: row ? formatQty(row, available) : available,
          name,
          count: available,
          bucket: BUCKET_NAMES[movement.bucket],
          removing: row ? formatQty(row, -movement.delta) : -movement.delta,
        },
        { sku: movement.sku, bucket: movement.bucket, available: before, requested: -movement.delta },
      );
    }
  }
}

function toPayloads(ctx: TxContext, plan: readonly PlannedMovement[]): MovementPayload[] {
  return plan.map((movement) => ({
    movementId: ctx.newId(),
    sku: movement.sku,
    type: movement.type,
    bucket: movement.bucket,
    delta: movement.delta,
    ...(movement.reason === undefined ? {} : { reason: movement.reason }),
  }));
}

/**
 * A count that writes off stock worth more than the store allows (HQ's `countWriteOffApprovalLimit`, at
 * the shelf price) needs a supervisor when a cashier records it: shrink is where stock quietly leaves. A
 * SKU with no price here cannot be valued, so writing any of it off needs a supervisor too.
 */
function approveWriteOff(
  ctx: CommandContext,
  row: SkuRow,
  writtenOff: number,
  overrideId: string | undefined,
): ManagerOverride | undefined {
  const limit = ctx.settings().countWriteOffApprovalLimit;
  const price = currentPrice(ctx, row.sku);
  const value =
    price === undefined ? undefined : lineAmountBound(price.unitPrice.amount, writtenOff, row.unit);
  if (value !== undefined && value <= BigInt(limit)) return undefined;
  const worth =
    value === undefined
      ? 'worth an unknown amount: it has no price here'
      : `worth ${formatAmount(ctx.identity, Number(value))}`;
  const requirement = `This count writes off ${formatQty(row, writtenOff)} of ${row.name} (${row.sku}), ${worth}; a cashier may write off up to ${formatAmount(ctx.identity, limit)} in one count.`;
  return consumeOverride(ctx, overrideId, 'stock-count-write-off', 'shelf count', requirement);
}

function levelsOf(ctx: TxContext, skus: Iterable<string>): LocalStock[] {
  return localStock(ctx.db, ctx.identity, [...new Set(skus)]);
}

function receive(
  ctx: CommandContext,
  source: CommandRequest<'stock-receive'>['source'],
  lines: readonly { sku: string; qty: number; bucket: 'sellable' | 'quality_control' }[],
) {
  requireSkus(
    ctx,
    lines.map((line) => line.sku),
  );
  const receiptId = ctx.newId();
  const type: MovementType = source.type === 'supplier' ? 'RECEIPT' : 'TRANSFER_IN';
  const movements = toPayloads(
    ctx,
    lines.map((line) => ({
      sku: line.sku,
      type,
      bucket: line.bucket,
      delta: line.qty,
      reason: `${source.type} ${source.reference}`,
    })),
  );
  const event = ctx.appendEvent('stock.received', {
    receiptId,
    source,
    lines: lines.map((line) => ({ sku: line.sku, qty: line.qty, bucket: line.bucket })),
    movements,
    receivedAt: ctx.nowIso,
  });
  recordMovements(ctx, movements, event.deviceSeq, receiptId);
  ctx.auditNote = { subject: receiptId, details: { source, lines: lines.length } };
  return {
    receiptId,
    levels: levelsOf(
      ctx,
      lines.map((line) => line.sku),
    ),
  };
}

export const stockHandlers = {
  'stock-receive': {
    mutates: true,
    handle: (ctx, input) => receive(ctx, input.source, input.lines),
  },
  'stock-transfer-in': {
    mutates: true,
    handle: (ctx, input) =>
      receive(
        ctx,
        { type: 'transfer', reference: normaliseTransferNumber(input.transferId) },
        input.lines.map((line) => ({ ...line, bucket: 'sellable' as const })),
      ),
  },
  'stock-adjust': {
    mutates: true,
    handle(ctx, input) {
      const catalog = requireSkus(
        ctx,
        input.lines.map((line) => line.sku),
      );
      const plan: PlannedMovement[] = input.lines.map((line) => ({
        sku: line.sku,
        type: 'ADJUSTMENT',
        bucket: line.bucket,
        delta: line.delta,
        reason: input.reason,
      }));
      assertCanRemove(ctx, catalog, plan);
      const adjustmentId = ctx.newId();
      const movements = toPayloads(ctx, plan);
      const event = ctx.appendEvent('stock.adjusted', {
        adjustmentId,
        reason: input.reason,
        movements,
        adjustedAt: ctx.nowIso,
      });
      recordMovements(ctx, movements, event.deviceSeq, adjustmentId);
      ctx.auditNote = { subject: adjustmentId, details: { reason: input.reason, lines: input.lines } };
      return {
        adjustmentId,
        levels: levelsOf(
          ctx,
          input.lines.map((line) => line.sku),
        ),
      };
    },
  },
  'stock-count': {
    mutates: true,
    handle(ctx, input) {
      const catalog = requireSkus(ctx, [input.sku]);
      const row = catalog.get(input.sku);
      const [level] = localStock(ctx.db, ctx.identity, [input.sku]);
      if (!row || !level) throw new DomainError('INTERNAL', 'stock.skuVanishedWhileCounted');
      const current = localBucket(level, input.bucket);
      if (current !== input.expectedQty) {
        throw new DomainError(
          'CONFLICT',
          'stock.changedWhileCountingNow',
          {
            rowName: row.name,
            sku: input.sku,
            BUCKET_NAMES: BUCKET_NAMES[input.bucket],
            row: formatQty(row, current),
            row2: formatQty(row, input.expectedQty),
          },
          { sku: input.sku, bucket: input.bucket, expectedQty: input.expectedQty, currentQty: current },
        );
      }
      const difference = input.countedQty - current;
      if (Math.abs(difference) > MAX_STOCK_QTY) {
        throw new DomainError(
          'LIMIT_EXCEEDED',
          'stock.countMoveOnceCount',
          {
            row: formatQty(row, Math.abs(difference)),
            rowName: row.name,
            row2: formatQty(row, MAX_STOCK_QTY),
          },
          { sku: input.sku, difference, maxQty: MAX_STOCK_QTY },
        );
      }
      const override = difference < 0 ? approveWriteOff(ctx, row, -difference, input.overrideId) : undefined;
      const countId = ctx.newId();
      const movements =
        difference === 0
          ? []
          : toPayloads(ctx, [
              {
                sku: input.sku,
                type: 'COUNT_ADJUST',
                bucket: input.bucket,
                delta: difference,
                reason: 'shelf count',
              },
            ]);
      const event = ctx.appendEvent('stock.counted', {
        countId,
        sku: input.sku,
        bucket: input.bucket,
        expectedQty: current,
        countedQty: input.countedQty,
        movements,
        ...(override === undefined
          ? {}
          : { override: { managerId: override.managerId, reason: override.reason, at: override.at } }),
        countedAt: ctx.nowIso,
      });
      recordMovements(ctx, movements, event.deviceSeq, countId);
      ctx.touchStock([input.sku]);
      ctx.auditNote = {
        subject: input.sku,
        overrideId: override?.overrideId ? override.overrideId : null,
        details: {
          countId,
          bucket: input.bucket,
          expectedQty: current,
          countedQty: input.countedQty,
          difference,
          ...(override === undefined ? {} : { approvedBy: override.managerId }),
        },
      };
      const [after] = localStock(ctx.db, ctx.identity, [input.sku]);
      if (!after) throw new DomainError('INTERNAL', 'stock.skuVanishedWhileCounted');
      return { countId, difference, level: after };
    },
  },
  'stock-transfer-out': {
    mutates: true,
    handle(ctx, input) {
      if (input.toNodeId === ctx.identity.storeId) {
        throw new DomainError('INVALID_INPUT', 'stock.transferMustGoAnother');
      }
      const destination = sql(ctx.db, 'SELECT code, name FROM stores WHERE store_id = ?').get(
        input.toNodeId,
      ) as { code: string; name: string } | undefined;
      if (!destination) {
        throw new DomainError(
          'NOT_FOUND',
          'stock.noStoreWarehouseNode',
          { toNodeId: input.toNodeId },
          { toNodeId: input.toNodeId },
        );
      }
      const catalog = requireSkus(
        ctx,
        input.lines.map((line) => line.sku),
      );
      const transferId = allocateTransferNumber(ctx);
      const plan: PlannedMovement[] = input.lines.map((line) => ({
        sku: line.sku,
        type: 'TRANSFER_OUT',
        bucket: 'sellable',
        delta: -line.qty,
        reason: `transfer to ${input.toNodeId}`,
      }));
      assertCanRemove(ctx, catalog, plan);
      const movements = toPayloads(ctx, plan);
      const event = ctx.appendEvent('stock.transferred_out', {
        transferId,
        toNodeId: input.toNodeId,
        lines: input.lines.map((line) => ({ sku: line.sku, qty: line.qty })),
        movements,
        shippedAt: ctx.nowIso,
      });
      recordMovements(ctx, movements, event.deviceSeq, transferId);
      ctx.auditNote = {
        subject: transferId,
        details: { toNodeId: input.toNodeId, lines: input.lines.length },
      };
      return {
        transferId,
        shippedAt: ctx.nowIso,
        to: { nodeId: input.toNodeId, code: destination.code, name: destination.name },
        lines: input.lines.map((line) => ({
          sku: line.sku,
          name: catalog.get(line.sku)?.name ?? line.sku,
          unit: catalog.get(line.sku)?.unit ?? 'each',
          qty: line.qty,
        })),
        levels: levelsOf(
          ctx,
          input.lines.map((line) => line.sku),
        ),
      };
    },
  },
  'stock-destinations': {
    mutates: false,
    handle(ctx) {
      // Staff pick a destination by the code or name they know ("S002", "Store 2"); events carry its id.
      const nodes = sql(
        ctx.db,
        'SELECT store_id AS nodeId, code, name FROM stores WHERE store_id <> ? ORDER BY code, store_id',
      ).all(ctx.identity.storeId) as { nodeId: string; code: string; name: string }[];
      return { nodes };
    },
  },
  'stock-levels': {
    mutates: false,
    handle(ctx, input) {
      requireSkus(ctx, input.skus);
      return { levels: levelsOf(ctx, input.skus) };
    },
  },
} satisfies Pick<
  CommandHandlers,
  | 'stock-receive'
  | 'stock-transfer-in'
  | 'stock-adjust'
  | 'stock-count'
  | 'stock-transfer-out'
  | 'stock-destinations'
  | 'stock-levels'
>;
