import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A PostgreSQL cluster of the test's own, for tests that stop, restart or crash the database (the shared
 * cluster at PG_URL must never be touched that way). initdb'd in a temporary folder, listening on a free
 * port on 127.0.0.1 only. As root (CI) the server binaries run as the `postgres` user, since PostgreSQL
 * refuses to run as root.
 */
export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database. */
  readonly adminUrl: string;
  readonly port: number;
  /** URL of a fresh database created in this cluster. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m <mode>`: fast rolls back open transactions, immediate crashes and recovers. */
  restart(mode: 'fast' | 'immediate'): Promise<void>;
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Terminates every backend connected to `database` (other than the caller's); returns how many. */
  terminateBackends(database: string): Promise<number>;
  /** The server log, for failure messages. */
  log(): string;
  dispose(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder, or a sentence saying why there is none. */
export function findPostgresBinaries(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  const newest = versions.at(-1);
  if (newest === undefined) {
    return {
      missing: `no PostgreSQL server binaries under ${root} (apt-get install postgresql; CI installs them)`,
    };
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return { missing: 'running as root but there is no postgres user to run the server as' };
  }
  return { bin: join(root, newest, 'bin') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;

export async function startThrowawayPostgres(bin: string): Promise<ThrowawayPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'hub-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');

  /**
   * Runs a server command as the postgres user, without blocking this process: the tills and HQ
   * writers of a test keep working while the database restarts. Its output goes to the server log,
   * so no pipe of ours is held open by the postmaster it starts.
   */
  const run = (command: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = asRoot
        ? spawn('su', ['postgres', '-s', '/bin/sh', '-c', command], { stdio: 'ignore' })
        : spawn('/bin/sh', ['-c', command], { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${command} failed (${code ?? signal}):\n${readLog()}`));
      });
    });
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '');
  const serverOptions = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pgCtl = (args: string) =>
    run(
      `${quote(join(bin, 'pg_ctl'))} -D ${quote(data)} -l ${quote(logFile)} -w -t 120 ${args} >/dev/null 2>&1`,
    );

  try {
    if (asRoot) {
      const chown = spawnSync('chown', ['postgres:postgres', dir]);
      if (chown.status !== 0) throw new Error(`chown postgres ${dir} failed: ${String(chown.stderr)}`);
    }
    await run(
      `${quote(join(bin, 'initdb'))} -D ${quote(data)} -U postgres -A trust --no-sync >/dev/null 2>&1`,
    );
    let port = 0;
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      try {
        await pgCtl(`-o ${quote(serverOptions(port))} start`);
        break;
      } catch (error) {
        // Someone took the port between our probe and the server's bind: try another one.
        if (attempt >= 3) throw error;
      }
    }
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const withAdmin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
      const client = new pg.Client({ connectionString: adminUrl });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    return {
      adminUrl,
      port,
      async createDatabase(name) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
        await withAdmin((client) => client.query(`create database ${name}`));
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      // restart reuses the options of the last start (postmaster.opts); start needs them again.
      restart: (mode) => pgCtl(`-m ${mode} restart`),
      stop: (mode) => pgCtl(`-m ${mode} stop`),
      start: () => pgCtl(`-o ${quote(serverOptions(port))} start`),
      terminateBackends: (database) =>
        withAdmin(async (client) => {
          const result = await client.query(
            'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
            [database],
          );
          return result.rowCount ?? 0;
        }),
      log: readLog,
      async dispose() {
        // Already stopped, if a failed test left it so.
        await pgCtl('-m immediate stop').catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await pgCtl('-m immediate stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
