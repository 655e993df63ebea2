import { DomainError, PromotionSchema, type Promotion, type PromotionRule } from '@retail/domain';
import { z } from 'zod';
import type { Executor } from '../storage/storage';
import { checkVersion, type PromotionInputSchema } from './pricing-store';

export const StoreRefSchema = z.object({ nodeId: z.string(), code: z.string(), name: z.string() });

export const PromotionPreviewSchema = z.object({
  promotionId: z.string(),
  /** The version publishing would create; `currentVersion` is 0 for a new promotion. */
  version: z.number().int(),
  currentVersion: z.number().int(),
  promotion: PromotionSchema,
  /** Each field that differs from the version in force: JSON values, null where unset. */
  changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  /** The stores whose tills get this version through the feed. */
  stores: z.array(StoreRefSchema),
  /** Stores that had the promotion and lose it (the scope became narrower or moved). */
  storesDropped: z.array(StoreRefSchema),
  /** The SKUs the rule names, with their catalog name (null when the catalog has no such SKU). */
  items: z.array(z.object({ sku: z.string(), name: z.string().nullable() })),
  /** Categories the rule names: every SKU in them is affected. */
  categories: z.array(z.string()),
  /** True when the rule names no SKU and no category: every item of the stores is affected. */
  everyItem: z.boolean(),
});
export type PromotionPreview = z.infer<typeof PromotionPreviewSchema>;

type Scope = Promotion['scope'];

function targetsOf(rule: PromotionRule): { skus?: string[]; categoryIds?: string[] }[] {
  switch (rule.type) {
    case 'buy_x_get_y':
      return [rule.buy.target, rule.get.target];
    case 'spend_threshold':
      return rule.target === undefined ? [{}] : [rule.target];
    default:
      return [rule.target];
  }
}

/** The active stores a price book or promotion of `scope` reaches, by code. */
export async function storesIn(executor: Executor, scope: Scope | undefined) {
  if (scope === undefined) return [];
  let query = executor
    .selectFrom('nodes')
    .select(['node_id', 'code', 'name'])
    .where('kind', '=', 'store')
    .where('active', '=', 1);
  if (scope.type === 'region') query = query.where('region', '=', scope.regionId);
  if (scope.type === 'store') query = query.where('node_id', '=', scope.storeId);
  const rows = await query.orderBy('code').execute();
  return rows.map((row) => ({ nodeId: row.node_id, code: row.code, name: row.name }));
}

const FIELDS = [
  'name',
  'priority',
  'stacking',
  'startsAt',
  'endsAt',
  'scope',
  'currency',
  'maxApplications',
  'rule',
] as const;

/**
 * What publishing a promotion would change, and where, without writing anything (the dashboard shows it
 * before the operator publishes): the fields that differ from the version in force, the stores whose tills
 * get it, those that lose it, and the items it names. Refused like the publish itself when the promotion
 * was changed after the version the operator saw, or is not valid.
 */
export async function previewPromotion(
  executor: Executor,
  promotionId: string,
  input: z.infer<typeof PromotionInputSchema>,
): Promise<PromotionPreview> {
  const current = await executor
    .selectFrom('promotions')
    .select(['version', 'data'])
    .where('promotion_id', '=', promotionId)
    .executeTakeFirst();
  const currentVersion = current === undefined ? 0 : Number(current.version);
  checkVersion(
    'promotion',
    promotionId,
    current === undefined ? undefined : currentVersion,
    input.expectedVersion,
  );
  if (current !== undefined && input.expectedVersion === undefined) {
    throw new DomainError(
      'CONFLICT',
      'hub.pricing.promotionAlreadyExistsSend',
      { promotionId },
      { version: currentVersion },
    );
  }
  const parsed = PromotionSchema.safeParse({ ...input.promotion, promotionId, version: currentVersion + 1 });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      'INVALID_INPUT',
      issue === undefined ? 'hub.pricing.promotionNotValid' : 'hub.pricing.inputProblem',
      issue === undefined ? {} : { problem: issue.message },
      { path: ['body', 'promotion', ...(issue?.path ?? [])].join('.') },
    );
  }
  const promotion = parsed.data;
  const previous = current === undefined ? undefined : (JSON.parse(current.data) as Promotion);
  const changes = FIELDS.flatMap((field) => {
    const before = previous?.[field] ?? null;
    const after = promotion[field] ?? null;
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ field, before, after }];
  });
  const stores = await storesIn(executor, promotion.scope);
  const reached = new Set(stores.map((store) => store.nodeId));
  const storesDropped = (await storesIn(executor, previous?.scope)).filter(
    (store) => !reached.has(store.nodeId),
  );
  const targets = targetsOf(promotion.rule);
  const skus = [...new Set(targets.flatMap((target) => target.skus ?? []))];
  const categories = [...new Set(targets.flatMap((target) => target.categoryIds ?? []))];
  const known =
    skus.length === 0
      ? []
      : await executor.selectFrom('skus').select(['sku', 'data']).where('sku', 'in', skus).execute();
  const names = new Map(
    known.map((row) => [row.sku, (JSON.parse(row.data) as { name?: string }).name ?? null]),
  );
  return {
    promotionId,
    version: promotion.version,
    currentVersion,
    promotion,
    changes,
    stores,
    storesDropped,
    items: skus.map((sku) => ({ sku, name: names.get(sku) ?? null })),
    categories,
    everyItem: targets.some(
      (target) => (target.skus ?? []).length === 0 && (target.categoryIds ?? []).length === 0,
    ),
  };
}
