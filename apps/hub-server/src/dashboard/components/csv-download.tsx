import { useState } from 'react';
import type { ApiResult } from '../api/hub-api';
import { errorText, t } from '../i18n/translate';

/** Saves CSV text the hub produced as a file (fetched with the session: a link would carry no token). */
export function saveCsv(text: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

/** A report table's download button; the hub's sentence appears under it when the download fails. */
export function CsvButton(props: {
  label: string;
  load: () => Promise<ApiResult<string>>;
  fileName: string;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const download = async () => {
    const result = await props.load();
    if (!result.ok) {
      setFailed(errorText(result.error));
      return;
    }
    setFailed(null);
    saveCsv(result.value, props.fileName);
  };
  return (
    <>
      <button
        type="button"
        onClick={() => void download()}
        aria-label={`${t('reports.csv')}: ${props.label}`}
      >
        {t('reports.csv')}
      </button>
      {failed === null ? null : <p role="alert">{failed}</p>}
    </>
  );
}
