import { DomainError, money, toDecimal } from '@retail/domain';
import { CONFIG_KEYS } from '@retail/sync';
import { z } from 'zod';
import type { HubContext } from '../hub-context';
import { inHubTransaction, type HubTx } from '../hub-tx';
import { effectiveSetting } from '../settings/hq-settings';
import type { HeldCreditTable } from '../storage/schema';
import type { Executor } from '../storage/storage';
import { heldDecisionOf, heldDecisionShape, settleHold } from './held-decisions';
import { issueStoredCredit } from './loyalty-service';

/**
 * Store credit is money a till can create, so the hub bounds it (DESIGN §5 "Trust boundary"): credit a
 * return would issue is frozen, not issued, when the hub cannot check what authorised it (a no-receipt
 * return without its manager override, a return of a sale the hub has no record of) or when it would take
 * the store past HQ's daily limit for the currency. Frozen credit cannot be looked up or spent anywhere;
 * HQ releases it (issued as the return would have) or drops it, and either closes its exception.
 */

const LIMIT_KEY = (currency: string) => `credit_limit:${currency}`;

export const CreditLimitSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** Store credit one store may issue per local day in this currency before the rest is frozen. */
  perStoreDay: z.number().int().min(0).safe(),
});
export type CreditLimit = z.infer<typeof CreditLimitSchema>;

export async function saveCreditLimit(executor: Executor, limit: CreditLimit, actor: string, at: number) {
  const value = JSON.stringify(limit);
  await executor
    .insertInto('loyalty_config')
    .values({ key: LIMIT_KEY(limit.currency), value, updated_by: actor, updated_at: at })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({ value, updated_by: actor, updated_at: at }),
    )
    .execute();
}

export async function listCreditLimits(executor: Executor): Promise<CreditLimit[]> {
  const rows = await executor
    .selectFrom('loyalty_config')
    .select('value')
    .where('key', 'like', 'credit_limit:%')
    .orderBy('key')
    .execute();
  return rows.flatMap((row) => {
    const parsed = CreditLimitSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? [parsed.data] : [];
  });
}

/** The calendar day at the store (its time zone) when the hub receives the credit, `YYYY-MM-DD`. */
export function storeDay(at: number, timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);
  } catch {
    return new Date(at).toISOString().slice(0, 10);
  }
}

export type CreditTarget =
  { readonly numberKey: string; readonly maskedNumber: string } | { readonly accountId: string };

export interface CreditIssue {
  /** The refund tender that issues it: issuing again under it adds nothing. */
  readonly creditId: string;
  readonly returnId: string;
  readonly nodeId: string;
  readonly deviceId: string;
  readonly eventId: string;
  readonly kind: 'store_credit' | 'gift_card';
  readonly currency: string;
  readonly amount: number;
  readonly customerId?: string;
  readonly target: CreditTarget;
  /** When the till issued it (the return's time); absent for a held credit HQ releases later. */
  readonly businessAt?: number;
}

/** Config, store settings and store time zone, read once per transaction. */
const limitsByTx = new WeakMap<HubTx, Promise<Map<string, CreditLimit>>>();
const storeLimitsByTx = new WeakMap<HubTx, Map<string, Promise<CreditLimit | undefined>>>();
const zonesByTx = new WeakMap<HubTx, Map<string, Promise<string>>>();

function limitsOf(tx: HubTx): Promise<Map<string, CreditLimit>> {
  let limits = limitsByTx.get(tx);
  if (limits === undefined) {
    limits = listCreditLimits(tx.trx).then((all) => new Map(all.map((limit) => [limit.currency, limit])));
    limitsByTx.set(tx, limits);
  }
  return limits;
}

/**
 * The store's own daily limit from HQ's store settings (`hub.loyalty.storeCreditPerStoreDay`, in the
 * store's currency, resolved store over region over chain), when HQ set one.
 */
function storeLimitOf(tx: HubTx, nodeId: string): Promise<CreditLimit | undefined> {
  let limits = storeLimitsByTx.get(tx);
  if (limits === undefined) {
    limits = new Map();
    storeLimitsByTx.set(tx, limits);
  }
  let limit = limits.get(nodeId);
  if (limit === undefined) {
    limit = (async () => {
      const value = await effectiveSetting(tx.trx, nodeId, CONFIG_KEYS.storeCreditPerStoreDay);
      if (typeof value !== 'number') return undefined;
      const node = await tx.trx
        .selectFrom('nodes')
        .select('currency')
        .where('node_id', '=', nodeId)
        .executeTakeFirst();
      return node === undefined ? undefined : { currency: node.currency, perStoreDay: value };
    })();
    limits.set(nodeId, limit);
  }
  return limit;
}

/** The limit in force for a store's credit in `currency`: the store setting, else HQ's per-currency limit. */
async function creditLimitFor(tx: HubTx, nodeId: string, currency: string): Promise<CreditLimit | undefined> {
  const own = await storeLimitOf(tx, nodeId);
  return own !== undefined && own.currency === currency ? own : (await limitsOf(tx)).get(currency);
}

