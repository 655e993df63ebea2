import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { recordAudit } from '../audit/hq-audit';
import type { HubContext } from '../hub-context';
import type { Executor } from '../storage/storage';
import { hashToken, newSecret, sameHash } from './secrets';

/** What an e-commerce integration may do; each key gets only what it needs. */
export const API_KEY_SCOPES = [
  'inventory:read',
  'reservations:write',
  'orders:write',
  'catalog:read',
  /** The outbound event log, the event catalog and the daily journal (ERP, WMS, marketplaces). */
  'integration:read',
  /** Purchase orders and advance shipping notices from an ERP or WMS. */
  'purchasing:write',
  /** A warehouse's WMS reporting pick, pack and ship of the orders routed to it. */
  'fulfilment:write',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1),
});

export const ApiKeySchema = z.object({
  keyId: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdBy: z.string(),
  createdAt: z.number().int(),
  lastUsedAt: z.number().int().nullable(),
  revoked: z.boolean(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export interface ApiKeyPrincipal {
  readonly keyId: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
}

function toApiKey(row: {
  key_id: string;
  name: string;
  scopes: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}): ApiKey {
  return {
    keyId: row.key_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ApiKeyScope[],
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revoked: row.revoked_at !== null,
  };
}

/** The full key is returned once (`hk_<keyId>.<secret>`); the hub keeps only its hash. */
export async function createApiKey(
  hub: HubContext,
  input: z.infer<typeof CreateApiKeySchema>,
  createdBy: string,
): Promise<{ key: string; apiKey: ApiKey }> {
  const keyId = hub.newId();
  const key = `hk_${keyId}.${newSecret()}`;
  const row = {
    key_id: keyId,
    name: input.name,
    secret_hash: hashToken(key),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    created_by: createdBy,
    created_at: hub.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await hub.storage.db.insertInto('api_keys').values(row).execute();
  return { key, apiKey: toApiKey(row) };
}

export const UpdateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    /** The whole new set: scopes not listed are taken away. */
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).optional(),
  })
  .strict();

/**
 * Renames a key or changes its scopes, in place: the integration keeps its key, and the next call it
 * makes is checked against the new scopes (they are read on every call). Recorded in the HQ audit log
 * with the key before and after. A revoked key stays revoked: it cannot be changed.
 */
export async function updateApiKey(
  hub: HubContext,
  keyId: string,
  input: z.infer<typeof UpdateApiKeySchema>,
  actor: string,
): Promise<ApiKey> {
  if (input.name === undefined && input.scopes === undefined) {
    throw new DomainError('INVALID_INPUT', 'hub.auth.apiKeyNothingToChange', {}, { keyId });
  }
  return hub.storage.transaction(async (trx) => {
    const row = await trx
      .selectFrom('api_keys')
      .selectAll()
      .where('key_id', '=', keyId)
      .where('revoked_at', 'is', null)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (row === undefined)
      throw new DomainError('NOT_FOUND', 'hub.auth.noActiveApiKey', { keyId }, { keyId });
    const changed = {
      ...row,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.scopes === undefined ? {} : { scopes: JSON.stringify([...new Set(input.scopes)]) }),
    };
    await trx
      .updateTable('api_keys')
      .set({ name: changed.name, scopes: changed.scopes })
      .where('key_id', '=', keyId)
      .execute();
    const before = toApiKey(row);
    const after = toApiKey(changed);
    await recordAudit(
      trx,
      { actor, action: 'api-keys.update', subject: `api-key:${keyId}`, before, after },
      hub.now(),
      hub.newId,
    );
    return after;
  });
}

export async function listApiKeys(executor: Executor): Promise<ApiKey[]> {
  const rows = await executor.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
  return rows.map(toApiKey);
}

export async function revokeApiKey(hub: HubContext, keyId: string): Promise<void> {
  const result = await hub.storage.db
    .updateTable('api_keys')
    .set({ revoked_at: hub.now() })
    .where('key_id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0)
    throw new DomainError('NOT_FOUND', 'hub.auth.noActiveApiKey', { keyId }, { keyId });
}

export async function authenticateApiKey(hub: HubContext, key: string): Promise<ApiKeyPrincipal> {
  const match = /^hk_([0-9a-f-]{36})\.[A-Za-z0-9_-]{20,}$/.exec(key);
  if (match === null) throw new DomainError('UNAUTHORIZED', 'hub.auth.apiKeyNotValid');
  const row = await hub.storage.db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_id', '=', match[1]!)
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null || !sameHash(row.secret_hash, hashToken(key))) {
    throw new DomainError('UNAUTHORIZED', 'hub.auth.apiKeyNotValid');
  }
  // Last use is informational; recording it at most once a minute keeps reads from writing every time.
  const now = hub.now();
  if (row.last_used_at === null || now - row.last_used_at > 60_000) {
    await hub.storage.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('key_id', '=', row.key_id)
      .execute();
  }
  return { keyId: row.key_id, name: row.name, scopes: JSON.parse(row.scopes) as ApiKeyScope[] };
}
