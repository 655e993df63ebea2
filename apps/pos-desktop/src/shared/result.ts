import { ERROR_CODES, type ErrorBody, type Result } from '@retail/domain';
import { z } from 'zod';

/**
 * The result envelope every command answers with, across every process boundary:
 * `{ ok: true, value } | { ok: false, error: { code, message, details? } }`.
 */
export const ErrorBodySchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string().min(1),
  /** The sentence's key in the error catalog (@retail/domain) and its values: what the till translates. */
  key: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ErrorBodySchema }),
  ]);
}

export type { ErrorBody, Result };
