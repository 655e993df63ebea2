import { DomainError, normalizeCardNumber, normalizeEmail, normalizePhone } from '@retail/domain';
import { nationalPhoneToE164, storeCountry } from './store-phone';
import type {
  CustomerAnswer,
  CustomerCreateRequest,
  CustomerSearchAnswer,
  StoredValueAnswer,
} from '@retail/sync';
import type { CommandName, CommandRequest } from '../../shared/commands';
import type { CommandContext, CommandHandlers } from '../command-context';
import { sql } from '../context';
import type { Db } from '../database';
import type { NodeIdentity } from '../identity';
import { readDraft, type SaleRow } from '../sales/draft';
import type { HubCall, HubOutcome, LoyaltyHubClient } from './hub-loyalty-client';
import {
  cacheCustomerAnswer,
  cacheProgramme,
  cacheStoredValueAnswer,
  assertNoPinOffline,
  cachedStoredValueByNumber,
  customerSummary,
  defaultCountryCode,
  findCachedCustomers,
  findCustomerRow,
  loyaltyStatus,
  resolveCustomer,
  storedValueStatus,
} from './loyalty-cache';
import {
  hubRefusal,
  isRedemptionTender,
  onlineHolds,
  saleLoyaltyAccount,
  type PreparedHold,
} from './sale-loyalty';

/**
 * Customer, loyalty and stored-value commands. Each runs in two steps: an async preparation outside the
 * transaction asks the hub (short timeout) and the handler, inside the transaction, caches the answer
 * and builds the response, or answers from the cache when the hub did not answer.
 */

interface PreparedCustomerSearch {
  readonly kind: 'customer-search';
  readonly outcome: HubOutcome<CustomerSearchAnswer>;
}
interface PreparedCustomer {
  readonly kind: 'customer';
  readonly customerId: string;
  readonly outcome: HubOutcome<CustomerAnswer>;
}
interface PreparedStoredValue {
  readonly kind: 'stored-value';
  readonly outcome: HubOutcome<StoredValueAnswer>;
}

function prepared<K extends string>(
  ctx: CommandContext,
  kind: K,
): ({ kind: K } & Record<string, unknown>) | undefined {
  const value = ctx.prepared as { kind?: unknown } | undefined;
  return value !== undefined && value !== null && value.kind === kind ? (value as { kind: K }) : undefined;
}

const CACHE_NOTE =
  'The hub did not answer in time: these are the customers this till already knows, with their last known points.';

function phoneOptions(db: Db): { defaultCountryCode?: string } {
  const code = defaultCountryCode(db);
  return code === undefined ? {} : { defaultCountryCode: code };
}

/** The customer fields as the hub and the cache store them; refuses what cannot be normalised. */
function normalisedCustomer(db: Db, locale: string, input: CommandRequest<'customer-create'>) {
  const options = phoneOptions(db);
  // Without HQ's country code a national number is read by the store country's rules (fr-FR: "06 …").
  const national =
    input.phone === undefined || options.defaultCountryCode !== undefined
      ? undefined
      : nationalPhoneToE164(input.phone, storeCountry(db, locale));
  return {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.phone === undefined ? {} : { phone: national ?? normalizePhone(input.phone, options) }),
    ...(input.email === undefined ? {} : { email: normalizeEmail(input.email) }),
    ...(input.cardNumber === undefined ? {} : { cardNumber: normalizeCardNumber(input.cardNumber) }),
  };
}

function createTemporaryCustomer(
  ctx: CommandContext,
  customerId: string,
  fields: ReturnType<typeof normalisedCustomer>,
): void {
  const duplicate = [fields.phone, fields.email].some(
    (value) =>
      value !== undefined &&
      sql(ctx.db, 'SELECT 1 FROM customers WHERE (phone = ? OR email = ?) AND merged_into IS NULL').get(
        value,
        value,
      ),
  );
  if (duplicate) {
    throw new DomainError('CONFLICT', 'loyalty.customerPhoneNumberEmail');
  }
  sql(
    ctx.db,
    `INSERT INTO customers (customer_id, temporary, name, phone, email, created_here, created_at_ms, updated_at_ms)
     VALUES (?, 1, ?, ?, ?, 1, ?, ?)`,
  ).run(customerId, fields.name ?? null, fields.phone ?? null, fields.email ?? null, ctx.nowMs, ctx.nowMs);
  // The hub merges it (or makes it permanent) before it applies this device's later events.
  ctx.appendEvent('customer.created', { customerId, ...fields, createdAt: ctx.nowIso });
}

/** Caches the hub's answer about the customer being attached to a sale, when it answered. */
export function cachePreparedCustomer(ctx: CommandContext): void {
  const hub = prepared(ctx, 'customer') as PreparedCustomer | undefined;
  if (!hub?.outcome.ok) return;
  if (hub.outcome.value.programme) cacheProgramme(ctx.db, hub.outcome.value.programme, ctx.nowMs);
  cacheCustomerAnswer(ctx.db, hub.outcome.value.customer, ctx.nowMs);
}

