import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_RECEIPT_HTML,
  printEscPosReceipt,
  printReceiptSilently,
  type PrintWindow,
  type SilentPrintOptions,
} from './receipt-printer';

function fakeWindow(outcome: { success: boolean; failureReason: string } | Error) {
  const log: { loaded: string[]; printed: SilentPrintOptions[]; closed: number } = {
    loaded: [],
    printed: [],
    closed: 0,
  };
  const window: PrintWindow = {
    load: (html) => {
      log.loaded.push(html);
      return Promise.resolve();
    },
    print: (options) => {
      log.printed.push(options);
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
    close: () => void (log.closed += 1),
  };
  return { window, log };
}

describe('receipt-printer', () => {
  describe('printReceiptSilently', () => {
    it('prints without a dialog on the configured printer and closes the hidden window', async () => {
      const { window, log } = fakeWindow({ success: true, failureReason: '' });
      expect(await printReceiptSilently('<p>receipt</p>', 'EPSON_TM_T20', () => window)).toEqual({
        ok: true,
      });
      expect(log.loaded).toEqual(['<p>receipt</p>']);
      expect(log.printed).toEqual([
        { silent: true, printBackground: true, margins: { marginType: 'none' }, deviceName: 'EPSON_TM_T20' },
      ]);
      expect(log.closed).toBe(1);
    });

    it('uses the system default printer when none is configured', async () => {
      const { window, log } = fakeWindow({ success: true, failureReason: '' });
      await printReceiptSilently('<p>r</p>', undefined, () => window);
      expect(log.printed[0]).not.toHaveProperty('deviceName');
    });

    it('turns a printer failure into a sentence and still closes the window', async () => {
      const failed = fakeWindow({ success: false, failureReason: 'Print job failed' });
      expect(await printReceiptSilently('<p>r</p>', 'EPSON', () => failed.window)).toEqual({
        ok: false,
        message:
          'The receipt did not print (Print job failed). Check the receipt printer EPSON, then print a copy.',
      });
      const thrown = fakeWindow(new Error('render process gone'));
      const outcome = await printReceiptSilently('<p>r</p>', undefined, () => thrown.window);
      expect(outcome).toEqual({
        ok: false,
        message:
          'The receipt did not print (render process gone). Check the receipt printer, then print a copy.',
      });
      expect(thrown.log.closed).toBe(1);
    });

    it('refuses what is not a receipt before opening any window', async () => {
      let opened = 0;
      const open = () => {
        opened += 1;
        return fakeWindow({ success: true, failureReason: '' }).window;
      };
      for (const html of [42, '', 'x'.repeat(MAX_RECEIPT_HTML + 1)]) {
        expect((await printReceiptSilently(html, undefined, open)).ok).toBe(false);
      }
      expect(opened).toBe(0);
    });
  });

  describe('printEscPosReceipt', () => {
    const receipt = Uint8Array.from([
      0x1b,
      0x40,
      ...Buffer.from('RECEIPT S001-1-7\n'),
      0x1d,
      0x56,
      0x42,
      0x04,
    ]);

    it('sends the bytes whole to a network printer on its raw port', async () => {
      const chunks: Buffer[] = [];
      let finished!: Promise<void>;
      const accepted = new Promise<Socket>((resolve) => {
        const printer = createServer((socket) => {
          finished = new Promise((done) => socket.on('end', () => done()));
          socket.on('data', (chunk) => chunks.push(chunk));
          printer.close();
          resolve(socket);
        });
        printer.listen(0, '127.0.0.1', () => {
          const { port } = printer.address() as AddressInfo;
          void printEscPosReceipt(receipt, { kind: 'network-printer', host: '127.0.0.1', port }).then(
            (outcome) => expect(outcome).toEqual({ ok: true }),
          );
        });
      });
      await accepted;
      await finished;
      expect([...Buffer.concat(chunks)]).toEqual([...receipt]);
    });

    it('appends the bytes to a printer device file', async () => {
      const device = join(mkdtempSync(join(tmpdir(), 'lp-')), 'lp0');
      expect(await printEscPosReceipt(receipt, { kind: 'device', path: device })).toEqual({ ok: true });
      expect(await printEscPosReceipt(receipt, { kind: 'device', path: device })).toEqual({ ok: true });
      expect([...readFileSync(device)]).toEqual([...receipt, ...receipt]);
    });

    it('says which printer did not answer and that the sale is complete, instead of throwing', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const outcome = await printEscPosReceipt(receipt, { kind: 'network-printer', host: '127.0.0.1', port });
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.message).toMatch(
        new RegExp(
          `^The receipt printer at 127\\.0\\.0\\.1:${port} did not take the receipt \\(.*ECONNREFUSED.*\\)\\. Check that it is on, connected and has paper, then print a copy; the sale itself is complete\\.$`,
        ),
      );
      const missing = await printEscPosReceipt(receipt, { kind: 'device', path: '/nonexistent-dir/lp0' });
      expect(!missing.ok && missing.message).toMatch(
        /^The receipt printer at \/nonexistent-dir\/lp0 did not take/,
      );
      expect(await printEscPosReceipt(receipt, null)).toEqual({
        ok: false,
        message:
          'No printer for raw receipts is set up on this till. A manager chooses it under Settings, receipt printer; the sale itself is complete.',
      });
    });
  });
});
