import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { z } from 'zod';
import {
  barcodeKey,
  buildCategoryLineage,
  CategorySchema,
  DomainError,
  fromDecimal,
  isDomainError,
  PriceBookIdSchema,
  PriceEntrySchema,
  ProductSchema,
  SkuSchema,
  SkuUnitSchema,
  skuCategoryIds,
  TaxRateSchema,
  type Category,
  type PriceBook,
  type PriceEntry,
  type Product,
} from '@retail/domain';
import { CHAIN_SCOPE, regionScope } from '../feed/feed-store';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';
import { writePriceEntries } from '../pricing/pricing-store';
import { findCatalogProblems, writeCatalog, type CatalogRecord } from './catalog-store';
import { jsonRecords } from './json-records';

/**
 * Catalog import, streamed (CSV or JSON), in two passes so nothing is half-imported:
 * 1. Read the upload record by record, validate each with the domain schemas, and stage valid rows in
 *    `import_rows` in short transactions (progress is visible meanwhile). Only small indexes (ids,
 *    barcode keys) stay in memory, never the file.
 * 2. If every row was valid, apply the staged rows in ONE transaction, kind by kind (categories,
 *    products, tax rates, SKUs, prices) so references resolve whatever the file order; any reference
 *    problem rolls the whole import back and is reported with its line.
 * On SQLite the apply transaction holds the single writer for its duration (seconds for 100,000 rows).
 */
export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const MAX_REPORTED_ERRORS = 1000;
const STAGE_CHUNK = 1000;

export const ImportErrorSchema = z.object({ line: z.number().int(), message: z.string() });
export type ImportError = z.infer<typeof ImportErrorSchema>;

export const ImportReportSchema = z.object({
  importId: z.string(),
  format: z.enum(IMPORT_FORMATS),
  status: z.enum(['running', 'failed', 'completed']),
  dryRun: z.boolean(),
  rowsRead: z.number().int(),
  rowsValid: z.number().int(),
  errorCount: z.number().int(),
  /** The first 1,000 problems, by line. */
  errors: z.array(ImportErrorSchema),
  summary: z.record(z.string(), z.number().int()),
  startedAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

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

interface CsvLayout {
  readonly columns: readonly string[];
  readonly required: readonly string[];
}

const CSV_LAYOUTS: Record<ImportKind, CsvLayout> = {
  catalog: { columns: CSV_COLUMNS, required: REQUIRED_CSV_COLUMNS },
  prices: { columns: PRICE_CSV_COLUMNS, required: REQUIRED_PRICE_CSV_COLUMNS },
};

const DECIMAL_PRICE = /^\d+(\.\d+)?$/;

const PriceCsvRowSchema = z.object({
  price_book_id: z.string().trim().pipe(PriceBookIdSchema),
  sku: z.string().trim().min(1).max(100),
  price: z.string().trim().regex(DECIMAL_PRICE, 'Write the price as a decimal amount like 2.49.'),
  tiers: z
    .string()
    .default('')
    .transform((value, context) => {
      const tiers: { minQty: number; price: string }[] = [];
      for (const part of value.split('|').map((text) => text.trim())) {
        if (part === '') continue;
        const match = /^(\d{1,15})\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
        if (match === null) {
          context.addIssue({
            code: 'custom',
            message: `"${part}" is not a tier; write quantity=price joined with | (e.g. 6=2.29|12=1.99).`,
          });
          return z.NEVER;
        }
        tiers.push({ minQty: Number(match[1]), price: match[2] as string });
      }
      return tiers;
    }),
});

const boolText = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value, context) => {
    if (value === '' || ['true', '1', 'yes', 'y'].includes(value)) return true;
    if (['false', '0', 'no', 'n'].includes(value)) return false;
    context.addIssue({ code: 'custom', message: 'Use true/false, yes/no or 1/0.' });
    return z.NEVER;
  });

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const CsvRowSchema = z.object({
  sku: z.string().trim().min(1).max(100),
  product_id: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(200),
  unit: z.string().trim().pipe(SkuUnitSchema),
  tax_category: z.string().trim().min(1).max(100),
  barcodes: z
    .string()
    .default('')
    .transform((value) => value.split(/[|;\s]+/).filter((code) => code.length > 0)),
  active: boolText.default(true),
  product_name: optionalText,
  brand: optionalText,
  category_id: optionalText,
  price_book_id: optionalText,
  price: optionalText,
});

