import type { parseArgs } from 'node:util';
import type { z } from 'zod';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

export class UsageError extends Error {}

export const OPTIONS = {
  data: { type: 'string' },
  port: { type: 'string' },
  hub: { type: 'string' },
  enroll: { type: 'string' },
  'enroll-file': { type: 'string' },
  'device-name': { type: 'string' },
  lan: { type: 'boolean' },
  'lan-port': { type: 'string' },
  'lan-host': { type: 'string' },
  fixture: { type: 'string' },
  now: { type: 'string' },
  ui: { type: 'string' },
  out: { type: 'string' },
  from: { type: 'string' },
  'store-id': { type: 'string' },
  'store-code': { type: 'string' },
  'device-no': { type: 'string' },
  currency: { type: 'string' },
  locale: { type: 'string' },
  timezone: { type: 'string' },
  'cash-rounding': { type: 'string' },
  'manager-code': { type: 'string' },
  'manager-name': { type: 'string' },
  'manager-pin': { type: 'string' },
  'manager-pin-file': { type: 'string' },
  skus: { type: 'string' },
  seed: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type ParsedOptions = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

/** Validates options with a zod schema and turns the first problem into a usage sentence. */
export function validateOptions<S extends z.ZodType>(schema: S, values: unknown): z.output<S> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path[0] === undefined ? '' : `--${String(issue.path[0])}: `;
    throw new UsageError(`${option}${issue?.message ?? 'invalid options'}`);
  }
  return parsed.data;
}
