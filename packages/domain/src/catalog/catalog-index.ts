import { DomainError } from '../errors';
import type { Sku } from './catalog-schemas';
import {
  parseScan,
  scanLookupKey,
  skuBarcodeKey,
  type ScanResult,
  type VariableMeasureRule,
} from './variable-measure';

export interface CatalogMatch {
  readonly sku: Sku;
  readonly scan: ScanResult;
}

export interface CatalogIndexOptions {
  /** The store's variable-measure label rules; SKU barcodes and scans are both read through them. */
  readonly scanRules?: readonly VariableMeasureRule[];
}

/**
 * In-memory catalog lookup by SKU id and by barcode key (hub, tests, tools). The store node keeps the same
 * keys in SQLite; both sides key SKU barcodes and scans through `parseScan`, so they always agree.
 * Inactive SKUs stay findable: a cashier scanning one is told it is no longer sold instead of "unknown".
 */
export class CatalogIndex {
  private constructor(
    private readonly bySku: ReadonlyMap<string, Sku>,
    private readonly byBarcodeKey: ReadonlyMap<string, Sku>,
    private readonly scanRules: readonly VariableMeasureRule[],
  ) {}

  /**
   * Throws DomainError('CONFLICT') when a SKU id is listed twice or one barcode belongs to two SKUs, and
   * DomainError('INVALID_BARCODE') naming the SKU when one of its barcodes is malformed.
   */
  static build(skus: readonly Sku[], options: CatalogIndexOptions = {}): CatalogIndex {
    const scanRules = options.scanRules ?? [];
    const bySku = new Map<string, Sku>();
    const byBarcodeKey = new Map<string, Sku>();
    for (const sku of skus) {
      if (bySku.has(sku.sku)) {
        throw new DomainError(
          'CONFLICT',
          'catalog.skuListedTwiceCatalog',
          { sku: sku.sku },
          { sku: sku.sku },
        );
      }
      bySku.set(sku.sku, sku);
      for (const barcode of sku.barcodes) {
        const key = catalogBarcodeKey(sku, barcode, scanRules);
        const owner = byBarcodeKey.get(key);
        if (owner !== undefined && owner.sku !== sku.sku) {
          throw new DomainError(
            'CONFLICT',
            'catalog.barcodeBothSkuSku',
            { barcode, sku: owner.sku, sku2: sku.sku },
            { barcode, key, skus: [owner.sku, sku.sku] },
          );
        }
        byBarcodeKey.set(key, sku);
      }
    }
    return new CatalogIndex(bySku, byBarcodeKey, scanRules);
  }

  get size(): number {
    return this.bySku.size;
  }

  lookupBySku(sku: string): Sku | undefined {
    return this.bySku.get(sku);
  }

  /** The SKU a scan belongs to, or undefined; throws DomainError('INVALID_BARCODE') for a malformed scan. */
  lookupByBarcode(raw: string): CatalogMatch | undefined {
    const scan = parseScan(raw, this.scanRules);
    const sku = this.byBarcodeKey.get(scanLookupKey(scan));
    return sku === undefined ? undefined : { sku, scan };
  }

  /**
   * Like `lookupByBarcode` for the sale screen: throws DomainError('UNKNOWN_BARCODE') when no SKU has the
   * barcode and DomainError('NOT_ALLOWED') when the SKU is no longer sold.
   */
  requireSellableByBarcode(raw: string): CatalogMatch {
    const match = this.lookupByBarcode(raw);
    if (match === undefined) {
      throw new DomainError(
        'UNKNOWN_BARCODE',
        'catalog.noProductBarcodeKey',
        { raw: raw.trim() },
        { barcode: raw.trim() },
      );
    }
    if (!match.sku.active) {
      throw new DomainError(
        'NOT_ALLOWED',
        'catalog.skuNoLongerSold',
        { skuName: match.sku.name, sku: match.sku.sku },
        { sku: match.sku.sku },
      );
    }
    return match;
  }
}

function catalogBarcodeKey(sku: Sku, barcode: string, scanRules: readonly VariableMeasureRule[]): string {
  try {
    return skuBarcodeKey(barcode, scanRules);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'INVALID_BARCODE') {
      throw new DomainError(
        'INVALID_BARCODE',
        'catalog.skuInvalidBarcode',
        { sku: sku.sku, message: error.message },
        {
          ...error.details,
          sku: sku.sku,
        },
      );
    }
    throw error;
  }
}
