import { t, type MessageKey } from '../i18n/translate';

const LABELS: Readonly<Record<string, MessageKey>> = {
  cash: 'tender.cash',
  card: 'tender.card',
  store_credit: 'tender.storeCredit',
  gift_card: 'tender.giftCard',
  loyalty_points: 'tender.points',
};

/**
 * The name of a tender as staff say it. On a sale, store credit is what an exchange's returned items pay,
 * so it reads "Exchange credit"; on refunds and reports it is store credit. A type this till does not know
 * yet (a newer node) shows as the node named it rather than disappearing.
 */
export function tenderLabel(type: string, on: 'sale' | 'refund' = 'refund'): string {
  if (type === 'store_credit' && on === 'sale') return t('tender.exchangeCredit');
  const key = LABELS[type];
  return key ? t(key) : type;
}
