import { LegalHeaderSchema } from '@retail/domain';
import { z } from 'zod';
import { command, id, isoTime, minor, quantity } from './command-kit';
import { ExchangeRefundSchema } from './sale-commands';

// Receipts: listing, previewing and printing them (HTML or ESC/POS).
// Part of the command map, assembled in commands.ts.

/** What a receipt shows, independent of how it is printed (80 mm HTML today, ESC/POS later). */
export const ReceiptSchema = z.object({
  kind: z.enum(['sale', 'return']),
  /** A reprint: the receipt says COPY so it cannot pass for a second purchase. */
  copy: z.boolean(),
  /** Sale voided after completion: the receipt says VOID. */
  voided: z.boolean(),
  receiptNumber: z.string(),
  originalReceiptNumber: z.string().nullable(),
  issuedAt: isoTime,
  currency: z.string(),
  locale: z.string(),
  timezone: z.string(),
  store: z.object({ code: z.string(), name: z.string().nullable() }),
  deviceNo: z.number().int(),
  staffName: z.string().nullable(),
  lines: z.array(
    z.object({
      sku: z.string(),
      name: z.string(),
      unit: z.enum(['each', 'kg']),
      qty: quantity,
      unitPrice: minor.nullable(),
      amount: minor,
      adjustments: z.array(z.object({ label: z.string(), amount: minor })),
      note: z.string().nullable(),
    }),
  ),
  totals: z.object({
    subtotal: minor,
    discount: minor,
    tax: minor,
    total: minor,
    cashRounding: minor,
    change: minor,
  }),
  taxes: z.array(z.object({ name: z.string(), percent: z.number(), taxable: minor, tax: minor })),
  payments: z.array(
    z.object({
      type: z.string(),
      amount: minor,
      tendered: minor,
      change: minor,
      reference: z.string().nullable(),
      /** Points paid or refunded by a loyalty_points payment. */
      points: quantity.nullable().optional(),
    }),
  ),
  promotions: z.array(z.object({ name: z.string(), total: minor })),
  /**
   * The items an exchange took back and how what they refunded beyond the new items went back (issue 14,
   * bug 4); null on any other receipt.
   */
  exchange: z
    .object({
      returnReceiptNumber: z.string(),
      originalReceiptNumber: z.string(),
      lines: z.array(
        z.object({ name: z.string(), unit: z.enum(['each', 'kg']), qty: quantity, amount: minor }),
      ),
      refunds: z.array(ExchangeRefundSchema),
    })
    .nullable()
    .optional(),
  /** The store's legal header from HQ (`pos.receipt.legalHeader`): company, address, VAT number. */
  legal: LegalHeaderSchema.nullable().optional(),
  /**
   * Store credit this receipt issues (a return's, or an exchange's refund beyond the new items), printed as
   * a slip the customer keeps: the short code spends it, the customer's name when one was attached.
   */
  storeCreditSlips: z
    .array(z.object({ code: z.string(), amount: minor, customerName: z.string().nullable() }))
    .optional(),
  /** Loyalty points earned or redeemed (issue 7); null until the sale carries them. */
  loyalty: z.object({ earned: quantity, redeemed: quantity, balance: quantity.nullable() }).nullable(),
  notes: z.array(z.string()),
  barcode: z.object({ symbology: z.literal('code128'), value: z.string() }),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

/** Thermal rolls a receipt is laid out for: the page size of the HTML, the column count of ESC/POS. */
export const PaperWidthSchema = z.enum(['80mm', '58mm']);

/**
 * Raw ESC/POS for a receipt printer without an OS driver: the printer model (its code pages and font
 * widths; generic Epson-compatible when absent), whether to cut, and a drawer kick before printing.
 */
export const EscPosRequestSchema = z
  .object({
    printerModel: z.string().trim().min(1).max(40).optional(),
    cut: z.boolean().default(true),
    drawerKick: z
      .object({
        pin: z.union([z.literal(0), z.literal(1)]).default(0),
        onMs: z.number().int().min(2).max(510).default(100),
        offMs: z.number().int().min(2).max(510).default(500),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The address a receipt is e-mailed to: checked at the till as the hub checks it again. */
export const ReceiptEmailAddressSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'Enter an e-mail address such as name@example.com.' }));

/** Where a receipt e-mail request is: the hub sends the e-mail itself once it has it. */
export const ReceiptEmailStatusSchema = z.object({
  requestId: id,
  receiptNumber: z.string(),
  email: z.string(),
  /** queued: in this till's outbox; sent: the hub has it; rejected: the hub refused it (see reason). */
  state: z.enum(['queued', 'sent', 'rejected']),
  reason: z.string().nullable(),
});
export type ReceiptEmailStatus = z.infer<typeof ReceiptEmailStatusSchema>;

export const RECEIPT_COMMANDS = {
  'receipt-list': command({
    auth: 'cashier',
    summary:
      "This node's own sale and return receipts, newest first: the most recent, or those of one day in the store's time zone.",
    request: z
      .object({
        /** A day in the store's time zone (YYYY-MM-DD); without it, the most recent receipts. */
        date: z.iso.date().optional(),
        limit: z.number().int().min(1).max(200).optional(),
      })
      .strict(),
    response: z.object({
      receipts: z.array(
        z.object({
          receiptNumber: z.string(),
          kind: z.enum(['sale', 'return']),
          issuedAt: isoTime,
          total: minor,
          currency: z.string(),
          voided: z.boolean(),
        }),
      ),
    }),
  }),
  'receipt-preview': command({
    auth: 'cashier',
    summary:
      "The receipt of a sale or return and its HTML for an 80 mm (default) or 58 mm roll, without recording a print; a receipt this node does not hold (another store's sale, an online order) is asked of the hub and shown as a COPY.",
    request: z
      .object({
        receiptNumber: z.string().trim().min(1).max(60),
        paper: PaperWidthSchema.optional(),
        /** Shown as a copy even if no print was recorded (receipt lookup: the customer has left). */
        copy: z.literal(true).optional(),
      })
      .strict(),
    response: z.object({
      receipt: ReceiptSchema,
      html: z.string(),
      /**
       * Set when the receipt can be e-mailed (a sale of this store), with the attached customer's address
       * to offer; null for a return or a receipt only the hub holds.
       */
      emailTo: z.object({ suggested: z.string().nullable() }).nullable().optional(),
    }),
  }),
  'receipt-print': command({
    auth: 'cashier',
    summary:
      "The receipt to print now (HTML for the roll, and raw ESC/POS bytes when asked for); every print after the first, and every print of a receipt asked of the hub (another store's sale, an online order), is marked COPY, and every print is audited.",
    request: z
      .object({
        receiptNumber: z.string().trim().min(1).max(60),
        paper: PaperWidthSchema.optional(),
        escpos: EscPosRequestSchema.optional(),
        /**
         * Printed as a COPY even if no print was recorded: a receipt found by receipt lookup is reprinted
         * after the customer left with the sale, so it must not pass for a second purchase.
         */
        copy: z.literal(true).optional(),
      })
      .strict(),
    response: z.object({
      receipt: ReceiptSchema,
      html: z.string(),
      printNo: z.number().int().min(1),
      /** The same receipt as ESC/POS bytes (base64), when `escpos` was asked for. */
      escpos: z.base64().optional(),
      /**
       * On a desktop till: the ESC/POS bytes (without a drawer kick) signed for the shell's main process,
       * which sends only signed bytes to the raw printer (engine/print-grant.ts). The page passes it on.
       */
      escposGrant: z.string().optional(),
    }),
  }),
  'receipt-email': command({
    auth: 'cashier',
    summary:
      "Send a copy of one of this store's sale receipts to an e-mail address: recorded in the outbox (works offline) and sent by the hub once it has the request.",
    request: z
      .object({
        receiptNumber: z.string().trim().min(1).max(60),
        email: ReceiptEmailAddressSchema,
      })
      .strict(),
    response: ReceiptEmailStatusSchema,
  }),
  'receipt-email-status': command({
    auth: 'cashier',
    summary:
      'Whether a receipt e-mail request is still waiting in the outbox (queued), reached the hub (sent), or was refused by the hub (rejected, with its reason).',
    request: z.object({ requestId: id }).strict(),
    response: ReceiptEmailStatusSchema,
  }),
} as const;
