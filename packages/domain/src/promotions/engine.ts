import { DomainError, assertNever, invalid } from '../errors';
import {
  compare,
  isSupportedCurrency,
  subtract,
  sum,
  toDecimal,
  type CurrencyCode,
  type Money,
  type Unit,
} from '../money';
import { formatInstant } from '../time';
import { describeRule } from './describe';
import {
  PromotionSchema,
  isCheckedPromotion,
  type Promotion,
  type PromotionRule,
  type PromotionTarget,
} from './promotion';
import {
  NO_ELIGIBLE_ITEM,
  buyXGetYShortOf,
  evaluateRule,
  multiBuyShortOf,
  type CandidateLine,
  type RuleContext,
  type RuleEvaluation,
} from './rules';

/**
 * The promotion engine: a pure calculator that returns actions (per-line adjustments with the promotion id
 * and a reason) and never mutates the cart. The till and the hub's pricing audit run exactly this function,
 * so for the same lines, promotions and context they must get exactly the same answer; every ordering
 * below is therefore total and independent of the order of the inputs. The rules are in docs/domain.md
 * (## Promotions).
 */

export interface PromotionLine {
  readonly lineId: string;
  readonly sku: string;
  /** The SKU's category and its ancestors, so a promotion can target a parent category. */
  readonly categoryIds: readonly string[];
  readonly unit: Unit;
  /** Pieces for `each`, grams for `kg`. */
  readonly qty: number;
  readonly unitPrice: Money;
  /** The extended price the engine discounts (after price-book pricing, before promotions). */
  readonly amount: Money;
}

export interface PromotionContext {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly storeId: string;
  readonly regionId?: string | undefined;
  readonly currency: CurrencyCode;
}

export type AdjustmentLevel = 'line' | 'order';

export interface PromotionAdjustment {
  readonly lineId: string;
  readonly promotionId: string;
  readonly level: AdjustmentLevel;
  /** Positive: the discount on this line. */
  readonly amount: Money;
  readonly reason: string;
}

export interface AppliedPromotion {
  readonly promotionId: string;
  readonly version: number;
  readonly name: string;
  readonly level: AdjustmentLevel;
  readonly applications: number;
  readonly total: Money;
}

export interface ConsideredPromotion {
  readonly promotionId: string;
  readonly version?: number;
  readonly applied: boolean;
  readonly why: string;
}

export interface PromotionOutcome {
  /** Sorted by lineId, then by evaluation order. */
  readonly adjustments: readonly PromotionAdjustment[];
  /** In evaluation order. */
  readonly applied: readonly AppliedPromotion[];
  /** Every promotion passed in, sorted by promotionId, then version (newest first), then reason. */
  readonly considered: readonly ConsideredPromotion[];
}

interface LineState {
  readonly index: number;
  readonly line: PromotionLine;
  remaining: Money;
  /** An applied promotion discounted this line or used it to qualify. */
  claimed: boolean;
  /** The exclusive promotion that owns this line; nothing after it may touch the line. */
  lockedBy: string | undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isMoneyShape(value: unknown): value is Money {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { amount?: unknown; currency?: unknown };
  return Number.isSafeInteger(candidate.amount) && typeof candidate.currency === 'string';
}

function validateContext(context: PromotionContext): void {
  if (typeof context !== 'object' || context === null) {
    throw invalid('promotions.promotionsNeedSaleContext');
  }
  if (!Number.isSafeInteger(context.at)) {
    throw invalid('promotions.saleTimeMustWhole', {}, { at: context.at });
  }
  if (!isNonEmptyString(context.storeId)) throw invalid('promotions.saleNeedsIdStore');
  if (context.regionId !== undefined && !isNonEmptyString(context.regionId)) {
    throw invalid('promotions.storeRegionIdMust');
  }
  if (typeof context.currency !== 'string' || !isSupportedCurrency(context.currency)) {
    throw invalid(
      'promotions.saleCurrencyNotSupported',
      { currency: JSON.stringify(context.currency) },
      {
        currency: context.currency,
      },
    );
  }
}

function validateMoney(value: unknown, what: string, lineId: string, currency: CurrencyCode): void {
  if (!isMoneyShape(value)) {
    throw invalid(
      'promotions.lineNoValidMust',
      { lineId, what },
      {
        lineId,
      },
    );
  }
  if (value.currency !== currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      'promotions.linePricedSale',
      { lineId, currency: value.currency, currency2: currency },
      { lineId, lineCurrency: value.currency, saleCurrency: currency },
    );
  }
  if (value.amount < 0) {
    throw invalid(
      'promotions.lineNegativePromotionsOnly',
      { lineId, what },
      {
        lineId,
      },
    );
  }
}

