import { createHash } from 'node:crypto';
import { StoredValueSettingsSchema } from '@retail/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { saveStoredValueSettings } from './loyalty-config';
import { PIN_ATTEMPTS, PIN_LOCK_MS, issueStoredCredit, storedValueByNumber } from './loyalty-service';

describe.each(backendKinds())('loyalty/stored value numbers on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  const clock = { now: 1_800_000_000_000 };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => clock.now);
    await saveStoredValueSettings(
      storage.db,
      StoredValueSettingsSchema.parse({
        currency: 'USD',
        holdTtlMs: 60_000,
        offline: {
          maxSnapshotAgeMs: 60_000,
          perTransactionCap: { amount: 0, currency: 'USD' },
          perDeviceDayCap: { amount: 0, currency: 'USD' },
        },
      }),
      'test',
      clock.now,
    );
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  const issue = (number: string, pin?: string) =>
    inHubTransaction(hub, (tx) =>
      issueStoredCredit(tx, {
        number,
        issueId: `issue-${number}`,
        amount: 2_500,
        currency: 'USD',
        kind: 'gift_card',
        ...(pin === undefined ? {} : { pin }),
      }),
    );

  it('gives cards random ids and keeps neither the number nor its plain digest', async () => {
    const number = '6006 4912 3456 7890';
    const accountId = await issue(number);
    const digest = createHash('sha256').update('6006491234567890', 'utf8').digest('hex');
    expect(accountId).not.toContain(digest.slice(0, 8));
    const row = await storage.db
      .selectFrom('stored_value_accounts')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toMatch(new RegExp(`6006491234567890|${digest}`));
    expect(row.masked_number).toBe('****7890');
    expect((await storedValueByNumber(hub, { number: '6006-4912-3456-7890' })).account).toMatchObject({
      accountId,
      pinProtected: false,
    });
    // The same number issued again loads the same card.
    expect(await issue(number)).toBe(accountId);
  });

  it('answers a card with a PIN only with the right PIN, and locks it after repeated wrong ones', async () => {
    const number = 'GC-PIN-0001';
    await issue(number, '4321');
    await expect(storedValueByNumber(hub, { number })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { pinRequired: true },
    });
    await expect(storedValueByNumber(hub, { number, pin: '0000' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { attemptsLeft: PIN_ATTEMPTS - 1 },
    });
    expect((await storedValueByNumber(hub, { number, pin: '4321' })).account).toMatchObject({
      pinProtected: true,
    });
    // The right PIN starts the count again; then PIN_ATTEMPTS wrong ones lock the card, even to the right one.
    for (let attempt = 1; attempt < PIN_ATTEMPTS; attempt += 1) {
      await expect(storedValueByNumber(hub, { number, pin: '1111' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    await expect(storedValueByNumber(hub, { number, pin: '1111' })).rejects.toMatchObject({
      code: 'LOCKED_OUT',
    });
    await expect(storedValueByNumber(hub, { number, pin: '4321' })).rejects.toMatchObject({
      code: 'LOCKED_OUT',
    });
    clock.now += PIN_LOCK_MS + 1;
    expect((await storedValueByNumber(hub, { number, pin: '4321' })).snapshot.available.amount).toBe(2_500);
  });

  it('checks no more than the allowed guesses when they arrive all at once from several tills', async () => {
    const number = 'GC-PIN-0002';
    await issue(number, '8642');
    const guesses = Array.from({ length: PIN_ATTEMPTS * 2 }, (_, index) =>
      storedValueByNumber(hub, { number, pin: String(1000 + index) }).then(
        () => 'answered',
        (error: { code: string }) => error.code,
      ),
    );
    const codes = await Promise.all(guesses);
    expect(codes.filter((code) => code === 'FORBIDDEN')).toHaveLength(PIN_ATTEMPTS - 1);
    expect(codes.filter((code) => code === 'LOCKED_OUT')).toHaveLength(PIN_ATTEMPTS + 1);
    await expect(storedValueByNumber(hub, { number, pin: '8642' })).rejects.toMatchObject({
      code: 'LOCKED_OUT',
    });
  });

  it('lets the right PIN through on the last attempt, lifting the lock that attempt set', async () => {
    const number = 'GC-PIN-0003';
    await issue(number, '1357');
    for (let attempt = 1; attempt < PIN_ATTEMPTS; attempt += 1) {
      await expect(storedValueByNumber(hub, { number, pin: '0000' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    expect((await storedValueByNumber(hub, { number, pin: '1357' })).account.pinProtected).toBe(true);
    await expect(storedValueByNumber(hub, { number, pin: '0000' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { attemptsLeft: PIN_ATTEMPTS - 1 },
    });
  });
});
