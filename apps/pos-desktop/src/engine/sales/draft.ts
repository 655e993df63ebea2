import { isDeepStrictEqual } from 'node:util';
import { DomainError } from '@retail/domain';
import { z } from 'zod';
import { ManualDiscountInputSchema } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import { CHECK_SHARED, shared } from './shared-values';

/**
 * The cart of a sale that is being rung up or is parked, stored as JSON on its `sales` row so it survives a
 * crash and can be resumed on another lane. It holds only what the cashier decided (items, quantities,
 * price overrides, discounts, payments); prices, promotions and tax are recomputed from the replica each
 * time, and frozen into the sale tables when the sale completes.
 */
const id = z.string().min(1).max(100);
const minor = z.number().int().safe();

export const DraftLineSchema = z.object({
  lineId: id,
  sku: id,
  qty: z.number().int().positive().safe(),
  /** What was scanned, kept for the audit of label-priced lines. */
  scannedCode: z.string().max(100).optional(),
  price: z.discriminatedUnion('source', [
    z.object({ source: z.literal('price_book') }),
    /** A scale label with the price printed on it: the line's extended amount. */
    z.object({ source: z.literal('label'), unitPrice: minor.min(0) }),
    z.object({
      source: z.literal('override'),
      unitPrice: minor.min(0),
      reason: z.string().min(1).max(200),
      managerId: id,
      overrideId: z.string().max(100),
      at: z.string(),
    }),
  ]),
  discount: ManualDiscountInputSchema.optional(),
  /** Who gave the discount: their role's limit is the one it is judged against at completion. */
  discountBy: id.optional(),
});
export type DraftLine = z.infer<typeof DraftLineSchema>;

const DraftRedemptionSchema = z.object({
  mode: z.enum(['online', 'offline']),
  accountId: id,
  redemptionId: id,
  expiresAtMs: z.number().int().nullable(),
});

export const DraftTenderSchema = z.discriminatedUnion('type', [
  z.object({ tenderId: id, type: z.literal('cash'), amount: minor.positive() }),
  z.object({
    tenderId: id,
    type: z.literal('card'),
    amount: minor.positive(),
    reference: z.string().min(1).max(100),
  }),
  // Points, store credit and gift cards (engine/loyalty/sale-loyalty.ts): an online hold or the offline allowance.
  z.object({
    tenderId: id,
    type: z.literal('loyalty_points'),
    points: z.number().int().positive().safe(),
    reference: id,
    redemption: DraftRedemptionSchema,
  }),
  z.object({
    tenderId: id,
    type: z.literal('store_credit'),
    amount: minor.positive(),
    reference: id,
    maskedNumber: z.string().max(40),
    redemption: DraftRedemptionSchema,
  }),
  z.object({
    tenderId: id,
    type: z.literal('gift_card'),
    amount: minor.positive(),
    reference: id,
    maskedNumber: z.string().max(40),
    redemption: DraftRedemptionSchema,
  }),
]);
export type DraftTender = z.infer<typeof DraftTenderSchema>;

export const DraftExchangeSchema = z.object({
  receiptNumber: z.string().min(1).max(60),
  lines: z
    .array(
      z.object({
        lineId: id,
        qty: z.number().int().positive().safe(),
        disposition: z.enum(['sellable', 'damaged', 'quality_control', 'write_off']),
      }),
    )
    .min(1),
});
export type DraftExchange = z.infer<typeof DraftExchangeSchema>;

/** A gift card sold or reloaded on the sale (engine/sales/gift-card-loads.ts). Never the number itself. */
export const DraftGiftCardSchema = z.object({
  lineId: id,
  kind: z.enum(['activate', 'reload']),
  numberDigest: z.string().regex(/^[0-9a-f]{64}$/),
  maskedNumber: z.string().max(40),
  amount: minor.positive(),
});
export type DraftGiftCard = z.infer<typeof DraftGiftCardSchema>;

export const SaleDraftSchema = z.object({
  lines: z.array(DraftLineSchema),
  giftCards: z.array(DraftGiftCardSchema).optional(),
  orderDiscount: ManualDiscountInputSchema.optional(),
  orderDiscountBy: id.optional(),
  tenders: z.array(DraftTenderSchema),
  /** Items of an earlier receipt returned in the same transaction; their refund pays for this sale. */
  exchange: DraftExchangeSchema.optional(),
});
export type SaleDraft = z.infer<typeof SaleDraftSchema>;

