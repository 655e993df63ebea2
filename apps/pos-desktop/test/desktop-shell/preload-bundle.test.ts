import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { IPC } from '../../src/shared/ipc-channels';
import type { DesktopBridge } from '../../src/shared/desktop-bridge';
import { buildShell, type BuiltShell } from './build-shell';
import { runSandboxedPreload, type RendererElectron } from './sandboxed-preload';

const CONNECTION = {
  url: 'http://127.0.0.1:7420',
  token: 'per-launch-token-0123456789',
  appVersion: '0.1.0',
};

let shell: BuiltShell;
beforeAll(() => {
  shell = buildShell('preload');
});

function scriptedElectron(answers: Record<string, unknown> = {}) {
  const sent: { channel: string; args: unknown[] }[] = [];
  const exposedInWorld: string[] = [];
  const electron: RendererElectron = {
    contextBridge: { exposeInMainWorld: (key) => void exposedInWorld.push(key) },
    ipcRenderer: {
      sendSync: (channel, ...args) => {
        sent.push({ channel, args });
        return channel === IPC.connection ? CONNECTION : undefined;
      },
      invoke: (channel, ...args) => {
        sent.push({ channel, args });
        return Promise.resolve(answers[channel] ?? { ok: true });
      },
    },
  };
  return { electron, sent, exposedInWorld };
}

describe('dist/preload/preload.cjs', () => {
  it('runs as a sandboxed preload: no Node globals, requiring only electron', () => {
    const { electron } = scriptedElectron();
    const run = runSandboxedPreload(shell.preload, electron);
    expect(run.required).toEqual(['electron']);
    expect(readFileSync(shell.preload, 'utf8')).not.toMatch(/__filename|__dirname|require\(["']node:/);
  });

  it('exposes window.posDesktop: the node connection and fixed device functions, nothing of ipcRenderer', async () => {
    const { electron, sent, exposedInWorld } = scriptedElectron({
      [IPC.openCashDrawer]: { ok: false, message: 'No cash drawer is set up for this till.' },
    });
    const { exposed } = runSandboxedPreload(shell.preload, electron);
    expect(exposedInWorld).toEqual(['posDesktop']);
    const bridge = exposed.get('posDesktop') as DesktopBridge;
    expect(Object.keys(bridge).sort()).toEqual([
      'appVersion',
      'listPrinters',
      'openCashDrawer',
      'printReceipt',
      'printReceiptRaw',
      'readSettings',
      'saveBackupCopy',
      'saveSettings',
      'token',
      'url',
    ]);
    expect(bridge).toMatchObject(CONNECTION);
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.values(bridge)).not.toContain(electron.ipcRenderer);
    expect(await bridge.printReceipt('<p>receipt</p>')).toEqual({ ok: true });
    expect(await bridge.openCashDrawer('grant-1')).toEqual({
      ok: false,
      message: 'No cash drawer is set up for this till.',
    });
    const settings = { printerName: 'EPSON_TM_T20III', kiosk: true, customerDisplay: false };
    expect(await bridge.saveSettings(settings)).toEqual({ ok: true });
    expect(await bridge.saveBackupCopy('/data/backups/store-20261123T100000Z.db')).toEqual({ ok: true });
    expect(sent).toEqual([
      { channel: IPC.connection, args: [] },
      { channel: IPC.printReceipt, args: ['<p>receipt</p>'] },
      { channel: IPC.openCashDrawer, args: ['grant-1'] },
      { channel: IPC.saveSettings, args: [settings] },
      { channel: IPC.saveBackupCopy, args: ['/data/backups/store-20261123T100000Z.db'] },
    ]);
  });

  it('fails loudly when the main process hands over no connection', () => {
    const { electron } = scriptedElectron();
    const refusing: RendererElectron = {
      ...electron,
      ipcRenderer: { ...electron.ipcRenderer, sendSync: () => null },
    };
    expect(() => runSandboxedPreload(shell.preload, refusing)).toThrow(
      'The desktop app did not hand over the store node connection',
    );
  });
});

describe('runSandboxedPreload', () => {
  it('refuses what a sandboxed preload cannot do, as Electron does', () => {
    const { electron } = scriptedElectron();
    const file = `${shell.dist}/probe.cjs`;
    for (const [source, message] of [
      ['const a = __filename;', '__filename is not defined'],
      ["require('node:fs');", 'module not found: node:fs'],
      ["require('path');", 'module not found: path'],
    ] as const) {
      writeFileSync(file, source);
      expect(() => runSandboxedPreload(file, electron)).toThrow(message);
    }
    writeFileSync(
      file,
      "require('events'); require('timers'); require('url'); setImmediate(() => {}); Buffer.from('x');",
    );
    expect(runSandboxedPreload(file, electron).required).toEqual(['events', 'timers', 'url']);
  });
});
