import { describeRule, matchesTarget, type Promotion, type PromotionRule } from '@retail/domain';
import type { NearbyStock } from '@retail/sync';
import type { CommandHandlers } from '../command-context';
import type { HubOutcome } from '../loyalty/hub-loyalty-client';
import type { Preparers } from '../loyalty/loyalty-commands';
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
  'price-check-nearby': {
    mutates: false,
    handle(ctx, input) {
      // The SKU must be one this till knows: the hub is asked only about real items.
      catalogItemBySku(ctx, input.sku);
      const outcome = isNearbyAnswer(ctx.prepared) ? ctx.prepared.outcome : undefined;
      if (outcome?.ok === true) {
        return { source: 'hub' as const, orderedBy: outcome.value.orderedBy, stores: outcome.value.stores };
      }
      if (outcome?.ok === false && outcome.reason === 'refused') {
        return { source: 'none' as const, reason: 'refused' as const, message: outcome.message };
      }
      return {
        source: 'none' as const,
        reason: 'offline' as const,
        message:
          'Stock at other stores is not available offline: only HQ knows it. Stock here is this till’s copy.',
      };
    },
  },
} satisfies Pick<CommandHandlers, 'price-check' | 'price-check-nearby'>;

interface NearbyAnswer {
  readonly kind: 'nearby-stock';
  readonly outcome: HubOutcome<NearbyStock>;
}

function isNearbyAnswer(prepared: unknown): prepared is NearbyAnswer {
  return (prepared as NearbyAnswer | undefined)?.kind === 'nearby-stock';
}

/** Other stores' stock lives at the hub only: asked before the (read-only) transaction. */
export const PRICE_CHECK_PREPARERS: Preparers = {
  'price-check-nearby': async (pctx, input) => ({
    prepared: { kind: 'nearby-stock', outcome: await pctx.hub.nearbyStock(input.sku) } satisfies NearbyAnswer,
  }),
};
