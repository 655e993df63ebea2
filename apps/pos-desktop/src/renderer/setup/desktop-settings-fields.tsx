import { useEffect, useState } from 'react';
import type { DesktopSettings, PrinterChoice } from '../../shared/desktop-settings';
import type { DesktopShell } from '../devices/devices';
import { t } from '../i18n/translate';

/** The desktop shell's settings and printers, loaded once; null settings in a browser lane. */
export function useDesktopSettings(shell: DesktopShell | undefined) {
  const [settings, setSettings] = useState<DesktopSettings | null>(null);
  const [printers, setPrinters] = useState<readonly PrinterChoice[]>([]);
  useEffect(() => {
    if (!shell) return;
    let current = true;
    void Promise.all([shell.readSettings(), shell.listPrinters()]).then(([read, listed]) => {
      if (!current) return;
      setSettings(read);
      setPrinters(listed);
    });
    return () => {
      current = false;
    };
  }, [shell]);
  return { settings, printers, setSettings };
}

/** Receipt printer, kiosk mode and customer display, as the first-run screen and the settings show them. */
export function DesktopSettingsFields({
  settings,
  printers,
  onChange,
}: {
  settings: DesktopSettings;
  printers: readonly PrinterChoice[];
  onChange: (settings: DesktopSettings) => void;
}) {
  const known = printers.some((printer) => printer.name === settings.printerName);
  return (
    <>
      <label className="field">
        <span>{t('setup.printer')}</span>
        <select
          value={settings.printerName ?? ''}
          onChange={(event) =>
            onChange({ ...settings, printerName: event.target.value === '' ? null : event.target.value })
          }
        >
          <option value="">{t('setup.systemPrinter')}</option>
          {printers.map((printer) => (
            <option key={printer.name} value={printer.name}>
              {printer.displayName}
            </option>
          ))}
          {settings.printerName !== null && !known ? (
            <option value={settings.printerName}>{settings.printerName}</option>
          ) : null}
        </select>
      </label>
      <label className="field-inline">
        <input
          type="checkbox"
          checked={settings.kiosk}
          onChange={(event) => onChange({ ...settings, kiosk: event.target.checked })}
        />
        {t('setup.kiosk')}
      </label>
      <label className="field-inline">
        <input
          type="checkbox"
          checked={settings.customerDisplay}
          onChange={(event) => onChange({ ...settings, customerDisplay: event.target.checked })}
        />
        {t('setup.customerDisplay')}
      </label>
    </>
  );
}
