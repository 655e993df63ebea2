import { z } from 'zod';
import type { Result } from '../errors';
import {
  entityIdSchema,
  entryIdSchema,
  epochMsSchema,
  moneySchema,
  parseWithSchema,
  signedPointsSchema,
} from './schema-parts';

/**
 * The points ledger: an append-only list of entries per account. Balances are never stored; they are
 * derived from the entries (ledger.ts). Entries that create points are **lots** (an earn, a credit
 * adjustment, an overdraft's debt); entries that take points from lots or give them back carry
 * **allocations** naming the lots and how many points, so expiry, reversals and refunds touch exactly the
 * points they concern.
 *
 * `points` is signed by direction:
 *
 * | type               | points | lot / allocations                                                          |
 * |--------------------|--------|----------------------------------------------------------------------------|
 * | EARN_PENDING       |  > 0   | creates lot `entryId`; pending until `availableAt`, expires at `expiresAt`   |
 * | EARN_ACTIVATE      |  ≥ 0   | record that lot `lotId` became usable (points = what was left of it); no effect |
 * | REDEEM_HOLD        |  < 0   | takes −points from lots (FEFO) into `held`; open until captured or released |
 * | REDEEM_CAPTURE     |  ≤ 0   | online: the hold `holdId` is spent; offline: takes −points from lots itself |
 * | REDEEM_RELEASE     |  > 0   | gives the hold's points back to the lots it took them from                  |
 * | EARN_REVERSAL      |  ≤ 0   | takes −points from the reversed lot `lotId`, then from other lots           |
 * | REDEMPTION_REFUND  |  ≥ 0   | gives points back to what redemption `holdId` took them from                |
 * | EXPIRE             |  ≤ 0   | −points of lot `lotId` expire; allocations may also settle overdraft debt   |
 * | ADJUST             |  ≠ 0   | > 0 creates a lot usable at once; < 0 takes points from lots (FEFO)         |
 * | OFFLINE_OVERDRAFT  |  < 0   | creates a debt lot of `points`: the part of `causedBy` nothing covered      |
 *
 * Every allocation on an entry sums to −points, except EXPIRE, where settling debt moves points from the
 * expiring lot to a debt lot (a positive and a negative allocation that cancel out).
 */

export const LOYALTY_ENTRY_TYPES = [
  'EARN_PENDING',
  'EARN_ACTIVATE',
  'REDEEM_HOLD',
  'REDEEM_CAPTURE',
  'REDEEM_RELEASE',
  'EARN_REVERSAL',
  'REDEMPTION_REFUND',
  'EXPIRE',
  'ADJUST',
  'OFFLINE_OVERDRAFT',
] as const;
export type LoyaltyEntryType = (typeof LOYALTY_ENTRY_TYPES)[number];

export const LotAllocationSchema = z.object({
  lotId: entryIdSchema,
  /** > 0 takes points out of the lot; < 0 puts them back. */
  points: signedPointsSchema.refine((points) => points !== 0, {
    error: 'An allocation moves at least one point.',
  }),
});
export type LotAllocation = z.infer<typeof LotAllocationSchema>;

const LoyaltyEntryObject = z.object({
  /** Idempotency key: derived from the document that caused the entry, so a replay collides with itself. */
  entryId: entryIdSchema,
  accountId: entityIdSchema,
  type: z.enum(LOYALTY_ENTRY_TYPES),
  points: signedPointsSchema,
  /** When it happened: the hub's clock for hub decisions, the till's for facts recorded at a till. */
  occurredAt: epochMsSchema,
  /** Sale, return or adjustment document id. */
  sourceDoc: entityIdSchema.optional(),
  originNode: entityIdSchema.optional(),
  deviceId: entityIdSchema.optional(),
  /** EARN_ACTIVATE, EARN_REVERSAL, EXPIRE: the lot concerned. */
  lotId: entryIdSchema.optional(),
  /** REDEEM_*, REDEMPTION_REFUND, and an overdraft caused by a redemption: the redemption (hold) id. */
  holdId: entityIdSchema.optional(),
  /** Lots: when the points become usable. */
  availableAt: epochMsSchema.optional(),
  /** Lots: when unused points expire (none: never). REDEEM_HOLD: when the hub releases the hold. */
  expiresAt: epochMsSchema.optional(),
  allocations: z.array(LotAllocationSchema).max(10_000).optional(),
  /**
   * Money the entry is based on, kept so proportional reversals and refunds stay exact over several
   * partial returns: EARN_PENDING the amount that earned the points, EARN_REVERSAL the part of it refunded,
   * REDEEM_CAPTURE what the points paid, REDEMPTION_REFUND the part of that refunded.
   */
  value: moneySchema.optional(),
  /** OFFLINE_OVERDRAFT: the capture or reversal entry whose shortfall it records. */
  causedBy: entryIdSchema.optional(),
  reason: z.string().trim().min(1).max(200).optional(),
});

type EntryShape = z.infer<typeof LoyaltyEntryObject>;

type FieldName = keyof EntryShape;

interface TypeRule {
  readonly sign: 'positive' | 'negative' | 'non-negative' | 'non-positive' | 'non-zero';
  readonly required: readonly FieldName[];
  readonly forbidden: readonly FieldName[];
  /** `sum`: allocations must sum to −points; `none`: no allocations; `settlement`: EXPIRE's rule. */
  readonly allocations: 'sum' | 'none' | 'settlement' | 'adjust';
}

