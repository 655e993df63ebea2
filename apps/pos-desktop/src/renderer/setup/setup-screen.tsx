import type { ErrorBody } from '@retail/domain';
import { useEffect, useState } from 'react';
import type { CommandResponse, NodeSetupRequest } from '../../shared/commands';
import { usePos } from '../app/pos-context';
import { ErrorBanner } from '../components/error-banner';
import { t } from '../i18n/translate';
import { screenError } from '../stores/store-kit';
import { DesktopSettingsFields, useDesktopSettings } from './desktop-settings-fields';

type Mode = NodeSetupRequest['mode'];

/** Enrolment plus a first manager takes a hub round trip and a PIN hash: allow it more than a command. */
const SETUP_TIMEOUT_MS = 60_000;

/**
 * The first-run screen of a new till: enroll it with the hub (address, one-time code from the HQ
 * dashboard, register name) or set it up on its own, name its first manager, and on the desktop choose the
 * receipt printer, kiosk mode and the customer display. Everything `pos-store init` takes is here; the
 * node checks it all and answers in sentences.
 */
export function SetupScreen({
  hubUrl: offeredHub,
  onSetUp,
}: {
  hubUrl: string | null;
  onSetUp: (result: CommandResponse<'node-setup'>) => void;
}) {
  const { client, devices } = usePos();
  const desktop = useDesktopSettings(devices.shell);
  const [mode, setMode] = useState<Mode>('enroll');
  const [hubUrl, setHubUrl] = useState(offeredHub ?? '');
  const [code, setCode] = useState('');
  const [deviceName, setDeviceName] = useState('');
  const [storeId, setStoreId] = useState('');
  const [storeCode, setStoreCode] = useState('');
  const [deviceNo, setDeviceNo] = useState('1');
  const [currency, setCurrency] = useState('EUR');
  const [managerCode, setManagerCode] = useState('');
  const [managerName, setManagerName] = useState('');
  const [pin, setPin] = useState('');
  const [pinAgain, setPinAgain] = useState('');
  const [locale, setLocale] = useState('');
  const [timezone, setTimezone] = useState('');
  const [cashRounding, setCashRounding] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  useEffect(() => {
    if (offeredHub !== null) setHubUrl((current) => (current === '' ? offeredHub : current));
  }, [offeredHub]);

  const request = (): NodeSetupRequest | ErrorBody => {
    if (managerCode.trim() === '' || managerName.trim() === '' || pin === '') {
      return screenError(t('setup.incomplete'));
    }
    if (pin !== pinAgain) return screenError(t('setup.pinMismatch'));
    const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);
    const rounding = cashRounding.trim() === '' ? undefined : wholeNumber(cashRounding);
    const number = wholeNumber(deviceNo);
    if (rounding !== undefined && Number.isNaN(rounding)) return screenError(t('setup.badNumber'));
    const details = {
      ...(locale.trim() === '' ? {} : { locale: locale.trim() }),
      ...(timezone.trim() === '' ? {} : { timezone: timezone.trim() }),
      ...(rounding === undefined ? {} : { cashRoundingIncrement: rounding }),
      firstManager: { staffCode: managerCode.trim(), name: managerName.trim(), pin },
    };
    if (mode === 'enroll') {
      return {
        mode,
        hubUrl: hubUrl.trim(),
        code: code.trim(),
        ...(deviceName.trim() === '' ? {} : { deviceName: deviceName.trim() }),
        ...details,
      };
    }
    if (Number.isNaN(number)) return screenError(t('setup.badNumber'));
    return {
      mode,
      storeId: storeId.trim(),
      storeCode: storeCode.trim().toUpperCase(),
      deviceNo: number,
      currency: currency.trim().toUpperCase(),
      ...details,
    };
  };

  const submit = async () => {
    const input = request();
    if (!('mode' in input)) {
      setError(input);
      return;
    }
    setBusy(true);
    setError(null);
    const result = await client.send('node-setup', input, { timeoutMs: SETUP_TIMEOUT_MS });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    if (devices.shell && desktop.settings) {
      const saved = await devices.shell.saveSettings(desktop.settings);
      if (!saved.ok) setError(screenError(t('setup.settingsNotSaved', { reason: saved.message })));
    }
    onSetUp(result.value);
  };

  const field = (label: string, value: string, set: (value: string) => void, extra: object = {}) => (
    <label className="field">
      <span>{label}</span>
      <input autoComplete="off" value={value} onChange={(event) => set(event.target.value)} {...extra} />
    </label>
  );

  return (
    <main className="screen setup" aria-labelledby="setup-title">
      <h1 id="setup-title">{t('setup.title')}</h1>
      <p>{t('setup.intro')}</p>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <form
        aria-label={t('setup.title')}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <fieldset>
          <legend>{t('setup.mode')}</legend>
          {(['enroll', 'standalone'] as const).map((option) => (
            <label key={option} className="field-inline">
              <input
                type="radio"
                name="setup-mode"
                checked={mode === option}
                onChange={() => setMode(option)}
              />
              {t(option === 'enroll' ? 'setup.modeEnroll' : 'setup.modeStandalone')}
            </label>
          ))}
        </fieldset>
        {mode === 'enroll' ? (
          <fieldset>
            <legend>{t('setup.modeEnroll')}</legend>
            {field(t('setup.hubUrl'), hubUrl, setHubUrl, {
              type: 'url',
              placeholder: 'https://hub.example.com',
            })}
            {field(t('setup.code'), code, setCode)}
            {field(t('setup.registerName'), deviceName, setDeviceName)}
          </fieldset>
        ) : (
          <fieldset>
            <legend>{t('setup.modeStandalone')}</legend>
            {field(t('setup.storeId'), storeId, setStoreId)}
            {field(t('setup.storeCode'), storeCode, setStoreCode)}
            {field(t('setup.deviceNo'), deviceNo, setDeviceNo, { inputMode: 'numeric' })}
            {field(t('setup.currency'), currency, setCurrency)}
          </fieldset>
        )}
        <fieldset>
          <legend>{t('setup.manager')}</legend>
          <p className="muted">{t('setup.managerHint')}</p>
          {field(t('signIn.staffCode'), managerCode, setManagerCode)}
          {field(t('staff.name'), managerName, setManagerName)}
          {field(t('staff.pin'), pin, (value) => setPin(value.replace(/\D/g, '')), {
            type: 'password',
            inputMode: 'numeric',
            autoComplete: 'new-password',
          })}
          {field(t('staff.pinAgain'), pinAgain, (value) => setPinAgain(value.replace(/\D/g, '')), {
            type: 'password',
            inputMode: 'numeric',
            autoComplete: 'new-password',
          })}
        </fieldset>
        <details>
          <summary>{t('setup.more')}</summary>
          {field(t('setup.locale'), locale, setLocale)}
          {field(t('setup.timezone'), timezone, setTimezone)}
          {field(t('setup.cashRounding'), cashRounding, setCashRounding, { inputMode: 'numeric' })}
        </details>
        {desktop.settings ? (
          <fieldset>
            <legend>{t('setup.desktop')}</legend>
            <DesktopSettingsFields
              settings={desktop.settings}
              printers={desktop.printers}
              onChange={desktop.setSettings}
            />
          </fieldset>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('setup.working') : t('setup.submit')}
        </button>
      </form>
    </main>
  );
}
