import {
  DomainError,
  LoyaltyCustomerSchema,
  loyaltySnapshot,
  lookupKeyCandidates,
  mergeCustomers,
  normalizeCardNumber,
  normalizeEmail,
  normalizePhone,
  tierForQualifyingPoints,
  type LoyaltyCustomer,
  type LoyaltyProgramme,
  LoyaltyEntrySchema,
} from '@retail/domain';
import type { CustomerCreateRequest, HubCustomerAnswer } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import type { CustomerTable, LoyaltyAccountTable } from '../storage/schema';
import type { Executor } from '../storage/storage';
import { readDefaultCountryCode, readProgramme } from './loyalty-config';

/**
 * Customers and their loyalty accounts at the hub. Customers are found by normalised phone, email or
 * card number; every customer gets one loyalty account (the card number handed out, or one derived from
 * the customer id). A customer a till created offline is merged into an existing one with the same phone
 * or email (mergeCustomers) before anything is booked for it, so no ledger entry is ever written under a
 * temporary id.
 */

export function customerOf(row: CustomerTable): LoyaltyCustomer {
  return LoyaltyCustomerSchema.parse(JSON.parse(row.data));
}

/** A card number for a customer who was not handed a card: stable, and never a possible card PAN. */
export function derivedCardNumber(customerId: string): string {
  const letters = customerId.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return normalizeCardNumber(`LC${letters.slice(-16).padStart(8, '0')}`);
}

async function phoneOptions(executor: Executor): Promise<{ defaultCountryCode?: string }> {
  const code = await readDefaultCountryCode(executor);
  return code === undefined ? {} : { defaultCountryCode: code };
}

/** Follows merges: the customer a (temporary) id stands for now. */
export async function resolveCustomerId(executor: Executor, customerId: string): Promise<string | undefined> {
  let id = customerId;
  for (let hops = 0; hops < 5; hops += 1) {
    const row = await executor
      .selectFrom('customers')
      .select(['customer_id', 'merged_into'])
      .where('customer_id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    if (row.merged_into === null) return row.customer_id;
    id = row.merged_into;
  }
  return id;
}

export async function accountOfCustomer(
  executor: Executor,
  customerId: string,
): Promise<LoyaltyAccountTable | undefined> {
  return executor
    .selectFrom('loyalty_accounts')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('merged_into', 'is', null)
    .orderBy('created_at')
    .executeTakeFirst();
}

/** The customer, their account and its balances now, as tills receive them. */
export async function customerAnswer(
  executor: Executor,
  customerId: string,
  at: number,
  programme?: LoyaltyProgramme | null,
): Promise<HubCustomerAnswer | undefined> {
  const row = await executor
    .selectFrom('customers')
    .selectAll()
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const account = await accountOfCustomer(executor, customerId);
  const rules = programme === undefined ? await readProgramme(executor) : programme;
  let snapshot: HubCustomerAnswer['snapshot'] = null;
  let tierName = '';
  if (account !== undefined) {
    const entries = (
      await executor
        .selectFrom('loyalty_entries')
        .select('entry')
        .where('account_id', '=', account.account_id)
        .execute()
    ).map((entry) => LoyaltyEntrySchema.parse(JSON.parse(entry.entry)));
    snapshot = loyaltySnapshot(account.account_id, entries, at);
    tierName = rules?.tiers.find((tier) => tier.tierId === account.tier_id)?.name ?? account.tier_id ?? '';
  }
  return {
    customer: {
      customerId: row.customer_id,
      temporary: row.temporary === 1,
      name: row.name,
      phone: row.phone,
      email: row.email,
      mergedInto: row.merged_into,
    },
    account:
      account === undefined
        ? null
        : {
            accountId: account.account_id,
            cardNumber: account.card_number,
            tierId: account.tier_id ?? '',
            tierName,
            status: account.status === 'blocked' ? 'blocked' : 'active',
          },
    snapshot,
  };
}

/** Customers matching what a cashier or HQ typed: phone, email or card number. */
export async function findCustomers(
  executor: Executor,
  query: string,
  at: number,
): Promise<HubCustomerAnswer[]> {
  const keys = lookupKeyCandidates(query, await phoneOptions(executor));
  const ids = new Set<string>();
  for (const key of keys) {
    if (key.kind === 'card') {
      const accounts = await executor
        .selectFrom('loyalty_accounts')
        .select('customer_id')
        .where('card_number', '=', key.value)
        .execute();
      for (const account of accounts) {
        const resolved = await resolveCustomerId(executor, account.customer_id);
        if (resolved !== undefined) ids.add(resolved);
      }
      continue;
    }
    const rows = await executor
      .selectFrom('customers')
      .select('customer_id')
      .where(key.kind, '=', key.value)
      .where('merged_into', 'is', null)
      .orderBy('created_at')
      .limit(20)
      .execute();
    for (const row of rows) ids.add(row.customer_id);
  }
  const programme = await readProgramme(executor);
  const answers: HubCustomerAnswer[] = [];
  for (const id of [...ids].sort()) {
    const answer = await customerAnswer(executor, id, at, programme);
    if (answer !== undefined) answers.push(answer);
  }
  return answers;
}

export interface NewCustomer {
  readonly customerId: string;
  readonly name?: string | undefined;
  readonly phone?: string | undefined;
  readonly email?: string | undefined;
  readonly cardNumber?: string | undefined;
}

/** Normalises what a till or HQ sent; refuses with a sentence what cannot be a phone, email or card. */
export async function normaliseNewCustomer(executor: Executor, input: NewCustomer): Promise<NewCustomer> {
  if (input.phone === undefined && input.email === undefined) {
    throw new DomainError('INVALID_INPUT', 'hub.loyalty.customerNeedsPhoneNumber');
  }
  const options = await phoneOptions(executor);
  return {
    customerId: input.customerId,
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.phone === undefined ? {} : { phone: normalizePhone(input.phone, options) }),
    ...(input.email === undefined ? {} : { email: normalizeEmail(input.email) }),
    ...(input.cardNumber === undefined ? {} : { cardNumber: normalizeCardNumber(input.cardNumber) }),
  };
}

