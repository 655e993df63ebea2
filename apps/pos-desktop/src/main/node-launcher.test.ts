import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  nodeArguments,
  nodeEnvironment,
  STOP_GRACE_MS,
  STORE_NODE_V8_FLAGS,
  watchNodeProcess,
  type SpawnedProcess,
} from './node-launcher';

function fakeProcess() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const exits: ((code: number | null) => void)[] = [];
  const calls: string[] = [];
  const process: SpawnedProcess = {
    stdout,
    stderr,
    onExit: (listener) => void exits.push(listener),
    requestStop: () => void calls.push('stop'),
    kill: () => void calls.push('kill'),
  };
  return {
    process,
    stdout,
    stderr,
    calls,
    exit: (code: number | null) => exits.forEach((listener) => listener(code)),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => vi.useRealTimers());

describe('node-launcher', () => {
  describe('watchNodeProcess', () => {
    it('reads the ready line even when it arrives in pieces among log noise', async () => {
      const fake = fakeProcess();
      const child = watchNodeProcess(fake.process);
      const urls: string[] = [];
      child.onReady((url) => urls.push(url));
      fake.stdout.write('warming up\n{"event":"rea');
      fake.stdout.write('dy","url":"http://127.0.0.1:7420"}\n');
      await flush();
      expect(urls).toEqual(['http://127.0.0.1:7420']);
    });

    it('hands the fatal message, or else the last error log line, to whoever watches the exit', async () => {
      const fatal = fakeProcess();
      const exits: (string | null)[] = [];
      watchNodeProcess(fatal.process).onExit((_code, lastError) => exits.push(lastError));
      fatal.stderr.write('{"level":50,"msg":"migration failed"}\n');
      fatal.stdout.write('{"event":"fatal","message":"There is no store database in /srv."}\n');
      await flush();
      fatal.exit(2);
      const crashed = fakeProcess();
      watchNodeProcess(crashed.process).onExit((_code, lastError) => exits.push(lastError));
      crashed.stderr.write(
        '{"level":30,"msg":"client connected"}\n{"level":60,"msg":"database disk image is malformed"}\n',
      );
      await flush();
      crashed.exit(1);
      expect(exits).toEqual(['There is no store database in /srv.', 'database disk image is malformed']);
    });

    it('asks the node to stop and kills it only if it does not within the grace period', () => {
      vi.useFakeTimers();
      const fake = fakeProcess();
      watchNodeProcess(fake.process).stop();
      expect(fake.calls).toEqual(['stop']);
      vi.advanceTimersByTime(STOP_GRACE_MS);
      expect(fake.calls).toEqual(['stop', 'kill']);
    });
  });

  describe('STORE_NODE_V8_FLAGS', () => {
    it('are the flags the pos-store command gives its own process', () => {
      const shebang = readFileSync(new URL('../../bin/pos-store.mjs', import.meta.url), 'utf8').split(
        '\n',
      )[0];
      expect(shebang).toBe(`#!/usr/bin/env -S node ${STORE_NODE_V8_FLAGS.join(' ')}`);
    });
  });

  describe('nodeArguments', () => {
    const base = {
      entry: '/app/dist/main/store-node.cjs',
      dataDir: '/srv/s001',
      port: 7420,
      migrationsDir: '/app/dist/migrations',
      rendererDir: '/app/dist/renderer',
      hubUrl: undefined,
      token: 'secret-token-0123456789',
    };

    it('binds 127.0.0.1 and keeps the token off the command line', () => {
      const args = nodeArguments({ ...base, lan: false });
      expect(args).toEqual([
        '--data',
        '/srv/s001',
        '--port',
        '7420',
        '--host',
        '127.0.0.1',
        '--migrations',
        '/app/dist/migrations',
      ]);
      expect(args.join(' ')).not.toContain(base.token);
      expect(nodeEnvironment({ PATH: '/bin' }, base.token)).toMatchObject({
        PATH: '/bin',
        POS_STORE_TOKEN: base.token,
      });
      expect(nodeEnvironment({}, base.token, new Uint8Array(32).fill(1)).POS_STORE_DRAWER_KEY).toBe(
        Buffer.alloc(32, 1).toString('base64url'),
      );
    });

    it('serves the renderer to lanes on every interface in LAN mode', () => {
      expect(nodeArguments({ ...base, lan: true, hubUrl: 'https://hub.example.com' })).toEqual([
        '--data',
        '/srv/s001',
        '--port',
        '7420',
        '--host',
        '0.0.0.0',
        '--migrations',
        '/app/dist/migrations',
        '--ui',
        '/app/dist/renderer',
        '--hub',
        'https://hub.example.com',
      ]);
    });
  });
});
