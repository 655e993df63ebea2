import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { z } from 'zod';
import type { SyncStatus } from '../shared/commands';
import { openStoreEngine } from '../engine/engine';
import { loadFixture, readFixtureFile } from '../engine/fixture/fixture';
import { connectToHub } from '../engine/sync/hub-connect';
import { warmUpAtStart } from '../engine/warm-up';
import { warmUpSocketAtStart } from '../server/socket-warm-up';
import { readHubConnection } from '../engine/sync/store-sync';
import { loadOrCreateLanCertificate } from '../server/lan-certificate';
import { DEFAULT_LAN_PORT, startStoreServer } from '../server/server';
import { databasePath, removeTokenFile, requireDatabase, writeTokenFile } from './data-folder';
import { initFromEnrollment } from './init';
import { validateOptions, type CliIo, type ParsedOptions } from './options';

export const DEFAULT_PORT = 7420;
/** Where the renderer build lands (dist/renderer next to dist/cli.js, or of the app when run from source). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/renderer/', import.meta.url));

const StartOptionsSchema = z
  .object({
    data: z.string({ error: 'is required.' }).min(1),
    port: z.coerce
      .number({ error: 'must be a number.' })
      .int()
      .min(0)
      .max(65_535, 'must be at most 65535.')
      .default(DEFAULT_PORT),
    hub: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://hub.example.com.' })
      .optional(),
    enroll: z.string().trim().min(4).optional(),
    'device-name': z.string().trim().min(1).max(100).optional(),
    lan: z.boolean().default(false),
    'lan-port': z.coerce
      .number({ error: 'must be a number.' })
      .int()
      .min(0)
      .max(65_535, 'must be at most 65535.')
      .default(DEFAULT_LAN_PORT),
    'lan-host': z.ipv4({ error: 'must be an IPv4 address such as 0.0.0.0.' }).default('0.0.0.0'),
    fixture: z.string().min(1).optional(),
    ui: z.string().min(1).optional(),
  })
  .refine((options) => options.enroll === undefined || options.hub !== undefined, {
    message: 'give the hub to enroll with: --hub URL --enroll CODE.',
    path: ['enroll'],
  });

/** The first non-internal IPv4 address, for the address lanes type (they may use the host name too). */
function lanAddress(): string {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return hostname();
}

/** One line per change of what staff would want to know: snapshot progress, caught up, trouble. */
function syncReporter(io: CliIo, deviceNo: number): (status: SyncStatus) => void {
  let lastLine = '';
  let lastProgressAt = 0;
  let lastDeviceNo = deviceNo;
  let holdShown = false;
  return (status) => {
    if (status.deviceNo !== undefined && status.deviceNo !== lastDeviceNo) {
      io.out(
        `pos-store: this till was restored from a backup and is now device ${status.deviceNo} of its store (device ${lastDeviceNo} is revoked); what the hub lacked is being sent again`,
      );
      lastDeviceNo = status.deviceNo;
    }
    if ((status.numberingHold ?? null) !== null && !holdShown) {
      holdShown = true;
      io.out(`pos-store: ${status.numberingHold}`);
    } else if ((status.numberingHold ?? null) === null) {
      holdShown = false;
    }
    let line: string;
    if (status.snapshot) {
      const now = Date.now();
      // Progress at most once a second: a 100,000-SKU snapshot is hundreds of pages.
      if (now - lastProgressAt < 1000 && status.snapshot.received < status.snapshot.total) return;
      lastProgressAt = now;
      line = `pos-store: downloading hub data: ${status.snapshot.received} of ${status.snapshot.total} rows`;
    } else if (status.state === 'live') {
      line = `pos-store: in sync with the hub (feed ${status.feedEpoch ?? '-'} at ${status.feedCursor}, nothing waiting to be sent)`;
    } else if (status.state === 'error' && status.error) {
      line = `pos-store: sync needs attention: ${status.error.message}`;
    } else {
      return;
    }
    if (line === lastLine) return;
    lastLine = line;
    io.out(line);
  };
}

/** Starts engine and server; the returned promise settles once the node is serving (or failed to). */
export async function runStart(values: ParsedOptions, io: CliIo): Promise<number> {
  const options = validateOptions(StartOptionsSchema, values);
  if (options.enroll !== undefined && !existsSync(databasePath(options.data))) {
    // A new till: enrolling sets it up, exactly as init --enroll would.
    await initFromEnrollment(values, io);
  }
  const file = requireDatabase(options.data);
  const logger = pino(
    { name: 'pos-store', level: io.env.POS_STORE_LOG_LEVEL ?? 'info' },
    pino.destination(2),
  );
  const engine = openStoreEngine({ databasePath: file, logger });
  try {
    const reportSync = syncReporter(io, engine.identity.deviceNo);
    engine.subscribe((notification) => {
      if (notification.name === 'sync-status') reportSync(notification.payload);
    });
    if (options.hub !== undefined) {
      await connectToHub(
        engine,
        { hubUrl: options.hub, code: options.enroll, deviceName: options['device-name'] },
        { codeWhenEnrolled: 'ignore' },
      );
    }
    if (options.fixture !== undefined) {
      const loaded = loadFixture(engine, readFixtureFile(options.fixture));
      io.out(
        `pos-store: fixture ${options.fixture}: ${loaded.applied} changes applied, ${loaded.skipped} already present, ${loaded.staffCreated} staff added`,
      );
    }
    warmUpAtStart(engine, io.env, logger);
    const token = randomBytes(32).toString('base64url');
    const server = await startStoreServer({
      engine,
      token,
      host: '127.0.0.1',
      port: options.port,
      staticDir: resolve(options.ui ?? DEFAULT_UI_DIR),
      logger,
      ...(options.lan
        ? {
            lan: {
              host: options['lan-host'],
              port: options['lan-port'],
              tls: await loadOrCreateLanCertificate(engine),
            },
          }
        : {}),
    });
    await warmUpSocketAtStart(server.url, token, io.env, logger);
    const tokenFile = writeTokenFile(options.data, token);
    const { storeCode, deviceNo } = engine.identity;
    io.out(`pos-store: store ${storeCode} device ${deviceNo} is ready`);
    io.out(`  URL:        ${server.url}`);
    io.out(`  Token:      ${token}`);
    io.out(`  Token file: ${tokenFile}`);
    if (server.lan) {
      const address = options['lan-host'] === '0.0.0.0' ? lanAddress() : options['lan-host'];
      io.out(`  Lanes:      https://${address}:${server.lan.port}/ (pair with a code from Staff → Lanes)`);
      io.out(`  Display:    https://${address}:${server.lan.port}/display`);
      io.out(`  Certificate SHA-256: ${server.lan.certificateFingerprint}`);
    }
    const connection = readHubConnection(engine.db);
    if (connection !== null) {
      io.out(`  Hub:        ${connection.hubUrl} (syncing in the background; sales never wait for it)`);
    } else if (options.hub !== undefined) {
      io.out(
        `  Hub:        ${options.hub} (not enrolled: events wait in the outbox until this till is enrolled with --enroll CODE)`,
      );
    }
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void server
        .close()
        .then(() => engine.shutdown())
        .finally(() => {
          removeTokenFile(options.data);
          process.exit(0);
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return 0;
  } catch (error) {
    await engine.shutdown();
    throw error;
  }
}