async function insertCustomer(
  tx: HubTx,
  customer: LoyaltyCustomer,
  row: Partial<CustomerTable>,
): Promise<void> {
  await tx.trx
    .insertInto('customers')
    .values({
      customer_id: customer.customerId,
      data: JSON.stringify(customer),
      temporary: customer.temporary ? 1 : 0,
      name: customer.name ?? null,
      phone: customer.phone ?? null,
      email: customer.email ?? null,
      merged_into: null,
      origin_node: customer.originNode ?? null,
      created_at: customer.createdAt,
      updated_at: tx.at,
      ...row,
    })
    .execute();
}

async function assertCardFree(tx: HubTx, card: string): Promise<void> {
  const taken = await tx.trx
    .selectFrom('loyalty_accounts')
    .select('account_id')
    .where('card_number', '=', card)
    .executeTakeFirst();
  if (taken !== undefined) {
    throw new DomainError('CONFLICT', 'hub.loyalty.loyaltyCardAlreadyBelongs', { card });
  }
}

async function openAccount(tx: HubTx, customerId: string, card: string): Promise<void> {
  const programme = await readProgramme(tx.trx);
  await tx.trx
    .insertInto('loyalty_accounts')
    .values({
      account_id: `la-${customerId}`,
      customer_id: customerId,
      card_number: card,
      status: 'active',
      tier_id: programme === null ? null : tierForQualifyingPoints(programme, 0).tierId,
      merged_into: null,
      next_due_at: null,
      created_at: tx.at,
      updated_at: tx.at,
    })
    .execute();
}

async function existingMatches(tx: HubTx, candidate: NewCustomer): Promise<LoyaltyCustomer[]> {
  const keys = [candidate.phone, candidate.email].filter((value): value is string => value !== undefined);
  if (keys.length === 0) return [];
  const rows = await tx.trx
    .selectFrom('customers')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(candidate.phone === undefined ? [] : [eb('phone', '=', candidate.phone)]),
        ...(candidate.email === undefined ? [] : [eb('email', '=', candidate.email)]),
      ]),
    )
    .where('merged_into', 'is', null)
    .where('temporary', '=', 0)
    .execute();
  return rows.map(customerOf);
}

export interface CustomerDecision {
  readonly survivingCustomerId: string;
  readonly action: 'merge' | 'promote' | 'existing';
}

/**
 * Records a customer created at a till (online, or offline through customer.created) or by HQ. An id
 * seen before changes nothing. A customer with the phone or email of an existing one is merged into it
 * (the temporary id is kept, pointing at the survivor); otherwise it becomes a customer with an account.
 */
export async function recordNewCustomer(
  tx: HubTx,
  input: NewCustomer,
  origin: { nodeId?: string; eventId?: string; createdAt: number },
): Promise<CustomerDecision> {
  const existing = await tx.trx
    .selectFrom('customers')
    .select(['customer_id', 'merged_into'])
    .where('customer_id', '=', input.customerId)
    .executeTakeFirst();
  if (existing !== undefined) {
    return { survivingCustomerId: existing.merged_into ?? existing.customer_id, action: 'existing' };
  }
  const normalised = await normaliseNewCustomer(tx.trx, input);
  const temporary: LoyaltyCustomer = LoyaltyCustomerSchema.parse({
    customerId: normalised.customerId,
    temporary: true,
    ...(normalised.name === undefined ? {} : { name: normalised.name }),
    ...(normalised.phone === undefined ? {} : { phone: normalised.phone }),
    ...(normalised.email === undefined ? {} : { email: normalised.email }),
    createdAt: origin.createdAt,
    ...(origin.nodeId === undefined ? {} : { originNode: origin.nodeId }),
  });
  const decision = mergeCustomers(await existingMatches(tx, normalised), temporary);
  if (decision.action === 'promote') {
    // Checked before anything is written, so a refused customer leaves no trace.
    const card = normalised.cardNumber ?? derivedCardNumber(decision.survivingCustomerId);
    await assertCardFree(tx, card);
    await insertCustomer(tx, decision.customer, {});
    await openAccount(tx, decision.survivingCustomerId, card);
  } else {
    await insertCustomer(tx, temporary, { merged_into: decision.survivingCustomerId });
    await tx.trx
      .updateTable('customers')
      .set({
        data: JSON.stringify(decision.customer),
        name: decision.customer.name ?? null,
        phone: decision.customer.phone ?? null,
        email: decision.customer.email ?? null,
        updated_at: tx.at,
      })
      .where('customer_id', '=', decision.survivingCustomerId)
      .execute();
    if (decision.conflicts.length > 0 || decision.otherMatches.length > 0) {
      tx.raise({
        type: 'CUSTOMER_MERGE_REVIEW',
        severity: 'info',
        nodeId: origin.nodeId,
        causeEventIds: origin.eventId === undefined ? [] : [origin.eventId],
        details: {
          temporaryId: temporary.customerId,
          survivingCustomerId: decision.survivingCustomerId,
          matchedBy: decision.matchedBy,
          conflicts: decision.conflicts,
          otherMatches: decision.otherMatches,
          message: `A customer created at a till was merged into customer ${decision.survivingCustomerId} by ${decision.matchedBy.join(' and ')}; check the differing details or the other customers sharing them.`,
        },
      });
    }
  }
  return { survivingCustomerId: decision.survivingCustomerId, action: decision.action };
}

export type { CustomerCreateRequest };
