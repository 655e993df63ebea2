import { afterEach, describe, expect, it } from 'vitest';
import { createTestNode, expectOk, TEST_SKUS, type TestNode } from '../testing/test-node';
import { findSale, readDraft, writeDraft, type SaleDraft } from './draft';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('sales/draft', () => {
  it('hands the draft a command wrote to the next command, frozen under test, as reading its text gives', () => {
    node = createTestNode();
    const { engine } = node;
    const as = { session: node.sessions.cashier };
    expectOk(engine.execute('shift-open', { float: 10_000 }, as));
    const { saleId } = expectOk(engine.execute('sale-start', {}, as));
    expectOk(engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, as));
    engine.transact('read-draft', (ctx) => {
      const row = findSale(ctx, saleId);
      const draft = readDraft(row);
      // The same text gives the same object, and it is the content of the text.
      expect(readDraft(findSale(ctx, saleId))).toBe(draft);
      expect(draft).toStrictEqual(JSON.parse(row.draft ?? 'null'));
      expect(Object.isFrozen(draft.lines[0])).toBe(true);
      expect(() => (draft.lines as unknown[]).push({})).toThrow(TypeError);
    });
  });

  it('refuses, under test, to write a draft that reading its text back would change', () => {
    node = createTestNode();
    const { engine } = node;
    const as = { session: node.sessions.cashier };
    expectOk(engine.execute('shift-open', { float: 10_000 }, as));
    const { saleId } = expectOk(engine.execute('sale-start', {}, as));
    // A key JSON drops (undefined) and one the schema does not name: both would differ once read back.
    const withUndefined = { lines: [], tenders: [], orderDiscount: undefined } as SaleDraft;
    const withExtra = { lines: [], tenders: [], note: 'x' } as unknown as SaleDraft;
    for (const draft of [withUndefined, withExtra]) {
      expect(() => engine.transact('write-draft', (ctx) => writeDraft(ctx, saleId, draft))).toThrow(
        expect.objectContaining({ code: 'INTERNAL' }),
      );
    }
  });
});
