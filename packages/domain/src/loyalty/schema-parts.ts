import { z } from 'zod';
import { fail, invalid, ok, type Result } from '../errors';
import { currencyCodeSchema } from '../currency-code';

/** Shared building blocks of the loyalty and stored-value schemas; not part of the package surface. */

export const MS_PER_DAY = 86_400_000;

export const entityIdSchema = z.string().trim().min(1).max(100);
/** Entry ids are derived from the document that caused them (`capture:<holdId>`), so they may be longer. */
export const entryIdSchema = z.string().min(1).max(240);
/** Epoch milliseconds within the range JavaScript dates can represent. */
export const epochMsSchema = z.number().int().min(0).max(8_640_000_000_000_000);
export const signedPointsSchema = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

export const currencySchema = currencyCodeSchema();

export const moneySchema = z.object({
  amount: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  currency: currencySchema,
});

function describeIssuePath(path: readonly PropertyKey[], what: string): string {
  return path.length === 0 ? what : path.map(String).join('.');
}

/**
 * Validates untrusted data (admin API body, feed record, replica row) against a schema and says what is
 * wrong in sentences an HQ operator can fix, with the field paths in `details`.
 */
export function parseWithSchema<T>(schema: z.ZodType<T>, input: unknown, what: string): Result<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map((issue) => ({
    path: describeIssuePath(issue.path, what),
    message: issue.message,
  }));
  const summary = problems.map((problem) => `${problem.path}: ${problem.message}`).join(' ');
  return fail('INVALID_INPUT', 'loyalty.notValid', { what, summary }, { problems });
}

/** 1234567 → "1,234,567": points are shown to cashiers without a currency, so group them by hand. */
export function formatPoints(points: number): string {
  const digits = String(Math.abs(points)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return points < 0 ? `-${digits}` : digits;
}

/** "3 days ago", "5 hours ago", "12 minutes ago", "just now": for sentences about how stale a balance is. */
export function describeAge(ageMs: number): string {
  const minutes = Math.floor(Math.max(0, ageMs) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** Where a till-recorded fact came from; copied onto the entries it causes. */
export interface EntryOrigin {
  readonly originNode?: string | undefined;
  readonly deviceId?: string | undefined;
}

export function originFields(origin: EntryOrigin): { originNode?: string; deviceId?: string } {
  return {
    ...(origin.originNode === undefined ? {} : { originNode: origin.originNode }),
    ...(origin.deviceId === undefined ? {} : { deviceId: origin.deviceId }),
  };
}

export function assertTime(at: number): void {
  if (!Number.isSafeInteger(at) || at < 0) throw invalid('pricing.timeMustWholeEpoch', {}, { at });
}

/** −points without producing −0, which would make equal entries compare unequal. */
export function negatePoints(points: number): number {
  return points === 0 ? 0 : -points;
}
