import { describe, expect, it } from 'vitest';
import { createBridge, exposeBridge, type PreloadIpc } from './bridge';
import { IPC } from '../shared/ipc-channels';

const INFO = { url: 'http://127.0.0.1:7420', token: 'per-launch-token-0123456789', appVersion: '0.1.0' };

function fakeIpc(info: unknown = INFO, answers: Record<string, unknown> = {}) {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const ipc: PreloadIpc = {
    sendSync: (channel) => (channel === IPC.connection ? info : undefined),
    invoke: (channel, ...args) => {
      invoked.push({ channel, args });
      return Promise.resolve(answers[channel] ?? { ok: true });
    },
  };
  return { ipc, invoked };
}

describe('bridge', () => {
  describe('exposeBridge', () => {
    it('exposes one fixed, frozen object as window.posDesktop and nothing of ipcRenderer', () => {
      const exposed: [string, unknown][] = [];
      const { ipc } = fakeIpc();
      exposeBridge({ exposeInMainWorld: (key, api) => exposed.push([key, api]) }, ipc);
      expect(exposed.map(([key]) => key)).toEqual(['posDesktop']);
      const bridge = exposed[0]?.[1] as Record<string, unknown>;
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
      expect(Object.isFrozen(bridge)).toBe(true);
      expect(Object.values(bridge)).not.toContain(ipc);
      expect(bridge).toMatchObject(INFO);
    });
  });

  describe('createBridge', () => {
    it('prints and kicks the drawer over their fixed channels only', async () => {
      const { ipc, invoked } = fakeIpc(INFO, {
        [IPC.openCashDrawer]: { ok: false, message: 'Printer offline.' },
      });
      const bridge = createBridge(ipc);
      expect(await bridge.printReceipt('<p>r</p>')).toEqual({ ok: true });
      expect(await bridge.openCashDrawer('grant-1')).toEqual({ ok: false, message: 'Printer offline.' });
      expect(invoked).toEqual([
        { channel: IPC.printReceipt, args: ['<p>r</p>'] },
        { channel: IPC.openCashDrawer, args: ['grant-1'] },
      ]);
    });

    it('refuses a connection that is not a local store node', () => {
      expect(() => createBridge(fakeIpc(null).ipc)).toThrow('did not hand over the store node connection');
      expect(() => createBridge(fakeIpc({ ...INFO, url: 'https://evil.example.com' }).ipc)).toThrow();
      expect(() => createBridge(fakeIpc({ ...INFO, token: 'short' }).ipc)).toThrow();
    });
  });
});
