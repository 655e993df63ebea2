import {
  DomainError,
  LoyaltyProgrammeSchema,
  StoredValueSettingsSchema,
  type LoyaltyProgramme,
  type StoredValueSettings,
} from '@retail/domain';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Executor } from '../storage/storage';

/**
 * HQ's loyalty settings: the programme (return window, expiry, point value, hold timeout, offline caps,
 * tiers with earn rates), the stored-value settings per currency, and the country code national phone
 * numbers are read in. Tills receive them with every loyalty answer.
 */

const PROGRAMME_KEY = 'programme';
const COUNTRY_KEY = 'default_country_code';
const storedValueKey = (currency: string) => `stored_value:${currency}`;

export const CountryCodeSchema = z
  .string()
  .regex(/^[1-9]\d{0,2}$/, 'A country calling code is 1 to 3 digits, e.g. 44.');

async function readConfig(executor: Executor, key: string): Promise<unknown> {
  const row = await executor
    .selectFrom('loyalty_config')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
}

async function writeConfig(executor: Executor, key: string, value: unknown, actor: string, at: number) {
  await executor
    .insertInto('loyalty_config')
    .values({ key, value: JSON.stringify(value), updated_by: actor, updated_at: at })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({ value: JSON.stringify(value), updated_by: actor, updated_at: at }),
    )
    .execute();
}

export async function readProgramme(executor: Executor): Promise<LoyaltyProgramme | null> {
  const value = await readConfig(executor, PROGRAMME_KEY);
  if (value === undefined) return null;
  const parsed = LoyaltyProgrammeSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export async function requireProgramme(executor: Executor): Promise<LoyaltyProgramme> {
  const programme = await readProgramme(executor);
  if (programme === null) {
    throw new DomainError('NOT_FOUND', 'hub.loyalty.noLoyaltyProgrammeSet');
  }
  return programme;
}

/** Saves the programme and keeps it in the history from `at` on: sales are checked at their own time. */
export async function saveProgramme(
  executor: Executor,
  programme: LoyaltyProgramme,
  actor: string,
  at: number,
) {
  await writeConfig(executor, PROGRAMME_KEY, programme, actor, at);
  await executor
    .insertInto('loyalty_programme_history')
    .values({
      version_id: randomUUID(),
      effective_from: at,
      programme: JSON.stringify(programme),
      saved_by: actor,
    })
    .execute();
}

export interface ProgrammeVersion {
  readonly effectiveFrom: number;
  readonly programme: LoyaltyProgramme;
}

/** Every programme HQ has set, oldest first (a few rows: read once per ingest transaction). */
export async function readProgrammeHistory(executor: Executor): Promise<ProgrammeVersion[]> {
  const rows = await executor
    .selectFrom('loyalty_programme_history')
    .select(['effective_from', 'programme'])
    .orderBy('effective_from')
    .orderBy('version_id')
    .execute();
  return rows.flatMap((row) => {
    const parsed = LoyaltyProgrammeSchema.safeParse(JSON.parse(row.programme));
    return parsed.success ? [{ effectiveFrom: Number(row.effective_from), programme: parsed.data }] : [];
  });
}

/**
 * The programme in force at `at`: the last one set at or before it, or the first one for a sale older
 * than any (a till that was offline since before HQ set a programme can only have used the first).
 */
export function programmeIn(history: readonly ProgrammeVersion[], at: number): LoyaltyProgramme | null {
  let found: LoyaltyProgramme | null = history[0]?.programme ?? null;
  for (const version of history) {
    if (version.effectiveFrom > at) break;
    found = version.programme;
  }
  return found;
}

export async function readStoredValueSettings(
  executor: Executor,
  currency: string,
): Promise<StoredValueSettings | null> {
  const value = await readConfig(executor, storedValueKey(currency));
  if (value === undefined) return null;
  const parsed = StoredValueSettingsSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export async function requireStoredValueSettings(
  executor: Executor,
  currency: string,
): Promise<StoredValueSettings> {
  const settings = await readStoredValueSettings(executor, currency);
  if (settings === null) {
    throw new DomainError('NOT_FOUND', 'hub.loyalty.noStoredValueSettings', { currency });
  }
  return settings;
}

export async function saveStoredValueSettings(
  executor: Executor,
  settings: StoredValueSettings,
  actor: string,
  at: number,
) {
  await writeConfig(executor, storedValueKey(settings.currency), settings, actor, at);
}

export async function readDefaultCountryCode(executor: Executor): Promise<string | undefined> {
  const value = await readConfig(executor, COUNTRY_KEY);
  const parsed = CountryCodeSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export async function saveDefaultCountryCode(executor: Executor, code: string, actor: string, at: number) {
  await writeConfig(executor, COUNTRY_KEY, CountryCodeSchema.parse(code), actor, at);
}
