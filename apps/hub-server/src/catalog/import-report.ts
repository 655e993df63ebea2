import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { csvField } from '../integration/journal';
import type { Executor } from '../storage/storage';
import { IMPORT_FORMATS, type ImportFormat } from './import-parsing';

/** An import's report: its progress while it runs, then every problem by line. */

export const MAX_REPORTED_ERRORS = 1000;

export const ImportErrorSchema = z.object({
  line: z.number().int(),
  /** The CSV column the problem is in (the field, in JSON), when it is in one. */
  column: z.string().optional(),
  message: z.string(),
});
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
  if (row === undefined)
    throw new DomainError('NOT_FOUND', 'hub.catalog.noImport', { importId }, { importId });
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

/** The rejected rows as a CSV file an operator can open next to the one they uploaded. */
export function importErrorsCsv(report: ImportReport): string {
  const lines = ['line,column,reason'];
  for (const error of report.errors)
    lines.push([error.line, error.column ?? null, error.message].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
