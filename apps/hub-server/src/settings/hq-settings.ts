import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { CONFIG_KEYS, ConfigEntrySchema } from '@retail/sync';
import { recordAudit } from '../audit/hq-audit';
import { CHAIN_SCOPE } from '../feed/feed-store';
import type { HubContext } from '../hub-context';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HqSettingTable } from '../storage/schema';
import type { Executor } from '../storage/storage';

/**
 * Store settings from HQ (issue 16 point 3): a value per key at the chain, a region or one store, where a
 * store's value overrides its region's, which overrides the chain's. Tills never resolve scopes: the hub
 * publishes each store's effective value of a key as a `config` row scoped to that store, with the
 * store's settings version (`pos.settings.version`), so a till keeps the last set it applied while
 * offline and reads it exactly as before. Every change checks the version the operator saw and writes an
 * HQ audit entry in the same transaction; the hub's own checks read the same effective values.
 */

/** The keys HQ may set; the settings version is the hub's to write. */
export const SETTING_KEYS: readonly string[] = Object.values(CONFIG_KEYS)
  .filter((key) => key !== CONFIG_KEYS.settingsVersion)
  .sort();
const KNOWN_KEYS: ReadonlySet<string> = new Set(SETTING_KEYS);

export const SettingKeySchema = z.string().refine((key) => KNOWN_KEYS.has(key), {
  message: `Unknown setting. Known settings: ${SETTING_KEYS.join(', ')}.`,
});

export const SettingScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('chain') }).strict(),
  z.object({ kind: z.literal('region'), regionId: z.string().trim().min(1).max(100) }).strict(),
  z.object({ kind: z.literal('store'), storeId: z.string().trim().min(1).max(100) }).strict(),
]);
export type SettingScope = z.infer<typeof SettingScopeSchema>;

/** Any JSON value; the key's own schema (the one tills apply) decides what is valid. */
const JsonValueSchema = z.union([
  z.record(z.string(), z.unknown()),
  z.array(z.unknown()),
  z.string(),
  z.number(),
  z.boolean(),
]);

export const PutSettingSchema = z
  .object({
    scope: SettingScopeSchema,
    /** null clears the setting at this scope: the wider scope's value (or the till default) applies. */
    value: JsonValueSchema.nullable(),
    /** The version the operator saw: 0 for a setting never set at this scope. */
    expectedVersion: z.number().int().min(0).safe(),
  })
  .strict();
export type PutSetting = z.infer<typeof PutSettingSchema>;

export const SettingSchema = z.object({
  key: z.string(),
  scope: SettingScopeSchema,
  /** null: cleared at this scope. */
  value: JsonValueSchema.nullable(),
  version: z.number().int(),
  revision: z.number().int(),
  updatedAt: z.number().int(),
  updatedBy: z.string(),
});
export type Setting = z.infer<typeof SettingSchema>;

export const SettingsListSchema = z.object({
  /** The chain's settings revision: it grows with every change anywhere. */
  revision: z.number().int(),
  keys: z.array(z.string()),
  settings: z.array(SettingSchema),
});

export const EffectiveSettingsSchema = z.object({
  storeId: z.string(),
  region: z.string(),
  /** The settings version this store runs once it has pulled its feed. */
  version: z.number().int(),
  settings: z.array(
    z.object({
      key: z.string(),
      /** null: not set at any scope, the till's built-in default applies. */
      value: JsonValueSchema.nullable(),
      /** Where the value comes from; null when not set. */
      source: SettingScopeSchema.nullable(),
    }),
  ),
});
export type EffectiveSettings = z.infer<typeof EffectiveSettingsSchema>;

interface StoreAudience {
  readonly nodeId: string;
  readonly region: string;
}

function scopeId(scope: SettingScope): string {
  return scope.kind === 'chain' ? '' : scope.kind === 'region' ? scope.regionId : scope.storeId;
}

function scopeOf(row: Pick<HqSettingTable, 'scope_kind' | 'scope_id'>): SettingScope {
  if (row.scope_kind === 'region') return { kind: 'region', regionId: row.scope_id };
  if (row.scope_kind === 'store') return { kind: 'store', storeId: row.scope_id };
  return { kind: 'chain' };
}

/** A scope as an error sentence names it (`{scope, select, …}` in the hub's error catalog). */
function scopeParams(scope: SettingScope): { scope: SettingScope['kind']; scopeId: string } {
  return {
    scope: scope.kind,
    scopeId: scope.kind === 'chain' ? '' : scope.kind === 'region' ? scope.regionId : scope.storeId,
  };
}

function parseValue(text: string | null): Setting['value'] {
  return text === null ? null : (JSON.parse(text) as Setting['value']);
}

