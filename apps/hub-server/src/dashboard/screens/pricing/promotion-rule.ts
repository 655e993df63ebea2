import { DomainError, fromDecimal, money, toDecimal, type PromotionRule } from '@retail/domain';
import { t } from '../../i18n/translate';
import { idList } from './pricing-form';

export type RuleKind = PromotionRule['type'];
export const RULE_KINDS: readonly RuleKind[] = [
  'percent_off',
  'amount_off',
  'multi_buy',
  'buy_x_get_y',
  'spend_threshold',
];

/** What the operator typed for a rule, as text: amounts are decimals of the promotion's currency. */
export interface RuleDraft {
  kind: RuleKind;
  percent: string;
  amount: string;
  qty: string;
  price: string;
  skus: string;
  categories: string;
  getQty: string;
  getSkus: string;
  getCategories: string;
  threshold: string;
  rewardKind: 'percent' | 'amount';
}

const decimal = (minor: number, currency: string) => toDecimal(money(minor, currency));
const joined = (ids: readonly string[] | undefined) => (ids ?? []).join(', ');

export function draftOf(rule: PromotionRule | undefined, currency: string): RuleDraft {
  const draft: RuleDraft = {
    kind: rule?.type ?? 'percent_off',
    percent: '',
    amount: '',
    qty: '',
    price: '',
    skus: '',
    categories: '',
    getQty: '',
    getSkus: '',
    getCategories: '',
    threshold: '',
    rewardKind: 'percent',
  };
  if (rule === undefined) return draft;
  switch (rule.type) {
    case 'percent_off':
      return {
        ...draft,
        percent: String(rule.percent),
        skus: joined(rule.target.skus),
        categories: joined(rule.target.categoryIds),
      };
    case 'amount_off':
      return {
        ...draft,
        amount: decimal(rule.amount, currency),
        skus: joined(rule.target.skus),
        categories: joined(rule.target.categoryIds),
      };
    case 'multi_buy':
      return {
        ...draft,
        qty: String(rule.qty),
        price: decimal(rule.price, currency),
        skus: joined(rule.target.skus),
        categories: joined(rule.target.categoryIds),
      };
    case 'buy_x_get_y':
      return {
        ...draft,
        qty: String(rule.buy.qty),
        skus: joined(rule.buy.target.skus),
        categories: joined(rule.buy.target.categoryIds),
        getQty: String(rule.get.qty),
        getSkus: joined(rule.get.target.skus),
        getCategories: joined(rule.get.target.categoryIds),
        percent: String(rule.get.percentOff),
      };
    case 'spend_threshold':
      return {
        ...draft,
        threshold: decimal(rule.threshold, currency),
        skus: joined(rule.target?.skus),
        categories: joined(rule.target?.categoryIds),
        rewardKind: 'percentOff' in rule.reward ? 'percent' : 'amount',
        percent: 'percentOff' in rule.reward ? String(rule.reward.percentOff) : '',
        amount: 'amountOff' in rule.reward ? decimal(rule.reward.amountOff, currency) : '',
      };
  }
}

function refuse(field: string, text: string): never {
  throw new DomainError('INVALID_INPUT', t('pricing.rule.invalid', { field, text }), { field });
}

function wholeNumber(text: string, field: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 1) refuse(field, text);
  return value;
}

function percentage(text: string, field: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) refuse(field, text);
  return value;
}

function minorUnits(text: string, currency: string, field: string): number {
  if (text.trim() === '') refuse(field, text);
  try {
    return fromDecimal(text, currency).amount;
  } catch {
    return refuse(field, text);
  }
}

function target(skus: string, categories: string): { skus?: string[]; categoryIds?: string[] } {
  const skuIds = idList(skus);
  const categoryIds = idList(categories);
  return {
    ...(skuIds.length === 0 ? {} : { skus: skuIds }),
    ...(categoryIds.length === 0 ? {} : { categoryIds }),
  };
}

/**
 * The rule the draft describes, or a DomainError naming the field whose text is not a number/amount. Range
 * rules (a percentage up to 100, a multi-buy group of at least 2) are the hub's: its preview says so.
 */
export function ruleOf(draft: RuleDraft, currency: string): PromotionRule {
  switch (draft.kind) {
    case 'percent_off':
      return {
        type: 'percent_off',
        target: target(draft.skus, draft.categories),
        percent: percentage(draft.percent, t('pricing.editor.percent')),
      };
    case 'amount_off':
      return {
        type: 'amount_off',
        target: target(draft.skus, draft.categories),
        amount: minorUnits(draft.amount, currency, t('pricing.editor.amount')),
      };
    case 'multi_buy':
      return {
        type: 'multi_buy',
        target: target(draft.skus, draft.categories),
        qty: wholeNumber(draft.qty, t('pricing.editor.groupQty')),
        price: minorUnits(draft.price, currency, t('pricing.editor.groupPrice')),
      };
    case 'buy_x_get_y':
      return {
        type: 'buy_x_get_y',
        buy: {
          target: target(draft.skus, draft.categories),
          qty: wholeNumber(draft.qty, t('pricing.editor.buyQty')),
        },
        get: {
          target: target(draft.getSkus, draft.getCategories),
          qty: wholeNumber(draft.getQty, t('pricing.editor.getQty')),
          percentOff: percentage(draft.percent, t('pricing.editor.getPercent')),
        },
      };
    case 'spend_threshold': {
      const scoped = target(draft.skus, draft.categories);
      return {
        type: 'spend_threshold',
        threshold: minorUnits(draft.threshold, currency, t('pricing.editor.threshold')),
        ...(scoped.skus === undefined && scoped.categoryIds === undefined ? {} : { target: scoped }),
        reward:
          draft.rewardKind === 'percent'
            ? { percentOff: percentage(draft.percent, t('pricing.editor.percent')) }
            : { amountOff: minorUnits(draft.amount, currency, t('pricing.editor.amount')) },
      };
    }
  }
}