const TYPE_RULES: Readonly<Record<LoyaltyEntryType, TypeRule>> = {
  EARN_PENDING: {
    sign: 'positive',
    required: ['availableAt', 'value'],
    forbidden: ['holdId', 'lotId', 'causedBy'],
    allocations: 'none',
  },
  EARN_ACTIVATE: { sign: 'non-negative', required: ['lotId'], forbidden: ['holdId'], allocations: 'none' },
  REDEEM_HOLD: {
    sign: 'negative',
    required: ['holdId', 'expiresAt'],
    forbidden: ['lotId'],
    allocations: 'sum',
  },
  // Online captures have no allocations (the hold took the points); offline ones carry their own.
  REDEEM_CAPTURE: {
    sign: 'non-positive',
    required: ['holdId', 'value'],
    forbidden: ['lotId'],
    allocations: 'sum',
  },
  REDEEM_RELEASE: { sign: 'positive', required: ['holdId'], forbidden: ['lotId'], allocations: 'sum' },
  EARN_REVERSAL: {
    sign: 'non-positive',
    required: ['lotId', 'value', 'sourceDoc'],
    forbidden: ['holdId'],
    allocations: 'sum',
  },
  REDEMPTION_REFUND: {
    sign: 'non-negative',
    required: ['holdId', 'value', 'sourceDoc'],
    forbidden: ['lotId'],
    allocations: 'sum',
  },
  EXPIRE: { sign: 'non-positive', required: ['lotId'], forbidden: ['holdId'], allocations: 'settlement' },
  ADJUST: { sign: 'non-zero', required: ['reason'], forbidden: ['holdId', 'lotId'], allocations: 'adjust' },
  OFFLINE_OVERDRAFT: {
    sign: 'negative',
    required: ['causedBy', 'availableAt'],
    forbidden: ['lotId'],
    allocations: 'none',
  },
};

function signOk(sign: TypeRule['sign'], points: number): boolean {
  switch (sign) {
    case 'positive':
      return points > 0;
    case 'negative':
      return points < 0;
    case 'non-negative':
      return points >= 0;
    case 'non-positive':
      return points <= 0;
    case 'non-zero':
      return points !== 0;
  }
}

export const LoyaltyEntrySchema = LoyaltyEntryObject.superRefine((entry, context) => {
  const rule = TYPE_RULES[entry.type];
  if (!signOk(rule.sign, entry.points)) {
    context.addIssue({
      code: 'custom',
      message: `${entry.type} points must be ${rule.sign}, got ${entry.points}.`,
      path: ['points'],
    });
  }
  for (const field of rule.required) {
    if (entry[field] === undefined) {
      context.addIssue({ code: 'custom', message: `${entry.type} needs ${field}.`, path: [field] });
    }
  }
  for (const field of rule.forbidden) {
    if (entry[field] !== undefined) {
      context.addIssue({ code: 'custom', message: `${entry.type} does not take ${field}.`, path: [field] });
    }
  }
  const allocations = entry.allocations ?? [];
  const allocated = allocations.reduce((total, allocation) => total + allocation.points, 0);
  const expected = rule.allocations === 'adjust' && entry.points > 0 ? 'none' : rule.allocations;
  if (expected === 'none' && allocations.length > 0) {
    context.addIssue({
      code: 'custom',
      message: `${entry.type} does not move points between lots.`,
      path: ['allocations'],
    });
  }
  const needsSum =
    expected === 'sum' || expected === 'settlement' || (expected === 'adjust' && entry.points < 0);
  const onlineCapture = entry.type === 'REDEEM_CAPTURE' && allocations.length === 0;
  if (needsSum && !onlineCapture && allocated !== -entry.points) {
    context.addIssue({
      code: 'custom',
      message: `${entry.type} allocations move ${allocated} points but the entry says ${entry.points}.`,
      path: ['allocations'],
    });
  }
  if (entry.type === 'ADJUST' && entry.points > 0 && entry.availableAt === undefined) {
    context.addIssue({
      code: 'custom',
      message: 'A credit ADJUST needs availableAt.',
      path: ['availableAt'],
    });
  }
  if (
    entry.expiresAt !== undefined &&
    entry.availableAt !== undefined &&
    entry.expiresAt <= entry.availableAt
  ) {
    context.addIssue({
      code: 'custom',
      message: 'Points must expire after they become usable.',
      path: ['expiresAt'],
    });
  }
});
export type LoyaltyEntry = z.infer<typeof LoyaltyEntrySchema>;

export function parseLoyaltyEntry(input: unknown): Result<LoyaltyEntry> {
  return parseWithSchema(LoyaltyEntrySchema, input, 'loyalty entry');
}

/**
 * Entry ids derived from the causing document. Two hub instances (or a retry) deciding the same thing
 * produce the same id, so the ledger's primary key makes every decision apply at most once.
 */
export const loyaltyEntryIds = {
  earn: (saleId: string) => `earn:${saleId}`,
  activate: (lotId: string) => `activate:${lotId}`,
  hold: (holdId: string) => `hold:${holdId}`,
  capture: (holdId: string) => `capture:${holdId}`,
  release: (holdId: string) => `release:${holdId}`,
  reversal: (returnId: string, lotId: string) => `reversal:${returnId}:${lotId}`,
  redemptionRefund: (returnId: string, holdId: string) => `refund:${returnId}:${holdId}`,
  expire: (lotId: string, occurrence: number) => `expire:${lotId}:${occurrence}`,
  adjust: (adjustmentId: string) => `adjust:${adjustmentId}`,
  overdraft: (causeEntryId: string) => `overdraft:${causeEntryId}`,
} as const;
