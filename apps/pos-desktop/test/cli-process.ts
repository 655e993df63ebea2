import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Helpers to run the pos-store CLI as a real process, from source through tsx or from a bundle. */

export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
export const CLI_SOURCE = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function cliArgs(args: readonly string[], entry = CLI_SOURCE): string[] {
  return entry.endsWith('.ts') ? ['--import', 'tsx', entry, ...args] : [entry, ...args];
}

export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; entry?: string; timeoutMs?: number } = {},
): CliRun {
  const run = spawnSync(process.execPath, cliArgs(args, options.entry), {
    cwd: APP_DIR,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

export interface RunningNode {
  readonly child: ChildProcess;
  readonly url: string;
  readonly token: string;
  readonly stdout: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `pos-store start ...` and resolves once it printed its URL and token. */
export function startCli(
  args: readonly string[],
  options: { entry?: string; timeoutMs?: number } = {},
): Promise<RunningNode> {
  const child = spawn(process.execPath, cliArgs(['start', ...args], options.entry), {
    cwd: APP_DIR,
    env: { ...process.env, POS_STORE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pos-store did not start in time.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    const check = () => {
      const url = /URL:\s+(\S+)/.exec(stdout)?.[1];
      const token = /Token:\s+(\S+)/.exec(stdout)?.[1];
      if (url && token && stdout.includes('Token file:')) {
        clearTimeout(timer);
        resolve({
          child,
          url,
          token,
          stdout: () => stdout,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`pos-store exited with ${code} before it was ready.\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    });
  });
}
