import { DomainError, assertNever } from '../errors';
import {
  allocate,
  compare,
  divideRounded,
  isZero,
  min,
  money,
  multiply,
  percentage,
  subtract,
  sum,
  toDecimal,
  zero,
  type CurrencyCode,
  type Money,
  type Unit,
} from '../money';
import type { PromotionRule, PromotionTarget } from './promotion';

/**
 * One evaluator per rule type. Each sees only the lines the engine lets it touch (stacking and exclusivity
 * are the engine's business) with what remains of each line after earlier promotions, and returns per-line
 * discounts that never exceed that remainder.
 */

export interface RuleLine {
  readonly lineId: string;
  readonly sku: string;
  readonly categoryIds: readonly string[];
  readonly unit: Unit;
  readonly qty: number;
}

export interface CandidateLine {
  /** Position in lineId order: the deterministic tie-breaker everywhere. */
  readonly index: number;
  readonly line: RuleLine;
  readonly remaining: Money;
}

export interface LineDiscount {
  readonly index: number;
  readonly amount: Money;
  readonly reason: string;
}

export type RuleEvaluation =
  | {
      readonly applied: true;
      readonly applications: number;
      readonly discounts: readonly LineDiscount[];
      /** Lines used to qualify without being discounted (the "buy" units of a buy-X-get-Y). */
      readonly qualifying: readonly number[];
    }
  | { readonly applied: false; readonly why: string };

export interface RuleContext {
  readonly currency: CurrencyCode;
  readonly maxApplications: number | undefined;
  /** describeRule(rule): the start of every reason sentence. */
  readonly title: string;
}

/** A run of identical units of one line: a line's remainder split evenly over its pieces. */
interface UnitGroup {
  readonly index: number;
  readonly value: Money;
  readonly count: number;
}

