import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { CONFIG_KEYS, ConfigEntrySchema, type ConfigEntry } from '@retail/sync';
import { recordAudit } from '../audit/hq-audit';
import { CHAIN_SCOPE } from '../feed/feed-store';
import type { HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import type { Executor } from '../storage/storage';

/**
 * Store policy HQ sets for every till (discount limits, the write-off a cashier may record, lockouts...):
 * one chain-wide value per key of CONFIG_KEYS, carried to the tills as `config` rows of the change feed.
 * The feed is compacted to the newest row per key, so it is also where the current value lives; a till
 * uses its built-in default for a key HQ has not set or has removed. Per-store and versioned settings
 * are a later step.
 */

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.values(CONFIG_KEYS));

export const StoreConfigKeySchema = z.string().refine((key) => KNOWN_KEYS.has(key), {
  message: `Unknown setting. Known settings: ${[...KNOWN_KEYS].sort().join(', ')}.`,
});

export const StoreConfigValueSchema = z.object({ value: z.unknown() });

export const StoreConfigEntrySchema = z.object({ key: z.string(), value: z.unknown() });

/** The settings HQ has set, by key; keys left at the till's default are absent. */
export async function listStoreConfig(executor: Executor): Promise<ConfigEntry[]> {
  const rows = await executor
    .selectFrom('feed_changes')
    .select(['entity_key', 'data'])
    .where('entity', '=', 'config')
    .where('scope', '=', CHAIN_SCOPE)
    .where('op', '=', 'upsert')
    .orderBy('entity_key')
    .execute();
  return rows.flatMap((row) => {
    const parsed = ConfigEntrySchema.safeParse(row.data === null ? null : JSON.parse(row.data));
    return parsed.success ? [parsed.data] : [];
  });
}

/** The value HQ has set for `key` now, read inside the transaction that changes it (for the audit log). */
async function currentValue(executor: Executor, key: string): Promise<unknown> {
  const row = await executor
    .selectFrom('feed_changes')
    .select(['data', 'op'])
    .where('entity', '=', 'config')
    .where('scope', '=', CHAIN_SCOPE)
    .where('entity_key', '=', key)
    .executeTakeFirst();
  if (row === undefined || row.op !== 'upsert' || row.data === null) return null;
  return (JSON.parse(row.data) as { value?: unknown }).value ?? null;
}

/** Sets one setting for every store; the value must pass the key's schema (the one the tills apply). */
export async function setStoreConfig(
  hub: HubContext,
  key: string,
  value: unknown,
  actor: string,
): Promise<ConfigEntry> {
  const parsed = ConfigEntrySchema.safeParse({ key, value });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      'INVALID_INPUT',
      `The value for ${key} is not valid: ${issue?.message ?? 'invalid'}.`,
      {
        key,
        issues: parsed.error.issues.map((entry) => ({ path: entry.path.join('.'), message: entry.message })),
      },
    );
  }
  const entry = parsed.data;
  await inHubTransaction(hub, async (tx) => {
    const before = await currentValue(tx.trx, key);
    tx.publish({ entity: 'config', key, op: 'upsert', scope: CHAIN_SCOPE, data: entry });
    await recordAudit(
      tx.trx,
      { actor, action: 'settings.set', subject: `setting:${key}`, before, after: entry.value },
      tx.at,
      hub.newId,
    );
  });
  return entry;
}

/** Removes a setting: every till goes back to its built-in default for it. */
export async function removeStoreConfig(hub: HubContext, key: string, actor: string): Promise<void> {
  await inHubTransaction(hub, async (tx) => {
    const before = await currentValue(tx.trx, key);
    tx.publish({ entity: 'config', key, op: 'delete', scope: CHAIN_SCOPE });
    await recordAudit(
      tx.trx,
      { actor, action: 'settings.remove', subject: `setting:${key}`, before, after: null },
      tx.at,
      hub.newId,
    );
  });
}