function validateLines(lines: readonly PromotionLine[], currency: CurrencyCode): void {
  if (!Array.isArray(lines)) throw invalid('promotions.basketLinesMustList');
  const seen = new Set<string>();
  for (const line of lines as readonly unknown[]) {
    if (typeof line !== 'object' || line === null) throw invalid('promotions.everyBasketLineMust');
    const candidate = line as Partial<Record<keyof PromotionLine, unknown>>;
    const lineId = candidate.lineId;
    if (!isNonEmptyString(lineId)) throw invalid('promotions.everyBasketLineNeeds');
    if (seen.has(lineId)) {
      throw invalid('promotions.lineAppearsTwiceEvery', { lineId }, { lineId });
    }
    seen.add(lineId);
    if (!isNonEmptyString(candidate.sku)) throw invalid('promotions.lineNoSku', { lineId }, { lineId });
    if (
      !Array.isArray(candidate.categoryIds) ||
      !candidate.categoryIds.every((id) => typeof id === 'string')
    ) {
      throw invalid('promotions.lineNeedsCategoryIdsList', { lineId }, { lineId });
    }
    if (candidate.unit !== 'each' && candidate.unit !== 'kg') {
      throw invalid('promotions.lineMustSoldEach', { lineId }, { lineId, unit: candidate.unit });
    }
    if (!Number.isSafeInteger(candidate.qty) || (candidate.qty as number) < 1) {
      throw invalid(
        'promotions.lineQuantityQuantityWhole',
        { lineId, qty: String(candidate.qty) },
        { lineId, qty: candidate.qty },
      );
    }
    validateMoney(candidate.unitPrice, 'unit price', lineId, currency);
    validateMoney(candidate.amount, 'amount', lineId, currency);
  }
}

interface Triage {
  readonly eligible: Promotion[];
  readonly considered: ConsideredPromotion[];
}

function rawIdentity(raw: unknown): { promotionId: string; version?: number } {
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const promotionId = isNonEmptyString(record.promotionId) ? record.promotionId : '(no id)';
  return Number.isSafeInteger(record.version)
    ? { promotionId, version: record.version as number }
    : { promotionId };
}

function ineligibility(promotion: Promotion, context: PromotionContext): string | undefined {
  if (promotion.currency !== context.currency) {
    return `Priced in ${promotion.currency}; this sale is in ${context.currency}.`;
  }
  if (promotion.startsAt !== undefined && context.at < promotion.startsAt) {
    return `Not started yet: starts ${formatInstant(promotion.startsAt)}.`;
  }
  if (promotion.endsAt !== undefined && context.at >= promotion.endsAt) {
    return `Ended ${formatInstant(promotion.endsAt)}.`;
  }
  const scope = promotion.scope;
  if (scope.type === 'region' && scope.regionId !== context.regionId) {
    return context.regionId === undefined
      ? `Only for region ${scope.regionId}; this store has no region.`
      : `Only for region ${scope.regionId}; this store is in region ${context.regionId}.`;
  }
  if (scope.type === 'store' && scope.storeId !== context.storeId) {
    return `Only for store ${scope.storeId}.`;
  }
  return undefined;
}

