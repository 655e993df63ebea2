import { existsSync } from 'node:fs';
import { z } from 'zod';
import { PinSchema, StaffCodeSchema } from '../shared/commands';
import { initStoreNode, type InitResult } from '../engine/init';
import { setUpNode } from '../engine/setup/set-up-node';
import { databasePath, ensureDataDir } from './data-folder';
import { UsageError, validateOptions, type CliIo, type ParsedOptions } from './options';

const hubUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an http(s) URL such as https://hub.example.com.',
});

const ManagerSchema = z.object({
  'manager-code': StaffCodeSchema.optional(),
  'manager-name': z.string().trim().min(1).max(100).optional(),
  'manager-pin': PinSchema.optional(),
});

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
  })
  .extend(ManagerSchema.shape);

/** With --enroll the hub says which store, device number, currency and time zone this till has. */
const EnrollInitOptionsSchema = z
  .object({
    data: z.string({ error: 'is required.' }).min(1),
    hub: hubUrl,
    enroll: z.string().trim().min(4, 'is the one-time code from HQ (pos-hub enroll-code --store CODE).'),
    'device-name': z.string().trim().min(1).max(100).optional(),
    locale: z.string().optional(),
    timezone: z.string().optional(),
    'cash-rounding': z.coerce.number().int('must be a whole number of minor units.').optional(),
  })
  .extend(ManagerSchema.shape);

function firstManager(
  options: z.output<typeof ManagerSchema>,
): { staffCode: string; name: string; pin: string } | undefined {
  const code = options['manager-code'];
  const name = options['manager-name'];
  const pin = options['manager-pin'];
  if ((code === undefined) !== (name === undefined)) {
    throw new UsageError('--manager-code: give --manager-code and --manager-name together.');
  }
  if (code !== undefined && pin === undefined) {
    throw new UsageError(
      '--manager-code needs a PIN: set POS_STORE_MANAGER_PIN or give --manager-pin-file FILE.',
    );
  }
  return code !== undefined && name !== undefined && pin !== undefined
    ? { staffCode: code, name, pin }
    : undefined;
}

function report(result: InitResult, data: string, io: CliIo): void {
  io.out(
    `pos-store: set up store ${result.identity.storeCode} device ${result.identity.deviceNo} in ${data}`,
  );
  io.out(`  Device id: ${result.identity.deviceId}`);
  io.out(
    `  Currency:  ${result.identity.currency}, locale ${result.identity.locale}, time zone ${result.identity.timezone}`,
  );
  if (result.manager) io.out(`  Manager:   ${result.manager.name} (staff code ${result.manager.staffCode})`);
}

/**
 * Sets a data folder up from an enrollment: the hub consumes the code and answers with the store,
 * the device id and number and the credential, all written in the node's first transaction. The
 * credential is stored, never printed. A failure after the code was used leaves no half-set-up folder:
 * ask HQ for a new code and run again.
 */
export async function initFromEnrollment(
  values: ParsedOptions,
  io: CliIo,
): Promise<{ result: InitResult; hubUrl: string }> {
  const options = validateOptions(EnrollInitOptionsSchema, values);
  const manager = firstManager(options);
  const file = databasePath(options.data);
  if (existsSync(file)) {
    throw new UsageError(
      `${options.data} already holds a store database. To enroll it, run pos-store start --data ${options.data} --hub URL --enroll CODE.`,
    );
  }
  ensureDataDir(options.data);
  io.out(`pos-store: enrolling this till at ${options.hub} …`);
  const result = await setUpNode(file, {
    mode: 'enroll',
    hubUrl: options.hub,
    code: options.enroll,
    deviceName: options['device-name'],
    locale: options.locale,
    timezone: options.timezone,
    cashRoundingIncrement: options['cash-rounding'],
    firstManager: manager,
  });
  report(result, options.data, io);
  io.out(`  Hub:       ${options.hub} (enrolled${result.storeName ? ` for ${result.storeName}` : ''})`);
  return { result, hubUrl: options.hub };
}

export async function runInit(values: ParsedOptions, io: CliIo): Promise<number> {
  if (values.enroll !== undefined) {
    const { hubUrl: hub } = await initFromEnrollment(values, io);
    io.out(`Start it with: pos-store start --data ${values.data ?? ''} (it syncs with ${hub})`);
    return 0;
  }
  const options = validateOptions(InitOptionsSchema, values);
  const manager = firstManager(options);
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
    ...(manager === undefined ? {} : { firstManager: manager }),
  });
  report(result, options.data, io);
  io.out(`Start it with: pos-store start --data ${options.data}`);
  return 0;
}
