import { z } from 'zod';
import { MAX_AMOUNT } from '../bounds';
import { fail, ok, type Result } from '../errors';
import { currencyCodeSchema } from '../currency-code';
import { deepFreeze } from '../deep-freeze';
import { isExactPercent } from '../money';

/**
 * The persisted promotion shape. The hub validates admin input with it, the change feed carries it, and the
 * store replica validates every row with it before writing: one schema, so a promotion means the same thing
 * on the hub and at every till. Amounts are integer minor units of the promotion's `currency`.
 */

const idSchema = z
  .string({ error: 'An id must be text.' })
  .min(1, { error: 'An id must not be empty.' })
  .max(100, { error: 'An id is at most 100 characters.' });

const minorUnits = z
  .number({ error: 'An amount must be a number of minor units.' })
  .int({ error: 'An amount must be a whole number of minor units (e.g. 250 for 2.50).' })
  .min(-MAX_AMOUNT, { error: 'The amount is too large.' })
  .max(MAX_AMOUNT, { error: 'The amount is too large.' });

const positiveMinorUnits = minorUnits.positive({ error: 'The amount must be more than zero.' });
const nonNegativeMinorUnits = minorUnits.nonnegative({ error: 'The amount must not be negative.' });

const unitCount = z
  .number({ error: 'A quantity must be a number.' })
  .int({ error: 'A quantity must be a whole number of units.' })
  .positive({ error: 'A quantity must be at least 1.' })
  .safe({ error: 'The quantity is too large.' });

const epochMs = z
  .number({ error: 'A time must be epoch milliseconds.' })
  .int({ error: 'A time must be whole epoch milliseconds.' })
  .safe({ error: 'The time is out of range.' });

/** A discount percentage: more than 0, at most 100, at most 4 decimal places (12.5, 8.875). */
export const PercentSchema = z
  .number({ error: 'A percentage must be a number.' })
  .gt(0, { error: 'A percentage must be more than 0.' })
  .lte(100, { error: 'A percentage must be at most 100.' })
  .refine(isExactPercent, { error: 'A percentage has at most 4 decimal places.' });

/**
 * Which items a rule looks at: a line matches when its SKU is listed or any of its categoryIds is listed.
 * A target with no SKUs and no categories matches every item.
 */
export const PromotionTargetSchema = z.object({
  skus: z.array(idSchema).max(10_000).optional(),
  categoryIds: z.array(idSchema).max(10_000).optional(),
});
export type PromotionTarget = z.infer<typeof PromotionTargetSchema>;

export const PercentOffRuleSchema = z.object({
  type: z.literal('percent_off'),
  target: PromotionTargetSchema,
  percent: PercentSchema,
});

/** `amount` is off each unit of an `each` line, and off the whole line of a `kg` line. */
export const AmountOffRuleSchema = z.object({
  type: z.literal('amount_off'),
  target: PromotionTargetSchema,
  amount: positiveMinorUnits,
});

export const BuyXGetYRuleSchema = z.object({
  type: z.literal('buy_x_get_y'),
  buy: z.object({ target: PromotionTargetSchema, qty: unitCount }),
  get: z.object({
    target: PromotionTargetSchema,
    qty: unitCount,
    /** 100 = free. */
    percentOff: PercentSchema,
  }),
});

/** Each complete group of `qty` units costs `price` ("3 for 10.00"). */
export const MultiBuyRuleSchema = z.object({
  type: z.literal('multi_buy'),
  target: PromotionTargetSchema,
  qty: unitCount.min(2, { error: 'A multi-buy needs a group of at least 2 units.' }),
  price: nonNegativeMinorUnits,
});

export const SpendThresholdRewardSchema = z.union(
  [z.strictObject({ percentOff: PercentSchema }), z.strictObject({ amountOff: positiveMinorUnits })],
  { error: 'A spend-threshold reward is either { percentOff } or { amountOff }.' },
);
export type SpendThresholdReward = z.infer<typeof SpendThresholdRewardSchema>;

/**
 * Order-level: when the eligible subtotal (after earlier discounts) reaches `threshold`, the reward is
 * spread over the eligible lines. A threshold of 0 makes it an unconditional order discount.
 */