export const loyaltyHandlers = {
  'customer-find': {
    mutates: false,
    handle(ctx, input) {
      const hub = prepared(ctx, 'customer-search') as PreparedCustomerSearch | undefined;
      if (hub?.outcome.ok) {
        const answer = hub.outcome.value;
        if (answer.programme) cacheProgramme(ctx.db, answer.programme, ctx.nowMs);
        for (const customer of answer.customers) cacheCustomerAnswer(ctx.db, customer, ctx.nowMs);
        return {
          source: 'hub' as const,
          customers: answer.customers.flatMap((customer) => {
            const row = findCustomerRow(ctx.db, customer.customer.customerId);
            return row ? [customerSummary(row)] : [];
          }),
          note: null,
        };
      }
      if (hub?.outcome.ok === false && hub.outcome.reason === 'refused')
        throw hubRefusal(hub.outcome.code, hub.outcome.message);
      return {
        source: 'cache' as const,
        customers: findCachedCustomers(ctx.db, input.query, storeCountry(ctx.db, ctx.identity.locale)).map(
          customerSummary,
        ),
        note: CACHE_NOTE,
      };
    },
  },
  'customer-create': {
    mutates: true,
    handle(ctx, input) {
      const fields = normalisedCustomer(ctx.db, ctx.identity.locale, input);
      const hub = prepared(ctx, 'customer') as PreparedCustomer | undefined;
      if (hub?.outcome.ok) {
        if (hub.outcome.value.programme) cacheProgramme(ctx.db, hub.outcome.value.programme, ctx.nowMs);
        cacheCustomerAnswer(ctx.db, hub.outcome.value.customer, ctx.nowMs);
        const row = findCustomerRow(ctx.db, hub.outcome.value.customer.customer.customerId);
        if (!row) throw new DomainError('INTERNAL', 'loyalty.customerHubCreatedNot');
        ctx.auditNote = { subject: row.customerId, details: { source: 'hub' } };
        return { customer: customerSummary(row), source: 'hub' as const };
      }
      if (hub?.outcome.ok === false && hub.outcome.reason === 'refused')
        throw hubRefusal(hub.outcome.code, hub.outcome.message);
      const customerId = hub?.customerId ?? ctx.newId();
      createTemporaryCustomer(ctx, customerId, fields);
      const row = findCustomerRow(ctx.db, customerId);
      if (!row) throw new DomainError('INTERNAL', 'loyalty.newCustomerNotKept');
      ctx.auditNote = { subject: customerId, details: { source: 'cache', temporary: true } };
      return { customer: customerSummary(row), source: 'cache' as const };
    },
  },
  'customer-loyalty': {
    mutates: false,
    handle(ctx, input) {
      const hub = prepared(ctx, 'customer') as PreparedCustomer | undefined;
      if (hub?.outcome.ok) {
        if (hub.outcome.value.programme) cacheProgramme(ctx.db, hub.outcome.value.programme, ctx.nowMs);
        cacheCustomerAnswer(ctx.db, hub.outcome.value.customer, ctx.nowMs);
      } else if (hub?.outcome.ok === false && hub.outcome.reason === 'refused') {
        throw hubRefusal(hub.outcome.code, hub.outcome.message);
      }
      const customer = resolveCustomer(ctx.db, input.customerId);
      if (!customer) {
        throw new DomainError('NOT_FOUND', 'loyalty.tillNotKnowCustomer');
      }
      return {
        customer: customerSummary(customer),
        loyalty:
          customer.accountId === null
            ? null
            : loyaltyStatus(
                ctx.db,
                customer.accountId,
                ctx.identity.currency,
                hub?.outcome.ok ? 'hub' : 'cache',
                ctx.nowMs,
              ),
      };
    },
  },
  'stored-value-balance': {
    mutates: false,
    handle(ctx, input) {
      const hub = prepared(ctx, 'stored-value') as PreparedStoredValue | undefined;
      if (hub?.outcome.ok) cacheStoredValueAnswer(ctx.db, input.number, hub.outcome.value, ctx.nowMs);
      else if (hub?.outcome.ok === false && hub.outcome.reason === 'refused')
        throw hubRefusal(hub.outcome.code, hub.outcome.message);
      const account = cachedStoredValueByNumber(ctx.db, input.number);
      if (!account) {
        throw new DomainError(
          'NOT_FOUND',
          hub?.outcome.ok === false || hub === undefined
            ? 'loyalty.cardNotKnownTill'
            : 'loyalty.noGiftCardStore',
        );
      }
      if (!hub?.outcome.ok) assertNoPinOffline(account);
      return storedValueStatus(ctx.db, account, hub?.outcome.ok ? 'hub' : 'cache', ctx.nowMs);
    },
  },
} satisfies Pick<
  CommandHandlers,
  'customer-find' | 'customer-create' | 'customer-loyalty' | 'stored-value-balance'
>;

/** What a preparation step may read and whom it may ask. */
export interface PrepareContext {
  readonly db: Db;
  readonly identity: NodeIdentity;
  readonly hub: LoyaltyHubClient;
  /** Any other online call to the hub (online-order returns). */
  readonly call: HubCall;
  newId(): string;
}

