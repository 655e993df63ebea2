import { useRef, useState, type FormEvent } from 'react';
import { useArea, usePos } from '../../app/pos-context';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { PinPad } from '../../components/pin-pad';
import { t } from '../../i18n/translate';

type Step = 'code' | 'pin';

/** Staff code, then PIN, on a touch pad or the keyboard. */
export function SignInScreen() {
  const { session, registerId } = usePos();
  const node = useArea(session, (state) => state.node);
  const busy = useArea(session, (state) => state.busy);
  const error = useArea(session, (state) => state.error);
  const notice = useArea(session, (state) => state.notice);
  const [step, setStep] = useState<Step>('code');
  const [staffCode, setStaffCode] = useState('');
  const [pin, setPin] = useState('');
  const codeRef = useRef<HTMLInputElement>(null);
  const pinRef = useRef<HTMLInputElement>(null);

  const next = () => {
    if (staffCode.trim() === '') return;
    setStep('pin');
    queueMicrotask(() => pinRef.current?.focus());
  };
  const submit = async () => {
    if (step === 'code') {
      next();
      return;
    }
    if (pin === '') return;
    const signedIn = await session.getState().signIn(staffCode.trim(), pin);
    if (!signedIn) {
      setPin('');
      pinRef.current?.focus();
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit();
  };
  const back = () => {
    setStep('code');
    setPin('');
    queueMicrotask(() => codeRef.current?.focus());
  };

  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      {node ? (
        <p className="muted">
          {/* The till is named by its register everywhere (sign-in, shift, parked sales, lanes, reports). */}
          {t('signIn.store', { store: node.storeName ?? node.storeCode, register: registerId })}
        </p>
      ) : null}
      <Notice text={notice} tone="warning" />
      <ErrorBanner error={error} />
      <form onSubmit={onSubmit} className="sign-in-form">
        {step === 'code' ? (
          <label className="field">
            <span>{t('signIn.staffCode')}</span>
            <input
              ref={codeRef}
              autoFocus
              inputMode="numeric"
              autoComplete="off"
              value={staffCode}
              onChange={(event) => setStaffCode(event.target.value)}
            />
          </label>
        ) : (
          <>
            <p>
              {t('signIn.pinFor', { staffCode })}{' '}
              <button type="button" className="btn btn-quiet" onClick={back}>
                {t('signIn.changeCode')}
              </button>
            </p>
            <label className="field">
              <span>{t('signIn.pin')}</span>
              <input
                ref={pinRef}
                type="password"
                inputMode="numeric"
                autoComplete="off"
                value={pin}
                onChange={(event) => setPin(event.target.value.replace(/\D/g, ''))}
              />
            </label>
          </>
        )}
        <PinPad
          label={step === 'code' ? t('signIn.staffCode') : t('signIn.pin')}
          value={step === 'code' ? staffCode : pin}
          onChange={step === 'code' ? setStaffCode : setPin}
          onSubmit={() => void submit()}
          disabled={busy}
        />
      </form>
    </main>
  );
}

/** The till is locked: the same person unlocks with their PIN, or someone else signs in instead. */
export function LockScreen() {
  const { session } = usePos();
  const staff = useArea(session, (state) => state.staff);
  const busy = useArea(session, (state) => state.busy);
  const error = useArea(session, (state) => state.error);
  const [pin, setPin] = useState('');
  const unlock = async () => {
    if (pin === '') return;
    const unlocked = await session.getState().unlock(pin);
    if (!unlocked) setPin('');
  };
  return (
    <main className="sign-in" aria-labelledby="lock-title">
      <h1 id="lock-title">{t('lock.title')}</h1>
      {staff ? <p>{t('lock.lockedBy', { name: staff.name, role: t(`role.${staff.role}`) })}</p> : null}
      <ErrorBanner error={error} />
      <form
        className="sign-in-form"
        onSubmit={(event) => {
          event.preventDefault();
          void unlock();
        }}
      >
        <label className="field">
          <span>{t('signIn.pin')}</span>
          <input
            autoFocus
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={pin}
            onChange={(event) => setPin(event.target.value.replace(/\D/g, ''))}
          />
        </label>
        <PinPad
          label={t('signIn.pin')}
          value={pin}
          onChange={setPin}
          onSubmit={() => void unlock()}
          disabled={busy}
        />
      </form>
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={() => void session.getState().switchUser()}
      >
        {t('lock.switchUser')}
      </button>
    </main>
  );
}