function toSetting(row: HqSettingTable): Setting {
  return {
    key: row.key,
    scope: scopeOf(row),
    value: parseValue(row.value),
    version: Number(row.version),
    revision: Number(row.revision),
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
  };
}

function applies(row: Pick<HqSettingTable, 'scope_kind' | 'scope_id'>, store: StoreAudience): boolean {
  return (
    row.scope_kind === 'chain' ||
    (row.scope_kind === 'region' && row.scope_id === store.region) ||
    (row.scope_kind === 'store' && row.scope_id === store.nodeId)
  );
}

const PRECEDENCE = { store: 0, region: 1, chain: 2 } as const;

/** The store's value of every key from the rows given (all rows, or those of some keys), and its version. */
function resolve(rows: readonly HqSettingTable[], store: StoreAudience) {
  const mine = rows
    .filter((row) => applies(row, store))
    .sort((a, b) => PRECEDENCE[a.scope_kind] - PRECEDENCE[b.scope_kind]);
  const values = new Map<string, { value: Setting['value'] & {}; source: SettingScope }>();
  let version = 0;
  for (const row of mine) {
    version = Math.max(version, Number(row.revision));
    if (row.value === null || values.has(row.key)) continue;
    values.set(row.key, { value: parseValue(row.value) as Setting['value'] & {}, source: scopeOf(row) });
  }
  return { values, version };
}

export async function listSettings(executor: Executor): Promise<z.infer<typeof SettingsListSchema>> {
  const head = await executor.selectFrom('hq_settings_head').select('revision').executeTakeFirst();
  const rows = await executor
    .selectFrom('hq_settings')
    .selectAll()
    .orderBy('key')
    .orderBy('scope_kind')
    .orderBy('scope_id')
    .execute();
  return { revision: Number(head?.revision ?? 0), keys: [...SETTING_KEYS], settings: rows.map(toSetting) };
}

async function storeAudience(executor: Executor, storeId: string): Promise<StoreAudience> {
  const node = await executor
    .selectFrom('nodes')
    .select(['node_id', 'region', 'kind'])
    .where('node_id', '=', storeId)
    .executeTakeFirst();
  if (node === undefined || node.kind !== 'store') {
    throw new DomainError('NOT_FOUND', 'hub.settings.noStore', { storeId }, { storeId });
  }
  return { nodeId: node.node_id, region: node.region };
}

/** What a store runs: every key's value with the scope it comes from, and the store's settings version. */
export async function effectiveSettings(executor: Executor, storeId: string): Promise<EffectiveSettings> {
  const store = await storeAudience(executor, storeId);
  const rows = await executor.selectFrom('hq_settings').selectAll().execute();
  const { values, version } = resolve(rows, store);
  return {
    storeId: store.nodeId,
    region: store.region,
    version,
    settings: SETTING_KEYS.map((key) => {
      const found = values.get(key);
      return { key, value: found?.value ?? null, source: found?.source ?? null };
    }),
  };
}

/** The value of `key` in force at a store now (for the hub's own checks), or undefined while unset. */
export async function effectiveSetting(executor: Executor, nodeId: string, key: string): Promise<unknown> {
  const node = await executor
    .selectFrom('nodes')
    .select(['node_id', 'region'])
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (node === undefined) return undefined;
  const rows = await executor.selectFrom('hq_settings').selectAll().where('key', '=', key).execute();
  return resolve(rows, { nodeId: node.node_id, region: node.region }).values.get(key)?.value;
}

/**
 * Every store's values of `keys` in force now, from one read: for the hub's own checks that look at many
 * stores in one pass (the journal's settle period of each store day). Unset keys are absent.
 */
export async function settingsInForce(
  executor: Executor,
  keys: readonly string[],
): Promise<(store: { nodeId: string; region: string }) => Map<string, unknown>> {
  const rows =
    keys.length === 0
      ? []
      : await executor
          .selectFrom('hq_settings')
          .selectAll()
          .where('key', 'in', [...keys])
          .execute();
  return (store) => {
    const { values } = resolve(rows, store);
    return new Map([...values].map(([key, found]) => [key, found.value]));
  };
}

/**
 * The value of `key` a store ran at its settings version `version` (what its till had applied: every change
 * up to that chain revision that reaches the store), or undefined while unset then. Without a version, or
 * with one the hub never reached, the value in force now. The store's region is today's.
 */
export async function settingAtVersion(
  executor: Executor,
  nodeId: string,
  key: string,
  version: number | undefined,
): Promise<unknown> {
  return (await settingsAtVersion(executor, nodeId, [key], version)).get(key);
}