/**
 * Re-validates every promotion (a corrupt replica row must not stop a till from selling: it is skipped
 * with a reason), keeps the newest version of each promotion id, and drops those not active, not in scope
 * or in another currency.
 */
/**
 * What validating a promotion object gave, with the JSON text it had then. A till prices the cart on every
 * scan with the same fifty promotion objects, and validating them each time was half of a scan's pricing.
 */
const validatedPromotions = new WeakMap<object, { readonly json: string; readonly promotion: Promotion }>();

/**
 * Validates `raw` as a promotion, once per object and content: an object seen before with the same JSON
 * text gets the promotion validated then. Content is compared, not trusted, so a caller that changes an
 * object between calls gets it validated again.
 */
function parsePromotion(raw: unknown): ReturnType<typeof PromotionSchema.safeParse> {
  if (typeof raw !== 'object' || raw === null) return PromotionSchema.safeParse(raw);
  let json: string | undefined;
  try {
    json = JSON.stringify(raw);
  } catch {
    return PromotionSchema.safeParse(raw);
  }
  const seen = validatedPromotions.get(raw);
  if (seen !== undefined && seen.json === json) return { success: true, data: seen.promotion };
  const parsed = PromotionSchema.safeParse(raw);
  if (parsed.success) validatedPromotions.set(raw, { json, promotion: parsed.data });
  return parsed;
}

function triage(promotions: readonly Promotion[], context: PromotionContext): Triage {
  if (!Array.isArray(promotions)) throw invalid('promotions.promotionsMustList');
  const considered: ConsideredPromotion[] = [];
  const byId = new Map<string, Promotion[]>();
  for (const raw of promotions as readonly unknown[]) {
    // A promotion checkedPromotion validated and froze cannot have changed since: no second parse.
    const parsed = isCheckedPromotion(raw) ? ({ success: true, data: raw } as const) : parsePromotion(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where =
        first === undefined || first.path.length === 0 ? '' : `${first.path.map(String).join('.')}: `;
      considered.push({
        ...rawIdentity(raw),
        applied: false,
        why: `Skipped: the promotion data is not valid (${where}${first?.message ?? 'unknown problem'}).`,
      });
      continue;
    }
    const versions = byId.get(parsed.data.promotionId) ?? [];
    versions.push(parsed.data);
    byId.set(parsed.data.promotionId, versions);
  }
  const eligible: Promotion[] = [];
  for (const [promotionId, versions] of byId) {
    const newest = Math.max(...versions.map((promotion) => promotion.version));
    for (const older of versions.filter((promotion) => promotion.version < newest)) {
      considered.push({
        promotionId,
        version: older.version,
        applied: false,
        why: `Superseded by version ${newest}.`,
      });
    }
    const newestCopies = versions.filter((promotion) => promotion.version === newest);
    // Copies of one version are compared by content; a single copy (the usual case) needs no comparison.
    const distinct =
      newestCopies.length === 1 ? newestCopies : [...new Set(newestCopies.map((p) => JSON.stringify(p)))];
    const chosen = newestCopies[0];
    if (distinct.length > 1 || chosen === undefined) {
      for (const _copy of distinct) {
        considered.push({
          promotionId,
          version: newest,
          applied: false,
          why: `Skipped: version ${newest} arrived twice with different content; HQ must publish a new version.`,
        });
      }
      continue;
    }
    const why = ineligibility(chosen, context);
    if (why === undefined) eligible.push(chosen);
    else considered.push({ promotionId, version: chosen.version, applied: false, why });
  }
  return { eligible, considered };
}

/**
 * The last triage of promotions that are all checked (validated and frozen, so their content cannot change),
 * with the stretch of time it holds for: between two consecutive start or end times of those promotions,
 * every "started / ended" answer is the same. A till prices each scan against the same promotions, and
 * triaging and ordering them again was a fifth of the engine's time and most of its garbage.
 */
