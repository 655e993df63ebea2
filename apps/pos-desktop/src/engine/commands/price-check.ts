import { describeRule, matchesTarget, type Promotion, type PromotionRule } from '@retail/domain';
import type { CommandHandlers } from '../command-context';
import { catalogItemBySku, scanBarcode, storeRegionId } from '../catalog';
import type { TxContext } from '../context';
import { localStock } from '../local-stock';
import { promotionsInForce, skuInfo } from '../sales/sale-pricing';

/** Every item target a rule has: a basket rule without one concerns every item. */
function ruleTargets(rule: PromotionRule) {
  return rule.type === 'buy_x_get_y' ? [rule.buy.target, rule.get.target] : [rule.target];
}

function inScope(ctx: TxContext, promotion: Promotion, regionId: string | undefined): boolean {
  const scope = promotion.scope;
  if (scope.type === 'chain') return true;
  if (scope.type === 'store') return scope.storeId === ctx.identity.storeId;
  return scope.regionId === regionId;
}

/**
 * Price check (issue 14): what a customer asks at the shelf, answered without touching a sale. Everything
 * comes from the till's own copy (catalog, price books, promotions, stock), so it works offline too.
 */
export const priceCheckHandlers = {
  'price-check': {
    mutates: false,
    handle(ctx, input) {
      const item =
        input.code !== undefined
          ? scanBarcode(ctx, input.code).item
          : catalogItemBySku(ctx, input.sku as string);
      // One piece of the item, as a cart line would carry it: targets look only at its SKU and categories.
      const line = {
        lineId: item.sku,
        sku: item.sku,
        categoryIds: skuInfo(ctx, item.sku).categoryIds,
        unit: item.unit,
        qty: 1,
      };
      const regionId = storeRegionId(ctx.db, ctx.identity.storeId);
      const promotions = promotionsInForce(ctx)
        .filter(
          (promotion) =>
            inScope(ctx, promotion, regionId) &&
            ruleTargets(promotion.rule).some((target) => matchesTarget(line, target)),
        )
        .map((promotion) => ({
          promotionId: promotion.promotionId,
          name: promotion.name,
          description: describeRule(promotion.rule, promotion.currency),
          endsAt: promotion.endsAt === undefined ? null : new Date(promotion.endsAt).toISOString(),
        }));
      const [stock] = localStock(ctx.db, ctx.identity, [item.sku]);
      return { item, promotions, stock: stock! };
    },
  },
} satisfies Pick<CommandHandlers, 'price-check'>;
