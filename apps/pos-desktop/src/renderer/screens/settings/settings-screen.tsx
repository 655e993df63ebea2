import type { ErrorBody } from '@retail/domain';
import { useCallback, useEffect, useState } from 'react';
import type { CommandResponse, NodeSetupStatus } from '../../../shared/commands';
import { usePos } from '../../app/pos-context';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { t } from '../../i18n/translate';
import { DesktopSettingsFields, useDesktopSettings } from '../../setup/desktop-settings-fields';
import { screenError } from '../../stores/store-kit';

/**
 * A manager's settings of this till (the area shows to managers only; the node checks the role again):
 * the hub it syncs with (a moved hub, or enrolling a till set up on its own), the desktop's receipt
 * printer, kiosk mode and customer display, and backups of the node's database.
 */
export function SettingsScreen() {
  return (
    <section className="screen settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <HubSettings />
      <DesktopSettings />
      <BackupSettings />
    </section>
  );
}

function HubSettings() {
  const { client, api } = usePos();
  const [status, setStatus] = useState<NodeSetupStatus | null>(null);
  const [hubUrl, setHubUrl] = useState('');
  const [code, setCode] = useState('');
  const [deviceName, setDeviceName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(async () => {
    const result = await client.send('node-setup-status', {});
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setStatus(result.value);
    if (result.value.hubUrl !== null) setHubUrl((current) => current || (result.value.hubUrl ?? ''));
  }, [client]);
  useEffect(() => {
    void load();
  }, [load]);
  const enrolled = status?.state === 'ready' && status.enrolled;
  const submit = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    const result = await api.call('node-hub-connect', {
      hubUrl: hubUrl.trim(),
      ...(code.trim() === '' || enrolled ? {} : { code: code.trim() }),
      ...(deviceName.trim() === '' || enrolled ? {} : { deviceName: deviceName.trim() }),
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setCode('');
    setNotice(
      t('settings.hubSaved', {
        hub: result.value.hubUrl,
        state: t(result.value.enrolled ? 'settings.hubStateEnrolled' : 'settings.hubStateNotEnrolled'),
      }),
    );
    await load();
  };
  const current =
    status?.state !== 'ready' || status.hubUrl === null
      ? t('settings.hubNone')
      : t(status.enrolled ? 'settings.hubEnrolled' : 'settings.hubNotEnrolled', { hub: status.hubUrl });
  return (
    <form
      aria-label={t('settings.hub')}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>{t('settings.hub')}</h2>
      <p>{current}</p>
      <p className="muted">{t('settings.hubHint')}</p>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Notice text={notice} tone="success" />
      <label className="field">
        <span>{t('setup.hubUrl')}</span>
        <input
          type="url"
          autoComplete="off"
          value={hubUrl}
          onChange={(event) => setHubUrl(event.target.value)}
        />
      </label>
      {enrolled ? null : (
        <>
          <label className="field">
            <span>{t('setup.code')}</span>
            <input autoComplete="off" value={code} onChange={(event) => setCode(event.target.value)} />
          </label>
          <label className="field">
            <span>{t('setup.registerName')}</span>
            <input
              autoComplete="off"
              value={deviceName}
              onChange={(event) => setDeviceName(event.target.value)}
            />
          </label>
        </>
      )}
      <button type="submit" className="btn btn-primary" disabled={busy || hubUrl.trim() === ''}>
        {t('settings.hubSave')}
      </button>
    </form>
  );
}

function DesktopSettings() {
  const { devices } = usePos();
  const desktop = useDesktopSettings(devices.shell);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const shell = devices.shell;
  if (!shell || !desktop.settings) return null;
  const { settings } = desktop;
  return (
    <form
      aria-label={t('settings.desktop')}
      onSubmit={(event) => {
        event.preventDefault();
        setNotice(null);
        void shell.saveSettings(settings).then((saved) => {
          if (saved.ok) {
            setError(null);
            setNotice(t('settings.desktopSaved'));
          } else setError(screenError(saved.message));
        });
      }}
    >
      <h2>{t('settings.desktop')}</h2>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Notice text={notice} tone="success" />
      <DesktopSettingsFields settings={settings} printers={desktop.printers} onChange={desktop.setSettings} />
      <button type="submit" className="btn btn-primary">
        {t('settings.desktopSave')}
      </button>
    </form>
  );
}

function BackupSettings() {
  const { api, devices } = usePos();
  const [backup, setBackup] = useState<CommandResponse<'node-backup'> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const backUp = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    const result = await api.call('node-backup', {});
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setBackup(result.value);
  };
  const shell = devices.shell;
  return (
    <section aria-labelledby="backup-title">
      <h2 id="backup-title">{t('settings.backup')}</h2>
      <p className="muted">{t('settings.backupHint')}</p>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {backup ? (
        <Notice text={t('settings.backupDone', { file: backup.file, pages: backup.pages })} tone="success" />
      ) : null}
      <Notice text={notice} tone="success" />
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void backUp()}>
        {t('settings.backupNow')}
      </button>
      {backup && shell ? (
        <button
          type="button"
          className="btn"
          onClick={() =>
            void shell.saveBackupCopy(backup.file).then((copied) => {
              if (copied.ok) setNotice(t('settings.backupCopied'));
              else setError(screenError(copied.message));
            })
          }
        >
          {t('settings.backupCopy')}
        </button>
      ) : null}
    </section>
  );
}
