import type { CommandResponse } from '../../shared/commands';
import { useArea, usePos } from '../app/pos-context';
import { Notice } from '../components/error-banner';
import { errorText, t } from '../i18n/translate';

/** Right after the setup: who the till now is and how far the first download from the hub has come. */
export function SetupProgress({
  result,
  onContinue,
}: {
  result: CommandResponse<'node-setup'>;
  onContinue: () => void;
}) {
  const { sync } = usePos();
  const status = useArea(sync, (state) => state.status);
  const store = result.storeName ? `${result.storeCode} (${result.storeName})` : result.storeCode;
  let progress: string | null = null;
  if (result.hubUrl !== null) {
    if (status?.snapshot) {
      progress = t('setup.progress', { received: status.snapshot.received, total: status.snapshot.total });
    } else if (status?.agent === 'live') {
      progress = t('setup.inSync');
    } else if (status?.error) {
      progress = errorText(status.error);
    } else {
      progress = t('setup.waiting');
    }
  }
  return (
    <main className="screen setup" aria-labelledby="setup-done-title">
      <h1 id="setup-done-title">{t('setup.done', { store, device: result.deviceNo })}</h1>
      {result.hubUrl !== null ? <p>{t('setup.doneHub', { hub: result.hubUrl })}</p> : null}
      <Notice text={progress} />
      {status?.snapshot && status.snapshot.total > 0 ? (
        <progress aria-label={progress ?? ''} value={status.snapshot.received} max={status.snapshot.total} />
      ) : null}
      <button type="button" className="btn btn-primary" onClick={onContinue}>
        {t('setup.continue', { code: result.managerStaffCode })}
      </button>
    </main>
  );
}
