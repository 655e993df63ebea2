import { describe, expect, it } from 'vitest';
import { ReceiptSchema, type Receipt } from '../../shared/commands';
import { printable, renderReceiptEscPos } from './receipt-escpos';
import { renderReceiptHtml } from './receipt-html';

const ESC = 0x1b;
const GS = 0x1d;

function receipt(overrides: Partial<Receipt> = {}): Receipt {
  return ReceiptSchema.parse({
    kind: 'sale',
    copy: false,
    voided: false,
    receiptNumber: 'S001-3-000042',
    originalReceiptNumber: null,
    issuedAt: '2026-11-23T10:00:00.000Z',
    currency: 'EUR',
    locale: 'fr-FR',
    timezone: 'Europe/Paris',
    store: { code: 'S001', name: 'Paris Bastille' },
    deviceNo: 3,
    staffName: 'Chris Cashier',
    lines: [
      {
        sku: 'BRULEE',
        name: 'Crème brûlée',
        unit: 'each',
        qty: 2,
        unitPrice: 450,
        amount: 900,
        adjustments: [{ label: 'Dessert week', amount: -90 }],
        note: null,
      },
      {
        sku: 'COMTE-KG',
        name: 'Comté 18 mois',
        unit: 'kg',
        qty: 1250,
        unitPrice: 2490,
        amount: 3113,
        adjustments: [],
        note: null,
      },
    ],
    totals: { subtotal: 4013, discount: 90, tax: 210, total: 3923, cashRounding: 0, change: 1077 },
    taxes: [{ name: 'TVA 5,5 %', percent: 5.5, taxable: 3718, tax: 205 }],
    payments: [{ type: 'cash', amount: 3923, tendered: 5000, change: 1077, reference: null }],
    promotions: [{ name: 'Dessert week', total: 90 }],
    loyalty: null,
    notes: [],
    barcode: { symbology: 'code128', value: 'S001-3-000042' },
    ...overrides,
  });
}

