import { sql } from '../context';
import type { Db } from '../database';

/** How the feed writes one row of a catalog table: the same statement for one row as for many. */
export class UpsertTable {
  private readonly texts = new Map<number, string>();
  private readonly freshTexts = new Map<number, string>();

  constructor(
    /** `INSERT INTO t (a, b)` or `INSERT OR REPLACE INTO t (a, b)`. */
    private readonly head: string,
    /** The number of values a row binds. */
    readonly width: number,
    /** What follows the rows: the conflict clause, or nothing. */
    private readonly tail = '',
    /**
     * `INSERT OR FAIL INTO t (a, b)`: the same rows for keys the table does not hold yet. Where given,
     * `RowBatch` tries it first (see there).
     */
    readonly freshHead?: string,
  ) {}

  /** The statement writing `rows` rows (one VALUES tuple each), built once per size. */
  text(rows: number): string {
    return this.built(this.texts, rows, this.head, this.tail);
  }

  /** The `freshHead` statement writing `rows` rows. */
  freshText(rows: number): string {
    return this.built(this.freshTexts, rows, this.freshHead ?? this.head, '');
  }

  private built(texts: Map<number, string>, rows: number, head: string, tail: string): string {
    let text = texts.get(rows);
    if (text === undefined) {
      const tuple = `(${Array.from({ length: this.width }, () => '?').join(', ')})`;
      text = `${head} VALUES ${Array.from({ length: rows }, () => tuple).join(', ')} ${tail}`;
      texts.set(rows, text);
    }
    return text;
  }
}

/** Rows `insertRows` writes with one statement at most (17 values a sale line: far below 32,766). */
const ROWS_PER_INSERT = 32;

/**
 * Writes `rows` of `table` in their order, many to a statement (prepared once per connection and row
 * count), as a statement per row would: the same rows with the same rowids. A statement per row cost more
 * than the rows themselves on a completed sale (docs/performance.md, store node round 6).
 */
export function insertRows(db: Db, table: UpsertTable, rows: readonly (readonly unknown[])[]): void {
  for (let from = 0; from < rows.length; from += ROWS_PER_INSERT) {
    const chunk = rows.slice(from, from + ROWS_PER_INSERT);
    sql(db, table.text(chunk.length)).run(chunk.flat());
  }
}

/**
 * Where the feed appliers send their catalog rows (products, SKUs, barcodes, prices, stock levels).
 * `RowByRow` writes each at once; `RowBatch` holds them and writes them in multi-row statements.
 */
export interface RowWriter {
  /** Writes (now or at the next flush) one row of `table`, whose conflict key is `key`. */
  upsert(table: UpsertTable, key: string, values: readonly unknown[]): void;
  /** Takes out every barcode of `sku` (before its new list is written). */
  clearBarcodes(sku: string): void;
  /** Writes everything held. Call before any statement that reads or writes these tables otherwise. */
  flush(): void;
}

const CLEAR_BARCODES = 'DELETE FROM barcodes WHERE sku = ?';
const CLEAR_BARCODES_OF_MANY = 'DELETE FROM barcodes WHERE sku IN (SELECT value FROM json_each(?))';

/** The reference: a statement per row, in the order the appliers ask. */
export class RowByRow implements RowWriter {
  constructor(private readonly db: Db) {}

  upsert(table: UpsertTable, _key: string, values: readonly unknown[]): void {
    sql(this.db, table.text(1)).run(values);
  }

  clearBarcodes(sku: string): void {
    sql(this.db, CLEAR_BARCODES).run(sku);
  }

  flush(): void {}
}

/** Rows a multi-row statement writes at most: 64 rows of 13 values stay far below SQLite's 32,766. */
export const CHUNK_ROWS = 64;

interface PendingTable {
  readonly keys: Set<string>;
  values: unknown[];
  rows: number;
}