/** settingAtVersion for several keys at once, in three statements whatever their number. */
export async function settingsAtVersion(
  executor: Executor,
  nodeId: string,
  keys: readonly string[],
  version: number | undefined,
): Promise<Map<string, unknown>> {
  const found = new Map<string, unknown>();
  if (keys.length === 0) return found;
  const head = await executor.selectFrom('hq_settings_head').select('revision').executeTakeFirst();
  const node = await executor
    .selectFrom('nodes')
    .select(['node_id', 'region'])
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (node === undefined) return found;
  const store = { nodeId: node.node_id, region: node.region };
  let rows: HqSettingTable[];
  if (version === undefined || version >= Number(head?.revision ?? 0)) {
    rows = await executor
      .selectFrom('hq_settings')
      .selectAll()
      .where('key', 'in', [...keys])
      .execute();
  } else {
    const history = await executor
      .selectFrom('hq_settings_history')
      .selectAll()
      .where('key', 'in', [...keys])
      .where('revision', '<=', version)
      .orderBy('revision', 'desc')
      .execute();
    const latest = new Map<string, HqSettingTable>();
    for (const entry of history) {
      const scope = `${entry.key}\u0000${entry.scope_kind}:${entry.scope_id}`;
      if (latest.has(scope)) continue;
      latest.set(scope, {
        ...entry,
        revision: Number(entry.revision),
        version: 0,
        updated_at: 0,
        updated_by: '',
      });
    }
    rows = [...latest.values()];
  }
  const { values } = resolve(rows, store);
  for (const key of keys) {
    const value = values.get(key)?.value;
    if (value !== undefined) found.set(key, value);
  }
  return found;
}

async function checkScope(executor: Executor, scope: SettingScope): Promise<void> {
  if (scope.kind === 'store') {
    await storeAudience(executor, scope.storeId);
  } else if (scope.kind === 'region') {
    const known = await executor
      .selectFrom('nodes')
      .select('node_id')
      .where('region', '=', scope.regionId)
      .executeTakeFirst();
    if (known === undefined) {
      throw new DomainError(
        'NOT_FOUND',
        'hub.settings.noNodeChainRegion',
        { regionId: scope.regionId },
        {
          regionId: scope.regionId,
        },
      );
    }
  }
}

function validValue(key: string, value: unknown): void {
  const parsed = ConfigEntrySchema.safeParse({ key, value });
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  throw new DomainError(
    'INVALID_INPUT',
    'hub.settings.valueNotValid',
    issue === undefined ? { key, hasProblem: 'no' } : { key, hasProblem: 'yes', problem: issue.message },
    {
      key,
      issues: parsed.error.issues.map((entry) => ({ path: entry.path.join('.'), message: entry.message })),
    },
  );
}

async function nextRevision(tx: HubTx): Promise<number> {
  // The single head row serialises settings changes on PostgreSQL (row lock until commit).
  const row = await tx.trx
    .updateTable('hq_settings_head')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', 1)
    .returning('revision')
    .executeTakeFirstOrThrow();
  return Number(row.revision);
}

/**
 * Publishes each store's effective value of `keys` and its settings version as `config` rows scoped to
 * the store. With `replaceChainRows` (the stores are every store), a chain-wide `config` row of a key from
 * before per-store settings (migration 0019) is deleted first, in the same transaction.
 */
async function publishToStores(
  tx: HubTx,
  stores: readonly StoreAudience[],
  keys: readonly string[],
  options: { deleteUnset: boolean; replaceChainRows: boolean },
): Promise<void> {
  if (stores.length === 0) return;
  const rows = await tx.trx.selectFrom('hq_settings').selectAll().execute();
  const legacy = !options.replaceChainRows
    ? []
    : await tx.trx
        .selectFrom('feed_changes')
        .select('entity_key')
        .where('entity', '=', 'config')
        .where('scope', '=', CHAIN_SCOPE)
        .where('op', '=', 'upsert')
        .where('entity_key', 'in', keys)
        .execute();
  for (const row of legacy)
    tx.publish({ entity: 'config', key: row.entity_key, op: 'delete', scope: CHAIN_SCOPE });
  for (const store of stores) {
    const { values, version } = resolve(rows, store);
    for (const key of keys) {
      const found = values.get(key);
      if (found !== undefined) {
        tx.publish({
          entity: 'config',
          key,
          op: 'upsert',
          scope: store.nodeId,
          data: { key, value: found.value },
        });
      } else if (options.deleteUnset) {
        tx.publish({ entity: 'config', key, op: 'delete', scope: store.nodeId });
      }
    }
    tx.publish({
      entity: 'config',
      key: CONFIG_KEYS.settingsVersion,
      op: 'upsert',
      scope: store.nodeId,
      data: { key: CONFIG_KEYS.settingsVersion, value: { version, publishedAt: tx.at } },
    });
  }
}

