/**
 * Reference data every push reads (tax rates, the loyalty programme's history), kept by a hub process
 * between transactions and used again only while no process on the database has changed it.
 *
 * `reference_versions` (migration 0028) holds a counter per table that a trigger raises in the same
 * transaction as any write to the table. A transaction that read the counters (the ingest reads them with
 * the device's row, in a statement it sends anyway: ingest/hub-ingest.ts) notes them here; asking for the
 * data then returns what this storage kept at that version, or reads the table again and keeps that.
 *
 * Why that is never staler than reading the table: the table is read after the counter that labels it
 * (a later statement, or the same transaction on SQLite), so what is kept under version v is at least as
 * new as version v, and a transaction that saw a higher counter reads the table again. A transaction
 * that noted no counters (any other caller) always reads the table. A transaction that notes counters
 * must not write these tables itself (its read would see its own uncommitted rows): the ingest never does.
 */
export type ReferenceTable = 'tax_rates' | 'loyalty_programme_history';

export type ReferenceVersions = Readonly<Record<ReferenceTable, number>>;

const noted = new WeakMap<object, ReferenceVersions>();

interface Kept {
  readonly version: number;
  readonly value: Promise<unknown>;
}

const kept = new WeakMap<object, Map<ReferenceTable, Kept>>();

/** What is kept, for the tests that check a table is read again or not. */
export const referenceStats = { reads: 0, reused: 0 };

/** `transaction` read `versions` in one of its statements. */
export function noteReferenceVersions(transaction: object, versions: ReferenceVersions): void {
  noted.set(transaction, versions);
}

/**
 * `table`'s data as `read` gives it, kept per `storage` while its counter stays at the version
 * `transaction` noted; read (and not kept) when `transaction` noted none. What `read` returns is shared
 * by every transaction of the storage that sees the same version: callers must not change it.
 */
export function referenceData<T>(
  storage: object,
  transaction: object,
  table: ReferenceTable,
  read: () => Promise<T>,
): Promise<T> {
  const version = noted.get(transaction)?.[table];
  if (version === undefined) return read();
  let byTable = kept.get(storage);
  if (byTable === undefined) {
    byTable = new Map();
    kept.set(storage, byTable);
  }
  const found = byTable.get(table);
  if (found !== undefined && found.version === version) {
    referenceStats.reused += 1;
    return found.value as Promise<T>;
  }
  referenceStats.reads += 1;
  const value = read();
  // A transaction that saw an older counter (it started before a change committed) reads for itself.
  if (found === undefined || found.version < version) {
    const entry: Kept = { version, value };
    byTable.set(table, entry);
    value.catch(() => {
      if (byTable.get(table) === entry) byTable.delete(table);
    });
  }
  return value;
}
