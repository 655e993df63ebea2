import { z } from 'zod';

const printedText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // A control character would reach a raw ESC/POS printer as a command (a cut, a drawer kick).
    // eslint-disable-next-line no-control-regex
    .refine((text) => !/[\u0000-\u001f\u007f-\u009f]/.test(text), 'no control characters');

/**
 * What the law asks a receipt to name (the trading company, its registered address, its VAT number), set
 * once by HQ for the chain and printed at the top of every receipt and Z report.
 */
export const LegalHeaderSchema = z
  .object({
    /** The registered company, e.g. "Retail Example SAS" (the store's own name prints above it). */
    companyName: printedText(80),
    /** Address lines as printed, at most four. */
    address: z.array(printedText(80)).min(1).max(4),
    /** VAT (or sales tax) registration number. */
    vatNumber: printedText(40),
    /** Further registration lines some countries require (company register, capital), at most three. */
    extraLines: z.array(printedText(80)).max(3).default([]),
  })
  .strict();
export type LegalHeader = z.infer<typeof LegalHeaderSchema>;