function zoneOf(tx: HubTx, nodeId: string): Promise<string> {
  let zones = zonesByTx.get(tx);
  if (zones === undefined) {
    zones = new Map();
    zonesByTx.set(tx, zones);
  }
  let zone = zones.get(nodeId);
  if (zone === undefined) {
    zone = tx.trx
      .selectFrom('nodes')
      .select('timezone')
      .where('node_id', '=', nodeId)
      .executeTakeFirst()
      .then((row) => row?.timezone ?? 'UTC');
    zones.set(nodeId, zone);
  }
  return zone;
}

/** The store's credit issued so far today, with its row locked so concurrent pushes count one after the other. */
async function lockIssuedToday(tx: HubTx, nodeId: string, day: string, currency: string): Promise<number> {
  await tx.trx
    .insertInto('store_credit_issued')
    .values({ node_id: nodeId, day, currency, amount: 0 })
    .onConflict((conflict) => conflict.columns(['node_id', 'day', 'currency']).doNothing())
    .execute();
  const row = await tx.trx
    .selectFrom('store_credit_issued')
    .select('amount')
    .where('node_id', '=', nodeId)
    .where('day', '=', day)
    .where('currency', '=', currency)
    .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirstOrThrow();
  return Number(row.amount);
}

function issueRequest(issue: {
  creditId: string;
  returnId: string;
  kind: 'store_credit' | 'gift_card';
  currency: string;
  amount: number;
  customerId?: string | undefined;
  nodeId: string;
  deviceId: string;
  eventId: string;
  target: CreditTarget;
  businessAt?: number | undefined;
}) {
  return {
    ...issue.target,
    issueId: issue.creditId,
    amount: issue.amount,
    currency: issue.currency,
    kind: issue.kind,
    ...(issue.customerId === undefined ? {} : { customerId: issue.customerId }),
    sourceDoc: issue.returnId,
    nodeId: issue.nodeId,
    deviceId: issue.deviceId,
    eventId: issue.eventId,
    ...(issue.businessAt === undefined ? {} : { businessAt: issue.businessAt }),
  };
}

/** An amount as HQ reads it in a reason ("5.00 EUR"), not in minor units ("500"). */
function shownAmount(minorUnits: number, currency: string): string {
  return `${toDecimal(money(minorUnits, currency))} ${currency}`;
}

/**
 * Issues `issue` at ingest, or freezes it with the reasons (`doubts` the caller found, and the store's
 * daily limit) and raises one STORE_CREDIT_HELD exception. Issued credit counts towards the store's day.
 */
export async function issueOrHoldCredit(
  tx: HubTx,
  issue: CreditIssue,
  doubts: readonly string[],
): Promise<'issued' | 'held'> {
  const day = storeDay(tx.at, await zoneOf(tx, issue.nodeId));
  const issuedToday = await lockIssuedToday(tx, issue.nodeId, day, issue.currency);
  const limit = await creditLimitFor(tx, issue.nodeId, issue.currency);
  const reasons = [...doubts];
  if (limit !== undefined && issuedToday + issue.amount > limit.perStoreDay) {
    reasons.push(
      `Store ${issue.nodeId} has issued ${shownAmount(issuedToday, issue.currency)} of credit on ${day}; ` +
        `${shownAmount(issue.amount, issue.currency)} more would pass HQ's daily limit of ` +
        `${shownAmount(limit.perStoreDay, issue.currency)}.`,
    );
  }
  if (reasons.length === 0) {
    await issueStoredCredit(tx, issueRequest(issue));
    await tx.trx
      .updateTable('store_credit_issued')
      .set({ amount: issuedToday + issue.amount })
      .where('node_id', '=', issue.nodeId)
      .where('day', '=', day)
      .where('currency', '=', issue.currency)
      .execute();
    return 'issued';
  }
  const exceptionId = tx.hub.newId();
  const inserted = await tx.trx
    .insertInto('held_credits')
    .values({
      credit_id: issue.creditId,
      node_id: issue.nodeId,
      device_id: issue.deviceId,
      event_id: issue.eventId,
      return_id: issue.returnId,
      kind: issue.kind,
      currency: issue.currency,
      amount: issue.amount,
      number_key: 'numberKey' in issue.target ? issue.target.numberKey : null,
      masked_number: 'maskedNumber' in issue.target ? issue.target.maskedNumber : null,
      account_id: 'accountId' in issue.target ? issue.target.accountId : null,
      customer_id: issue.customerId ?? null,
      reasons: JSON.stringify(reasons),
      status: 'held',
      exception_id: exceptionId,
      created_at: tx.at,
      decided_by: null,
      decided_at: null,
      note: null,
    })
    .onConflict((conflict) => conflict.column('credit_id').doNothing())
    .returning('credit_id')
    .execute();
  if (inserted.length === 0) return 'held';
  const shown = 'maskedNumber' in issue.target ? issue.target.maskedNumber : issue.target.accountId;
  tx.raise({
    type: 'STORE_CREDIT_HELD',
    severity: 'warning',
    nodeId: issue.nodeId,
    causeEventIds: [issue.eventId],
    exceptionId,
    details: {
      heldCreditId: issue.creditId,
      returnId: issue.returnId,
      amount: issue.amount,
      currency: issue.currency,
      maskedNumber: shown,
      reasons,
      message: `${shownAmount(issue.amount, issue.currency)} of ${issue.kind === 'gift_card' ? 'gift card value' : 'store credit'} for ${shown} from return ${issue.returnId} is frozen until HQ releases or drops it: ${reasons.join(' ')}`,
    },
  });
  return 'held';
}

