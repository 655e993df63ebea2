import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawerPulse, openCashDrawer } from './cash-drawer';

const PULSE = { pin: 0 as const, onMs: 50, offMs: 500 };

describe('cash-drawer', () => {
  describe('drawerPulse', () => {
    it('is ESC p with the pin and the on/off times in 2 ms units, clamped to a byte', () => {
      expect([...drawerPulse(PULSE)]).toEqual([0x1b, 0x70, 0, 25, 250]);
      expect([...drawerPulse({ pin: 1, onMs: 510, offMs: 2 })]).toEqual([0x1b, 0x70, 1, 255, 1]);
    });
  });

  describe('openCashDrawer', () => {
    it('sends the pulse to a network receipt printer', async () => {
      const received: Buffer[] = [];
      const printer = createServer((socket) => socket.on('data', (chunk) => received.push(chunk)));
      await new Promise<void>((resolve) => printer.listen(0, '127.0.0.1', resolve));
      const { port } = printer.address() as AddressInfo;
      const outcome = await openCashDrawer({ kind: 'network-printer', host: '127.0.0.1', port }, PULSE);
      await new Promise<void>((resolve) => printer.close(() => resolve()));
      expect(outcome).toEqual({ ok: true });
      expect([...Buffer.concat(received)]).toEqual([0x1b, 0x70, 0, 25, 250]);
    });

    it('writes the pulse to a printer device file', async () => {
      const device = join(mkdtempSync(join(tmpdir(), 'lp-')), 'lp0');
      expect(await openCashDrawer({ kind: 'device', path: device }, PULSE)).toEqual({ ok: true });
      expect([...readFileSync(device)]).toEqual([0x1b, 0x70, 0, 25, 250]);
    });

    it('explains a printer that cannot be reached instead of throwing', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const outcome = await openCashDrawer({ kind: 'network-printer', host: '127.0.0.1', port }, PULSE);
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.message).toMatch(
        /^The cash drawer did not open \(.*ECONNREFUSED.*\)\. Check that the receipt printer/,
      );
    });

    it('says when no drawer is set up', async () => {
      expect(await openCashDrawer({ kind: 'none' }, PULSE)).toEqual({
        ok: false,
        message: 'No cash drawer is set up for this till; open the drawer with its key.',
      });
    });
  });
});
