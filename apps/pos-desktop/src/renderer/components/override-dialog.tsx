import { useState } from 'react';
import { useArea, usePos } from '../app/pos-context';
import { t } from '../i18n/translate';
import { Dialog } from './dialog';
import { ErrorBanner } from './error-banner';
import { PinPad } from './pin-pad';

/**
 * Opens wherever a command answered OVERRIDE_REQUIRED: a manager enters their code and PIN on this till,
 * with a reason, and the command goes through again carrying the override.
 */
export function OverrideDialog() {
  const { override } = usePos();
  const request = useArea(override, (state) => state.request);
  if (!request) return null;
  // A fresh form per request: no PIN left over from the last manager.
  return <OverrideForm key={`${request.action}:${request.message}`} />;
}

function OverrideForm() {
  const { override } = usePos();
  const request = useArea(override, (state) => state.request);
  const busy = useArea(override, (state) => state.busy);
  const error = useArea(override, (state) => state.error);
  const [managerCode, setManagerCode] = useState('');
  const [pin, setPin] = useState('');
  const [reason, setReason] = useState(request?.reason ?? '');
  if (!request) return null;
  const submit = async () => {
    if (managerCode.trim() === '' || pin === '' || reason.trim() === '') {
      override.setState({ error: { code: 'INVALID_INPUT', message: t('override.incomplete') } });
      return;
    }
    await override.getState().grant(managerCode.trim(), pin, reason.trim());
    setPin('');
  };
  return (
    <Dialog title={t('override.title')} onCancel={() => override.getState().cancel()}>
      <p className="override-why">{request.message}</p>
      <p className="muted">{t('override.action', { action: t(`overrideAction.${request.action}`) })}</p>
      <ErrorBanner error={error} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>{t('override.managerCode')}</span>
          <input
            inputMode="numeric"
            autoComplete="off"
            value={managerCode}
            onChange={(event) => setManagerCode(event.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('override.managerPin')}</span>
          <input
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={pin}
            onChange={(event) => setPin(event.target.value.replace(/\D/g, ''))}
          />
        </label>
        <label className="field">
          <span>{t('common.reason')}</span>
          <input value={reason} onChange={(event) => setReason(event.target.value)} />
        </label>
        <PinPad
          label={t('override.managerPin')}
          value={pin}
          onChange={setPin}
          onSubmit={() => void submit()}
          disabled={busy}
        />
        <div className="dialog-actions">
          <button type="button" className="btn" data-close onClick={() => override.getState().cancel()}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('override.authorize')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