interface TriageMemo {
  readonly promotions: readonly Promotion[];
  readonly storeId: string;
  readonly regionId: string | undefined;
  readonly currency: CurrencyCode;
  /** `at` in [from, until): no promotion starts or ends strictly inside. */
  readonly from: number;
  readonly until: number;
  readonly ordered: readonly Promotion[];
  readonly considered: readonly ConsideredPromotion[];
}

let lastTriage: TriageMemo | undefined;

function sameTriage(memo: TriageMemo, promotions: readonly Promotion[], context: PromotionContext): boolean {
  if (
    memo.storeId !== context.storeId ||
    memo.regionId !== context.regionId ||
    memo.currency !== context.currency ||
    context.at < memo.from ||
    context.at >= memo.until ||
    memo.promotions.length !== promotions.length
  ) {
    return false;
  }
  return memo.promotions.every((promotion, index) => promotions[index] === promotion);
}

/** The stretch of time around `at` with no start or end time of `promotions` strictly inside it. */
function stretchAround(promotions: readonly Promotion[], at: number): { from: number; until: number } {
  let from = Number.NEGATIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  for (const promotion of promotions) {
    for (const boundary of [promotion.startsAt, promotion.endsAt]) {
      if (boundary === undefined) continue;
      if (boundary <= at) from = Math.max(from, boundary);
      else until = Math.min(until, boundary);
    }
  }
  return { from, until };
}

function triageAfresh(
  promotions: readonly Promotion[],
  context: PromotionContext,
): { ordered: readonly Promotion[]; considered: ConsideredPromotion[] } {
  const { eligible, considered } = triage(promotions, context);
  return { ordered: [...eligible].sort(compareEvaluationOrder), considered };
}

/** The eligible promotions in evaluation order and the ones triage set aside, for this context. */
function triageInOrder(
  promotions: readonly Promotion[],
  context: PromotionContext,
): { ordered: readonly Promotion[]; considered: ConsideredPromotion[] } {
  if (lastTriage !== undefined && sameTriage(lastTriage, promotions, context)) {
    return { ordered: lastTriage.ordered, considered: [...lastTriage.considered] };
  }
  const { ordered, considered } = triageAfresh(promotions, context);
  if (Array.isArray(promotions) && promotions.every((promotion) => isCheckedPromotion(promotion))) {
    lastTriage = {
      promotions: [...promotions],
      storeId: context.storeId,
      regionId: context.regionId,
      currency: context.currency,
      ...stretchAround(promotions, context.at),
      ordered: Object.freeze(ordered),
      considered: Object.freeze(considered.map((entry) => Object.freeze({ ...entry }))),
    };
  }
  return { ordered, considered };
}

function levelOf(promotion: Promotion): AdjustmentLevel {
  return promotion.rule.type === 'spend_threshold' ? 'order' : 'line';
}

/**
 * Line-level before order-level; then priority, highest first; at equal priority buy-X-get-Y first (it is
 * usually the most valuable and needs whole units that a percentage would otherwise have eaten into);
 * finally promotionId, so the order is total.
 */
export function compareEvaluationOrder(a: Promotion, b: Promotion): number {
  const level = Number(levelOf(a) === 'order') - Number(levelOf(b) === 'order');
  if (level !== 0) return level;
  if (a.priority !== b.priority) return b.priority - a.priority;
  const buyGet = Number(b.rule.type === 'buy_x_get_y') - Number(a.rule.type === 'buy_x_get_y');
  if (buyGet !== 0) return buyGet;
  return compareText(a.promotionId, b.promotionId);
}

function toCandidates(states: readonly LineState[]): CandidateLine[] {
  return states.map((state) => ({ index: state.index, line: state.line, remaining: state.remaining }));
}

/**
 * The open lines and their candidates as of the last change to the line states: most promotions apply to
 * nothing, so the fifty evaluations of a cart share them until one applies (rules never change them).
 */
