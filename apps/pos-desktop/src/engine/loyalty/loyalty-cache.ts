import { createHash } from 'node:crypto';
import {
  DomainError,
  LoyaltyProgrammeSchema,
  LoyaltySnapshotSchema,
  StoredValueSettingsSchema,
  customerLookupKeys,
  isDomainError,
  lookupKeyCandidates,
  normalizeCardNumber,
  money,
  offlineRedemptionAllowance,
  storedValueOfflineAllowance,
  type LoyaltyProgramme,
  type LoyaltySnapshot,
  type OfflineAllowance,
  type PointsOfflineAllowance,
  type StoredValueSettings,
  type StoredValueSnapshot,
} from '@retail/domain';
import {
  CONFIG_KEYS,
  type ConfigKey,
  type CustomerFeed,
  type HubCustomerAnswer,
  type StoredValueAnswer,
} from '@retail/sync';
import type { CountryCode } from 'libphonenumber-js';
import type {
  CustomerSummary,
  LoyaltyStatus,
  LookupSource,
  StoredValueStatus,
} from '../../shared/loyalty-commands';
import { sql, type TxContext } from '../context';
import type { Db } from '../database';
import { readConfigValue } from '../settings';
import { nationalPhoneToE164 } from './store-phone';

/**
 * This node's copy of what the hub knows about customers, points and stored value, kept for lookups while
 * the hub is unreachable, and this device's own offline redemptions, which the offline allowance deducts.
 */

export const DEVICE_DAY_MS = 86_400_000;

export interface CustomerRow {
  customerId: string;
  temporary: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  accountId: string | null;
  cardNumber: string | null;
  tierId: string | null;
  tierName: string | null;
  accountStatus: 'active' | 'blocked' | 'merged' | null;
  mergedInto: string | null;
  createdHere: number;
}

const CUSTOMER_COLUMNS = `customer_id AS customerId, temporary, name, phone, email, account_id AS accountId,
  card_number AS cardNumber, tier_id AS tierId, tier_name AS tierName, account_status AS accountStatus,
  merged_into AS mergedInto, created_here AS createdHere`;

/** The country code national phone numbers typed at this till belong to (config `loyalty.defaultCountryCode`). */
export function defaultCountryCode(db: Db): string | undefined {
  const row = sql(db, 'SELECT data FROM config WHERE key = ?').get('loyalty.defaultCountryCode') as
    { data: string } | undefined;
  const value = row ? (JSON.parse(row.data) as { value?: unknown }).value : undefined;
  return typeof value === 'string' && /^[1-9]\d{0,2}$/.test(value) ? value : undefined;
}

export function customerSummary(row: CustomerRow): CustomerSummary {
  return {
    customerId: row.customerId,
    temporary: row.temporary === 1,
    name: row.name,
    phone: row.phone,
    email: row.email,
    loyalty:
      row.accountId === null || row.cardNumber === null
        ? null
        : {
            accountId: row.accountId,
            cardNumber: row.cardNumber,
            tierId: row.tierId ?? '',
            tierName: row.tierName ?? '',
            status: row.accountStatus ?? 'active',
          },
  };
}

export function findCustomerRow(db: Db, customerId: string): CustomerRow | undefined {
  return sql(db, `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE customer_id = ?`).get(customerId) as
    CustomerRow | undefined;
}

/** The customer to use for an id: a temporary customer the hub merged resolves to the one it became. */
export function resolveCustomer(db: Db, customerId: string): CustomerRow | undefined {
  let row = findCustomerRow(db, customerId);
  for (let hops = 0; row?.mergedInto != null && hops < 5; hops += 1) {
    const next = findCustomerRow(db, row.mergedInto);
    if (!next) break;
    row = next;
  }
  return row;
}

/**
 * Customers this till knows by a phone, email or card number. A national phone number is read with HQ's
 * country code when it set one, else by the rules of the store's own country (`region`), so "06 12 34 56
 * 78" finds "+33612345678" at a French till offline.
 */
