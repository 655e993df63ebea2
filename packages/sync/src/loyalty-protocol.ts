import {
  LoyaltyProgrammeSchema,
  LoyaltySnapshotSchema,
  StoredValueSettingsSchema,
  StoredValueSnapshotSchema,
} from '@retail/domain';
import { z } from 'zod';

/**
 * The online loyalty and stored-value calls a till makes to the hub with its device credential
 * (docs/pricing-loyalty.md "Loyalty and stored value"). They are answered at once or not at all: the till
 * waits a short timeout and otherwise works from its cache within the offline allowance. Times are epoch
 * milliseconds; amounts are minor units of the account's currency.
 */

export const LOYALTY_SYNC_PATHS = {
  customerSearch: '/sync/loyalty/customers/search',
  customerCreate: '/sync/loyalty/customers',
  customer: '/sync/loyalty/customers',
  storedValueLookup: '/sync/loyalty/stored-value/lookup',
  holds: '/sync/loyalty/holds',
  release: '/sync/loyalty/holds/release',
} as const;

const id = z.string().trim().min(1).max(100);
const epochMs = z.number().int().min(0);
const minor = z.number().int().safe();

export const HubCustomerRecordSchema = z.object({
  customerId: id,
  temporary: z.boolean(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  /** Set when this (temporary) customer was merged: the customer to use instead. */
  mergedInto: id.nullable(),
});
export type HubCustomerRecord = z.infer<typeof HubCustomerRecordSchema>;

export const HubLoyaltyAccountRecordSchema = z.object({
  accountId: id,
  cardNumber: z.string(),
  tierId: z.string(),
  tierName: z.string(),
  status: z.enum(['active', 'blocked', 'merged']),
});
export type HubLoyaltyAccountRecord = z.infer<typeof HubLoyaltyAccountRecordSchema>;

/** A customer with their loyalty account and its balances at the hub right now. */
export const HubCustomerAnswerSchema = z.object({
  customer: HubCustomerRecordSchema,
  account: HubLoyaltyAccountRecordSchema.nullable(),
  snapshot: LoyaltySnapshotSchema.nullable(),
});
export type HubCustomerAnswer = z.infer<typeof HubCustomerAnswerSchema>;

/**
 * Feed entity `customer` (key = the id the till created): what became of a customer a till created
 * offline. `customer.customer.customerId` is the surviving customer (the same id when it was made
 * permanent); tills map the temporary id to it.
 */
export const CustomerFeedSchema = z.object({
  customerId: id,
  customer: HubCustomerAnswerSchema,
});
export type CustomerFeed = z.infer<typeof CustomerFeedSchema>;

export const CustomerSearchRequestSchema = z.object({ query: z.string().trim().min(3).max(200) });

/** Every customer answer carries the programme, so a till always knows the rules its cached balances follow. */
export const CustomerSearchAnswerSchema = z.object({
  customers: z.array(HubCustomerAnswerSchema),
  programme: LoyaltyProgrammeSchema.nullable(),
});
export type CustomerSearchAnswer = z.infer<typeof CustomerSearchAnswerSchema>;

/**
 * A customer created at a till. The till picks the id (a retry creates nothing twice); the hub answers
 * with the customer it stored, or the existing one it merged the request into (same phone or email).
 */
export const CustomerCreateRequestSchema = z.object({
  customerId: id,
  name: z.string().trim().min(1).max(200).optional(),
  phone: z.string().trim().min(1).max(40).optional(),
  email: z.string().trim().min(3).max(254).optional(),
  cardNumber: z.string().trim().min(6).max(40).optional(),
});
export type CustomerCreateRequest = z.infer<typeof CustomerCreateRequestSchema>;

export const CustomerAnswerSchema = z.object({
  customer: HubCustomerAnswerSchema,
  programme: LoyaltyProgrammeSchema.nullable(),
});
export type CustomerAnswer = z.infer<typeof CustomerAnswerSchema>;

export const StoredValueLookupRequestSchema = z.object({
  number: z.string().trim().min(6).max(64),
  /** The card's PIN, when it has one (the answer to a lookup without it says `pinRequired`). */
  pin: z
    .string()
    .regex(/^\d{4,8}$/, 'A card PIN is 4 to 8 digits.')
    .optional(),
});

export const StoredValueAnswerSchema = z.object({
  account: z.object({
    accountId: id,
    kind: z.enum(['store_credit', 'gift_card']),
    maskedNumber: z.string(),
    currency: z.string(),
    status: z.enum(['active', 'blocked']),
    /** The hub asks for the card's PIN on every lookup; such a card is not for offline use. */
    pinProtected: z.boolean().optional(),
  }),
  snapshot: StoredValueSnapshotSchema,
  settings: StoredValueSettingsSchema,
});
export type StoredValueAnswer = z.infer<typeof StoredValueAnswerSchema>;

/** A hold for an online redemption; the hold id is the till's tender id, so a retry places it once. */
export const HoldRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('points'),
    accountId: id,
    holdId: id,
    points: z.number().int().positive().safe(),
  }),
  z.object({ kind: z.literal('stored_value'), accountId: id, holdId: id, amount: minor.positive() }),
]);
export type HoldRequest = z.infer<typeof HoldRequestSchema>;

export const HoldAnswerSchema = z.object({
  holdId: id,
  accountId: id,
  /** When the hub releases the hold by itself if the sale never completes. */
  expiresAt: epochMs,
  /** The account's balances with the hold in place, and the rules they follow, for the till's cache. */
  loyalty: z.object({ snapshot: LoyaltySnapshotSchema, programme: LoyaltyProgrammeSchema }).optional(),
  storedValue: StoredValueSnapshotSchema.optional(),
});
export type HoldAnswer = z.infer<typeof HoldAnswerSchema>;

export const ReleaseRequestSchema = z.object({
  kind: z.enum(['points', 'stored_value']),
  holdId: id,
});
export type ReleaseRequest = z.infer<typeof ReleaseRequestSchema>;

export const ReleaseAnswerSchema = z.object({ holdId: id, released: z.boolean() });
