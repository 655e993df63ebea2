import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { z } from 'zod';
import { openStoreEngine } from '../engine/engine';
import { loadFixture, readFixtureFile } from '../engine/fixture/fixture';
import { setHubUrl } from '../engine/outbox';
import { startStoreServer } from '../server/server';
import { removeTokenFile, requireDatabase, writeTokenFile } from './data-folder';
import { validateOptions, type CliIo, type ParsedOptions } from './options';

export const DEFAULT_PORT = 7420;
/** Where the renderer build lands (dist/renderer next to dist/cli.js, or of the app when run from source). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/renderer/', import.meta.url));

const StartOptionsSchema = z.object({
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
  lan: z.boolean().default(false),
  fixture: z.string().min(1).optional(),
  ui: z.string().min(1).optional(),
});

/** Starts engine and server; the returned promise settles once the node is serving (or failed to). */
export async function runStart(values: ParsedOptions, io: CliIo): Promise<number> {
  const options = validateOptions(StartOptionsSchema, values);
  const file = requireDatabase(options.data);
  const logger = pino(
    { name: 'pos-store', level: io.env.POS_STORE_LOG_LEVEL ?? 'info' },
    pino.destination(2),
  );
  const engine = openStoreEngine({ databasePath: file, logger });
  try {
    if (options.hub !== undefined) setHubUrl(engine.db, options.hub);
    if (options.fixture !== undefined) {
      const loaded = loadFixture(engine, readFixtureFile(options.fixture));
      io.out(
        `pos-store: fixture ${options.fixture}: ${loaded.applied} changes applied, ${loaded.skipped} already present, ${loaded.staffCreated} staff added`,
      );
    }
    const token = randomBytes(32).toString('base64url');
    const server = await startStoreServer({
      engine,
      token,
      host: options.lan ? '0.0.0.0' : '127.0.0.1',
      port: options.port,
      staticDir: resolve(options.ui ?? DEFAULT_UI_DIR),
      logger,
    });
    const tokenFile = writeTokenFile(options.data, token);
    const { storeCode, deviceNo } = engine.identity;
    io.out(`pos-store: store ${storeCode} device ${deviceNo} is ready`);
    io.out(
      `  URL:        ${server.url}${options.lan ? ` (listening on every interface, port ${server.port})` : ''}`,
    );
    io.out(`  Token:      ${token}`);
    io.out(`  Token file: ${tokenFile}`);
    if (options.hub !== undefined) {
      io.out(
        `  Hub:        ${options.hub} (recorded; events wait in the outbox until the sync agent exists)`,
      );
    }
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void server.close().finally(() => {
        engine.close();
        removeTokenFile(options.data);
        process.exit(0);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return 0;
  } catch (error) {
    engine.close();
    throw error;
  }
}