function notApplied(why: string): RuleEvaluation {
  return { applied: false, why };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Why a per-unit or spend-threshold rule did not apply: nothing it targets is in the lines it may touch. */
export const NO_ELIGIBLE_ITEM = 'No item in the basket is eligible.';

/** Why a buy-X-get-Y did not apply: not one application fits in the units the basket has. */
export function buyXGetYShortOf(buyQty: number, getQty: number, toBuy: number, toGet: number): string {
  return (
    `Needs ${plural(buyQty, 'eligible unit')} to buy and ${getQty} more to get; the basket has ` +
    `${toBuy} to buy and ${toGet} to get (weighed items never count).`
  );
}

/** Why a multi-buy did not apply: fewer eligible units than one group. */
export function multiBuyShortOf(groupSize: number, available: number): string {
  return `Needs ${plural(groupSize, 'eligible unit')}; the basket has ${available} (weighed items never count).`;
}

const NO_IDS: readonly string[] = Object.freeze([]);

export function matchesTarget(line: RuleLine, target: PromotionTarget | undefined): boolean {
  const skus = target?.skus ?? NO_IDS;
  const categoryIds = target?.categoryIds ?? NO_IDS;
  if (skus.length === 0 && categoryIds.length === 0) return true;
  if (skus.includes(line.sku)) return true;
  // An indexed loop, not `some` with a closure: this runs for every line a rule looks at. A hole is skipped
  // as `some` skips it (a line's category ids are strings, checked by the engine).
  const lineCategoryIds = line.categoryIds;
  for (let index = 0; index < lineCategoryIds.length; index += 1) {
    const categoryId = lineCategoryIds[index];
    if (categoryId !== undefined && categoryIds.includes(categoryId)) return true;
  }
  return false;
}

/**
 * Splits what remains of an `each` line over its pieces the way money.allocate would with equal weights:
 * the first `remainder` pieces carry one minor unit more. Kept as at most two runs so a line of thousands of
 * pieces costs nothing. Pieces worth nothing (already fully discounted) are left out: they cannot qualify.
 */
function eachUnitGroups(candidate: CandidateLine): UnitGroup[] {
  const { remaining, line, index } = candidate;
  const base = money(
    Number(divideRounded(BigInt(remaining.amount), BigInt(line.qty), 'FLOOR')),
    remaining.currency,
  );
  const extraPieces = subtract(remaining, multiply(base, line.qty)).amount;
  const groups: UnitGroup[] = [];
  if (extraPieces > 0) {
    groups.push({ index, value: money(base.amount + 1, remaining.currency), count: extraPieces });
  }
  if (base.amount > 0 && line.qty > extraPieces) {
    groups.push({ index, value: base, count: line.qty - extraPieces });
  }
  return groups;
}

/** A weighed line is a single indivisible "unit" worth its whole remainder. */
function lineAsOneUnit(candidate: CandidateLine): UnitGroup[] {
  return isZero(candidate.remaining)
    ? []
    : [{ index: candidate.index, value: candidate.remaining, count: 1 }];
}

function byValueAscending(a: UnitGroup, b: UnitGroup): number {
  return compare(a.value, b.value) || a.index - b.index;
}

function byValueDescending(a: UnitGroup, b: UnitGroup): number {
  return compare(b.value, a.value) || a.index - b.index;
}

function countUnits(groups: readonly UnitGroup[]): number {
  return groups.reduce((total, group) => total + group.count, 0);
}

interface LineTally {
  value: Money;
  units: number;
}

function tally(map: Map<number, LineTally>, index: number, value: Money, units: number): void {
  const current = map.get(index);
  if (current === undefined) map.set(index, { value, units });
  else map.set(index, { value: sum([current.value, value], value.currency), units: current.units + units });
}

function sortedByIndex<T>(map: Map<number, T>): [number, T][] {
  return [...map.entries()].sort(([a], [b]) => a - b);
}

/**
 * `participants` are every line the promotion used (bought, grouped or counted towards a threshold); those
 * left without a discount are reported as qualifying so stacking treats them as touched.
 */
function finish(
  discounts: LineDiscount[],
  applications: number,
  participants: Iterable<number> = [],
): RuleEvaluation {
  const positive = discounts.filter((discount) => discount.amount.amount > 0);
  if (positive.length === 0) return notApplied('The discount rounds to zero on these items.');
  const discounted = new Set(positive.map((discount) => discount.index));
  const qualifying = [...new Set(participants)]
    .filter((index) => !discounted.has(index))
    .sort((a, b) => a - b);
  return { applied: true, applications, discounts: positive, qualifying };
}

/**
 * percent_off and amount_off. One application is one piece of an `each` line or one whole `kg` line; with a
 * per-transaction cap the most valuable pieces are discounted first.
 */
function evaluatePerUnit(
  rule: Extract<PromotionRule, { type: 'percent_off' | 'amount_off' }>,
  candidates: readonly CandidateLine[],
  context: RuleContext,
): RuleEvaluation {
  const eligible = candidates.filter((candidate) => matchesTarget(candidate.line, rule.target));
  if (eligible.length === 0) return notApplied(NO_ELIGIBLE_ITEM);
  const groups = eligible.flatMap((candidate) =>
    candidate.line.unit === 'each' ? eachUnitGroups(candidate) : lineAsOneUnit(candidate),
  );
  if (groups.length === 0) return notApplied('The eligible items are already fully discounted.');
  const selected = new Map<number, LineTally>();
  const perUnitCaps = new Map<number, Money>();
  let budget = context.maxApplications ?? Number.POSITIVE_INFINITY;
  for (const group of [...groups].sort(byValueDescending)) {
    if (budget <= 0) break;
    const take = Math.min(group.count, budget);
    budget -= take;
    tally(selected, group.index, multiply(group.value, take), take);
    if (rule.type === 'amount_off') {
      const off = multiply(min(money(rule.amount, context.currency), group.value), take);
      perUnitCaps.set(
        group.index,
        sum([perUnitCaps.get(group.index) ?? zero(context.currency), off], context.currency),
      );
    }
  }
  const eligibleByIndex = new Map(eligible.map((candidate) => [candidate.index, candidate.line]));
  const discounts: LineDiscount[] = [];
  let applications = 0;
  for (const [index, { value, units }] of sortedByIndex(selected)) {
    const line = eligibleByIndex.get(index);
    const lineQty = line?.unit === 'each' ? line.qty : 1;
    let amount: Money;
    let reason: string;
    switch (rule.type) {
      case 'percent_off':
        amount = percentage(value, rule.percent);
        reason = units < lineQty ? `${context.title} (${units} of ${lineQty} units)` : context.title;
        break;
      case 'amount_off':
        amount = perUnitCaps.get(index) ?? zero(context.currency);
        reason = line?.unit === 'each' ? `${context.title} each (${plural(units, 'unit')})` : context.title;
        break;
      default:
        return assertNever(rule, 'per-unit rule');
    }
    if (amount.amount > 0) applications += units;
    discounts.push({ index, amount, reason });
  }
  return finish(discounts, applications);
}

/**
 * buy_x_get_y over `each` units. Every application needs `buy.qty` units from the buy target and `get.qty`
 * other units from the get target; a unit serves once. The number of applications is the largest feasible
 * (up to maxApplications), and the discounted units are the cheapest get-target units that still leave
 * enough units to buy.
 */
function evaluateBuyXGetY(
  rule: Extract<PromotionRule, { type: 'buy_x_get_y' }>,
  candidates: readonly CandidateLine[],
  context: RuleContext,
): RuleEvaluation {
  const inBuy = new Set<number>();
  const inGet = new Set<number>();
  const groups: UnitGroup[] = [];
  for (const candidate of candidates) {
    if (candidate.line.unit !== 'each') continue;
    const buys = matchesTarget(candidate.line, rule.buy.target);
    const gets = matchesTarget(candidate.line, rule.get.target);
    if (!buys && !gets) continue;
    if (buys) inBuy.add(candidate.index);
    if (gets) inGet.add(candidate.index);
    groups.push(...eachUnitGroups(candidate));
  }
  let buyOnly = 0;
  let getOnly = 0;
  let both = 0;
  for (const group of groups) {
    const buys = inBuy.has(group.index);
    const gets = inGet.has(group.index);
    if (buys && gets) both += group.count;
    else if (buys) buyOnly += group.count;
    else getOnly += group.count;
  }
  const buyQty = rule.buy.qty;
  const getQty = rule.get.qty;
  const feasible = (applications: number): boolean =>
    Math.max(0, applications * buyQty - buyOnly) + Math.max(0, applications * getQty - getOnly) <= both;
  let low = 0;
  let high = Math.min(
    Math.floor((buyOnly + getOnly + both) / (buyQty + getQty)),
    context.maxApplications ?? Number.POSITIVE_INFINITY,
  );
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (feasible(middle)) low = middle;
    else high = middle - 1;
  }
  const applications = low;
  if (applications === 0) {
    return notApplied(buyXGetYShortOf(buyQty, getQty, buyOnly + both, getOnly + both));
  }

  // Units in both targets may be given away only as long as enough remain to make up the "buy" side.
  let sharedGetBudget = both - Math.max(0, applications * buyQty - buyOnly);
  let getNeeded = applications * getQty;
  const takenAsGet = new Map<UnitGroup, number>();
  const getValues = new Map<number, LineTally>();
  for (const group of groups.filter((g) => inGet.has(g.index)).sort(byValueAscending)) {
    if (getNeeded === 0) break;
    const shared = inBuy.has(group.index);
    const take = Math.min(group.count, getNeeded, shared ? sharedGetBudget : Number.POSITIVE_INFINITY);
    if (take === 0) continue;
    if (shared) sharedGetBudget -= take;
    getNeeded -= take;
    takenAsGet.set(group, take);
    tally(getValues, group.index, multiply(group.value, take), take);
  }

  let buyNeeded = applications * buyQty;
  const buyLines = new Set<number>();
  for (const group of groups.filter((g) => inBuy.has(g.index)).sort(byValueDescending)) {
    if (buyNeeded === 0) break;
    const take = Math.min(group.count - (takenAsGet.get(group) ?? 0), buyNeeded);
    if (take === 0) continue;
    buyNeeded -= take;
    buyLines.add(group.index);
  }
  if (buyNeeded > 0 || getNeeded > 0) {
    // Unreachable when `feasible` is right; refusing beats giving units away without the purchase.
    throw new DomainError('INTERNAL', 'promotions.buyXGetY');
  }

  const free = rule.get.percentOff === 100;
  const discounts = sortedByIndex(getValues).map(([index, { value, units }]) => ({
    index,
    amount: percentage(value, rule.get.percentOff),
    reason: `${context.title}: ${units} ${free ? 'free' : `at ${rule.get.percentOff}% off`}`,
  }));
  return finish(discounts, applications, buyLines);
}

