import type { ErrorBody } from '@retail/domain';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ImportReport } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { saveCsv } from '../../components/csv-download';
import { ErrorBanner, Notice } from '../../components/feedback';
import { t } from '../../i18n/translate';

/** The catalog CSV's columns (catalog/import-parsing.ts), for the operator's instructions. */
const CSV_COLUMNS =
  'sku, product_id, name, unit, tax_category, barcodes, active, product_name, brand, category_id, price_book_id, price';
const POLL_MS = 400;
const SAMPLE_BYTES = 64 * 1024;

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly rowsRead: number; readonly rowsExpected: number }
  | { readonly kind: 'done'; readonly report: ImportReport }
  | { readonly kind: 'refused'; readonly error: ErrorBody };

/**
 * An import id the hub accepts (a UUID), made with getRandomValues: `crypto.randomUUID` exists only on
 * HTTPS or localhost, and a hub on the shop's LAN is often plain HTTP.
 */
export function newImportId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Data rows in the file, exact for a small file and estimated from its first 64 KB for a large one, so a
 * 100,000-row file gets a progress bar without the browser reading all of it.
 */
export async function expectedRows(file: Blob): Promise<number> {
  const sample = await file.slice(0, SAMPLE_BYTES).text();
  const lines = sample.split(/\r?\n/).filter((line) => line.trim() !== '').length;
  if (file.size <= SAMPLE_BYTES) return Math.max(lines - 1, 0);
  return Math.max(Math.round((file.size / SAMPLE_BYTES) * lines) - 1, 1);
}

function reportOf(error: ErrorBody): ImportReport | null {
  const report = (error.details as { report?: ImportReport } | undefined)?.report;
  return report !== undefined && Array.isArray(report.errors) ? report : null;
}

/**
 * Uploads a catalog CSV and follows it: rows read so far (polled while the upload runs), then either
 * what was imported or every rejected row by line and column, downloadable as CSV.
 */
export function CatalogImportPanel({ onImported }: { onImported: () => void }) {
  const { api } = useServices();
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    if (file === null) return;
    const importId = newImportId();
    const rowsExpected = await expectedRows(file);
    setPhase({ kind: 'running', rowsRead: 0, rowsExpected });
    let finished = false;
    const upload = api.importCatalog(file, importId).finally(() => {
      finished = true;
    });
    // The hub answers the upload only once the import is applied or refused; meanwhile its job row says
    // how far reading has got.
    void (async () => {
      while (!finished && mounted.current) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (finished || !mounted.current) return;
        const progress = await api.catalogImport(importId);
        if (progress.ok && !finished && mounted.current) {
          const rowsRead = progress.value.rowsRead;
          setPhase((current) => (current.kind === 'running' ? { ...current, rowsRead } : current));
        }
      }
    })();
    const result = await upload;
    if (!mounted.current) return;
    if (result.ok) {
      setPhase({ kind: 'done', report: result.value });
      onImported();
      return;
    }
    const report = reportOf(result.error);
    setPhase(report === null ? { kind: 'refused', error: result.error } : { kind: 'done', report });
  };

  const running = phase.kind === 'running';
  return (
    <form className="panel stack" aria-label={t('catalog.import')} onSubmit={(event) => void start(event)}>
      <h2>{t('catalog.import')}</h2>
      <p className="muted">{t('catalog.importIntro', { columns: CSV_COLUMNS })}</p>
      <label>
        {t('catalog.importFile')}{' '}
        <input
          type="file"
          accept=".csv,text/csv"
          disabled={running}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
      </label>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={running || file === null}>
          {t('catalog.importButton')}
        </button>
      </div>
      {phase.kind === 'running' ? (
        <Progress rowsRead={phase.rowsRead} rowsExpected={phase.rowsExpected} />
      ) : null}
      {phase.kind === 'refused' ? <ErrorBanner error={phase.error} /> : null}
      {phase.kind === 'done' ? <ImportOutcome report={phase.report} /> : null}
    </form>
  );
}

function Progress({ rowsRead, rowsExpected }: { rowsRead: number; rowsExpected: number }) {
  const applying = rowsExpected > 0 && rowsRead >= rowsExpected;
  return (
    <div className="stack">
      <progress
        aria-label={t('catalog.importProgress')}
        max={Math.max(rowsExpected, 1)}
        value={Math.min(rowsRead, rowsExpected)}
      />
      <p role="status">
        {rowsRead === 0
          ? t('catalog.importStarting')
          : applying
            ? t('catalog.importApplying', { rows: rowsRead })
            : t('catalog.importReading', { rows: rowsRead })}
      </p>
    </div>
  );
}

function ImportOutcome({ report }: { report: ImportReport }) {
  const { api } = useServices();
  const [downloadError, setDownloadError] = useState<ErrorBody | null>(null);
  if (report.status === 'completed') {
    const summary = Object.entries(report.summary)
      .map(([kind, count]) => `${count} ${kind}`)
      .join(', ');
    return <Notice text={t('catalog.importDone', { rows: report.rowsRead, summary })} />;
  }
  const download = async () => {
    const result = await api.catalogImportErrorsCsv(report.importId);
    if (!result.ok) {
      setDownloadError(result.error);
      return;
    }
    setDownloadError(null);
    saveCsv(result.value, `import-${report.importId}-rejected.csv`);
  };
  return (
    <div className="stack">
      <div className="banner banner-error" role="alert">
        {t('catalog.importFailed', { count: report.errorCount })}
      </div>
      <table aria-label={t('catalog.rejected')}>
        <thead>
          <tr>
            <th scope="col">{t('catalog.line')}</th>
            <th scope="col">{t('catalog.column')}</th>
            <th scope="col">{t('catalog.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {report.errors.map((problem, index) => (
            <tr key={`${problem.line}-${index}`}>
              <th scope="row">{problem.line}</th>
              <td>{problem.column ?? ''}</td>
              <td>{problem.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.errorCount > report.errors.length ? (
        <p className="muted">
          {t('catalog.moreRejected', { shown: report.errors.length, count: report.errorCount })}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="btn" onClick={() => void download()}>
          {t('catalog.downloadRejected')}
        </button>
      </div>
      <ErrorBanner error={downloadError} />
    </div>
  );
}
