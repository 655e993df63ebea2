import type { Readable } from 'node:stream';
import { DomainError, isDomainError } from '@retail/domain';
import { inHubTransaction } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { chunks } from '../storage/chunks';
import { applyStaged, ImportFailed, STAGE_CHUNK } from './import-applying';
import { CSV_LAYOUTS, rawRecords, type ImportFormat, type ImportKind } from './import-parsing';
import { MAX_REPORTED_ERRORS, type ImportError, type ImportReport } from './import-report';
import { keyOf, RecordReader } from './import-validation';

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

class DryRunDone extends Error {}

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
    throw new DomainError('CONFLICT', 'hub.catalog.importAlreadyExistsUse', { importId }, { importId });
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
  const note = (line: number, message: string, column?: string) => {
    errorCount += 1;
    if (errors.length < MAX_REPORTED_ERRORS)
      errors.push(column === undefined ? { line, message } : { line, column, message });
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
    // Parsing a buffered upload and SQLite's synchronous writes are all promise callbacks: without a turn
    // of the event loop here, a 100,000-row file would keep every other request (tills' syncs, the
    // dashboard polling this import) waiting until it is done.
    await new Promise((resolve) => setImmediate(resolve));
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
      if (!Array.isArray(staged)) {
        note(raw.line, staged.message, staged.column);
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
        if (!seen.has(id)) note(problem.line, problem.message, problem.column);
        seen.add(id);
      }
      return finish('failed', {});
    }
    throw error;
  }
}