/**
 * multi_buy ("3 for 10.00") over `each` units. Units are grouped most valuable first, which gives the
 * customer the largest saving; a group that already costs no more than the deal price gets nothing, and since
 * groups only get cheaper from there on, grouping stops. Each group's saving is split over its lines by
 * largest remainder in proportion to their value in the group.
 */
function evaluateMultiBuy(
  rule: Extract<PromotionRule, { type: 'multi_buy' }>,
  candidates: readonly CandidateLine[],
  context: RuleContext,
): RuleEvaluation {
  const groups = candidates
    .filter((candidate) => candidate.line.unit === 'each' && matchesTarget(candidate.line, rule.target))
    .flatMap(eachUnitGroups)
    .sort(byValueDescending);
  const available = countUnits(groups);
  const groupSize = rule.qty;
  const price = money(rule.price, context.currency);
  if (available < groupSize) {
    return notApplied(multiBuyShortOf(groupSize, available));
  }
  const limit = context.maxApplications ?? Number.POSITIVE_INFINITY;
  const savings = new Map<number, LineTally>();
  let applications = 0;
  let cursor = 0;
  let usedInCursor = 0;
  let firstGroupValue: Money | undefined;
  while (applications < limit) {
    const current = groups[cursor];
    if (current === undefined) break;
    const left = current.count - usedInCursor;
    if (left >= groupSize) {
      // Whole deal groups inside one run of identical units: all alike, so handled in one step.
      const groupValue = multiply(current.value, groupSize);
      firstGroupValue ??= groupValue;
      const saving = subtract(groupValue, price);
      if (saving.amount <= 0) break;
      const repeat = Math.min(Math.floor(left / groupSize), limit - applications);
      tally(savings, current.index, multiply(saving, repeat), repeat * groupSize);
      applications += repeat;
      usedInCursor += repeat * groupSize;
      if (usedInCursor === current.count) {
        cursor += 1;
        usedInCursor = 0;
      }
      continue;
    }
    const parts = new Map<number, LineTally>();
    let needed = groupSize;
    let nextCursor = cursor;
    let nextUsed = usedInCursor;
    while (needed > 0) {
      const run = groups[nextCursor];
      if (run === undefined) break;
      const take = Math.min(run.count - nextUsed, needed);
      tally(parts, run.index, multiply(run.value, take), take);
      needed -= take;
      nextUsed += take;
      if (nextUsed === run.count) {
        nextCursor += 1;
        nextUsed = 0;
      }
    }
    if (needed > 0) break;
    const members = [...parts.entries()];
    const groupValue = sum(
      members.map(([, part]) => part.value),
      context.currency,
    );
    firstGroupValue ??= groupValue;
    const saving = subtract(groupValue, price);
    if (saving.amount <= 0) break;
    const shares = allocate(
      saving,
      members.map(([, part]) => part.value.amount),
    );
    members.forEach(([index, part], position) => {
      tally(savings, index, shares[position] ?? zero(context.currency), part.units);
    });
    applications += 1;
    cursor = nextCursor;
    usedInCursor = nextUsed;
  }
  if (applications === 0) {
    const best = firstGroupValue ?? zero(context.currency);
    return notApplied(
      `The ${groupSize} most expensive eligible units already cost ${toDecimal(best)}, ` +
        `no more than the deal price ${toDecimal(price)}.`,
    );
  }
  const discounts = sortedByIndex(savings).map(([index, { value, units }]) => ({
    index,
    amount: value,
    reason: `${context.title} (${plural(units, 'unit')})`,
  }));
  return finish(discounts, applications, savings.keys());
}

