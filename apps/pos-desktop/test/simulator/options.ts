import { parseArgs } from 'node:util';
import { z } from 'zod';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const SimulatorOptionsSchema = z.object({
  stores: count(1, 10_000),
  tills: count(1, 20),
  hours: z.coerce.number().min(0.1).max(24),
  /** Simulated seconds per wall-clock second. */
  speed: z.coerce.number().min(1).max(10_000),
  /** `pos-hub serve` processes sharing the database; tills are spread over them round-robin. */
  hubs: count(1, 16),
  /** Average sales per till per hour (the day's curve peaks at about 1.8 times this). */
  salesPerHour: z.coerce.number().min(0.1).max(1_000),
  /** Share of sales brought back later the same day, in percent. */
  returnsPercent: z.coerce.number().min(0).max(50),
  /** Web orders collected at each store over the day. */
  ordersPerStore: count(0, 1_000),
  /** Simulated minutes the hub is down from midday. */
  outageMinutes: z.coerce.number().min(0).max(600),
  skus: count(10, 100_000),
  seed: count(0, 2 ** 31 - 1),
  /** Admin URL of a PostgreSQL cluster; without it, a throwaway cluster is started. */
  pgUrl: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  report: z.string().min(1).optional(),
});
export type SimulatorOptions = z.infer<typeof SimulatorOptionsSchema>;

/** `npm run simulate -- --stores 200 --tills 3 --hours 8 --speed 60 [...]`, validated. */
export function parseSimulatorOptions(argv: readonly string[]): SimulatorOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stores: { type: 'string', default: '10' },
      tills: { type: 'string', default: '2' },
      hours: { type: 'string', default: '8' },
      speed: { type: 'string', default: '480' },
      hubs: { type: 'string', default: '2' },
      'sales-per-hour': { type: 'string', default: '30' },
      'returns-percent': { type: 'string', default: '4' },
      'orders-per-store': { type: 'string', default: '6' },
      'outage-minutes': { type: 'string', default: '30' },
      skus: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      'pg-url': { type: 'string' },
      report: { type: 'string' },
    },
    strict: true,
  });
  const parsed = SimulatorOptionsSchema.safeParse({
    stores: values.stores,
    tills: values.tills,
    hours: values.hours,
    speed: values.speed,
    hubs: values.hubs,
    salesPerHour: values['sales-per-hour'],
    returnsPercent: values['returns-percent'],
    ordersPerStore: values['orders-per-store'],
    outageMinutes: values['outage-minutes'],
    skus: values.skus,
    seed: values.seed,
    pgUrl: values['pg-url'],
    report: values.report,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`simulate: --${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.outageMinutes * 60 >= (parsed.data.hours * 3_600) / 2) {
    throw new Error('simulate: --outage-minutes must end before the day does (it starts at midday)');
  }
  return parsed.data;
}