export const SpendThresholdRuleSchema = z.object({
  type: z.literal('spend_threshold'),
  threshold: nonNegativeMinorUnits,
  target: PromotionTargetSchema.optional(),
  reward: SpendThresholdRewardSchema,
});

export const PromotionRuleSchema = z.discriminatedUnion(
  'type',
  [
    PercentOffRuleSchema,
    AmountOffRuleSchema,
    BuyXGetYRuleSchema,
    MultiBuyRuleSchema,
    SpendThresholdRuleSchema,
  ],
  { error: 'The rule type must be percent_off, amount_off, buy_x_get_y, multi_buy or spend_threshold.' },
);
export type PromotionRule = z.infer<typeof PromotionRuleSchema>;
export type PromotionRuleType = PromotionRule['type'];

export const PromotionScopeSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('chain') }),
    z.object({ type: z.literal('region'), regionId: idSchema }),
    z.object({ type: z.literal('store'), storeId: idSchema }),
  ],
  {
    error: 'The scope must be { type: "chain" }, { type: "region", regionId } or { type: "store", storeId }.',
  },
);
export type PromotionScope = z.infer<typeof PromotionScopeSchema>;

export const STACKING_MODES = ['exclusive', 'stackable'] as const;
export type StackingMode = (typeof STACKING_MODES)[number];

export const PromotionSchema = z
  .object({
    promotionId: idSchema,
    version: z
      .number({ error: 'A version must be a number.' })
      .int({ error: 'A version must be a whole number.' })
      .min(1, { error: 'Versions start at 1.' })
      .safe({ error: 'The version is too large.' }),
    name: z
      .string({ error: 'A name must be text.' })
      .min(1, { error: 'A promotion needs a name.' })
      .max(120, { error: 'A promotion name is at most 120 characters.' }),
    /** Higher is evaluated first. */
    priority: z
      .number({ error: 'A priority must be a number.' })
      .int({ error: 'A priority must be a whole number.' })
      .safe({ error: 'The priority is out of range.' }),
    stacking: z.enum(STACKING_MODES, { error: 'Stacking must be "exclusive" or "stackable".' }),
    /** Active from `startsAt` (inclusive) to `endsAt` (exclusive), epoch milliseconds. */
    startsAt: epochMs.optional(),
    endsAt: epochMs.optional(),
    scope: PromotionScopeSchema,
    currency: currencyCodeSchema('The currency is not a supported ISO 4217 code.'),
    /** Per-transaction cap on applications; what one application is depends on the rule (docs/domain.md). */
    maxApplications: unitCount.optional(),
    rule: PromotionRuleSchema,
  })
  .refine((p) => p.startsAt === undefined || p.endsAt === undefined || p.startsAt < p.endsAt, {
    error: 'The promotion must end after it starts.',
    path: ['endsAt'],
  });
export type Promotion = z.infer<typeof PromotionSchema>;

function describeIssuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'promotion' : path.map(String).join('.');
}

/**
 * Validates untrusted promotion data (admin API body, CSV row, feed record) and says what is wrong in
 * sentences an HQ operator can fix, with the field paths in `details`.
 */
export function parsePromotion(input: unknown): Result<Promotion> {
  const parsed = PromotionSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map((issue) => ({
    path: describeIssuePath(issue.path),
    message: issue.message,
  }));
  const summary = problems.map((problem) => `${problem.path}: ${problem.message}`).join(' ');
  return fail('INVALID_INPUT', 'promotions.promotionNotValid', { summary }, { problems });
}

/** Promotions `checkedPromotion` returned: parsed, then frozen all the way down, so none can have changed. */
const checkedPromotions = new WeakSet<object>();

/**
 * `parsePromotion` for a promotion that prices many carts (the hub audits every pushed sale with the same
 * published versions): the valid promotion comes back frozen, and `applyPromotions` given it again does
 * not re-validate it. Given a promotion it returned, answers it as it is.
 */
export function checkedPromotion(input: unknown): Result<Promotion> {
  if (isCheckedPromotion(input)) return ok(input);
  const result = parsePromotion(input);
  if (result.ok) {
    deepFreeze(result.value);
    checkedPromotions.add(result.value);
  }
  return result;
}

export function isCheckedPromotion(value: unknown): value is Promotion {
  return typeof value === 'object' && value !== null && checkedPromotions.has(value);
}
