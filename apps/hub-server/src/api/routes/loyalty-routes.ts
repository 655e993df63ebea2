import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  DomainError,
  currencyCodeSchema,
  LoyaltyEntrySchema,
  LoyaltyProgrammeSchema,
  LoyaltySnapshotSchema,
  StoredValueAccountSchema,
  StoredValueEntrySchema,
  StoredValueSettingsSchema,
  StoredValueSnapshotSchema,
  loyaltySnapshot,
  positiveAmountSchema,
  storedValueSnapshot,
  type LoyaltyEntry,
  type StoredValueEntry,
} from '@retail/domain';
import {
  CustomerAnswerSchema,
  CustomerCreateRequestSchema,
  CustomerSearchAnswerSchema,
  CustomerSearchRequestSchema,
  HoldAnswerSchema,
  HoldRequestSchema,
  HubCustomerAnswerSchema,
  LOYALTY_SYNC_PATHS,
  ReleaseAnswerSchema,
  ReleaseRequestSchema,
  StoredValueAnswerSchema,
  StoredValueLookupRequestSchema,
} from '@retail/sync';
import { inHubTransaction } from '../../hub-tx';
import { customerAnswer, findCustomers, recordNewCustomer, resolveCustomerId } from '../../loyalty/customers';
import { lockStoredValueAccount, storedValueAccountOf } from '../../loyalty/ledger-store';
import {
  CountryCodeSchema,
  readProgramme,
  saveDefaultCountryCode,
  saveProgramme,
  saveStoredValueSettings,
} from '../../loyalty/loyalty-config';
import {
  adjustAccountPoints,
  issueStoredCredit,
  placeRedemptionHold,
  releaseRedemptionHold,
  storedValueByNumber,
} from '../../loyalty/loyalty-service';
import type { Principal, RouteRegistry } from '../route';
import { registerHeldValueRoutes } from './held-value-routes';
import { registerStoredValueRoutes } from './stored-value-routes';

function device(principal: Principal | null) {
  if (principal?.kind !== 'device') throw new Error('device route without a device principal');
  return { deviceId: principal.deviceId, storeId: principal.storeId };
}

/**
 * Loyalty and stored value over HTTP: the device endpoints tills call online (lookups, customer creation,
 * redemption holds and their release; device credential) and HQ's (programme, settings, customers,
 * accounts with their ledgers, gift cards).
 */
