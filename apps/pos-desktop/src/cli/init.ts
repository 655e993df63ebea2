import { z } from 'zod';
import { PinSchema, StaffCodeSchema } from '../shared/commands';
import { initStoreNode } from '../engine/init';
import { databasePath, ensureDataDir } from './data-folder';
import { UsageError, validateOptions, type CliIo, type ParsedOptions } from './options';

const InitOptionsSchema = z
  .object({
    data: z.string({ error: 'is required.' }).min(1),
    'store-id': z.string({ error: 'is required.' }).min(1),
    'store-code': z.string({ error: 'is required.' }).min(1),
    'device-no': z.coerce.number({ error: 'must be a number.' }).int('must be a whole number.'),
    currency: z.string({ error: 'is required.' }).min(1),
    locale: z.string().optional(),
    timezone: z.string().optional(),
    'cash-rounding': z.coerce.number().int('must be a whole number of minor units.').optional(),
    'manager-code': StaffCodeSchema.optional(),
    'manager-name': z.string().trim().min(1).max(100).optional(),
    'manager-pin': PinSchema.optional(),
  })
  .refine((options) => (options['manager-code'] === undefined) === (options['manager-name'] === undefined), {
    message: 'give --manager-code and --manager-name together.',
    path: ['manager-code'],
  });

export function runInit(values: ParsedOptions, io: CliIo): number {
  const options = validateOptions(InitOptionsSchema, {
    ...values,
    'manager-pin': values['manager-pin'] ?? io.env.POS_STORE_MANAGER_PIN,
  });
  const managerCode = options['manager-code'];
  const managerName = options['manager-name'];
  const managerPin = options['manager-pin'];
  if (managerCode !== undefined && managerPin === undefined) {
    throw new UsageError('--manager-code needs a PIN: set POS_STORE_MANAGER_PIN (or pass --manager-pin).');
  }
  ensureDataDir(options.data);
  const result = initStoreNode({
    databasePath: databasePath(options.data),
    setup: {
      storeId: options['store-id'],
      storeCode: options['store-code'],
      deviceNo: options['device-no'],
      currency: options.currency,
      ...(options.locale === undefined ? {} : { locale: options.locale }),
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      ...(options['cash-rounding'] === undefined ? {} : { cashRoundingIncrement: options['cash-rounding'] }),
    },
    ...(managerCode !== undefined && managerName !== undefined && managerPin !== undefined
      ? { firstManager: { staffCode: managerCode, name: managerName, pin: managerPin } }
      : {}),
  });
  io.out(
    `pos-store: set up store ${result.identity.storeCode} device ${result.identity.deviceNo} in ${options.data}`,
  );
  io.out(`  Device id: ${result.identity.deviceId}`);
  io.out(
    `  Currency:  ${result.identity.currency}, locale ${result.identity.locale}, time zone ${result.identity.timezone}`,
  );
  if (result.manager) io.out(`  Manager:   ${result.manager.name} (staff code ${result.manager.staffCode})`);
  io.out(`Start it with: pos-store start --data ${options.data}`);
  return 0;
}