interface OpenLines {
  states: readonly LineState[] | undefined;
  open: readonly LineState[];
  candidates: readonly CandidateLine[];
}

function openLines(states: readonly LineState[], cache: OpenLines): OpenLines {
  if (cache.states !== states) {
    const open = states.filter((state) => state.lockedBy === undefined);
    cache.states = states;
    cache.open = open;
    cache.candidates = toCandidates(open);
  }
  return cache;
}

/** Rule contexts of promotions checkedPromotion froze: their rule cannot change, so neither can its title. */
const checkedRuleContexts = new WeakMap<Promotion, RuleContext>();

function ruleContextOf(promotion: Promotion): RuleContext {
  const frozen: boolean = isCheckedPromotion(promotion);
  let context = frozen ? checkedRuleContexts.get(promotion) : undefined;
  if (context === undefined) {
    context = {
      currency: promotion.currency,
      maxApplications: promotion.maxApplications,
      title: describeRule(promotion.rule, promotion.currency),
    };
    if (frozen) checkedRuleContexts.set(promotion, context);
  }
  return context;
}

/** The "targets nothing in the cart" sentence of each checked promotion, worked out once. */
const checkedUntargetedWhys = new WeakMap<Promotion, string>();

/**
 * What the cart holds, for telling at a glance which promotions target nothing in it: the SKUs and categories
 * of all its lines, and of its `each` lines (buy-X-get-Y and multi-buy never count weighed items).
 */
interface CartIndex {
  readonly any: Reach;
  readonly each: Reach;
}

interface Reach {
  readonly lines: number;
  readonly skus: ReadonlySet<string>;
  readonly categoryIds: ReadonlySet<string>;
}

function reachOf(lines: readonly PromotionLine[]): Reach {
  const skus = new Set<string>();
  const categoryIds = new Set<string>();
  for (const line of lines) {
    skus.add(line.sku);
    for (const categoryId of line.categoryIds) categoryIds.add(categoryId);
  }
  return { lines: lines.length, skus, categoryIds };
}

function indexCart(lines: readonly PromotionLine[]): CartIndex {
  const each = lines.filter((line) => line.unit === 'each');
  const any = reachOf(lines);
  return { any, each: each.length === lines.length ? any : reachOf(each) };
}

/** Whether some line `reach` describes matches `target` (exactly `lines.some(l => matchesTarget(l, target))`). */
function reaches(reach: Reach, target: PromotionTarget | undefined): boolean {
  if (reach.lines === 0) return false;
  const skus = target?.skus;
  const categoryIds = target?.categoryIds;
  if ((skus === undefined || skus.length === 0) && (categoryIds === undefined || categoryIds.length === 0)) {
    return true;
  }
  // Indexed loops: this runs for every promotion on every scan, and allocates nothing (a for-of over an
  // array allocated an iterator result per element here, 8 % of a scan's allocation).
  if (skus !== undefined) {
    for (let index = 0; index < skus.length; index += 1) {
      if (reach.skus.has(skus[index] as string)) return true;
    }
  }
  if (categoryIds !== undefined) {
    for (let index = 0; index < categoryIds.length; index += 1) {
      if (reach.categoryIds.has(categoryIds[index] as string)) return true;
    }
  }
  return false;
}

/** Whether `rule` targets some line of the cart (for buy-X-get-Y and multi-buy, some `each` line). */
function targetsCart(rule: PromotionRule, cart: CartIndex): boolean {
  switch (rule.type) {
    case 'percent_off':
    case 'amount_off':
    case 'spend_threshold':
      return reaches(cart.any, rule.target);
    case 'multi_buy':
      return reaches(cart.each, rule.target);
    case 'buy_x_get_y':
      return reaches(cart.each, rule.buy.target) || reaches(cart.each, rule.get.target);
    default:
      return assertNever(rule, 'promotion rule');
  }
}

