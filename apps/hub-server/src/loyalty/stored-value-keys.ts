import { createHash, createHmac, randomUUID } from 'node:crypto';
import { DomainError } from '@retail/domain';
import type { Executor } from '../storage/storage';

/**
 * How the hub finds a gift card or store credit by its number without keeping the number (DESIGN §5,
 * issue 11): the number's SHA-256 under an HMAC with the hub's own key, so the lookup column is useless
 * without the key, and accounts get random ids that say nothing about the number. The key is made once by
 * migration 0010 and kept in `hub_meta`; protect the database's backups accordingly.
 */

export const STORED_VALUE_KEY_NAME = 'stored_value_key';

const keys = new WeakMap<object, Promise<Buffer>>();

/**
 * The hub's key, read once per storage (it never changes once made), through `executor`: inside a
 * transaction pass its executor (SQLite has one connection, which the transaction holds).
 */
export function storedValueKey(storage: object, executor: Executor): Promise<Buffer> {
  let key = keys.get(storage);
  if (key === undefined) {
    key = executor
      .selectFrom('hub_meta')
      .select('value')
      .where('key', '=', STORED_VALUE_KEY_NAME)
      .executeTakeFirst()
      .then((row) => {
        if (row === undefined) {
          throw new DomainError('INTERNAL', 'hub.loyalty.hubNoStoredValue');
        }
        return Buffer.from(row.value, 'base64');
      });
    key.catch(() => keys.delete(storage));
    keys.set(storage, key);
  }
  return key;
}

/** A gift card or slip number as typed or scanned, normalised; refused when it cannot be one. */
export function normalisedNumber(number: string): string {
  const normalised = number.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z0-9]{6,64}$/.test(normalised)) {
    throw new DomainError('INVALID_INPUT', 'loyalty.giftCardStoreCredit');
  }
  return normalised;
}

/** The SHA-256 a number was found by before migration 0010: what its key is made from. */
export function numberDigest(number: string): string {
  return createHash('sha256').update(normalisedNumber(number), 'utf8').digest('hex');
}

/** What the hub looks a number up by, given the number's digest. */
export function numberKeyOfDigest(key: Buffer, digest: string): string {
  return createHmac('sha256', key).update(`number:${digest}`, 'utf8').digest('hex');
}

export function numberKeyWith(key: Buffer, number: string): string {
  return numberKeyOfDigest(key, numberDigest(number));
}

/**
 * An account id from before migration 0010 (`sv-` and the start of the number's SHA-256), kept only as
 * this key so that a till's events written before the upgrade still find their account.
 */
export function aliasKeyWith(key: Buffer, legacyAccountId: string): string {
  return createHmac('sha256', key).update(`alias:${legacyAccountId}`, 'utf8').digest('hex');
}

export function newStoredValueAccountId(): string {
  return `sv-${randomUUID()}`;
}

export function maskedNumberOf(number: string): string {
  return `****${normalisedNumber(number).slice(-4)}`;
}
