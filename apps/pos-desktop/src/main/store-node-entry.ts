/**
 * The store node process the desktop app supervises: the same engine and local server as `pos-store
 * start`, with the port and per-launch token chosen by the Electron main process (so a restart after a
 * crash keeps both and the window just reconnects). It reports on stdout, one JSON line per event:
 * `{"event":"ready","url":...}` or `{"event":"fatal","message":...}`; logs go to stderr as pino JSON.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import pino from 'pino';
import { z } from 'zod';
import { parseDrawerKey } from '../engine/drawer-grant';
import { openStoreEngine, type StoreEngine } from '../engine/engine';
import { loadFixture, readFixtureFile } from '../engine/fixture/fixture';
import { loadMigrations, type Migration } from '../engine/migrations';
import { setUpNode } from '../engine/setup/set-up-node';
import { setHubUrl } from '../engine/sync/sync-status';
import { warmUpAtStart } from '../engine/warm-up';
import { warmUpSocketAtStart } from '../server/socket-warm-up';
import { loadOrCreateLanCertificate } from '../server/lan-certificate';
import { DEFAULT_LAN_PORT, startStoreServer, type StoreServer } from '../server/server';
import { startSetupServer, type SetupServer } from '../server/setup-server';
import { FATAL_EXIT_CODE } from './node-supervisor';

const ArgsSchema = z.object({
  data: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535),
  /** 0.0.0.0 (`--lan`): the window stays on loopback HTTP, lanes get HTTPS on every interface. */
  host: z.enum(['127.0.0.1', '0.0.0.0']),
  'lan-port': z.coerce.number().int().min(0).max(65_535).default(DEFAULT_LAN_PORT),
  migrations: z.string().min(1),
  ui: z.string().min(1).optional(),
  /** A demo or test fixture applied through the feed path before serving (as `pos-store start --fixture`). */
  fixture: z.string().min(1).optional(),
  hub: z.url({ protocol: /^https?$/ }).optional(),
});

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function fatal(message: string): never {
  report({ event: 'fatal', message });
  process.exit(FATAL_EXIT_CODE);
}

/** Set once a stop was asked for; a stop that arrives during start-up waits for the server to exist. */
let stopRequested = false;
let stopNow: (() => void) | undefined;

function requestStop(): void {
  stopRequested = true;
  stopNow?.();
}

// Listen before anything else: the parent may ask to stop the moment it reads "ready".
process.once('SIGTERM', requestStop);
process.once('SIGINT', requestStop);
// In an Electron utility process the parent asks by message (Windows has no signals).
(
  process as unknown as {
    parentPort?: { on(event: 'message', listener: (message: { data: unknown }) => void): void };
  }
).parentPort?.on('message', (message) => {
  if ((message.data as { type?: unknown } | undefined)?.type === 'stop') requestStop();
});

/**
 * Serves the setup screen's commands on the node's port until the till is set up, and answers that port
 * (the one the OS picked for port 0); a stop asked for meanwhile ends the process. The store server then
 * takes the port over and the window reconnects to it.
 */
async function serveSetup(
  args: z.infer<typeof ArgsSchema>,
  databasePath: string,
  token: string,
  migrations: readonly Migration[],
  logger: pino.Logger,
): Promise<number> {
  let setupServer: SetupServer;
  try {
    setupServer = await startSetupServer({
      token,
      port: args.port,
      logger,
      hubUrl: args.hub ?? null,
      ...(args.ui === undefined ? {} : { staticDir: args.ui }),
      setUp: async (request) => {
        const result = await setUpNode(databasePath, request, { migrations });
        return {
          storeId: result.identity.storeId,
          storeCode: result.identity.storeCode,
          storeName: result.storeName,
          deviceNo: result.identity.deviceNo,
          hubUrl: result.hubUrl,
          managerStaffCode: request.firstManager.staffCode,
        };
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    fatal(
      `The store node cannot listen on port ${args.port} (${reason}). Close what uses it or pick another port.`,
    );
  }
  const stopped = new Promise<false>((resolveStopped) => {
    stopNow = () => void setupServer.close().finally(() => resolveStopped(false));
  });
  if (stopRequested) stopNow?.();
  report({ event: 'ready', url: setupServer.url, setup: true });
  const outcome = await Promise.race([setupServer.done.then(() => true as const), stopped]);
  if (!outcome) process.exit(0);
  stopNow = undefined;
  await setupServer.close();
  return setupServer.port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'lan-port': { type: 'string' },
      migrations: { type: 'string' },
      ui: { type: 'string' },
      fixture: { type: 'string' },
      hub: { type: 'string' },
    },
  });
  const args = ArgsSchema.safeParse(values);
  if (!args.success) fatal(`The store node was started with bad arguments: ${args.error.issues[0]?.message}`);
  const token = process.env.POS_STORE_TOKEN ?? '';
  if (token.length < 16) fatal('The store node was started without its access token.');
  const databasePath = join(args.data.data, 'store.db');
  const logger = pino(
    { name: 'pos-desktop-node', level: process.env.POS_STORE_LOG_LEVEL ?? 'info' },
    pino.destination(2),
  );
  // Whether the young generation flags the app launched the node with (STORE_NODE_V8_FLAGS) took effect.
  const youngGeneration = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  logger.info({ youngGenerationBytes: youngGeneration?.space_size }, 'store node heap');
  const migrations = loadMigrations(args.data.migrations);
  // A new till: serve the first-run screen until someone sets it up, then carry on as a set-up node.
  const port = existsSync(databasePath)
    ? args.data.port
    : await serveSetup(args.data, databasePath, token, migrations, logger);
  let engine: StoreEngine;
  try {
    const drawerKey = parseDrawerKey(process.env.POS_STORE_DRAWER_KEY);
    engine = openStoreEngine({
      databasePath,
      logger,
      migrations,
      ...(drawerKey === undefined ? {} : { drawerKey }),
    });
  } catch (error) {
    fatal(error instanceof Error ? error.message : String(error));
  }
  try {
    if (args.data.hub !== undefined) setHubUrl(engine.db, args.data.hub);
    if (args.data.fixture !== undefined) loadFixture(engine, readFixtureFile(args.data.fixture));
    warmUpAtStart(engine, process.env, logger);
  } catch (error) {
    engine.close();
    fatal(error instanceof Error ? error.message : String(error));
  }
  let server: StoreServer;
  try {
    server = await startStoreServer({
      engine,
      token,
      host: '127.0.0.1',
      port,
      logger,
      ...(args.data.ui === undefined ? {} : { staticDir: args.data.ui }),
      ...(args.data.host === '0.0.0.0'
        ? { lan: { port: args.data['lan-port'], tls: await loadOrCreateLanCertificate(engine) } }
        : {}),
    });
  } catch (error) {
    engine.close();
    const reason = error instanceof Error ? error.message : String(error);
    fatal(
      `The store node cannot listen on port ${port} (${reason}). Close what uses it or pick another port.`,
    );
  }
  let stopping = false;
  stopNow = () => {
    if (stopping) return;
    stopping = true;
    void server.close().finally(() => {
      engine.close();
      process.exit(0);
    });
  };
  if (stopRequested) {
    stopNow();
    return;
  }
  await warmUpSocketAtStart(server.url, token, process.env, logger);
  if (stopRequested) {
    stopNow();
    return;
  }
  report({
    event: 'ready',
    url: server.url,
    ...(server.lan
      ? { lanUrl: server.lan.url, certificateFingerprint: server.lan.certificateFingerprint }
      : {}),
  });
}

void main();