export function findCachedCustomers(db: Db, query: string, region?: CountryCode): CustomerRow[] {
  const country = optionalCountry(db);
  const national = country.defaultCountryCode === undefined ? nationalPhoneToE164(query, region) : undefined;
  const keys =
    national === undefined
      ? lookupKeyCandidates(query, country)
      : customerLookupKeys({ phone: national, cardNumber: cardCandidate(query) });
  const found = new Map<string, CustomerRow>();
  for (const key of keys) {
    const column = key.kind === 'phone' ? 'phone' : key.kind === 'email' ? 'email' : 'card_number';
    const rows = sql(
      db,
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE ${column} = ? AND merged_into IS NULL ORDER BY customer_id`,
    ).all(key.value) as CustomerRow[];
    for (const row of rows) found.set(row.customerId, row);
  }
  return [...found.values()];
}

function optionalCountry(db: Db): { defaultCountryCode?: string } {
  const code = defaultCountryCode(db);
  return code === undefined ? {} : { defaultCountryCode: code };
}

/** Stores what the hub said about a customer: the customer, their account, and its balances. */
export function cacheCustomerAnswer(db: Db, answer: HubCustomerAnswer, nowMs: number): void {
  const { customer, account, snapshot } = answer;
  sql(
    db,
    `INSERT INTO customers (customer_id, temporary, name, phone, email, account_id, card_number, tier_id, tier_name,
       account_status, merged_into, created_here, created_at_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET temporary = excluded.temporary, name = excluded.name,
       phone = excluded.phone, email = excluded.email, account_id = excluded.account_id,
       card_number = excluded.card_number, tier_id = excluded.tier_id, tier_name = excluded.tier_name,
       account_status = excluded.account_status, merged_into = excluded.merged_into, created_here = 0,
       updated_at_ms = excluded.updated_at_ms`,
  ).run(
    customer.customerId,
    customer.temporary ? 1 : 0,
    customer.name,
    customer.phone,
    customer.email,
    account?.accountId ?? null,
    account?.cardNumber ?? null,
    account?.tierId ?? null,
    account?.tierName ?? null,
    account?.status ?? null,
    customer.mergedInto,
    nowMs,
    nowMs,
  );
  if (snapshot) cacheLoyaltySnapshot(db, snapshot);
}

/**
 * What the hub made of a customer this till created: the surviving customer is cached, and a temporary id
 * it was merged into points at it, so sales and lookups under the temporary id find the survivor.
 */
export function applyCustomerFeed(db: Db, change: CustomerFeed): void {
  // Feed appliers get no clock; the hub's snapshot time is when this was true.
  const nowMs = change.customer.snapshot?.takenAt ?? 0;
  cacheCustomerAnswer(db, change.customer, nowMs);
  const survivor = change.customer.customer.customerId;
  if (survivor === change.customerId) return;
  sql(
    db,
    `INSERT INTO customers (customer_id, temporary, merged_into, phone, email, name, created_here, created_at_ms, updated_at_ms)
     VALUES (?, 1, ?, ?, ?, ?, 0, ?, ?)
     ON CONFLICT (customer_id) DO UPDATE SET merged_into = excluded.merged_into, created_here = 0,
       updated_at_ms = excluded.updated_at_ms`,
  ).run(
    change.customerId,
    survivor,
    change.customer.customer.phone,
    change.customer.customer.email,
    change.customer.customer.name,
    nowMs,
    nowMs,
  );
}

/**
 * The earliest offline redemption of this account whose sale the hub has not acknowledged yet. A balance
 * the hub computed before it received that sale does not reflect it, so the cached snapshot is dated no
 * later than it: the allowance then still deducts it ("since the snapshot" stays exact even when a
 * lookup answers before the outbox is pushed).
 */
function earliestUnackedRedemption(
  db: Db,
  kind: 'points' | 'stored_value',
  accountId: string,
): number | undefined {
  const row = sql(
    db,
    `SELECT MIN(r.occurred_at_ms) AS earliest FROM offline_redemptions r JOIN sales s ON s.sale_id = r.sale_id
     WHERE r.kind = ? AND r.account_id = ?
       AND (s.device_seq IS NULL OR s.device_seq > (SELECT last_acked_seq FROM sync_state))`,
  ).get(kind, accountId) as { earliest: number | null } | undefined;
  return row?.earliest ?? undefined;
}

/** Keeps the newest snapshot of an account: an older answer arriving late never replaces a newer one. */
export function cacheLoyaltySnapshot(db: Db, received: LoyaltySnapshot): void {
  const unacked = earliestUnackedRedemption(db, 'points', received.accountId);
  const snapshot =
    unacked !== undefined && unacked < received.takenAt ? { ...received, takenAt: unacked } : received;
  sql(
    db,
    `INSERT INTO loyalty_snapshots (account_id, snapshot, taken_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET snapshot = excluded.snapshot, taken_at_ms = excluded.taken_at_ms
     WHERE excluded.taken_at_ms >= loyalty_snapshots.taken_at_ms`,
  ).run(snapshot.accountId, JSON.stringify(snapshot), snapshot.takenAt);
}

export function cachedLoyaltySnapshot(db: Db, accountId: string): LoyaltySnapshot | undefined {
  const row = sql(db, 'SELECT snapshot FROM loyalty_snapshots WHERE account_id = ?').get(accountId) as
    { snapshot: string } | undefined;
  if (!row) return undefined;
  const parsed = LoyaltySnapshotSchema.safeParse(JSON.parse(row.snapshot));
  return parsed.success ? parsed.data : undefined;
}

export function cacheProgramme(db: Db, programme: LoyaltyProgramme, nowMs: number): void {
  sql(
    db,
    `INSERT INTO loyalty_settings (setting, currency, value, received_at_ms) VALUES ('programme', ?, ?, ?)
     ON CONFLICT (setting, currency) DO UPDATE SET value = excluded.value, received_at_ms = excluded.received_at_ms`,
  ).run(programme.currency, JSON.stringify(programme), nowMs);
}

export function cachedProgramme(db: Db, currency: string): LoyaltyProgramme | undefined {
  const row = sql(db, "SELECT value FROM loyalty_settings WHERE setting = 'programme' AND currency = ?").get(
    currency,
  ) as { value: string } | undefined;
  if (!row) return undefined;
  const parsed = LoyaltyProgrammeSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : undefined;
}

function cacheStoredValueSettings(db: Db, settings: StoredValueSettings, nowMs: number): void {
  sql(
    db,
    `INSERT INTO loyalty_settings (setting, currency, value, received_at_ms) VALUES ('stored_value', ?, ?, ?)
     ON CONFLICT (setting, currency) DO UPDATE SET value = excluded.value, received_at_ms = excluded.received_at_ms`,
  ).run(settings.currency, JSON.stringify(settings), nowMs);
}

export function cachedStoredValueSettings(db: Db, currency: string): StoredValueSettings | undefined {
  const row = sql(
    db,
    "SELECT value FROM loyalty_settings WHERE setting = 'stored_value' AND currency = ?",
  ).get(currency) as { value: string } | undefined;
  if (!row) return undefined;
  const parsed = StoredValueSettingsSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : undefined;
}

/** Gift card and store credit numbers are keyed by a hash: the till never stores the number itself. */
export function storedValueNumberKey(number: string): string {
  const normalised = number.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z0-9]{6,64}$/.test(normalised)) {
    throw new DomainError('INVALID_INPUT', 'loyalty.giftCardStoreCredit');
  }
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}

export interface StoredValueRow {
  accountId: string;
  kind: 'store_credit' | 'gift_card';
  maskedNumber: string;
  currency: string;
  status: 'active' | 'blocked';
  available: number;
  held: number;
  takenAtMs: number;
  /** 1 when the hub said the card has a PIN; null when it was cached before the till kept that. */
  pinProtected: 0 | 1 | null;
}

const STORED_VALUE_COLUMNS = `account_id AS accountId, kind, masked_number AS maskedNumber, currency, status,
  available, held, taken_at_ms AS takenAtMs, pin_protected AS pinProtected`;

export function cacheStoredValueAnswer(
  db: Db,
  number: string,
  answer: StoredValueAnswer,
  nowMs: number,
): void {
  const { account } = answer;
  const unacked = earliestUnackedRedemption(db, 'stored_value', account.accountId);
  const snapshot =
    unacked !== undefined && unacked < answer.snapshot.takenAt
      ? { ...answer.snapshot, takenAt: unacked }
      : answer.snapshot;
  sql(
    db,
    `INSERT INTO stored_value_accounts (account_id, number_key, kind, masked_number, currency, status, available,
       held, taken_at_ms, pin_protected)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET number_key = excluded.number_key, masked_number = excluded.masked_number,
       status = excluded.status, available = excluded.available, held = excluded.held,
       taken_at_ms = excluded.taken_at_ms, pin_protected = excluded.pin_protected
     WHERE excluded.taken_at_ms >= stored_value_accounts.taken_at_ms`,
  ).run(
    account.accountId,
    storedValueNumberKey(number),
    account.kind,
    account.maskedNumber,
    account.currency,
    account.status,
    snapshot.available.amount,
    snapshot.held.amount,
    snapshot.takenAt,
    account.pinProtected === true ? 1 : 0,
  );
  cacheStoredValueSettings(db, answer.settings, nowMs);
}

/**
 * The balance the hub answered a hold with: the value this till just took is out of `available` there, so
 * a till that loses the hub right after spends only what is really left (the lookup before the hold still
 * showed the whole balance). Kept only when it is newer than the cached figure, like every answer.
 */
export function cacheStoredValueSnapshot(db: Db, snapshot: StoredValueSnapshot): void {
  const unacked = earliestUnackedRedemption(db, 'stored_value', snapshot.accountId);
  const takenAt = unacked !== undefined && unacked < snapshot.takenAt ? unacked : snapshot.takenAt;
  sql(
    db,
    `UPDATE stored_value_accounts SET available = ?, held = ?, taken_at_ms = ?
     WHERE account_id = ? AND currency = ? AND taken_at_ms <= ?`,
  ).run(
    snapshot.available.amount,
    snapshot.held.amount,
    takenAt,
    snapshot.accountId,
    snapshot.available.currency,
    takenAt,
  );
}

/** Only the hub checks a PIN: while it is away, a card that has one cannot be used or looked at. */
export function assertNoPinOffline(account: StoredValueRow): void {
  if (account.pinProtected !== 1) return;
  throw new DomainError('OFFLINE_LIMIT', 'loyalty.giftCardPinOnly', { maskedNumber: account.maskedNumber });
}

export function cachedStoredValueByNumber(db: Db, number: string): StoredValueRow | undefined {
  return sql(db, `SELECT ${STORED_VALUE_COLUMNS} FROM stored_value_accounts WHERE number_key = ?`).get(
    storedValueNumberKey(number),
  ) as StoredValueRow | undefined;
}

export function cachedStoredValue(db: Db, accountId: string): StoredValueRow | undefined {
  return sql(db, `SELECT ${STORED_VALUE_COLUMNS} FROM stored_value_accounts WHERE account_id = ?`).get(
    accountId,
  ) as StoredValueRow | undefined;
}

/** A redemption this device is letting through without the hub (on an open sale) or already did. */
export interface DeviceRedemption {
  readonly accountId: string;
  readonly amount: number;
  readonly occurredAt: number;
}

/**
 * This device's offline redemptions that can still matter: those since the snapshot (deducted from its
 * balance) and those of the last 24 hours (the device cap).
 */
export function deviceOfflineRedemptions(
  db: Db,
  kind: 'points' | 'stored_value',
  since: number,
  currency?: string,
): DeviceRedemption[] {
  return sql(
    db,
    `SELECT account_id AS accountId, amount, occurred_at_ms AS occurredAt FROM offline_redemptions
     WHERE kind = ? AND occurred_at_ms >= ? AND (? IS NULL OR currency = ?)`,
  ).all(kind, since, currency ?? null, currency ?? null) as DeviceRedemption[];
}

export function recordOfflineRedemption(
  ctx: TxContext,
  redemption: {
    redemptionId: string;
    kind: 'points' | 'stored_value';
    accountId: string;
    amount: number;
    currency: string | null;
    saleId: string;
  },
): void {
  sql(
    ctx.db,
    `INSERT INTO offline_redemptions (redemption_id, kind, account_id, amount, currency, sale_id, occurred_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    redemption.redemptionId,
    redemption.kind,
    redemption.accountId,
    redemption.amount,
    redemption.currency,
    redemption.saleId,
    ctx.nowMs,
  );
}

type AllowanceView = LoyaltyStatus['offline'];

function allowanceView<Q>(allowance: OfflineAllowance<Q>, amountOf: (q: Q) => number): AllowanceView {
  return { allowed: amountOf(allowance.allowed), limitedBy: allowance.limitedBy, reason: allowance.reason };
}

/**
 * How many points this till may let the account spend offline now. `pending` are redemptions on the sale
 * being rung up that are not recorded yet; they count as made now.
 */
export function pointsOfflineAllowance(
  db: Db,
  snapshot: LoyaltySnapshot | undefined,
  programme: LoyaltyProgramme | undefined,
  nowMs: number,
  pending: readonly DeviceRedemption[] = [],
): AllowanceView {
  if (!snapshot || !programme) {
    return {
      allowed: 0,
      limitedBy: 'no_snapshot',
      reason:
        'This till has no points balance from the hub for this customer, so points cannot be used while the hub is unreachable. Ask for another tender.',
    };
  }
  return allowanceView(pointsAllowance(db, snapshot, programme, nowMs, pending), (points) => points);
}

/**
 * The programme's offline points limits, each replaced by the store setting HQ publishes for it
 * (`loyalty.offline.*`), so HQ can tighten or loosen them per chain, region or store without changing
 * the programme.
 */
export function offlinePointsLimits(db: Db, programme: LoyaltyProgramme): LoyaltyProgramme['offline'] {
  const setting = (key: ConfigKey): number | undefined => {
    const value = readConfigValue(db, key);
    return typeof value === 'number' ? value : undefined;
  };
  const hours = setting(CONFIG_KEYS.offlineSnapshotMaxAgeHours);
  return {
    maxSnapshotAgeMs: hours === undefined ? programme.offline.maxSnapshotAgeMs : hours * 3_600_000,
    perTransactionCapPoints:
      setting(CONFIG_KEYS.offlinePointsPerSale) ?? programme.offline.perTransactionCapPoints,
    perDeviceDayCapPoints:
      setting(CONFIG_KEYS.offlinePointsPerDeviceDay) ?? programme.offline.perDeviceDayCapPoints,
  };
}

/** The domain's offline allowance for points, counting this device's offline redemptions. */
export function pointsAllowance(
  db: Db,
  snapshot: LoyaltySnapshot,
  programme: LoyaltyProgramme,
  nowMs: number,
  pending: readonly DeviceRedemption[] = [],
): PointsOfflineAllowance {
  const since = Math.min(snapshot.takenAt, nowMs - DEVICE_DAY_MS);
  const uses = [...deviceOfflineRedemptions(db, 'points', since), ...pending];
  return offlineRedemptionAllowance(
    snapshot,
    uses.map((use) => ({ accountId: use.accountId, points: use.amount, occurredAt: use.occurredAt })),
    { ...programme, offline: offlinePointsLimits(db, programme) },
    nowMs,
  );
}

export function storedValueOfflineAllowanceView(
  db: Db,
  account: StoredValueRow,
  settings: StoredValueSettings | undefined,
  nowMs: number,
  pending: readonly DeviceRedemption[] = [],
): AllowanceView {
  if (!settings || settings.currency !== account.currency) {
    return {
      allowed: 0,
      limitedBy: 'no_snapshot',
      reason:
        'This till has no offline limits for this card from the hub, so it cannot be used while the hub is unreachable. Ask for another tender.',
    };
  }
  const since = Math.min(account.takenAtMs, nowMs - DEVICE_DAY_MS);
  const uses = [...deviceOfflineRedemptions(db, 'stored_value', since, account.currency), ...pending];
  const allowance = storedValueOfflineAllowance(
    {
      accountId: account.accountId,
      kind: account.kind,
      currency: account.currency,
      maskedNumber: account.maskedNumber,
    },
    {
      accountId: account.accountId,
      available: money(account.available, account.currency),
      takenAt: account.takenAtMs,
    },
    uses.map((use) => ({
      accountId: use.accountId,
      amount: money(use.amount, account.currency),
      occurredAt: use.occurredAt,
    })),
    settings,
    nowMs,
  );
  return allowanceView(allowance, (amount) => amount.amount);
}

export function loyaltyStatus(
  db: Db,
  accountId: string,
  currency: string,
  source: LookupSource,
  nowMs: number,
  pending: readonly DeviceRedemption[] = [],
): LoyaltyStatus | null {
  const snapshot = cachedLoyaltySnapshot(db, accountId);
  const programme = cachedProgramme(db, currency);
  if (!snapshot || !programme) return null;
  return {
    accountId,
    source,
    takenAt: new Date(snapshot.takenAt).toISOString(),
    ageMs: Math.max(0, nowMs - snapshot.takenAt),
    pending: snapshot.pending,
    available: snapshot.available,
    held: snapshot.held,
    lifetime: snapshot.lifetime,
    overdraft: snapshot.overdraft,
    nextExpiry:
      snapshot.nextExpiry === undefined
        ? null
        : { at: new Date(snapshot.nextExpiry.at).toISOString(), points: snapshot.nextExpiry.points },
    pointValue: { points: programme.pointValue.points, value: programme.pointValue.value.amount },
    offline: pointsOfflineAllowance(db, snapshot, programme, nowMs, pending),
  };
}

export function storedValueStatus(
  db: Db,
  account: StoredValueRow,
  source: LookupSource,
  nowMs: number,
): StoredValueStatus {
  return {
    accountId: account.accountId,
    kind: account.kind,
    maskedNumber: account.maskedNumber,
    currency: account.currency,
    status: account.status,
    source,
    takenAt: new Date(account.takenAtMs).toISOString(),
    ageMs: Math.max(0, nowMs - account.takenAtMs),
    available: account.available,
    held: account.held,
    offline: storedValueOfflineAllowanceView(
      db,
      account,
      cachedStoredValueSettings(db, account.currency),
      nowMs,
    ),
  };
}

/** Digits typed at the till may also be a loyalty card's number. */
function cardCandidate(query: string): string | undefined {
  try {
    return normalizeCardNumber(query);
  } catch (error) {
    if (isDomainError(error)) return undefined;
    throw error;
  }
}
