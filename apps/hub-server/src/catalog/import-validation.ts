import { z } from 'zod';
import {
  barcodeKey,
  CategorySchema,
  PriceBookIdSchema,
  PriceEntrySchema,
  ProductSchema,
  SkuSchema,
  SkuUnitSchema,
  TaxRateSchema,
  type Category,
  type PriceEntry,
  type Product,
} from '@retail/domain';
import type { ImportKind } from './import-parsing';

/** Validating an import's records one by one, before anything is staged or written. */

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
export type StagedRecord =
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

export function keyOf(record: StagedRecord): string {
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

/** Why a row was rejected, and the column (the field, in JSON) the problem is in when there is one. */
export interface RowProblem {
  readonly message: string;
  readonly column?: string;
}

function problem(message: string, column?: string): RowProblem {
  return column === undefined ? { message } : { message, column };
}

/** Domain field → CSV column, for problems found by the domain schemas in a CSV row. */
const SKU_COLUMNS: Readonly<Record<string, string>> = {
  sku: 'sku',
  productId: 'product_id',
  name: 'name',
  unit: 'unit',
  taxCategory: 'tax_category',
  barcodes: 'barcodes',
  active: 'active',
};
const PRODUCT_COLUMNS: Readonly<Record<string, string>> = {
  productId: 'product_id',
  name: 'product_name',
  brand: 'brand',
  categoryId: 'category_id',
};
const KEY_COLUMNS: Readonly<Record<StagedRecord['kind'], string>> = {
  category: 'categoryId',
  product: 'product_id',
  tax_rate: 'rateId',
  sku: 'sku',
  price: 'sku',
  csv_price: 'sku',
};

function zodProblem(error: z.ZodError, columns?: Readonly<Record<string, string>>): RowProblem {
  const path = error.issues[0]?.path.map(String) ?? [];
  const field = path[0];
  const column =
    field === undefined ? undefined : columns === undefined ? path.join('.') : (columns[field] ?? field);
  return problem(describeZodError(error), column);
}

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Turns one raw input record into staged records, or explains what is wrong with it. */
export class RecordReader {
  private readonly products = new Map<string, { line: number; signature: string }>();
  private readonly keys = new Map<string, number>();
  private readonly barcodes = new Map<string, { sku: string; line: number }>();

  fromCsv(row: Record<string, string>, line: number): StagedRecord[] | RowProblem {
    const parsed = CsvRowSchema.safeParse(row);
    if (!parsed.success) return zodProblem(parsed.error);
    const value = parsed.data;
    const records: StagedRecord[] = [];
    const product = ProductSchema.safeParse({
      productId: value.product_id,
      name: value.product_name ?? value.name,
      ...(value.brand === undefined ? {} : { brand: value.brand }),
      ...(value.category_id === undefined ? {} : { categoryId: value.category_id }),
    });
    if (!product.success) return zodProblem(product.error, PRODUCT_COLUMNS);
    const signature = JSON.stringify(product.data);
    const seen = this.products.get(value.product_id);
    if (seen === undefined) {
      this.products.set(value.product_id, { line, signature });
      records.push({ kind: 'product', data: product.data });
    } else if (seen.signature !== signature) {
      return problem(
        `Product ${value.product_id} is described differently than on line ${seen.line} (name, brand or category).`,
        'product_id',
      );
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
    if (!sku.success) return zodProblem(sku.error, SKU_COLUMNS);
    records.push({ kind: 'sku', data: sku.data, categoryId: value.category_id });
    if (value.price !== undefined || value.price_book_id !== undefined) {
      if (value.price === undefined || value.price_book_id === undefined) {
        return problem(
          'price and price_book_id go together: give both or neither.',
          value.price === undefined ? 'price' : 'price_book_id',
        );
      }
      if (!/^\d+(\.\d+)?$/.test(value.price))
        return problem(`price: ${JSON.stringify(value.price)} is not a decimal amount like 2.49.`, 'price');
      records.push({
        kind: 'csv_price',
        data: { priceBookId: value.price_book_id, sku: value.sku, price: value.price },
      });
    }
    return this.claim(records, line);
  }

  fromPriceCsv(row: Record<string, string>, line: number): StagedRecord[] | RowProblem {
    const parsed = PriceCsvRowSchema.safeParse(row);
    if (!parsed.success) return zodProblem(parsed.error);
    const { price_book_id: priceBookId, sku, price, tiers } = parsed.data;
    return this.claim([{ kind: 'csv_price', data: { priceBookId, sku, price, tiers } }], line);
  }

  fromJson(value: unknown, line: number, kind: ImportKind = 'catalog'): StagedRecord[] | RowProblem {
    if (kind === 'prices' && (value as { type?: unknown } | null)?.type !== 'price') {
      return problem(
        'A price import takes only records with "type": "price" ({ priceBookId, sku, tiers }).',
        'type',
      );
    }
    const envelope = JsonRecordSchema.safeParse(value);
    if (!envelope.success) {
      return problem('Each record needs "type": one of category, product, sku, tax_rate, price.', 'type');
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
    if (!parsed.success) return zodProblem(parsed.error);
    return this.claim([{ kind: type, data: parsed.data } as StagedRecord], line);
  }

  /** Each key once per file, each barcode on one SKU only. */
  private claim(records: StagedRecord[], line: number): StagedRecord[] | RowProblem {
    for (const record of records) {
      if (record.kind === 'product' && this.products.get(record.data.productId)?.line !== line) continue;
      const key = `${record.kind === 'csv_price' ? 'price' : record.kind}:${keyOf(record)}`;
      const earlier = this.keys.get(key);
      if (earlier !== undefined && earlier !== line) {
        return problem(
          `${record.kind === 'csv_price' ? 'price' : record.kind} ${keyOf(record)} already appears on line ${earlier}.`,
          KEY_COLUMNS[record.kind],
        );
      }
      if (record.kind === 'sku') {
        for (const barcode of record.data.barcodes) {
          const code = barcodeKey(barcode);
          const owner = this.barcodes.get(code);
          if (owner !== undefined && owner.sku !== record.data.sku) {
            return problem(
              `Barcode ${barcode} is already given to SKU ${owner.sku} on line ${owner.line}.`,
              'barcodes',
            );
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