/**
 * spend_threshold: order level. The eligible subtotal is what remains of the eligible lines after every
 * earlier promotion; the reward is spread over those lines by largest remainder in proportion to what
 * remains of each, so every order discount lands on lines and the lines still sum exactly.
 */
function evaluateSpendThreshold(
  rule: Extract<PromotionRule, { type: 'spend_threshold' }>,
  candidates: readonly CandidateLine[],
  context: RuleContext,
): RuleEvaluation {
  const eligible = candidates.filter((candidate) => matchesTarget(candidate.line, rule.target));
  if (eligible.length === 0) return notApplied(NO_ELIGIBLE_ITEM);
  const subtotal = sum(
    eligible.map((candidate) => candidate.remaining),
    context.currency,
  );
  const threshold = money(rule.threshold, context.currency);
  if (compare(subtotal, threshold) < 0) {
    return notApplied(
      `The eligible spend ${toDecimal(subtotal)} is below the ${toDecimal(threshold)} threshold ` +
        `(${toDecimal(subtract(threshold, subtotal))} to go).`,
    );
  }
  if (isZero(subtotal)) return notApplied('The eligible items are already fully discounted.');
  const discount =
    'percentOff' in rule.reward
      ? percentage(subtotal, rule.reward.percentOff)
      : min(money(rule.reward.amountOff, context.currency), subtotal);
  const sharing = eligible.filter((candidate) => !isZero(candidate.remaining));
  const shares = allocate(
    discount,
    sharing.map((candidate) => candidate.remaining.amount),
  );
  const discounts = sharing.map((candidate, position) => ({
    index: candidate.index,
    amount: shares[position] ?? zero(context.currency),
    reason: context.title,
  }));
  return finish(
    discounts,
    1,
    eligible.map((candidate) => candidate.index),
  );
}

export function evaluateRule(
  rule: PromotionRule,
  candidates: readonly CandidateLine[],
  context: RuleContext,
): RuleEvaluation {
  switch (rule.type) {
    case 'percent_off':
    case 'amount_off':
      return evaluatePerUnit(rule, candidates, context);
    case 'buy_x_get_y':
      return evaluateBuyXGetY(rule, candidates, context);
    case 'multi_buy':
      return evaluateMultiBuy(rule, candidates, context);
    case 'spend_threshold':
      return evaluateSpendThreshold(rule, candidates, context);
    default:
      return assertNever(rule, 'promotion rule');
  }
}