export function registerLoyaltyRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const deviceAccess = { kind: 'device' } as const;
  const read = { kind: 'hq', role: 'viewer' } as const;
  const write = { kind: 'hq', role: 'operator' } as const;
  const admin = { kind: 'hq', role: 'admin' } as const;

  routes.add(app, {
    method: 'POST',
    url: LOYALTY_SYNC_PATHS.customerSearch,
    summary: 'Customers by phone, email or loyalty card number, with their balances and the programme',
    tag: 'loyalty',
    access: deviceAccess,
    body: CustomerSearchRequestSchema,
    response: CustomerSearchAnswerSchema,
    handler: async ({ body }) => ({
      customers: await findCustomers(hub.storage.db, body.query, hub.now()),
      programme: await readProgramme(hub.storage.db),
    }),
  });
  routes.add(app, {
    method: 'POST',
    url: LOYALTY_SYNC_PATHS.customerCreate,
    summary: 'Create a customer at a till (merged into an existing one with the same phone or email)',
    tag: 'loyalty',
    access: deviceAccess,
    body: CustomerCreateRequestSchema,
    response: CustomerAnswerSchema,
    handler: async ({ body, principal }) => {
      const origin = device(principal);
      const survivor = await inHubTransaction(hub, async (tx) =>
        recordNewCustomer(tx, body, { nodeId: origin.storeId, createdAt: tx.at }),
      );
      const answer = await customerAnswer(hub.storage.db, survivor.survivingCustomerId, hub.now());
      if (answer === undefined) throw new DomainError('INTERNAL', 'hub.api.customerCreatedCannotRead');
      return { customer: answer, programme: await readProgramme(hub.storage.db) };
    },
  });
  routes.add(app, {
    method: 'GET',
    url: `${LOYALTY_SYNC_PATHS.customer}/:customerId`,
    summary: 'A customer (a merged temporary id gives the surviving customer) with their balances',
    tag: 'loyalty',
    access: deviceAccess,
    params: z.object({ customerId: z.string().trim().min(1).max(100) }),
    response: CustomerAnswerSchema,
    handler: async ({ params }) => {
      const resolved = await resolveCustomerId(hub.storage.db, params.customerId);
      const answer =
        resolved === undefined ? undefined : await customerAnswer(hub.storage.db, resolved, hub.now());
      if (answer === undefined)
        throw new DomainError('NOT_FOUND', 'hub.api.noCustomer', { customerId: params.customerId });
      return { customer: answer, programme: await readProgramme(hub.storage.db) };
    },
  });
  routes.add(app, {
    method: 'POST',
    url: LOYALTY_SYNC_PATHS.storedValueLookup,
    summary: 'A gift card or store credit by its number: balance and offline limits',
    tag: 'loyalty',
    access: deviceAccess,
    body: StoredValueLookupRequestSchema,
    response: StoredValueAnswerSchema,
    handler: ({ body }) => storedValueByNumber(hub, body),
  });
  routes.add(app, {
    method: 'POST',
    url: LOYALTY_SYNC_PATHS.holds,
    summary: 'Hold points or stored value for a sale in progress (INSUFFICIENT_BALANCE when short)',
    tag: 'loyalty',
    access: deviceAccess,
    body: HoldRequestSchema,
    response: HoldAnswerSchema,
    successStatus: 201,
    handler: ({ body, principal }) => placeRedemptionHold(hub, device(principal), body),
  });
  routes.add(app, {
    method: 'POST',
    url: LOYALTY_SYNC_PATHS.release,
    summary: 'Release a hold whose payment was removed or whose sale was voided',
    tag: 'loyalty',
    access: deviceAccess,
    body: ReleaseRequestSchema,
    response: ReleaseAnswerSchema,
    handler: ({ body, principal }) => releaseRedemptionHold(hub, device(principal), body),
  });

  routes.add(app, {
    method: 'PUT',
    url: '/api/loyalty/programme',
    summary:
      'Set the loyalty programme: return window, expiry, point value, hold timeout, offline caps, tiers',
    tag: 'loyalty',
    access: admin,
    body: LoyaltyProgrammeSchema,
    response: LoyaltyProgrammeSchema,
    handler: async ({ body, actor }) => {
      await saveProgramme(hub.storage.db, body, actor, hub.now());
      return body;
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/programme',
    summary: 'The loyalty programme',
    tag: 'loyalty',
    access: read,
    response: LoyaltyProgrammeSchema.nullable(),
    handler: () => readProgramme(hub.storage.db),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/loyalty/stored-value-settings',
    summary: 'Set the gift card and store credit settings of a currency (hold timeout, offline caps)',
    tag: 'loyalty',
    access: admin,
    body: StoredValueSettingsSchema,
    response: StoredValueSettingsSchema,
    handler: async ({ body, actor }) => {
      await saveStoredValueSettings(hub.storage.db, body, actor, hub.now());
      return body;
    },
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/loyalty/default-country-code',
    summary: 'The country calling code national phone numbers are read in',
    tag: 'loyalty',
    access: admin,
    body: z.object({ countryCode: CountryCodeSchema }),
    response: z.object({ countryCode: z.string() }),
    handler: async ({ body, actor }) => {
      await saveDefaultCountryCode(hub.storage.db, body.countryCode, actor, hub.now());
      return body;
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/customers',
    summary: 'Find customers by phone, email or loyalty card number',
    tag: 'loyalty',
    access: read,
    query: z.object({ query: z.string().trim().min(3).max(200) }),
    response: z.array(HubCustomerAnswerSchema),
    handler: ({ query }) => findCustomers(hub.storage.db, query.query, hub.now()),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/loyalty/customers',
    summary:
      'Create a customer with a loyalty account (same phone or email: the existing customer is returned)',
    tag: 'loyalty',
    access: write,
    body: CustomerCreateRequestSchema.partial({ customerId: true }),
    response: HubCustomerAnswerSchema,
    successStatus: 201,
    handler: async ({ body }) => {
      const customerId = body.customerId ?? hub.newId();
      const survivor = await inHubTransaction(hub, (tx) =>
        recordNewCustomer(tx, { ...body, customerId }, { createdAt: tx.at }),
      );
      const answer = await customerAnswer(hub.storage.db, survivor.survivingCustomerId, hub.now());
      if (answer === undefined) throw new DomainError('INTERNAL', 'hub.api.customerCreatedCannotRead');
      return answer;
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/loyalty/accounts/:accountId',
    summary:
      'A loyalty account (points) or a gift card or store credit account (`sv-…`): balances now and its whole ledger, oldest first',
    tag: 'loyalty',
    access: read,
    params: z.object({ accountId: z.string().trim().min(1).max(100) }),
    response: z.union([
      z.object({
        kind: z.literal('points'),
        snapshot: LoyaltySnapshotSchema,
        entries: z.array(LoyaltyEntrySchema),
      }),
      z.object({
        kind: z.literal('stored_value'),
        account: StoredValueAccountSchema,
        snapshot: StoredValueSnapshotSchema,
        entries: z.array(StoredValueEntrySchema),
      }),
    ]),
    handler: async ({ params }) => {
      const account = await hub.storage.db
        .selectFrom('loyalty_accounts')
        .select('account_id')
        .where('account_id', '=', params.accountId)
        .executeTakeFirst();
      if (account !== undefined) {
        const rows = await hub.storage.db
          .selectFrom('loyalty_entries')
          .select('entry')
          .where('account_id', '=', params.accountId)
          .orderBy('occurred_at')
          .orderBy('entry_id')
          .execute();
        const entries = rows.map((row) => JSON.parse(row.entry) as LoyaltyEntry);
        return {
          kind: 'points' as const,
          snapshot: loyaltySnapshot(params.accountId, entries, hub.now()),
          entries,
        };
      }
      // Gift cards and store credit have their own ledger; their ids (`sv-…`) are accounts too.
      const stored = await inHubTransaction(hub, (tx) => lockStoredValueAccount(tx, params.accountId));
      if (stored === undefined)
        throw new DomainError('NOT_FOUND', 'hub.api.noLoyaltyGiftCard', { accountId: params.accountId });
      return {
        kind: 'stored_value' as const,
        account: stored.account,
        snapshot: storedValueSnapshot(stored.account, stored.entries, hub.now()),
        entries: stored.entries,
      };
    },
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/loyalty/accounts/:accountId/adjustments',
    summary: 'Correct an account: add points (a new lot) or take usable points; idempotent per adjustmentId',
    tag: 'loyalty',
    access: write,
    params: z.object({ accountId: z.string().trim().min(1).max(100) }),
    body: z.object({
      adjustmentId: z.string().trim().min(1).max(100),
      points: z
        .number()
        .int()
        .safe()
        .refine((points) => points !== 0, 'An adjustment must change the balance.'),
      reason: z.string().trim().min(1).max(200),
      expiresAt: z.number().int().positive().optional(),
    }),
    response: LoyaltySnapshotSchema,
    successStatus: 201,
    handler: ({ params, body }) => adjustAccountPoints(hub, params.accountId, body),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/loyalty/gift-cards',
    summary: 'Issue a gift card (or load more onto one) under its number; idempotent per issueId',
    tag: 'loyalty',
    access: write,
    body: z.object({
      number: z.string().trim().min(6).max(64),
      issueId: z.string().trim().min(1).max(100),
      amount: positiveAmountSchema,
      currency: currencyCodeSchema(),
      /** A PIN the hub then asks for on every lookup of a new card (ignored when loading an existing one). */
      pin: z
        .string()
        .regex(/^\d{4,8}$/, 'A card PIN is 4 to 8 digits.')
        .optional(),
    }),
    response: z.object({ accountId: z.string(), snapshot: StoredValueSnapshotSchema }),
    successStatus: 201,
    handler: async ({ body }) => {
      const accountId = await inHubTransaction(hub, (tx) =>
        issueStoredCredit(tx, { ...body, kind: 'gift_card', sourceDoc: body.issueId }),
      );
      const row = await hub.storage.db
        .selectFrom('stored_value_accounts')
        .selectAll()
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      const entries = (
        await hub.storage.db
          .selectFrom('stored_value_entries')
          .select('entry')
          .where('account_id', '=', accountId)
          .execute()
      ).map((entry) => JSON.parse(entry.entry) as StoredValueEntry);
      return { accountId, snapshot: storedValueSnapshot(storedValueAccountOf(row), entries, hub.now()) };
    },
  });
  registerHeldValueRoutes(app, routes);
  registerStoredValueRoutes(app, routes);
}