/** Index of `needle` in `haystack`, or -1. */
function indexOf(haystack: Uint8Array, needle: readonly number[], from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function count(haystack: Uint8Array, needle: readonly number[]): number {
  let found = 0;
  for (let at = indexOf(haystack, needle); at !== -1; at = indexOf(haystack, needle, at + 1)) found++;
  return found;
}

const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

/** The code page (ESC t n) in force at byte `position`. */
function codepageAt(bytes: Uint8Array, position: number): number | undefined {
  let page: number | undefined;
  for (
    let at = indexOf(bytes, [ESC, 0x74]);
    at !== -1 && at < position;
    at = indexOf(bytes, [ESC, 0x74], at + 1)
  )
    page = bytes[at + 2];
  return page;
}

/** How many characters wide the receipt prints. */
function printedRuleWidth(bytes: Uint8Array): number {
  // The rule under the header is a run of PC437 box-drawing dashes (0xC4) the width of the paper.
  const start = bytes.indexOf(0xc4);
  let end = start;
  while (bytes[end] === 0xc4) end++;
  return end - start;
}

describe('receipt-escpos', () => {
  describe('renderReceiptEscPos', () => {
    it('starts by initializing the printer and ends with a partial cut after feeding the paper out', () => {
      const bytes = renderReceiptEscPos(receipt(), { paper: '80mm' });
      expect([...bytes.slice(0, 2)]).toEqual([ESC, 0x40]);
      expect([...bytes.slice(-4)]).toEqual([GS, 0x56, 0x01, 0x0a]);
      expect(count(bytes, [GS, 0x56])).toBe(1);
    });

    it('leaves the paper uncut when asked to', () => {
      const bytes = renderReceiptEscPos(receipt(), { paper: '80mm', cut: false });
      expect(count(bytes, [GS, 0x56])).toBe(0);
    });

    it('kicks the cash drawer (ESC p pin on/2 off/2) right after initializing, only when asked', () => {
      const kicked = renderReceiptEscPos(receipt(), {
        paper: '80mm',
        drawerKick: { pin: 1, onMs: 50, offMs: 500 },
      });
      const at = indexOf(kicked, [ESC, 0x70]);
      expect([...kicked.slice(at, at + 5)]).toEqual([ESC, 0x70, 1, 25, 250]);
      expect(at).toBeLessThan(indexOf(kicked, ascii('Paris Bastille')));
      expect(count(kicked, [ESC, 0x70])).toBe(1);
      expect(count(renderReceiptEscPos(receipt(), { paper: '80mm' }), [ESC, 0x70])).toBe(0);
    });

    it('prints € as 0xD5 after switching to PC858 (ESC t 19), and accents in PC437', () => {
      const bytes = renderReceiptEscPos(receipt(), { paper: '80mm' });
      // fr-FR writes "9,00 €" with a no-break space: a plain space reaches the printer.
      let euro = indexOf(bytes, ascii('9,00 ')) + 5;
      expect(euro).toBeGreaterThan(5);
      if (bytes[euro] === ESC) euro += 3;
      expect(bytes[euro]).toBe(0xd5);
      expect(codepageAt(bytes, euro)).toBe(19);
      expect(bytes.includes(0xa0)).toBe(false);
      // "Crème brûlée" in PC437: è = 0x8A, û = 0x96, é = 0x82.
      const name = indexOf(bytes, [
        ...ascii('Cr'),
        0x8a,
        ...ascii('me br'),
        0x96,
        ...ascii('l'),
        0x82,
        ...ascii('e'),
      ]);
      expect(name).toBeGreaterThan(0);
      expect(codepageAt(bytes, name)).toBe(0);
    });

    it('prints the COPY banner inverted, with its dash from Windows-1252 (ESC t 16, 0x97)', () => {
      const bytes = renderReceiptEscPos(receipt({ copy: true }), { paper: '80mm' });
      const dash = indexOf(bytes, [0x97, ...ascii(' NOT A PROOF OF PURCHASE')]);
      expect(dash).toBeGreaterThan(0);
      expect(codepageAt(bytes, dash)).toBe(16);
      expect(indexOf(bytes, [GS, 0x42, 0x01])).toBeLessThan(dash);
    });

    it('lays the receipt out for the roll: 48 columns on 80 mm paper, 32 on 58 mm', () => {
      expect(printedRuleWidth(renderReceiptEscPos(receipt(), { paper: '80mm' }))).toBe(48);
      expect(printedRuleWidth(renderReceiptEscPos(receipt(), { paper: '58mm' }))).toBe(32);
    });

    it("uses a known printer model's own font width", () => {
      // The TM-T88V prints 42 columns of font A on 80 mm paper (180 dpi).
      expect(
        printedRuleWidth(renderReceiptEscPos(receipt(), { paper: '80mm', printerModel: 'epson-tm-t88v' })),
      ).toBe(42);
    });

    it('prints the receipt number as a CODE128 barcode with its text below', () => {
      const bytes = renderReceiptEscPos(receipt(), { paper: '58mm' });
      const at = indexOf(bytes, [GS, 0x6b, 73]);
      expect(at).toBeGreaterThan(0);
      const length = bytes[at + 3]!;
      expect(Buffer.from(bytes.slice(at + 4, at + 4 + length)).toString('latin1')).toBe('{BS001-3-000042');
      expect(indexOf(bytes, [GS, 0x48, 0x02])).toBeLessThan(at);
    });

    it('never lets control characters in product names or notes reach the printer as commands', () => {
      const hostile = receipt({
        lines: [{ ...receipt().lines[0]!, name: 'Evil\u001bp\u0000\u0019\u00fa\u001dV\u0000 cake' }],
        notes: ['\u001b@reset'],
      });
      const bytes = renderReceiptEscPos(hostile, { paper: '80mm' });
      expect(count(bytes, [ESC, 0x70])).toBe(0);
      expect(count(bytes, [GS, 0x56])).toBe(1);
      expect(count(bytes, [ESC, 0x40])).toBe(1);
      expect(indexOf(bytes, ascii('Evilp'))).toBeGreaterThan(0);
      expect(printable('a\u0085b\u009bc\u202fd')).toBe('abc d');
    });

    it('prints every line, total, payment and tax of the receipt', () => {
      const text = Buffer.from(renderReceiptEscPos(receipt({ locale: 'en-GB' }), { paper: '80mm' })).toString(
        'latin1',
      );
      for (const expected of [
        'Paris Bastille',
        'Receipt S001-3-000042',
        'Served by Chris Cashier',
        'Dessert week',
        'TOTAL',
        'Cash',
        'Change',
        'TVA 5,5 %',
        'Thank you',
      ]) {
        expect(text).toContain(expected);
      }
    });

    it('prints a store credit slip with its code in double height and whose credit it is', () => {
      const slip = { code: 'SC-7K3M-Q9TX-2HDW', amount: 1250, customerName: 'Robin Credit' };
      const bytes = renderReceiptEscPos(receipt({ kind: 'return', storeCreditSlips: [slip] }), {
        paper: '58mm',
      });
      const text = Buffer.from(bytes).toString('latin1');
      expect(text).toContain('STORE CREDIT');
      expect(text).toContain('For Robin Credit');
      const code = indexOf(bytes, ascii(slip.code));
      expect(code).toBeGreaterThan(-1);
      // GS ! 0x01 (double height) is in force when the code prints.
      const size = bytes.lastIndexOf(0x21, code);
      expect([bytes[size - 1], bytes[size + 1]]).toEqual([GS, 0x01]);
      expect(count(bytes, ascii('STORE CREDIT'))).toBe(1);
    });
  });
});

describe('receipt-html', () => {
  describe('renderReceiptHtml', () => {
    it('sizes the page to the roll and the body to its printable width', () => {
      const wide = renderReceiptHtml(receipt());
      expect(wide).toContain('@page { size: 80mm auto; margin: 0; }');
      expect(wide).toContain('width: 72mm; margin: 0 4mm;');
      const narrow = renderReceiptHtml(receipt(), '58mm');
      expect(narrow).toContain('@page { size: 58mm auto; margin: 0; }');
      expect(narrow).toContain('width: 48mm; margin: 0 5mm;');
      expect(narrow).toContain('data-paper="58mm"');
    });
  });
});