export const EMPTY_DRAFT: SaleDraft = { lines: [], tenders: [] };

export interface SaleRow {
  saleId: string;
  status: 'open' | 'parked' | 'completed' | 'voided';
  registerId: string;
  shiftId: string | null;
  staffId: string;
  customerId: string | null;
  currency: string;
  receiptNumber: string | null;
  draft: string | null;
  startedAt: string;
  completedAt: string | null;
  parkedAt: string | null;
}

const SALE_COLUMNS = `sale_id AS saleId, status, register_id AS registerId, shift_id AS shiftId, staff_id AS staffId,
  customer_id AS customerId, currency, receipt_number AS receiptNumber, draft, started_at AS startedAt,
  completed_at AS completedAt, parked_at AS parkedAt`;

export function findSale(ctx: TxContext, saleId: string): SaleRow {
  const row = sql(ctx.db, `SELECT ${SALE_COLUMNS} FROM sales WHERE sale_id = ?`).get(saleId) as
    SaleRow | undefined;
  if (!row) throw new DomainError('NOT_FOUND', 'sales.noSaleTill', { saleId }, { saleId });
  return row;
}

export function findLocalSaleByReceipt(ctx: TxContext, receiptNumber: string): SaleRow | undefined {
  return sql(ctx.db, `SELECT ${SALE_COLUMNS} FROM sales WHERE receipt_number = ?`).get(receiptNumber) as
    SaleRow | undefined;
}

export function findSaleByReceipt(ctx: TxContext, receiptNumber: string): SaleRow {
  const row = findLocalSaleByReceipt(ctx, receiptNumber);
  if (!row) {
    throw new DomainError('NOT_FOUND', 'sales.noSaleReceiptNumber', { receiptNumber }, { receiptNumber });
  }
  return row;
}

/** An open sale (being rung up): the only state its cart may change in. */
export function requireOpenSale(ctx: TxContext, saleId: string): { row: SaleRow; draft: SaleDraft } {
  const row = findSale(ctx, saleId);
  if (row.status !== 'open') {
    const why =
      row.status === 'parked'
        ? 'it is parked; resume it first'
        : row.status === 'completed'
          ? `it is already completed (receipt ${row.receiptNumber ?? ''})`
          : 'it was voided';
    throw new DomainError(
      'CONFLICT',
      'sales.saleCannotChanged',
      { saleId, why },
      {
        saleId,
        status: row.status,
      },
    );
  }
  return { row, draft: readDraft(row) };
}

/**
 * Drafts by their JSON text, newest last: the draft a command writes is the one the next command on that sale
 * reads, so it is handed over as the object written instead of parsed again from its text (JSON and zod: about
 * 5 % of a scan). Keyed by content, so a rolled-back write or two sales with the same text cannot mix up
 * carts. Shared between commands: frozen, and checked against parsing its text, under test.
 */
const knownDrafts = new Map<string, SaleDraft>();
const KNOWN_DRAFTS = 64;

function parseDraft(saleId: string, text: string): SaleDraft {
  const parsed = SaleDraftSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new DomainError('INTERNAL', 'sales.cartSaleUnreadableVoid', { saleId });
  }
  return parsed.data;
}

function remember(text: string, draft: SaleDraft): void {
  knownDrafts.delete(text);
  if (knownDrafts.size >= KNOWN_DRAFTS) {
    const oldest = knownDrafts.keys().next();
    if (oldest.done !== true) knownDrafts.delete(oldest.value);
  }
  knownDrafts.set(text, shared(draft));
}

export function readDraft(row: SaleRow): SaleDraft {
  if (row.draft === null) return EMPTY_DRAFT;
  const known = knownDrafts.get(row.draft);
  if (known !== undefined) return known;
  const parsed = parseDraft(row.saleId, row.draft);
  remember(row.draft, parsed);
  return parsed;
}

export function writeDraft(ctx: TxContext, saleId: string, draft: SaleDraft): void {
  const text = JSON.stringify(draft);
  sql(ctx.db, 'UPDATE sales SET draft = ? WHERE sale_id = ?').run(text, saleId);
  // Under test, prove that the draft written is exactly what reading its text back gives.
  if (CHECK_SHARED && !isDeepStrictEqual(parseDraft(saleId, text), draft)) {
    throw new DomainError('INTERNAL', 'sales.cartSaleUnreadableVoid', { saleId });
  }
  remember(text, draft);
}
