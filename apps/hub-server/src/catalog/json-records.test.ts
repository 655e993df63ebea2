import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonRecords } from './json-records';

async function collect(text: string | string[]) {
  const out: unknown[] = [];
  for await (const record of jsonRecords(Readable.from(Array.isArray(text) ? text : [text])))
    out.push(record);
  return out;
}

describe('catalog/json-records', () => {
  describe('jsonRecords', () => {
    it('reads the objects of a top-level array with the line each starts on', async () => {
      expect(await collect('[\n {"a": 1},\n {"b": "x}]"}\n]\n')).toEqual([
        { line: 2, value: { a: 1 } },
        { line: 3, value: { b: 'x}]' } },
      ]);
    });

    it('reads newline-delimited JSON', async () => {
      expect(await collect('{"a":1}\n\n{"a":2}\n')).toEqual([
        { line: 1, value: { a: 1 } },
        { line: 3, value: { a: 2 } },
      ]);
    });

    it('reports a malformed record with its line and keeps reading', async () => {
      const records = await collect('[{"a": 1},\n{"a": tru},\n{"a": 3}]');
      expect(records[1]).toMatchObject({ line: 2, error: expect.stringMatching(/Not valid JSON/) });
      expect(records[2]).toEqual({ line: 3, value: { a: 3 } });
    });

    it('refuses a cut-off file and stray text', async () => {
      await expect(collect('[{"a": 1}, {"a"')).rejects.toThrow(/cut off/);
      await expect(collect('[{"a": 1}')).rejects.toThrow(/closing \]/);
      await expect(collect('[{"a": 1}] x')).rejects.toThrow(/nothing may follow/);
      await expect(collect('42')).rejects.toThrow(/expected a JSON object/);
    });

    it('gives the same records however the text is split into chunks', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
            { maxLength: 8 },
          ),
          fc.array(fc.nat(200), { maxLength: 6 }),
          async (objects, cuts) => {
            const text = JSON.stringify(objects, null, 1);
            const bounds = [0, ...new Set(cuts.map((c) => c % (text.length + 1))), text.length].sort(
              (x, y) => x - y,
            );
            const pieces = bounds.slice(1).map((end, i) => text.slice(bounds[i], end));
            expect(pieces.join('')).toBe(text);
            const records = (await collect(pieces)) as { value: unknown }[];
            expect(records.map((r) => r.value)).toEqual(objects);
          },
        ),
      );
    });
  });
});