export interface Preparation {
  readonly prepared: unknown;
  /** Undo what the hub did when the command then failed (a hold placed for a refused tender). */
  readonly undo?: () => Promise<void>;
  /** Tell the hub what the committed command changed (a hold released by removing its tender). */
  readonly after?: () => Promise<void>;
}

type Preparer<N extends CommandName> = (
  pctx: PrepareContext,
  input: CommandRequest<N>,
) => Promise<Preparation | undefined>;
export type Preparers = { readonly [N in CommandName]?: Preparer<N> };

function openSaleRow(db: Db, saleId: string): SaleRow | undefined {
  return db
    .prepare(
      `SELECT sale_id AS saleId, status, register_id AS registerId, shift_id AS shiftId, staff_id AS staffId,
         customer_id AS customerId, currency, receipt_number AS receiptNumber, draft, started_at AS startedAt,
         completed_at AS completedAt, parked_at AS parkedAt FROM sales WHERE sale_id = ?`,
    )
    .get(saleId) as SaleRow | undefined;
}

function releaseAll(
  pctx: PrepareContext,
  holds: readonly { kind: 'points' | 'stored_value'; holdId: string }[],
) {
  return async () => {
    // A release the hub does not get now is not lost: the hold lapses at the hub after its timeout.
    await Promise.all(holds.map((hold) => pctx.hub.release(hold)));
  };
}

async function prepareCustomer(pctx: PrepareContext, customerId: string): Promise<Preparation> {
  const target = resolveCustomer(pctx.db, customerId)?.customerId ?? customerId;
  return { prepared: { kind: 'customer', customerId: target, outcome: await pctx.hub.customer(target) } };
}

export const LOYALTY_PREPARERS: Preparers = {
  'customer-find': async (pctx, input) => ({
    prepared: { kind: 'customer-search', outcome: await pctx.hub.searchCustomers(input.query) },
  }),
  'customer-create': async (pctx, input) => {
    let fields: ReturnType<typeof normalisedCustomer>;
    try {
      fields = normalisedCustomer(pctx.db, pctx.identity.locale, input);
    } catch {
      return undefined;
    }
    const customerId = pctx.newId();
    const request: CustomerCreateRequest = { customerId, ...fields };
    return { prepared: { kind: 'customer', customerId, outcome: await pctx.hub.createCustomer(request) } };
  },
  'customer-loyalty': (pctx, input) => prepareCustomer(pctx, input.customerId),
  'sale-attach-customer': async (pctx, input) =>
    input.customerId === null ? undefined : prepareCustomer(pctx, input.customerId),
  'stored-value-balance': async (pctx, input) => ({
    prepared: { kind: 'stored-value', outcome: await pctx.hub.storedValue(input.number, input.pin) },
  }),
  'sale-add-tender': async (pctx, input) => {
    const tender = input.tender;
    if (tender.type === 'cash' || tender.type === 'card') return undefined;
    const row = openSaleRow(pctx.db, input.saleId);
    if (!row || row.status !== 'open') return undefined;
    const tenderId = pctx.newId();
    let hold: PreparedHold;
    if (tender.type === 'loyalty_points') {
      let accountId: string;
      try {
        accountId = saleLoyaltyAccount(pctx.db, row).accountId;
      } catch {
        return undefined;
      }
      hold = {
        kind: 'hold',
        tenderId,
        hold: await pctx.hub.placeHold({
          kind: 'points',
          accountId,
          holdId: tenderId,
          points: tender.points,
        }),
      };
    } else {
      const lookup = await pctx.hub.storedValue(tender.number, tender.pin);
      hold = {
        kind: 'hold',
        tenderId,
        lookup,
        hold: lookup.ok
          ? await pctx.hub.placeHold({
              kind: 'stored_value',
              accountId: lookup.value.account.accountId,
              holdId: tenderId,
              amount: tender.amount,
            })
          : lookup,
      };
    }
    const placed = hold.hold.ok;
    return {
      prepared: hold,
      ...(placed
        ? {
            undo: releaseAll(pctx, [
              { kind: tender.type === 'loyalty_points' ? 'points' : 'stored_value', holdId: tenderId },
            ]),
          }
        : {}),
    };
  },
  'sale-remove-tender': async (pctx, input) => {
    const row = openSaleRow(pctx.db, input.saleId);
    if (!row || row.status !== 'open') return undefined;
    const holds = onlineHolds(readDraft(row), input.tenderId);
    return holds.length === 0 ? undefined : { prepared: undefined, after: releaseAll(pctx, holds) };
  },
  'sale-void': async (pctx, input) => {
    const row = openSaleRow(pctx.db, input.saleId);
    if (!row || (row.status !== 'open' && row.status !== 'parked')) return undefined;
    const draft = readDraft(row);
    if (!draft.tenders.some(isRedemptionTender)) return undefined;
    const holds = onlineHolds(draft);
    return holds.length === 0 ? undefined : { prepared: undefined, after: releaseAll(pctx, holds) };
  },
};