/** A staged, already validated record; CSV SKUs carry their category id until lineage is known. */
type StagedRecord =
  | { kind: 'category'; data: Category }
  | { kind: 'product'; data: Product }
  | { kind: 'tax_rate'; data: z.infer<typeof TaxRateSchema> }
  | { kind: 'sku'; data: z.infer<typeof SkuSchema>; categoryId?: string | undefined }
  | { kind: 'price'; data: PriceEntry }
  /** A CSV price in decimal; converted with the book's currency when the book is known (pass 2). */
  | {
      kind: 'csv_price';
      data: { priceBookId: string; sku: string; price: string; tiers?: { minQty: number; price: string }[] };
    };

const JsonRecordSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('category') }).passthrough(),
  z.object({ type: z.literal('product') }).passthrough(),
  z.object({ type: z.literal('sku') }).passthrough(),
  z.object({ type: z.literal('tax_rate') }).passthrough(),
  z.object({ type: z.literal('price') }).passthrough(),
]);

function keyOf(record: StagedRecord): string {
  switch (record.kind) {
    case 'category':
      return record.data.categoryId;
    case 'product':
      return record.data.productId;
    case 'tax_rate':
      return record.data.rateId;
    case 'sku':
      return record.data.sku;
    case 'price':
      return `${record.data.priceBookId}:${record.data.sku}`;
    case 'csv_price':
      return `${record.data.priceBookId}:${record.data.sku}`;
  }
}

function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Turns one raw input record into staged records, or explains what is wrong with it. */
class RecordReader {
  private readonly products = new Map<string, { line: number; signature: string }>();
  private readonly keys = new Map<string, number>();
  private readonly barcodes = new Map<string, { sku: string; line: number }>();

  fromCsv(row: Record<string, string>, line: number): StagedRecord[] | string {
    const parsed = CsvRowSchema.safeParse(row);
    if (!parsed.success) return describeZodError(parsed.error);
    const value = parsed.data;
    const records: StagedRecord[] = [];
    const product = ProductSchema.safeParse({
      productId: value.product_id,
      name: value.product_name ?? value.name,
      ...(value.brand === undefined ? {} : { brand: value.brand }),
      ...(value.category_id === undefined ? {} : { categoryId: value.category_id }),
    });
    if (!product.success) return describeZodError(product.error);
    const signature = JSON.stringify(product.data);
    const seen = this.products.get(value.product_id);
    if (seen === undefined) {
      this.products.set(value.product_id, { line, signature });
      records.push({ kind: 'product', data: product.data });
    } else if (seen.signature !== signature) {
      return `Product ${value.product_id} is described differently than on line ${seen.line} (name, brand or category).`;
    }
    const sku = SkuSchema.safeParse({
      sku: value.sku,
      productId: value.product_id,
      name: value.name,
      unit: value.unit,
      taxCategory: value.tax_category,
      categoryIds: [],
      barcodes: value.barcodes,
      active: value.active,
    });
    if (!sku.success) return describeZodError(sku.error);
    records.push({ kind: 'sku', data: sku.data, categoryId: value.category_id });
    if (value.price !== undefined || value.price_book_id !== undefined) {
      if (value.price === undefined || value.price_book_id === undefined) {
        return 'price and price_book_id go together: give both or neither.';
      }
      if (!/^\d+(\.\d+)?$/.test(value.price))
        return `price: ${JSON.stringify(value.price)} is not a decimal amount like 2.49.`;
      records.push({
        kind: 'csv_price',
        data: { priceBookId: value.price_book_id, sku: value.sku, price: value.price },
      });
    }
    return this.claim(records, line);
  }

  fromPriceCsv(row: Record<string, string>, line: number): StagedRecord[] | string {
    const parsed = PriceCsvRowSchema.safeParse(row);
    if (!parsed.success) return describeZodError(parsed.error);
    const { price_book_id: priceBookId, sku, price, tiers } = parsed.data;
    return this.claim([{ kind: 'csv_price', data: { priceBookId, sku, price, tiers } }], line);
  }

