import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { demoFixture } from '../engine/fixture/demo-fixture';
import { validateOptions, type CliIo, type ParsedOptions } from './options';

const FixtureOptionsSchema = z.object({
  out: z.string({ error: 'is required (the fixture file to write).' }).min(1),
  skus: z.coerce.number().int().min(1).max(2_000_000).default(1000),
  seed: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31)
    .default(42),
  'store-id': z.string().min(1).default('store-1'),
  'store-code': z.string().min(1).default('S001'),
  region: z.string().min(1).default('north'),
  /** Where price and promotion windows are placed; the default keeps demos and benchmarks identical. */
  now: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-23T09:00:00Z.' })
    .optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR.')
    .default('EUR'),
});

export function runFixture(values: ParsedOptions, io: CliIo): number {
  const options = validateOptions(FixtureOptionsSchema, values);
  const fixture = demoFixture({
    skus: options.skus,
    seed: options.seed,
    storeId: options['store-id'],
    storeCode: options['store-code'],
    regionId: options.region,
    currency: options.currency,
    ...(options.now === undefined ? {} : { now: Date.parse(options.now) }),
  });
  const file = resolve(options.out);
  writeFileSync(file, JSON.stringify(fixture));
  io.out(
    `pos-store: wrote a demo fixture with ${options.skus} SKUs and ${fixture.changes.length} feed changes to ${file}`,
  );
  io.out(
    `  Staff: ${(fixture.staff ?? []).map((member) => `${member.staffCode} ${member.role} PIN ${member.pin}`).join(', ')}`,
  );
  return 0;
}
