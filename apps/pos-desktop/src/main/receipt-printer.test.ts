import { describe, expect, it } from 'vitest';
import {
  MAX_RECEIPT_HTML,
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
});
