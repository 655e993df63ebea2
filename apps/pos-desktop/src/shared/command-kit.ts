import { z } from 'zod';
import type { CommandAuth } from './roles';

// The building blocks every command file uses: ids, times, amounts, the `command` spec helper.
export const id = z.string().trim().min(1).max(100);
export const isoTime = z.iso.datetime({ offset: true });
/** In answers: any figure the node computed. Requests use the bounded schemas from @retail/domain. */
export const minor = z.number().int().safe();
export const positiveMinor = minor.positive();
export const quantity = z.number().int().safe();
export const positiveQuantity = quantity.positive();
export const reason = z.string().trim().min(1).max(200);
export const registerId = z.string().trim().min(1).max(40).default('main');

export const saleId = z.object({ saleId: id });

export const stockLines = <T extends z.ZodRawShape>(shape: T) => z.array(z.object(shape)).min(1).max(500);

export function command<Req extends z.ZodType, Res extends z.ZodType>(spec: {
  auth: CommandAuth;
  summary: string;
  request: Req;
  response: Res;
}) {
  return spec;
}

export const empty = z.object({}).strict();
