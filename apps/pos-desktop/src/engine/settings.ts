import { fromDecimal, type LegalHeader, type VariableMeasureRule } from '@retail/domain';
import { CONFIG_KEYS, CONFIG_VALUE_SCHEMAS, configValueSchema, type ConfigKey } from '@retail/sync';
import { sql } from './context';
import type { Db } from './database';
import type { NodeIdentity } from './identity';
import { shared } from './sales/shared-values';

/**
 * Store node policy knobs. HQ sets them through `config` feed entries (key → value); anything HQ has
 * not set falls back to the defaults below. Values are validated when the feed is applied (see
 * CONFIG_VALUE_SCHEMAS), so a bad value never reaches a till.
 */
export interface NodeSettings {
  /** Wrong PINs in a row before a staff member is locked out. */
  readonly lockoutAttempts: number;
  readonly lockoutMs: number;
  readonly sessionTtlMs: number;
  /** How long a manager override stays usable after the manager entered the PIN. */
  readonly overrideTtlMs: number;
  /** Cash pay-outs above this (minor units) need a manager override. */
  readonly cashOutOverrideLimit: number;
  /** A cashier's count writing off stock worth more than this (minor units, shelf price) needs a supervisor. */
  readonly countWriteOffApprovalLimit: number;
  /** How this store's scale and deli labels are laid out (GS1 variable-measure barcodes). */
  readonly labelRules: readonly VariableMeasureRule[];
}

// The config keys and their value schemas are shared with the hub (packages/sync/src/feed.ts).
export { CONFIG_KEYS, CONFIG_VALUE_SCHEMAS };

export function defaultSettings(identity: NodeIdentity): NodeSettings {
  return {
    lockoutAttempts: 5,
    lockoutMs: 15 * 60_000,
    sessionTtlMs: 12 * 3_600_000,
    overrideTtlMs: 5 * 60_000,
    cashOutOverrideLimit: fromDecimal('100', identity.currency).amount,
    countWriteOffApprovalLimit: fromDecimal('50', identity.currency).amount,
    labelRules: [],
  };
}

/**
 * The label rules last read, by the text they were read from: every scan reads them, and they change only
 * with a feed page. Shared between commands (frozen under test).
 */
let lastLabelRules: { readonly text: string; readonly rules: VariableMeasureRule[] } | undefined;

/** The label rules in force, read on their own because the feed re-keys barcodes whenever they change. */
export function readLabelRules(db: Db): VariableMeasureRule[] {
  const row = sql(db, 'SELECT data FROM config WHERE key = ?').get(CONFIG_KEYS.labelRules) as
    { data: string } | undefined;
  if (!row) return [];
  if (lastLabelRules?.text === row.data) return lastLabelRules.rules;
  const parsed = CONFIG_VALUE_SCHEMAS[CONFIG_KEYS.labelRules].safeParse(
    (JSON.parse(row.data) as { value?: unknown }).value,
  );
  const rules = parsed.success ? shared(parsed.data as VariableMeasureRule[]) : [];
  lastLabelRules = { text: row.data, rules };
  return rules;
}

/** The legal header HQ set for receipts and Z reports, or null while it has set none. */
export function readLegalHeader(db: Db): LegalHeader | null {
  const row = sql(db, 'SELECT data FROM config WHERE key = ?').get(CONFIG_KEYS.receiptLegalHeader) as
    { data: string } | undefined;
  if (!row) return null;
  const parsed = CONFIG_VALUE_SCHEMAS[CONFIG_KEYS.receiptLegalHeader].safeParse(
    (JSON.parse(row.data) as { value?: unknown }).value,
  );
  return parsed.success ? (parsed.data as LegalHeader) : null;
}

/** HQ's value of a key that passes the key's schema, or undefined while unset (or from a newer hub). */
export function readConfigValue(db: Db, key: ConfigKey): unknown {
  const row = sql(db, 'SELECT data FROM config WHERE key = ?').get(key) as { data: string } | undefined;
  if (!row) return undefined;
  const parsed = CONFIG_VALUE_SCHEMAS[key].safeParse((JSON.parse(row.data) as { value?: unknown }).value);
  return parsed.success ? parsed.data : undefined;
}

/** The store's country as HQ set it (`pos.store.country`), or undefined. */
export function readStoreCountry(db: Db): string | undefined {
  const value = readConfigValue(db, CONFIG_KEYS.storeCountry);
  return typeof value === 'string' ? value : undefined;
}

/** The HQ settings version this till runs (published with every settings change), or null for none yet. */
export function readSettingsVersion(db: Db): { version: number; publishedAt: string } | null {
  const value = readConfigValue(db, CONFIG_KEYS.settingsVersion) as
    { version: number; publishedAt: number } | undefined;
  if (value === undefined) return null;
  return { version: value.version, publishedAt: new Date(value.publishedAt).toISOString() };
}

export function readSettings(db: Db, identity: NodeIdentity): NodeSettings {
  const rows = sql(db, "SELECT key, data FROM config WHERE key LIKE 'pos.%'").all() as {
    key: string;
    data: string;
  }[];
  const values = new Map<string, number>();
  for (const row of rows) {
    if (row.key === CONFIG_KEYS.labelRules) continue;
    const parsed = (JSON.parse(row.data) as { value?: unknown }).value;
    const schema = configValueSchema(row.key);
    // Values were validated on the way in; a key from a newer hub this node does not know is skipped.
    if (schema && typeof parsed === 'number' && schema.safeParse(parsed).success) values.set(row.key, parsed);
  }
  const defaults = defaultSettings(identity);
  const minutes = values.get(CONFIG_KEYS.lockoutMinutes);
  const hours = values.get(CONFIG_KEYS.sessionHours);
  const seconds = values.get(CONFIG_KEYS.overrideTtlSeconds);
  return {
    lockoutAttempts: values.get(CONFIG_KEYS.lockoutAttempts) ?? defaults.lockoutAttempts,
    lockoutMs: minutes === undefined ? defaults.lockoutMs : minutes * 60_000,
    sessionTtlMs: hours === undefined ? defaults.sessionTtlMs : hours * 3_600_000,
    overrideTtlMs: seconds === undefined ? defaults.overrideTtlMs : seconds * 1000,
    cashOutOverrideLimit: values.get(CONFIG_KEYS.cashOutOverrideLimit) ?? defaults.cashOutOverrideLimit,
    countWriteOffApprovalLimit:
      values.get(CONFIG_KEYS.countWriteOffApprovalLimit) ?? defaults.countWriteOffApprovalLimit,
    labelRules: readLabelRules(db),
  };
}
