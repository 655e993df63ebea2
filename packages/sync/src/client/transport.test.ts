import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotPageSchema, type SnapshotPage } from '../server/protocol';
import { parseSnapshotPage, parseSnapshotPayload } from './transport';

const page: SnapshotPage = {
  epoch: 'epoch-1',
  upTo: 9,
  changes: [
    {
      hubSeq: 3,
      entity: 'sku',
      key: 'SKU-1',
      op: 'upsert',
      data: { sku: 'SKU-1', name: 'Äpfel "rot" \u2028' },
    },
    { hubSeq: 7, entity: 'price', key: 'pb:SKU-1', op: 'upsert', data: null },
  ],
  after: 7,
  done: false,
  total: 12,
};

function failureOf(run: () => unknown): { failure?: string; code?: string } {
  try {
    run();
  } catch (error) {
    return error as { failure?: string };
  }
  throw new Error('expected a failure');
}

describe('parseSnapshotPage', () => {
  it('answers what SnapshotPageSchema answers, or fails where it fails', () => {
    const field = fc.oneof(
      fc.constantFrom(0, 1, 7, -1, 1.5, 2 ** 53, 'x', '', true, null, undefined),
      fc.string({ maxLength: 4 }),
    );
    const change = fc.record(
      {
        hubSeq: fc.oneof(fc.integer({ min: 1, max: 9 }), field),
        entity: fc.oneof(fc.constantFrom('sku', 'price'), field),
        key: fc.oneof(fc.constantFrom('k'), field),
        op: fc.constantFrom('upsert', 'delete', 'merge'),
        data: field,
        extra: field,
      },
      { requiredKeys: ['hubSeq', 'entity', 'key', 'op'] },
    );
    const candidate = fc.record(
      {
        epoch: fc.oneof(fc.constant('e'), field),
        upTo: fc.oneof(fc.nat(20), field),
        changes: fc.oneof(fc.array(change, { maxLength: 3 }), field),
        after: fc.oneof(fc.nat(20), field),
        done: fc.oneof(fc.boolean(), field),
        total: fc.oneof(fc.nat(20), field),
        more: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(candidate, (value) => {
        const expected = SnapshotPageSchema.safeParse(value);
        if (expected.success) expect(parseSnapshotPage(value)).toStrictEqual(expected.data);
        else expect(failureOf(() => parseSnapshotPage(value)).failure).toBe('protocol');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseSnapshotPayload', () => {
  it('reads a page sent as the UTF-8 bytes of its JSON, or as an object from an older hub', () => {
    const bytes = Buffer.from(JSON.stringify(page), 'utf8');
    expect(parseSnapshotPayload(bytes)).toEqual(page);
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    expect(parseSnapshotPayload(copy)).toEqual(page);
    expect(parseSnapshotPayload(structuredClone(page))).toEqual(page);
  });

  it('refuses bytes that are no page as a protocol failure', () => {
    for (const bad of [
      Buffer.from('{"epoch":', 'utf8'),
      Buffer.from([0x7b, 0xff, 0x7d]),
      Buffer.from(JSON.stringify({ ...page, upTo: -1 }), 'utf8'),
      Buffer.from(JSON.stringify({ ...page, changes: [{ ...page.changes[0], hubSeq: 0 }] }), 'utf8'),
    ]) {
      expect(failureOf(() => parseSnapshotPayload(bad)).failure).toBe('protocol');
    }
  });
});