/**
 * What the rule of a promotion that targets no line of the cart answers on any subset of those lines (the
 * open ones, the untouched ones, all of them): what `evaluate` would return.
 */
function untargetedWhyOf(rule: PromotionRule): string {
  switch (rule.type) {
    case 'percent_off':
    case 'amount_off':
    case 'spend_threshold':
      return NO_ELIGIBLE_ITEM;
    case 'multi_buy':
      // Validated promotions group at least 2 units, so an empty selection is always short of a group.
      return multiBuyShortOf(rule.qty, 0);
    case 'buy_x_get_y':
      return buyXGetYShortOf(rule.buy.qty, rule.get.qty, 0, 0);
    default:
      return assertNever(rule, 'promotion rule');
  }
}

function untargetedWhy(promotion: Promotion): string {
  const frozen: boolean = isCheckedPromotion(promotion);
  let why = frozen ? checkedUntargetedWhys.get(promotion) : undefined;
  if (why === undefined) {
    why = untargetedWhyOf(promotion.rule);
    if (frozen) checkedUntargetedWhys.set(promotion, why);
  }
  return why;
}

function evaluate(
  promotion: Promotion,
  states: readonly LineState[],
  appliedSoFar: readonly AppliedPromotion[],
  cache: OpenLines,
  cart: CartIndex | undefined,
): RuleEvaluation {
  if (promotion.stacking === 'exclusive' && levelOf(promotion) === 'order' && appliedSoFar.length > 0) {
    const others = appliedSoFar.map((applied) => applied.promotionId).join(', ');
    return { applied: false, why: `Exclusive: not combined with ${others}, already applied to this sale.` };
  }
  // Most promotions target nothing in a cart: their answer is known without evaluating the rule.
  if (cart !== undefined && !targetsCart(promotion.rule, cart)) {
    return { applied: false, why: untargetedWhy(promotion) };
  }
  const context = ruleContextOf(promotion);
  const { open, candidates } = openLines(states, cache);
  if (promotion.stacking === 'exclusive') {
    const untouched = open.filter((state) => !state.claimed);
    const evaluation = evaluateRule(promotion.rule, toCandidates(untouched), context);
    if (evaluation.applied || untouched.length === states.length) return evaluation;
    return evaluateRule(promotion.rule, toCandidates(states), context).applied
      ? { applied: false, why: 'Exclusive: the items it needs already have another promotion.' }
      : evaluation;
  }
  const evaluation = evaluateRule(promotion.rule, candidates, context);
  if (evaluation.applied || open.length === states.length) return evaluation;
  if (!evaluateRule(promotion.rule, toCandidates(states), context).applied) return evaluation;
  const owners = [
    ...new Set(states.flatMap((state) => (state.lockedBy === undefined ? [] : [state.lockedBy]))),
  ];
  return {
    applied: false,
    why: `The items it needs are already in exclusive promotion ${owners.sort(compareText).join(', ')}.`,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Applies every active, in-scope promotion to the basket and returns the adjustments, what applied and
 * why each promotion did or did not apply. Throws DomainError (INVALID_INPUT, CURRENCY_MISMATCH) only for a
 * malformed basket or context; a promotion that cannot apply never throws.
 */
export function applyPromotions(
  lines: readonly PromotionLine[],
  promotions: readonly Promotion[],
  context: PromotionContext,
): PromotionOutcome {
  return promotionOutcome(lines, promotions, context, true);
}

/**
 * applyPromotions evaluating every promotion's rule, even one that targets nothing in the cart: the reference
 * the property test holds the skipping engine to. Not for pricing.
 */
export function applyPromotionsEvaluatingEveryRule(
  lines: readonly PromotionLine[],
  promotions: readonly Promotion[],
  context: PromotionContext,
): PromotionOutcome {
  return promotionOutcome(lines, promotions, context, false);
}

function promotionOutcome(
  lines: readonly PromotionLine[],
  promotions: readonly Promotion[],
  context: PromotionContext,
  skipUntargeted: boolean,
): PromotionOutcome {
  validateContext(context);
  validateLines(lines, context.currency);
  const states: LineState[] = [...lines]
    .sort((a, b) => compareText(a.lineId, b.lineId))
    .map((line, index) => ({ index, line, remaining: line.amount, claimed: false, lockedBy: undefined }));
  // The reference engine triages afresh every time; the till's reuses the last triage when it still holds.
  const { ordered, considered } = skipUntargeted
    ? triageInOrder(promotions, context)
    : triageAfresh(promotions, context);

  const ranked: { rank: number; adjustment: PromotionAdjustment }[] = [];
  const applied: AppliedPromotion[] = [];
  const cache: OpenLines = { states: undefined, open: [], candidates: [] };
  // Promotions never change which lines are in the cart, only what remains of them: one index serves all.
  const cart = skipUntargeted ? indexCart(lines) : undefined;
  ordered.forEach((promotion, rank) => {
    const evaluation = evaluate(promotion, states, applied, cache, cart);
    if (!evaluation.applied) {
      considered.push({
        promotionId: promotion.promotionId,
        version: promotion.version,
        applied: false,
        why: evaluation.why,
      });
      return;
    }
    // The line states change below: the next evaluation builds its open lines afresh.
    cache.states = undefined;
    const level = levelOf(promotion);
    const exclusive = promotion.stacking === 'exclusive';
    for (const discount of evaluation.discounts) {
      const state = states[discount.index];
      if (
        state === undefined ||
        compare(discount.amount, state.remaining) > 0 ||
        discount.amount.amount < 0
      ) {
        // Unreachable by construction; refusing beats handing the till a line priced below zero.
        throw new DomainError(
          'INTERNAL',
          'promotions.promotionOverDiscountedLine',
          { promotionId: promotion.promotionId },
          {
            promotionId: promotion.promotionId,
          },
        );
      }
      state.remaining = subtract(state.remaining, discount.amount);
      state.claimed = true;
      if (exclusive) state.lockedBy = promotion.promotionId;
      ranked.push({
        rank,
        adjustment: {
          lineId: state.line.lineId,
          promotionId: promotion.promotionId,
          level,
          amount: discount.amount,
          reason: discount.reason,
        },
      });
    }
    for (const index of evaluation.qualifying) {
      const state = states[index];
      if (state === undefined) continue;
      state.claimed = true;
      if (exclusive) state.lockedBy = promotion.promotionId;
    }
    const total = sum(
      evaluation.discounts.map((discount) => discount.amount),
      context.currency,
    );
    applied.push({
      promotionId: promotion.promotionId,
      version: promotion.version,
      name: promotion.name,
      level,
      applications: evaluation.applications,
      total,
    });
    const capped =
      promotion.maxApplications !== undefined && evaluation.applications >= promotion.maxApplications;
    considered.push({
      promotionId: promotion.promotionId,
      version: promotion.version,
      applied: true,
      why: `Applied ${plural(evaluation.applications, 'time')}${capped ? ' (the per-sale limit)' : ''}: ${toDecimal(total)} off.`,
    });
  });

  const adjustments = ranked
    .sort((a, b) => compareText(a.adjustment.lineId, b.adjustment.lineId) || a.rank - b.rank)
    .map((entry) => entry.adjustment);
  considered.sort(
    (a, b) =>
      compareText(a.promotionId, b.promotionId) ||
      (b.version ?? 0) - (a.version ?? 0) ||
      compareText(a.why, b.why) ||
      Number(b.applied) - Number(a.applied),
  );
  return { adjustments, applied, considered };
}

/** Σ of every adjustment: the sale's promotional discount. */
export function totalDiscount(outcome: PromotionOutcome, currency: CurrencyCode): Money {
  return sum(
    outcome.adjustments.map((adjustment) => adjustment.amount),
    currency,
  );
}