  fromJson(value: unknown, line: number, kind: ImportKind = 'catalog'): StagedRecord[] | string {
    if (kind === 'prices' && (value as { type?: unknown } | null)?.type !== 'price') {
      return 'A price import takes only records with "type": "price" ({ priceBookId, sku, tiers }).';
    }
    const envelope = JsonRecordSchema.safeParse(value);
    if (!envelope.success) {
      return 'Each record needs "type": one of category, product, sku, tax_rate, price.';
    }
    const { type, ...fields } = envelope.data as { type: string } & Record<string, unknown>;
    const schemas = {
      category: CategorySchema,
      product: ProductSchema,
      sku: SkuSchema,
      tax_rate: TaxRateSchema,
      price: PriceEntrySchema,
    } as const;
    const parsed = schemas[type as keyof typeof schemas].safeParse(fields);
    if (!parsed.success) return describeZodError(parsed.error);
    return this.claim([{ kind: type, data: parsed.data } as StagedRecord], line);
  }

  /** Each key once per file, each barcode on one SKU only. */
  private claim(records: StagedRecord[], line: number): StagedRecord[] | string {
    for (const record of records) {
      if (record.kind === 'product' && this.products.get(record.data.productId)?.line !== line) continue;
      const key = `${record.kind === 'csv_price' ? 'price' : record.kind}:${keyOf(record)}`;
      const earlier = this.keys.get(key);
      if (earlier !== undefined && earlier !== line) {
        return `${record.kind === 'csv_price' ? 'price' : record.kind} ${keyOf(record)} already appears on line ${earlier}.`;
      }
      if (record.kind === 'sku') {
        for (const barcode of record.data.barcodes) {
          const code = barcodeKey(barcode);
          const owner = this.barcodes.get(code);
          if (owner !== undefined && owner.sku !== record.data.sku) {
            return `Barcode ${barcode} is already given to SKU ${owner.sku} on line ${owner.line}.`;
          }
        }
      }
    }
    for (const record of records) {
      if (record.kind === 'product' && this.products.get(record.data.productId)?.line !== line) continue;
      this.keys.set(`${record.kind === 'csv_price' ? 'price' : record.kind}:${keyOf(record)}`, line);
      if (record.kind === 'sku') {
        for (const barcode of record.data.barcodes)
          this.barcodes.set(barcodeKey(barcode), { sku: record.data.sku, line });
      }
    }
    return records;
  }
}

async function* rawRecords(
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
          [
            missing.length > 0 ? `The header lacks ${missing.join(', ')}.` : '',
            unknown.length > 0 ? `Unknown columns: ${unknown.join(', ')}.` : '',
            `Columns are: ${layout.columns.join(', ')}.`,
          ]
            .filter(Boolean)
            .join(' '),
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
      `The CSV cannot be read${line ? ` at line ${line}` : ''}: ${(error as Error).message}`,
      {
        line,
      },
    );
  }
}

export interface ImportOptions {
  readonly format: ImportFormat;
  readonly actor: string;
  /** The whole catalog (default) or only prices. */
  readonly records?: ImportKind;
  /** Validate everything, apply nothing. */
  readonly dryRun?: boolean;
  /** Lets a client poll GET /api/catalog/imports/:importId while its upload is still running. */
  readonly importId?: string;
  readonly onProgress?: (progress: {
    rowsRead: number;
    errorCount: number;
    phase: 'reading' | 'applying';
  }) => void;
}

class ImportFailed extends Error {
  constructor(readonly problems: ImportError[]) {
    super('import failed');
  }
}

class DryRunDone extends Error {}

