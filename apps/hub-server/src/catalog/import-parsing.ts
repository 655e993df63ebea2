import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DomainError, isDomainError } from '@retail/domain';
import { jsonRecords } from './json-records';

/** Reading an import's upload: its formats, the CSV layouts and the raw records with their lines. */
export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** CSV: one row per SKU; product and category columns describe the SKU's product; price columns are optional. */
export const CSV_COLUMNS = [
  'sku',
  'product_id',
  'name',
  'unit',
  'tax_category',
  'barcodes',
  'active',
  'product_name',
  'brand',
  'category_id',
  'price_book_id',
  'price',
] as const;
const REQUIRED_CSV_COLUMNS = ['sku', 'product_id', 'name', 'unit', 'tax_category'] as const;

/**
 * What an import holds: the whole catalog (any record kind), or only prices. A price import goes through
 * the same streaming, staging and all-or-nothing apply as a catalog import, with its own CSV columns.
 */
export const IMPORT_KINDS = ['catalog', 'prices'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/**
 * Price CSV: one row per SKU and book. `price` is the unit price from quantity 1 (per kg for weighed
 * SKUs) in the book's currency; `tiers` adds quantity breaks as `minQty=price` joined with `|`
 * ("6=2.29|12=1.99"), in increasing quantity, never dearer per unit than the tier before.
 */
export const PRICE_CSV_COLUMNS = ['price_book_id', 'sku', 'price', 'tiers'] as const;
const REQUIRED_PRICE_CSV_COLUMNS = ['price_book_id', 'sku', 'price'] as const;

export interface CsvLayout {
  readonly columns: readonly string[];
  readonly required: readonly string[];
}

export const CSV_LAYOUTS: Record<ImportKind, CsvLayout> = {
  catalog: { columns: CSV_COLUMNS, required: REQUIRED_CSV_COLUMNS },
  prices: { columns: PRICE_CSV_COLUMNS, required: REQUIRED_PRICE_CSV_COLUMNS },
};

export async function* rawRecords(
  source: Readable,
  format: ImportFormat,
  layout: CsvLayout,
): AsyncGenerator<{ line: number; value: unknown } | { line: number; error: string }> {
  if (format === 'json') {
    yield* jsonRecords(source);
    return;
  }
  const parser = parse({
    bom: true,
    columns: (header: string[]) => {
      const names = header.map((name) => name.trim().toLowerCase());
      const unknown = names.filter((name) => !layout.columns.includes(name));
      const missing = layout.required.filter((name) => !names.includes(name));
      if (unknown.length > 0 || missing.length > 0) {
        throw new DomainError(
          'INVALID_INPUT',
          'hub.catalog.headerColumnsWrong',
          {
            lacks: missing.length > 0 ? 'yes' : 'no',
            missing: missing.join(', '),
            hasUnknown: unknown.length > 0 ? 'yes' : 'no',
            unknown: unknown.join(', '),
            columns: layout.columns.join(', '),
          },
          { line: 1 },
        );
      }
      return names;
    },
    skip_empty_lines: true,
    relax_column_count: false,
    info: true,
  });
  // pipe() does not forward errors: a failing upload (too large, cut off) must end the parse too.
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      yield { line: item.info.lines, value: item.record };
    }
  } catch (error) {
    if (isDomainError(error)) throw error;
    const line = (error as { lines?: number }).lines;
    throw new DomainError(
      'INVALID_INPUT',
      'hub.catalog.csvNotReadable',
      line
        ? { atLine: 'yes', line, reason: (error as Error).message }
        : { atLine: 'no', reason: (error as Error).message },
      { line },
    );
  }
}
