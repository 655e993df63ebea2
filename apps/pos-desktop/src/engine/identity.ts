import { DomainError, isSupportedCurrency } from '@retail/domain';
import { z } from 'zod';
import type { Db } from './database';

/** Who this node is. Set once by `pos-store init` (later: by enrollment with the hub). */
export interface NodeIdentity {
  readonly storeId: string;
  readonly storeCode: string;
  readonly deviceId: string;
  readonly deviceNo: number;
  readonly currency: string;
  readonly locale: string;
  readonly timezone: string;
  /** Smallest cash amount in minor units (5 = 0.05); 1 = no cash rounding. */
  readonly cashRoundingIncrement: number;
}

function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function isKnownLocale(locale: string): boolean {
  try {
    return Intl.getCanonicalLocales(locale).length === 1;
  } catch {
    return false;
  }
}

export const NodeSetupSchema = z.object({
  storeId: z.string().trim().min(1).max(100),
  storeCode: z
    .string()
    .trim()
    .regex(
      /^[A-Z0-9]{1,12}$/,
      'A store code is 1 to 12 capital letters or digits (it starts every receipt number).',
    ),
  deviceNo: z.number().int().min(1, 'Device numbers start at 1.').max(999, 'Device numbers go up to 999.'),
  currency: z
    .string()
    .refine(isSupportedCurrency, 'Use a supported ISO 4217 currency code such as EUR or USD.'),
  locale: z.string().refine(isKnownLocale, 'Use a BCP 47 locale such as en-US or fr-FR.').default('en-US'),
  timezone: z.string().refine(isKnownTimezone, 'Use an IANA time zone such as Europe/Paris.').default('UTC'),
  cashRoundingIncrement: z.number().int().min(1).max(100_000).default(1),
});
export type NodeSetup = z.input<typeof NodeSetupSchema>;

export function readIdentity(db: Db): NodeIdentity | undefined {
  return db
    .prepare(
      `SELECT store_id AS storeId, store_code AS storeCode, device_id AS deviceId, device_no AS deviceNo,
         currency, locale, timezone, cash_rounding_increment AS cashRoundingIncrement
       FROM node_identity WHERE singleton = 1`,
    )
    .get() as NodeIdentity | undefined;
}

export function requireIdentity(db: Db): NodeIdentity {
  const identity = readIdentity(db);
  if (!identity) {
    throw new DomainError('NOT_FOUND', 'identity.storeNodeNotSet');
  }
  return identity;
}

/** Writes the identity once; a second call is refused because receipts and events already carry it. */
export function writeIdentity(db: Db, setup: NodeSetup, deviceId: string, nowIso: string): NodeIdentity {
  const parsed = NodeSetupSchema.safeParse(setup);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      'INVALID_INPUT',
      issue ? 'identity.setupIssue' : 'identity.setupInvalid',
      issue ? { issue: issue.message } : {},
      { path: issue?.path.join('.') },
    );
  }
  const existing = readIdentity(db);
  if (existing) {
    throw new DomainError(
      'CONFLICT',
      'identity.dataFolderAlreadyBelongs',
      { storeCode: existing.storeCode, deviceNo: existing.deviceNo },
      { storeCode: existing.storeCode, deviceNo: existing.deviceNo },
    );
  }
  const value = parsed.data;
  db.prepare(
    `INSERT INTO node_identity (singleton, store_id, store_code, device_id, device_no, currency, locale, timezone,
       cash_rounding_increment, created_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    value.storeId,
    value.storeCode,
    deviceId,
    value.deviceNo,
    value.currency,
    value.locale,
    value.timezone,
    value.cashRoundingIncrement,
    nowIso,
  );
  return { ...value, deviceId };
}
