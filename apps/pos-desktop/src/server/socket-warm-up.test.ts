import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../engine/database';
import type { StoreEngine } from '../engine/engine';
import { createTestNode, type TestNode } from '../engine/testing/test-node';
import { startStoreServer, type StoreServer } from './server';
import {
  DEFAULT_SOCKET_WARMUP_MESSAGES,
  socketWarmUpSetting,
  warmUpSocket,
  warmUpSocketAtStart,
} from './socket-warm-up';

const TOKEN = 'test-token-0123456789abcdef';

let node: TestNode | undefined;
let server: StoreServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  node?.close();
  node = undefined;
});

/** A server over a test node whose engine counts the commands that reach it, by name. */
async function countingServer(): Promise<{ server: StoreServer; commands: Map<string, number> }> {
  node = createTestNode();
  const engine = node.engine;
  const commands = new Map<string, number>();
  const counting = new Proxy(engine, {
    get(target, property, receiver) {
      if (property === 'executeUnknownAsync') {
        return (name: string, ...rest: unknown[]) => {
          commands.set(name, (commands.get(name) ?? 0) + 1);
          return (engine.executeUnknownAsync as (...args: unknown[]) => unknown)(name, ...rest);
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  }) as StoreEngine;
  server = await startStoreServer({ engine: counting, token: TOKEN, port: 0 });
  return { server, commands };
}

function silentLog() {
  const lines: { level: 'info' | 'warn'; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    info: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'info', fields, message }),
    warn: (fields: Record<string, unknown>, message: string) =>
      lines.push({ level: 'warn', fields, message }),
  };
}

describe('socket-warm-up', () => {
  describe('warmUpSocket', () => {
    it('sends its commands over the node’s own socket as a till does, and writes nothing', async () => {
      const { server: started, commands } = await countingServer();
      if (!node) throw new Error('no node');
      // Another connection's data_version moves with every commit: the warm-up must make none.
      const watcher = openDatabase(node.databasePath);
      const version = () => watcher.pragma('data_version', { simple: true }) as number;
      const before = version();
      try {
        const report = await warmUpSocket(started.url, TOKEN, 25, 10_000);
        expect(report.messages).toBe(25);
        expect(commands.get('node-info')).toBe(25);
        expect([...commands.keys()]).toEqual(['node-info']);
        expect(version()).toBe(before);
      } finally {
        watcher.close();
      }
    });

    it('stops once its time is spent, and sends nothing when asked for no commands', async () => {
      const { server: started, commands } = await countingServer();
      const report = await warmUpSocket(started.url, TOKEN, 1_000_000, 500);
      expect(report.messages).toBeGreaterThan(0);
      expect(report.messages).toBeLessThan(1_000_000);
      expect(commands.get('node-info')).toBe(report.messages);
      expect(await warmUpSocket(started.url, TOKEN, 0)).toEqual({ messages: 0, ms: 0 });
      expect(commands.get('node-info')).toBe(report.messages);
    });

    it('fails when the node refuses its token', async () => {
      const { server: started, commands } = await countingServer();
      await expect(warmUpSocket(started.url, 'another-token-0123456789', 5, 2_000)).rejects.toThrow(
        /refused this device/,
      );
      expect(commands.size).toBe(0);
    });
  });

  describe('warmUpSocketAtStart', () => {
    it('logs what it did, and a failure as a warning without failing the start', async () => {
      const { server: started } = await countingServer();
      const log = silentLog();
      await warmUpSocketAtStart(started.url, TOKEN, { POS_STORE_SOCKET_WARMUP_MESSAGES: '3' }, log);
      expect(log.lines).toEqual([
        {
          level: 'info',
          fields: { messages: 3, ms: expect.any(Number) as number },
          message: 'socket path warmed up (node-info commands to itself)',
        },
      ]);
      const refused = silentLog();
      await expect(
        warmUpSocketAtStart(started.url, 'another-token-0123456789', {}, refused),
      ).resolves.toBeUndefined();
      expect(refused.lines.map((line) => [line.level, line.message])).toEqual([
        ['warn', 'warm-up of the socket path failed; the node serves it cold'],
      ]);
    });
  });

  describe('socketWarmUpSetting', () => {
    it('reads a count, 0 for none, and gives the default for anything else', () => {
      expect(socketWarmUpSetting('0')).toBe(0);
      expect(socketWarmUpSetting(' 40 ')).toBe(40);
      expect(socketWarmUpSetting(undefined)).toBe(DEFAULT_SOCKET_WARMUP_MESSAGES);
      expect(socketWarmUpSetting('lots')).toBe(DEFAULT_SOCKET_WARMUP_MESSAGES);
      expect(socketWarmUpSetting('-3')).toBe(DEFAULT_SOCKET_WARMUP_MESSAGES);
      expect(socketWarmUpSetting('123456')).toBe(DEFAULT_SOCKET_WARMUP_MESSAGES);
    });
  });
});
