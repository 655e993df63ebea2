import { z } from 'zod';
import { MAX_AMOUNT } from '../bounds';
import { currencyCodeSchema } from '../currency-code';

/**
 * Cost and SLA factors of routing (issue 18 item 3), configured by HQ: each node sits in a shipping zone
 * with a daily cut-off in its own timezone; a lane from the node's zone to the order's destination zone has
 * a shipping cost and transit days. An order routed before the cut-off ships that local day, else the
 * next; it is promised for the ship date plus the lane's transit days (calendar days: carriers that skip
 * weekends need their transit days set accordingly).
 */

const entityId = z.string().min(1).max(100);

export const DeliveryLaneSchema = z.object({
  transitDays: z.number().int().min(0).max(60, 'Transit takes at most 60 days.'),
  cost: z.object({
    amount: z.number().int('A shipping cost is whole minor units.').min(0).max(MAX_AMOUNT),
    currency: currencyCodeSchema(),
  }),
});
export type DeliveryLane = z.infer<typeof DeliveryLaneSchema>;

export const DeliveryTermsSchema = z.object({
  zone: entityId,
  /** IANA timezone of the node, where its cut-off is read. */
  timezone: z.string().min(1).max(64),
  /** Minutes after local midnight; orders routed before it ship the same day. 1440 = always same day. */
  cutoffMinute: z.number().int().min(0).max(1440),
  /** The lane from this node's zone to the order's destination zone, when HQ set one. */
  lane: DeliveryLaneSchema.optional(),
});
export type DeliveryTerms = z.infer<typeof DeliveryTermsSchema>;

export interface DeliveryPromise {
  /** Local calendar dates (YYYY-MM-DD) in the node's timezone. */
  readonly shipDate: string;
  readonly promisedDate: string;
  readonly cutoffMissed: boolean;
  readonly transitDays: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(at: number, timeZone: string): { date: string; minute: number } {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    const options: Intl.DateTimeFormatOptions = {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    };
    try {
      formatter = new Intl.DateTimeFormat('en-CA', { ...options, timeZone });
    } catch {
      // A timezone the runtime does not know: UTC is a stable, visible fallback rather than a crash.
      formatter = new Intl.DateTimeFormat('en-CA', { ...options, timeZone: 'UTC' });
    }
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((part) => [part.type, part.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return civilFromDays(daysFromCivil(year, month, day) + days);
}

/** When an order routed at `at` to a node with these terms is promised; undefined without a lane. */
export function promiseDelivery(at: number, terms: DeliveryTerms): DeliveryPromise | undefined {
  if (terms.lane === undefined) return undefined;
  const local = localParts(at, terms.timezone);
  const cutoffMissed = local.minute >= terms.cutoffMinute;
  const shipDate = cutoffMissed ? addDays(local.date, 1) : local.date;
  return {
    shipDate,
    promisedDate: addDays(shipDate, terms.lane.transitDays),
    cutoffMissed,
    transitDays: terms.lane.transitDays,
  };
}

export function formatCutoff(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
