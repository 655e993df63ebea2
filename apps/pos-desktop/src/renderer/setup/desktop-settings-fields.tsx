import { useEffect, useState } from 'react';
import type {
  DesktopSettings,
  PrinterChoice,
  RawPrinterSetting,
  ReceiptOutput,
} from '../../shared/desktop-settings';
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
      {settings.receipt === undefined ? null : (
        <ReceiptOutputFields
          receipt={settings.receipt}
          onChange={(receipt) => onChange({ ...settings, receipt })}
        />
      )}
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

type RawKind = 'drawer' | RawPrinterSetting['kind'];

function rawAddress(printer: RawPrinterSetting | null): string {
  if (printer === null) return '';
  switch (printer.kind) {
    case 'network-printer':
      return printer.port === 9100 ? printer.host : `${printer.host}:${printer.port}`;
    case 'device':
      return printer.path;
    case 'cups':
      return printer.queue;
  }
}

/** What staff typed, as the shell's settings take it; the main process validates it again. */
function rawPrinterOf(kind: RawKind, address: string): RawPrinterSetting | null {
  const value = address.trim();
  switch (kind) {
    case 'drawer':
      return null;
    case 'network-printer': {
      const match = /^(.*?)(?::(\d{1,5}))?$/.exec(value);
      return { kind, host: match?.[1] ?? value, port: match?.[2] === undefined ? 9100 : Number(match[2]) };
    }
    case 'device':
      return { kind, path: value };
    case 'cups':
      return { kind, queue: value };
  }
}

/** Receipt width, OS driver or raw ESC/POS, and where raw receipts go (by default the drawer's printer). */
function ReceiptOutputFields({
  receipt,
  onChange,
}: {
  receipt: ReceiptOutput;
  onChange: (receipt: ReceiptOutput) => void;
}) {
  const [kind, setKind] = useState<RawKind>(receipt.rawPrinter?.kind ?? 'drawer');
  const [address, setAddress] = useState(rawAddress(receipt.rawPrinter));
  const change = (nextKind: RawKind, nextAddress: string) => {
    setKind(nextKind);
    setAddress(nextAddress);
    onChange({ ...receipt, rawPrinter: rawPrinterOf(nextKind, nextAddress) });
  };
  return (
    <>
      <label className="field">
        <span>{t('setup.receiptPaper')}</span>
        <select
          value={receipt.paper}
          onChange={(event) => onChange({ ...receipt, paper: event.target.value as ReceiptOutput['paper'] })}
        >
          <option value="80mm">{t('setup.paper80')}</option>
          <option value="58mm">{t('setup.paper58')}</option>
        </select>
      </label>
      <label className="field">
        <span>{t('setup.receiptFormat')}</span>
        <select
          value={receipt.format}
          onChange={(event) =>
            onChange({ ...receipt, format: event.target.value as ReceiptOutput['format'] })
          }
        >
          <option value="driver">{t('setup.formatDriver')}</option>
          <option value="escpos">{t('setup.formatEscPos')}</option>
        </select>
      </label>
      {receipt.format === 'escpos' ? (
        <>
          <label className="field">
            <span>{t('setup.rawPrinter')}</span>
            <select value={kind} onChange={(event) => change(event.target.value as RawKind, '')}>
              <option value="drawer">{t('setup.rawPrinter.drawer')}</option>
              <option value="network-printer">{t('setup.rawPrinter.network')}</option>
              <option value="device">{t('setup.rawPrinter.device')}</option>
              <option value="cups">{t('setup.rawPrinter.cups')}</option>
            </select>
          </label>
          {kind === 'drawer' ? null : (
            <label className="field">
              <span>{t(`setup.rawAddress.${kind}`)}</span>
              <input value={address} onChange={(event) => change(kind, event.target.value)} />
            </label>
          )}
        </>
      ) : null}
    </>
  );
}