async function storesIn(
  executor: Executor,
  scope: SettingScope,
  everyStore: boolean,
): Promise<StoreAudience[]> {
  let query = executor.selectFrom('nodes').select(['node_id', 'region']).where('kind', '=', 'store');
  if (!everyStore && scope.kind === 'region') query = query.where('region', '=', scope.regionId);
  if (!everyStore && scope.kind === 'store') query = query.where('node_id', '=', scope.storeId);
  const rows = await query.orderBy('node_id').execute();
  return rows.map((row) => ({ nodeId: row.node_id, region: row.region }));
}

/**
 * Sets (or, with a null value, clears) one setting at one scope, if the operator saw its current version;
 * every store it reaches gets its new effective value through the feed.
 */
export async function putSetting(
  hub: HubContext,
  key: string,
  input: PutSetting,
  actor: string,
): Promise<Setting> {
  if (!KNOWN_KEYS.has(key)) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.settings.unknownSettingKnownSettings',
      { key, SETTING_KEYS: SETTING_KEYS.join(', ') },
      {
        key,
      },
    );
  }
  if (input.value !== null) validValue(key, input.value);
  const id = scopeId(input.scope);
  return inHubTransaction(hub, async (tx) => {
    await checkScope(tx.trx, input.scope);
    const revision = await nextRevision(tx);
    const current = await tx.trx
      .selectFrom('hq_settings')
      .selectAll()
      .where('scope_kind', '=', input.scope.kind)
      .where('scope_id', '=', id)
      .where('key', '=', key)
      .executeTakeFirst();
    const currentVersion = current === undefined ? 0 : Number(current.version);
    if (currentVersion !== input.expectedVersion) {
      throw new DomainError(
        'CONFLICT',
        'hub.settings.changedBySomeoneElse',
        { key, ...scopeParams(input.scope), currentVersion },
        { key, scope: input.scope, version: currentVersion },
      );
    }
    const row: HqSettingTable = {
      scope_kind: input.scope.kind,
      scope_id: id,
      key,
      value: input.value === null ? null : JSON.stringify(input.value),
      version: currentVersion + 1,
      revision,
      updated_at: tx.at,
      updated_by: actor,
    };
    if (current === undefined) {
      await tx.trx.insertInto('hq_settings').values(row).execute();
    } else {
      await tx.trx
        .updateTable('hq_settings')
        .set({
          value: row.value,
          version: row.version,
          revision: row.revision,
          updated_at: row.updated_at,
          updated_by: row.updated_by,
        })
        .where('scope_kind', '=', row.scope_kind)
        .where('scope_id', '=', row.scope_id)
        .where('key', '=', key)
        .execute();
    }
    await tx.trx
      .insertInto('hq_settings_history')
      .values({ scope_kind: row.scope_kind, scope_id: id, key, revision, value: row.value })
      .execute();
    const hasLegacy = await tx.trx
      .selectFrom('feed_changes')
      .select('hub_seq')
      .where('entity', '=', 'config')
      .where('scope', '=', CHAIN_SCOPE)
      .where('entity_key', '=', key)
      .where('op', '=', 'upsert')
      .executeTakeFirst();
    const stores = await storesIn(tx.trx, input.scope, hasLegacy !== undefined);
    await publishToStores(tx, stores, [key], {
      deleteUnset: true,
      replaceChainRows: hasLegacy !== undefined,
    });
    await recordAudit(
      tx.trx,
      {
        actor,
        action: input.value === null ? 'settings.clear' : 'settings.set',
        subject: `setting:${key}@${input.scope.kind}${id === '' ? '' : `:${id}`}`,
        before: current === undefined ? null : { value: parseValue(current.value), version: currentVersion },
        after: { value: input.value, version: row.version, revision },
      },
      tx.at,
      hub.newId,
    );
    return toSetting(row);
  });
}

/**
 * Publishes a store's whole effective settings: for a new store, or one that moved to another region
 * (`deleteUnset` then removes values it had only from its old region).
 */
export async function publishStoreSettings(
  tx: HubTx,
  store: StoreAudience,
  options: { deleteUnset: boolean },
): Promise<void> {
  const any = await tx.trx.selectFrom('hq_settings').select('key').executeTakeFirst();
  if (any === undefined) return;
  // Chain rows from before 0019 still reach this store; its own rows come later in the feed and win.
  await publishToStores(tx, [store], SETTING_KEYS, { ...options, replaceChainRows: false });
}