export const HeldCreditSchema = z.object({
  creditId: z.string(),
  returnId: z.string(),
  nodeId: z.string(),
  eventId: z.string(),
  kind: z.enum(['store_credit', 'gift_card']),
  currency: z.string(),
  amount: z.number().int(),
  maskedNumber: z.string().nullable(),
  accountId: z.string().nullable(),
  reasons: z.array(z.string()),
  ...heldDecisionShape,
});
export type HeldCredit = z.infer<typeof HeldCreditSchema>;

function heldCreditOf(row: HeldCreditTable): HeldCredit {
  return {
    creditId: row.credit_id,
    returnId: row.return_id,
    nodeId: row.node_id,
    eventId: row.event_id,
    kind: row.kind,
    currency: row.currency,
    amount: Number(row.amount),
    maskedNumber: row.masked_number,
    accountId: row.account_id,
    reasons: JSON.parse(row.reasons) as string[],
    ...heldDecisionOf(row),
  };
}

export async function listHeldCredits(
  executor: Executor,
  filter: { status?: 'held' | 'released' | 'dropped'; limit: number },
): Promise<HeldCredit[]> {
  const rows = await executor
    .selectFrom('held_credits')
    .selectAll()
    .$if(filter.status !== undefined, (query) => query.where('status', '=', filter.status!))
    .orderBy('created_at', 'desc')
    .orderBy('credit_id')
    .limit(filter.limit)
    .execute();
  return rows.map(heldCreditOf);
}

async function lockHeld(tx: HubTx, creditId: string): Promise<HeldCreditTable> {
  const row = await tx.trx
    .selectFrom('held_credits')
    .selectAll()
    .where('credit_id', '=', creditId)
    .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.loyalty.noFrozenStoreCredit', { creditId }, { creditId });
  }
  if (row.status !== 'held') {
    throw new DomainError(
      'CONFLICT',
      'hub.loyalty.creditAlreadyDecided',
      {
        creditId,
        status: row.status,
        ...(row.decided_by === null ? { byKnown: 'no' } : { byKnown: 'yes', by: row.decided_by }),
      },
      { creditId, status: row.status },
    );
  }
  return row;
}

async function settle(
  tx: HubTx,
  row: HeldCreditTable,
  status: 'released' | 'dropped',
  actor: string,
  note: string,
): Promise<HeldCredit> {
  const decided = await settleHold(
    tx,
    { exceptionId: row.exception_id, what: 'Credit' },
    { status, actor, note },
    (columns) =>
      tx.trx.updateTable('held_credits').set(columns).where('credit_id', '=', row.credit_id).execute(),
  );
  return heldCreditOf({ ...row, ...decided });
}

/** HQ checked the return: the credit is issued as the return would have issued it. */
export async function releaseHeldCredit(
  hub: HubContext,
  creditId: string,
  actor: string,
  note: string,
): Promise<HeldCredit> {
  return inHubTransaction(hub, async (tx) => {
    const row = await lockHeld(tx, creditId);
    const target: CreditTarget | undefined =
      row.account_id !== null
        ? { accountId: row.account_id }
        : row.number_key !== null
          ? { numberKey: row.number_key, maskedNumber: row.masked_number ?? '' }
          : undefined;
    if (target === undefined) {
      throw new DomainError('CONFLICT', 'hub.loyalty.storeCreditWithoutAccount', { creditId }, { creditId });
    }
    await issueStoredCredit(
      tx,
      issueRequest({
        creditId: row.credit_id,
        returnId: row.return_id,
        kind: row.kind,
        currency: row.currency,
        amount: Number(row.amount),
        customerId: row.customer_id ?? undefined,
        nodeId: row.node_id,
        deviceId: row.device_id,
        eventId: row.event_id,
        target,
      }),
    );
    return settle(tx, row, 'released', actor, note);
  });
}

/** HQ refused the return's credit: it is never issued. */
export async function dropHeldCredit(
  hub: HubContext,
  creditId: string,
  actor: string,
  note: string,
): Promise<HeldCredit> {
  return inHubTransaction(hub, async (tx) =>
    settle(tx, await lockHeld(tx, creditId), 'dropped', actor, note),
  );
}