export async function importCatalog(
  hub: HubContext,
  source: Readable,
  options: ImportOptions,
): Promise<ImportReport> {
  const importId = options.importId ?? hub.newId();
  const startedAt = hub.now();
  const clash = await hub.storage.db
    .selectFrom('import_jobs')
    .select('import_id')
    .where('import_id', '=', importId)
    .executeTakeFirst();
  if (clash !== undefined)
    throw new DomainError('CONFLICT', `Import ${importId} already exists; use a new id.`, { importId });
  await hub.storage.db
    .insertInto('import_jobs')
    .values({
      import_id: importId,
      format: options.format,
      status: 'running',
      rows_read: 0,
      rows_valid: 0,
      error_count: 0,
      errors: '[]',
      summary: '{}',
      created_by: options.actor,
      started_at: startedAt,
      finished_at: null,
    })
    .execute();

  const errors: ImportError[] = [];
  let errorCount = 0;
  let rowsRead = 0;
  let rowsValid = 0;
  const note = (line: number, message: string) => {
    errorCount += 1;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, message });
  };
  const finish = async (
    status: 'failed' | 'completed',
    summary: Record<string, number>,
  ): Promise<ImportReport> => {
    const finishedAt = hub.now();
    errors.sort((a, b) => a.line - b.line);
    await hub.storage.db.deleteFrom('import_rows').where('import_id', '=', importId).execute();
    await hub.storage.db
      .updateTable('import_jobs')
      .set({
        status,
        rows_read: rowsRead,
        rows_valid: rowsValid,
        error_count: errorCount,
        errors: JSON.stringify(errors),
        summary: JSON.stringify(summary),
        finished_at: finishedAt,
      })
      .where('import_id', '=', importId)
      .execute();
    return {
      importId,
      format: options.format,
      status,
      dryRun: options.dryRun === true,
      rowsRead,
      rowsValid,
      errorCount,
      errors,
      summary,
      startedAt,
      finishedAt,
    };
  };

  // Pass 1: read, validate, stage.
  const reader = new RecordReader();
  let stagedCount = 0;
  let pending: { import_id: string; line: number; kind: string; entity_key: string; data: string }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await hub.storage.transaction(async (trx) => {
      for (const chunk of chunks(rows, 200)) await trx.insertInto('import_rows').values(chunk).execute();
      await trx
        .updateTable('import_jobs')
        .set({ rows_read: rowsRead, rows_valid: rowsValid, error_count: errorCount })
        .where('import_id', '=', importId)
        .execute();
    });
    options.onProgress?.({ rowsRead, errorCount, phase: 'reading' });
  };
  try {
    const records = options.records ?? 'catalog';
    for await (const raw of rawRecords(source, options.format, CSV_LAYOUTS[records])) {
      rowsRead += 1;
      if ('error' in raw) {
        note(raw.line, raw.error);
        continue;
      }
      const staged =
        options.format === 'json'
          ? reader.fromJson(raw.value, raw.line, records)
          : records === 'prices'
            ? reader.fromPriceCsv(raw.value as Record<string, string>, raw.line)
            : reader.fromCsv(raw.value as Record<string, string>, raw.line);
      if (typeof staged === 'string') {
        note(raw.line, staged);
        continue;
      }
      rowsValid += 1;
      for (const record of staged) {
        // The staging key is the record's position (a JSON array can put many records on one line);
        // the source line travels with the record for the report.
        stagedCount += 1;
        pending.push({
          import_id: importId,
          line: stagedCount,
          kind: record.kind,
          entity_key: keyOf(record),
          data: JSON.stringify({ line: raw.line, record }),
        });
      }
      if (pending.length >= STAGE_CHUNK) await flush();
    }
    await flush();
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const line = (error.details as { line?: number } | undefined)?.line ?? rowsRead + 1;
    note(line, error.message);
    // The upload itself was refused: record the job as failed, answer with that error.
    if (error.code === 'PAYLOAD_TOO_LARGE') {
      await finish('failed', {});
      throw error;
    }
  }
  if (errorCount > 0) return finish('failed', {});

  // Pass 2: apply everything in one transaction, or nothing.
  options.onProgress?.({ rowsRead, errorCount, phase: 'applying' });
  let checked: Record<string, number> = {};
  try {
    const summary = await inHubTransaction(hub, async (tx) => {
      checked = await applyStaged(tx, importId, options.actor);
      if (options.dryRun === true) throw new DryRunDone();
      return checked;
    });
    return finish('completed', summary);
  } catch (error) {
    if (error instanceof DryRunDone) return finish('completed', checked);
    if (error instanceof ImportFailed) {
      const seen = new Set<string>();
      for (const problem of error.problems) {
        const id = `${problem.line}:${problem.message}`;
        if (!seen.has(id)) note(problem.line, problem.message);
        seen.add(id);
      }
      return finish('failed', {});
    }
    throw error;
  }
}

