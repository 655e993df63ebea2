import { money, toDecimal } from '@retail/domain';
import type { CatalogItem, SaleView } from '../../shared/commands';
import type { CustomerSummary, LoyaltyStatus, StoredValueStatus } from '../../shared/loyalty-commands';
import {
  AT,
  catalogItem,
  cashTender,
  customerSummary,
  loyaltyStatus,
  saleLine,
  saleView,
  saleReceipt,
  shift,
  syncStatus,
} from './builders';
import { failure, type FakeNode } from './fake-node';

type Tender = SaleView['tenders'][number];

/** How old the node's copy is when the hub is out of reach in these scripts: two hours. */
export const OFFLINE_AGE_MS = 2 * 3_600_000;
const SYNCED_AT = '2026-11-23T08:00:00.000Z';

export interface LoyaltyNodeOptions {
  /** Whether the node reaches the hub (holds) or works from its cache within the offline allowance. */
  readonly hubOnline?: boolean;
  readonly customers?: readonly CustomerSummary[];
  /** Points per loyalty account id, as the hub would report them. */
  readonly points?: Readonly<Record<string, LoyaltyStatus>>;
  /** Store credit and gift card accounts by their full number. */
  readonly cards?: Readonly<Record<string, StoredValueStatus>>;
  /** What the node lets this till redeem offline, in points and in minor units, and why not more. */
  readonly offlinePoints?: number;
  readonly offlineValue?: number;
  readonly offlineReason?: string;
}

export interface LoyaltyNode {
  setHubOnline(online: boolean): void;
  sale(): SaleView | null;
  points(accountId: string): LoyaltyStatus | undefined;
  card(number: string): StoredValueStatus | undefined;
}

/** The one item these scripts sell: €7.20 a loaf. */
export const LOAF: CatalogItem = catalogItem();

/**
 * A store node with customers, points and stored value behind the fake socket: the sale commands, customer
 * find and create (temporary ids offline), balances fresh from the hub or from the cache with their age,
 * and redemptions held at the hub online or taken within the offline allowance, refused with OFFLINE_LIMIT
 * beyond it, as the real node's rules go. Every answer is still checked against the real schemas.
 */
