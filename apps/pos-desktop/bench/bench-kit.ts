/**
 * What the store node's benchmark programs share: the demo store they set up, the SKUs they sell, and the
 * same-run physical floor of a durable commit. Each benchmark prints its own JSON.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { withGtinCheckDigit } from '@retail/domain';
import { openDatabase } from '../src/engine/database';

/** The store every benchmark node is set up as. */
export const BENCH_STORE_SETUP = {
  storeId: 'store-1',
  storeCode: 'S001',
  deviceNo: 1,
  currency: 'EUR',
  locale: 'fr-FR',
  timezone: 'Europe/Paris',
} as const;

export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export const round = (value: number) => Math.round(value * 1000) / 1000;

export function ok<T>(
  result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } },
): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The demo catalog's barcode of SKU number `skuNo`. */
export function barcodeOf(skuNo: number): string {
  return withGtinCheckDigit(`40${String(skuNo).padStart(10, '0')}`);
}

/** A SKU number of a demo catalog of `skus` SKUs that sells by the piece, active and priced. */
export function pieceSku(seed: number, skus: number): number {
  let skuNo = 1 + ((seed * 7919) % skus);
  while (skuNo % 50 === 0 || skuNo % 97 === 0) skuNo = (skuNo % skus) + 1;
  return skuNo;
}

/** The physical floor of a durable commit here: 5 inserts in one WAL transaction with synchronous=FULL. */
export function bareTransactions(dir: string, count: number): number[] {
  const db = openDatabase(join(dir, 'baseline.db'));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO t (a, b) VALUES (?, ?)');
  const tx = db.transaction((n: number) => {
    for (let row = 0; row < 5; row += 1) insert.run(`row-${n}-${row}`, n);
  });
  const samples: number[] = [];
  for (let n = 0; n < count; n += 1) {
    const started = performance.now();
    tx.immediate(n);
    samples.push(performance.now() - started);
  }
  db.close();
  return samples;
}