/**
 * Holds catalog rows and writes each table's in multi-row INSERTs (a statement per row cost more in
 * binding and stepping than the insert itself). The result must be exactly that of `RowByRow`, which
 * `row-writer.test.ts` checks with fast-check over pages that interleave writes, re-writes and deletes
 * of the same keys. Why the reordering is safe:
 * - each table's rows are written in the order they came, and tables do not read one another;
 * - a key written twice flushes everything first, so no statement meets its own earlier row;
 * - a SKU's barcodes are cleared before any held barcode row is written, and a clear for a SKU whose
 *   barcode rows are held flushes them first: a clear removes only its own SKU's rows, so moving it before
 *   other SKUs' barcode rows changes nothing (a barcode another SKU takes over is replaced either way);
 * - the caller flushes before every other statement on these tables (deletes, other entities, the
 *   search index, reads), so nothing else ever sees them half written.
 *
 * A table whose held rows fill a whole statement writes them at once (but the barcodes, which wait for
 * the page's clears): the same order for that table, and held rows stay few, so they die young instead
 * of being promoted by the garbage collector with a whole page's rows.
 *
 * A table with a `freshHead` is written by it first (`INSERT OR FAIL`, no conflict clause): an upsert
 * may update a row, so SQLite copies every page it touches into a statement journal first, to undo it on
 * an error, which cost more than the inserts of a catalog load. For rows whose keys are not in the table
 * the two statements write the same; at the first row that fails (its key exists, or any other
 * constraint), OR FAIL keeps the rows before it, and that row and the rest of the page's rows of that
 * table are written by the upsert, as before: a row that was to fail fails there, with the same error.
 */
export class RowBatch implements RowWriter {
  private readonly pending = new Map<UpsertTable, PendingTable>();
  private readonly clears = new Set<string>();
  /** SKUs with barcode rows held. */
  private readonly barcodeOwners = new Set<string>();
  /** Tables that met a row they hold already in this page: written by the upsert from then on. */
  private readonly updating = new Set<UpsertTable>();
  private held = 0;

  constructor(
    private readonly db: Db,
    /** The barcodes table's writes: their owning SKU is their second value. */
    private readonly barcodes: UpsertTable,
    /** Rows a statement writes at most (tests make it small, to write whole statements early often). */
    private readonly chunkRows = CHUNK_ROWS,
  ) {}

  upsert(table: UpsertTable, key: string, values: readonly unknown[]): void {
    let pending = this.pending.get(table);
    if (pending?.keys.has(key)) {
      this.flush();
      pending = undefined;
    }
    if (pending === undefined) {
      pending = { keys: new Set(), values: [], rows: 0 };
      this.pending.set(table, pending);
    }
    pending.keys.add(key);
    for (const value of values) pending.values.push(value);
    pending.rows += 1;
    this.held += 1;
    if (table === this.barcodes) this.barcodeOwners.add(values[1] as string);
    // Barcode rows wait for the page's clears, which go in one statement (they hold no large text).
    if (pending.rows === this.chunkRows && table !== this.barcodes) this.writeFull(table, pending);
  }

  clearBarcodes(sku: string): void {
    if (this.barcodeOwners.has(sku)) this.flush();
    this.clears.add(sku);
    this.held += 1;
  }

  flush(): void {
    if (this.held === 0) return;
    if (this.clears.size > 0) {
      sql(this.db, CLEAR_BARCODES_OF_MANY).run(JSON.stringify([...this.clears]));
      this.clears.clear();
    }
    for (const [table, pending] of this.pending) {
      if (pending.rows > 0) this.write(table, pending.values, pending.rows);
    }
    this.pending.clear();
    this.barcodeOwners.clear();
    this.held = 0;
  }

  /** Writes a table's held rows, a whole statement of them, before the rest of the page's. */
  private writeFull(table: UpsertTable, pending: PendingTable): void {
    this.statement(table, pending.values, pending.rows);
    this.held -= pending.rows;
    this.pending.delete(table);
  }

  private write(table: UpsertTable, values: unknown[], rows: number): void {
    let offset = 0;
    let left = rows;
    // Whole chunks, then the rest in halving sizes: at most seven statement sizes per table, each prepared once.
    for (let size = this.chunkRows; left > 0; size = Math.max(1, size >> 1)) {
      while (left >= size) {
        const end = offset + size * table.width;
        this.statement(table, offset === 0 && size === rows ? values : values.slice(offset, end), size);
        offset = end;
        left -= size;
      }
    }
  }

  /** One statement writing `rows` rows of `table`: fresh rows first where it can (see the class). */
  private statement(table: UpsertTable, values: unknown[], rows: number): void {
    if (table.freshHead === undefined || this.updating.has(table)) {
      sql(this.db, table.text(rows)).run(values);
      return;
    }
    try {
      sql(this.db, table.freshText(rows)).run(values);
      return;
    } catch (error) {
      if (!isConstraintFailure(error)) throw error;
    }
    const written = (sql(this.db, 'SELECT changes() AS rows').get() as { rows: number }).rows;
    this.updating.add(table);
    this.write(table, values.slice(written * table.width), rows - written);
  }
}

function isConstraintFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}