export function scriptLoyaltyNode(node: FakeNode, options: LoyaltyNodeOptions = {}): LoyaltyNode {
  let online = options.hubOnline ?? true;
  const customers = [...(options.customers ?? [customerSummary()])];
  const points = new Map(Object.entries(options.points ?? { 'la-1': loyaltyStatus() }));
  const cards = new Map(Object.entries(options.cards ?? {}));
  let sale: SaleView | null = null;
  let lineNo = 0;
  let tenderNo = 0;
  let createdNo = 0;

  const offlinePoints = options.offlinePoints ?? 0;
  const offlineValue = options.offlineValue ?? 0;
  const offlineReason =
    options.offlineReason ?? 'The hub is offline, so this till may only spend what its last sync allows.';

  const asSeen = <T extends LoyaltyStatus | StoredValueStatus>(status: T, allowed: number): T =>
    online
      ? {
          ...status,
          source: 'hub',
          takenAt: AT,
          ageMs: 0,
          offline: { allowed: status.available, limitedBy: 'online', reason: null },
        }
      : {
          ...status,
          source: 'cache',
          takenAt: SYNCED_AT,
          ageMs: OFFLINE_AGE_MS,
          offline: {
            allowed: Math.min(allowed, status.available),
            limitedBy: 'balance',
            reason: offlineReason,
          },
        };
  const saleCustomer = (customer: CustomerSummary) => {
    const status = customer.loyalty ? points.get(customer.loyalty.accountId) : undefined;
    return { customer, loyalty: status ? asSeen(status, offlinePoints) : null };
  };
  const findCustomer = (customerId: string) => customers.find((c) => c.customerId === customerId);

  const show = (next: Partial<SaleView> = {}) => {
    const current = sale ?? saleView([]);
    sale = saleView(next.lines ?? current.lines, {
      customerId: current.customerId,
      customer: current.customer ?? null,
      tenders: current.tenders,
      ...(current.giftCards === undefined ? {} : { giftCards: current.giftCards }),
      ...next,
    });
    return sale;
  };
  const refreshCustomer = () => {
    const customer = sale?.customerId ? findCustomer(sale.customerId) : undefined;
    return customer ? saleCustomer(customer) : null;
  };
  const addTender = (tender: Omit<Tender, 'tenderId' | 'change'>) => {
    tenderNo += 1;
    const tenders = [...sale!.tenders, { ...tender, tenderId: `tender-${tenderNo}`, change: 0 }];
    sale = show({ tenders });
    return show({ customer: refreshCustomer() });
  };

  const hubStatus = () =>
    syncStatus({ hubUrl: 'http://hub.example:7400', agent: online ? 'live' : 'offline', online });
  node.handle('sync-status', hubStatus);
  node.handle('shift-current', () => ({ shift: shift() }));
  node.handle('sale-current', () => ({ sale }));
  node.handle('sale-start', () => {
    sale = null;
    return show();
  });
  node.handle('sale-add-line', (input) => {
    if (input.code !== LOAF.barcodes[0] && input.sku !== LOAF.sku) {
      return failure('UNKNOWN_BARCODE', `Barcode ${input.code} is not in this store's catalog.`);
    }
    lineNo += 1;
    const line = saleLine({
      lineId: `line-${lineNo}`,
      sku: LOAF.sku,
      name: LOAF.name,
      qty: input.qty ?? 1,
      unitPrice: LOAF.price!.unitPrice,
    });
    return show({ lines: [...(sale?.lines ?? []), line] });
  });
  // The node's rules for a load: a number the hub (or offline, the cache) knows is a reload, store
  // credit cannot be loaded, the same card only once per sale.
  node.handle('sale-add-gift-card', (input) => {
    const current = sale!;
    const card = cards.get(input.number);
    const maskedNumber = `****${input.number.slice(-4)}`;
    if (card?.kind === 'store_credit') {
      return failure(
        'INVALID_INPUT',
        `Number ${maskedNumber} is a store credit slip, not a gift card; store credit cannot be loaded.`,
      );
    }
    const loads = current.giftCards ?? [];
    if (loads.some((load) => load.maskedNumber === maskedNumber)) {
      return failure(
        'CONFLICT',
        `Gift card ${maskedNumber} is already on this sale; remove it to load another amount.`,
      );
    }
    lineNo += 1;
    const load = {
      lineId: `line-${lineNo}`,
      kind: card ? ('reload' as const) : ('activate' as const),
      maskedNumber,
      amount: input.amount,
    };
    return show({ giftCards: [...loads, load] });
  });
  node.handle('sale-remove-line', (input) => {
    const current = sale!;
    return show({
      lines: current.lines.filter((line) => line.lineId !== input.lineId),
      giftCards: (current.giftCards ?? []).filter((load) => load.lineId !== input.lineId),
    });
  });
  node.handle('sale-attach-customer', (input) => {
    if (input.customerId === null) return show({ customerId: null, customer: null });
    const customer = findCustomer(input.customerId);
    if (!customer) return failure('NOT_FOUND', 'No customer has that number at this store.');
    return show({ customerId: customer.customerId, customer: saleCustomer(customer) });
  });
  node.handle('customer-find', (input) => {
    const wanted = input.query.toLowerCase().replace(/[\s-]/g, '');
    const matches = customers.filter((customer) =>
      [customer.phone, customer.email, customer.loyalty?.cardNumber].some(
        (key) => key !== null && key !== undefined && key.toLowerCase().includes(wanted),
      ),
    );
    return {
      source: online ? 'hub' : 'cache',
      customers: matches,
      note: online ? null : 'The hub did not answer; these are the customers this till has seen.',
    };
  });
  node.handle('customer-create', (input) => {
    createdNo += 1;
    const customer: CustomerSummary = {
      customerId: online ? `cust-new-${createdNo}` : `tmp-${createdNo}`,
      temporary: !online,
      name: input.name ?? null,
      phone: input.phone ?? null,
      email: input.email?.toLowerCase() ?? null,
      loyalty:
        input.cardNumber === undefined
          ? null
          : {
              accountId: `la-new-${createdNo}`,
              cardNumber: input.cardNumber,
              tierId: 'base',
              tierName: 'Member',
              status: 'active',
            },
    };
    if (customer.loyalty)
      points.set(
        customer.loyalty.accountId,
        loyaltyStatus({ accountId: customer.loyalty.accountId, available: 0, lifetime: 0 }),
      );
    customers.push(customer);
    return { customer, source: online ? 'hub' : 'cache' };
  });
  node.handle('customer-loyalty', (input) => {
    const customer = findCustomer(input.customerId);
    if (!customer) return failure('NOT_FOUND', 'No customer has that number at this store.');
    return saleCustomer(customer);
  });
  node.handle('stored-value-balance', (input) => {
    const card = cards.get(input.number);
    if (!card) return failure('NOT_FOUND', `No gift card or store credit has the number ${input.number}.`);
    return asSeen(card, offlineValue);
  });
  node.handle('sale-add-tender', (input) => {
    const current = sale!;
    const remaining = current.payment.remaining;
    const given = input.tender;
    switch (given.type) {
      case 'cash':
        tenderNo += 1;
        sale = show({
          tenders: [
            ...current.tenders,
            cashTender(given.amount, Math.min(remaining, given.amount), { tenderId: `tender-${tenderNo}` }),
          ],
        });
        return sale;
      case 'card':
        return addTender({
          type: 'card',
          tendered: given.amount,
          amount: given.amount,
          reference: given.reference,
        });
      case 'loyalty_points': {
        const loyalty = current.customer?.customer.loyalty;
        const status = loyalty ? points.get(loyalty.accountId) : undefined;
        if (!loyalty || !status)
          return failure('NOT_ALLOWED', 'Attach a loyalty member before paying with points.');
        const value = Math.floor((given.points * status.pointValue.value) / status.pointValue.points);
        if (value > remaining) {
          return failure(
            'INVALID_INPUT',
            `${given.points} points are worth more than is still due; use fewer points.`,
          );
        }
        if (online && given.points > status.available) {
          return failure('INSUFFICIENT_BALANCE', `The customer has ${status.available} points to spend.`);
        }
        if (!online && given.points > Math.min(offlinePoints, status.available)) {
          return failure(
            'OFFLINE_LIMIT',
            `The hub is offline: this till can take at most ${Math.min(offlinePoints, status.available)} points for this customer now. Take the rest another way.`,
            { limitedBy: 'balance' },
          );
        }
        points.set(loyalty.accountId, {
          ...status,
          available: status.available - given.points,
          held: status.held + given.points,
        });
        return addTender({
          type: 'loyalty_points',
          tendered: value,
          amount: value,
          reference: loyalty.accountId,
          points: given.points,
          redemption: {
            mode: online ? 'online' : 'offline',
            accountId: loyalty.accountId,
            redemptionId: `redemption-${tenderNo + 1}`,
            expiresAt: online ? '2026-11-23T10:15:00.000Z' : null,
          },
        });
      }
      case 'store_credit':
      case 'gift_card': {
        const card = cards.get(given.number);
        if (!card)
          return failure('NOT_FOUND', `No gift card or store credit has the number ${given.number}.`);
        if (given.amount > remaining) {
          return failure('INVALID_INPUT', 'That is more than is still due; take the amount still to pay.');
        }
        if (online && given.amount > card.available) {
          return failure('INSUFFICIENT_BALANCE', `${card.maskedNumber} holds less than that.`);
        }
        if (!online && given.amount > Math.min(offlineValue, card.available)) {
          return failure(
            'OFFLINE_LIMIT',
            `The hub is offline: this till can take at most €${toDecimal(money(Math.min(offlineValue, card.available), 'EUR'))} from ${card.maskedNumber} now. Take the rest another way.`,
            { limitedBy: 'balance' },
          );
        }
        cards.set(given.number, {
          ...card,
          available: card.available - given.amount,
          held: card.held + given.amount,
        });
        return addTender({
          type: given.type,
          tendered: given.amount,
          amount: given.amount,
          reference: card.accountId,
          redemption: {
            mode: online ? 'online' : 'offline',
            accountId: card.accountId,
            redemptionId: `redemption-${tenderNo + 1}`,
            expiresAt: online ? '2026-11-23T10:15:00.000Z' : null,
          },
        });
      }
    }
  });
  node.handle('sale-remove-tender', (input) => {
    const current = sale!;
    const removed = current.tenders.find((tender) => tender.tenderId === input.tenderId);
    if (!removed) return failure('NOT_FOUND', 'That payment is not on the sale.');
    const accountId = removed.redemption?.accountId;
    const status = accountId ? points.get(accountId) : undefined;
    if (accountId && status && removed.points !== undefined) {
      points.set(accountId, {
        ...status,
        available: status.available + removed.points,
        held: status.held - removed.points,
      });
    }
    for (const [number, card] of cards) {
      if (card.accountId === accountId) {
        cards.set(number, {
          ...card,
          available: card.available + removed.amount,
          held: card.held - removed.amount,
        });
      }
    }
    sale = show({ tenders: current.tenders.filter((tender) => tender.tenderId !== input.tenderId) });
    return show({ customer: refreshCustomer() });
  });
  node.handle('sale-complete', () => {
    sale = { ...sale!, status: 'completed', receiptNumber: 'S001-1-000007', completedAt: AT };
    return sale;
  });
  node.handle('receipt-preview', (input) => {
    const accountId = sale?.customer?.customer.loyalty?.accountId;
    const status = accountId ? points.get(accountId) : undefined;
    const redeemed = (sale?.tenders ?? []).reduce((sum, tender) => sum + (tender.points ?? 0), 0);
    return {
      // One point per euro paid, as the demo programme earns.
      receipt: {
        ...saleReceipt(input.receiptNumber),
        loyalty: status
          ? { earned: Math.floor((sale?.totals.total ?? 0) / 100), redeemed, balance: status.available }
          : null,
      },
      html: `<p>receipt ${input.receiptNumber}</p>`,
    };
  });

  return {
    setHubOnline(next) {
      online = next;
      node.notify('sync-status', hubStatus());
    },
    sale: () => sale,
    points: (accountId) => points.get(accountId),
    card: (number) => cards.get(number),
  };
}