async function* stagedRecords(
  executor: Executor,
  importId: string,
  kind: string,
): AsyncGenerator<{ line: number; record: StagedRecord }[]> {
  let after = -1;
  for (;;) {
    const rows = await executor
      .selectFrom('import_rows')
      .select(['line', 'data'])
      .where('import_id', '=', importId)
      .where('kind', '=', kind)
      .where('line', '>', after)
      .orderBy('line')
      .limit(STAGE_CHUNK)
      .execute();
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.line);
    yield rows.map((row) => JSON.parse(row.data) as { line: number; record: StagedRecord });
  }
}

async function applyStaged(tx: HubTx, importId: string, actor: string): Promise<Record<string, number>> {
  const problems: ImportError[] = [];
  const summary: Record<string, number> = {};
  const count = (kind: string, n: number) => (summary[kind] = (summary[kind] ?? 0) + n);

  const writeKind = async (kind: 'category' | 'product' | 'tax_rate') => {
    for await (const batch of stagedRecords(tx.trx, importId, kind)) {
      const records = batch.map((item) => item.record as CatalogRecord);
      const found = await findCatalogProblems(tx.trx, records);
      for (const problem of found)
        problems.push({ line: batch[problem.index]!.line, message: problem.message });
      // Rows with a problem are left out (the import will roll back anyway) so the rows that depend on
      // the good ones do not report follow-on errors.
      const bad = new Set(found.map((problem) => problem.index));
      await writeCatalog(
        tx,
        records.filter((_, index) => !bad.has(index)),
      );
      count(kind, records.length);
    }
  };
  await writeKind('category');
  // Lineage needs every category, including those this import just wrote.
  const categoryRows = await tx.trx.selectFrom('categories').select('data').execute();
  let lineage: ReadonlyMap<string, readonly string[]> = new Map();
  try {
    lineage = buildCategoryLineage(categoryRows.map((row) => JSON.parse(row.data) as Category));
  } catch (error) {
    if (!isDomainError(error)) throw error;
    problems.push({ line: 0, message: error.message });
  }
  await writeKind('product');
  await writeKind('tax_rate');

  for await (const batch of stagedRecords(tx.trx, importId, 'sku')) {
    const records: CatalogRecord[] = [];
    const lines: number[] = [];
    for (const { line, record } of batch) {
      if (record.kind !== 'sku') continue;
      try {
        const categoryIds =
          record.categoryId === undefined
            ? record.data.categoryIds
            : skuCategoryIds(record.categoryId, lineage);
        records.push({ kind: 'sku', data: { ...record.data, categoryIds } });
        lines.push(line);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        problems.push({ line, message: error.message });
      }
    }
    const found = await findCatalogProblems(tx.trx, records);
    for (const problem of found) problems.push({ line: lines[problem.index]!, message: problem.message });
    const bad = new Set(found.map((problem) => problem.index));
    await writeCatalog(
      tx,
      records.filter((_, index) => !bad.has(index)),
    );
    count('sku', records.length);
  }

  const books = new Map<string, PriceBook | null>();
  const bookOf = async (priceBookId: string) => {
    if (!books.has(priceBookId)) {
      const row = await tx.trx
        .selectFrom('price_books')
        .select('data')
        .where('price_book_id', '=', priceBookId)
        .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
        .executeTakeFirst();
      books.set(priceBookId, row === undefined ? null : (JSON.parse(row.data) as PriceBook));
    }
    return books.get(priceBookId) ?? null;
  };
  const touchedBooks = new Set<string>();
  for (const kind of ['price', 'csv_price'] as const) {
    for await (const batch of stagedRecords(tx.trx, importId, kind)) {
      const entries: PriceEntry[] = [];
      for (const { line, record } of batch) {
        const priceBookId =
          record.kind === 'price' || record.kind === 'csv_price' ? record.data.priceBookId : '';
        const book = await bookOf(priceBookId);
        if (book === null) {
          problems.push({ line, message: `Price book ${priceBookId} does not exist; create it first.` });
          continue;
        }
        if (record.kind === 'price') entries.push(record.data);
        if (record.kind === 'csv_price') {
          try {
            const tiers = [{ minQty: 1, price: record.data.price }, ...(record.data.tiers ?? [])].map(
              (tier) => ({ minQty: tier.minQty, unitPrice: fromDecimal(tier.price, book.currency).amount }),
            );
            // Tier order and "never dearer per unit" are the domain's rules, checked once amounts are known.
            const entry = PriceEntrySchema.safeParse({ priceBookId, sku: record.data.sku, tiers });
            if (entry.success) entries.push(entry.data);
            else problems.push({ line, message: describeZodError(entry.error) });
          } catch (error) {
            if (!isDomainError(error)) throw error;
            problems.push({ line, message: `price: ${error.message}` });
          }
        }
      }
      const known = new Set<string>();
      for (const chunk of chunks([...new Set(entries.map((entry) => entry.sku))], 500)) {
        const rows = await tx.trx.selectFrom('skus').select('sku').where('sku', 'in', chunk).execute();
        for (const row of rows) known.add(row.sku);
      }
      const lines = new Map(batch.map((item) => [keyOf(item.record), item.line]));
      for (const entry of entries) {
        if (!known.has(entry.sku)) {
          problems.push({
            line: lines.get(`${entry.priceBookId}:${entry.sku}`) ?? 0,
            message: `SKU ${entry.sku} does not exist.`,
          });
        }
      }
      if (problems.length > 0) continue;
      const byBook = new Map<string, PriceEntry[]>();
      for (const entry of entries)
        byBook.set(entry.priceBookId, [...(byBook.get(entry.priceBookId) ?? []), entry]);
      for (const [priceBookId, bookEntries] of byBook) {
        const book = books.get(priceBookId)!;
        touchedBooks.add(priceBookId);
        // The version the book gets at the end of this import (one new version for the whole import).
        await writePriceEntries(tx, { ...book, version: book.version + 1 }, bookEntries, [], actor);
      }
      count('price', entries.length);
    }
  }
  if (problems.length > 0) throw new ImportFailed(problems);
  for (const priceBookId of touchedBooks) {
    // One new version per book for the whole import.
    const book = { ...books.get(priceBookId)!, version: books.get(priceBookId)!.version + 1 };
    await tx.trx
      .updateTable('price_books')
      .set({ version: book.version, data: JSON.stringify(book), updated_at: tx.at, updated_by: actor })
      .where('price_book_id', '=', priceBookId)
      .execute();
    await tx.trx
      .insertInto('entity_versions')
      .values({
        entity: 'price_book',
        entity_key: priceBookId,
        version: book.version,
        data: JSON.stringify(book),
        changed_by: actor,
        changed_at: tx.at,
      })
      .execute();
    tx.publish({ entity: 'price_book', key: priceBookId, op: 'upsert', scope: bookScope(book), data: book });
  }
  return summary;
}

function bookScope(book: PriceBook): string {
  switch (book.scope.type) {
    case 'chain':
      return CHAIN_SCOPE;
    case 'region':
      return regionScope(book.scope.regionId);
    case 'store':
      return book.scope.storeId;
  }
}

export async function listImports(executor: Executor, limit: number): Promise<ImportReport[]> {
  const rows = await executor
    .selectFrom('import_jobs')
    .select('import_id')
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return Promise.all(rows.map((row) => getImport(executor, row.import_id)));
}

export async function getImport(executor: Executor, importId: string): Promise<ImportReport> {
  const row = await executor
    .selectFrom('import_jobs')
    .selectAll()
    .where('import_id', '=', importId)
    .executeTakeFirst();
  if (row === undefined) throw new DomainError('NOT_FOUND', `There is no import ${importId}.`, { importId });
  return {
    importId: row.import_id,
    format: row.format as ImportFormat,
    status: row.status,
    dryRun: false,
    rowsRead: Number(row.rows_read),
    rowsValid: Number(row.rows_valid),
    errorCount: Number(row.error_count),
    errors: JSON.parse(row.errors) as ImportError[],
    summary: JSON.parse(row.summary) as Record<string, number>,
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}
