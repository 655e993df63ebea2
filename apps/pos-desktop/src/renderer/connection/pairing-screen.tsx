import { useState } from 'react';
import { Notice } from '../components/error-banner';
import { t } from '../i18n/translate';
import { DEFAULT_REGISTER_ID, isValidRegisterId } from './connection';

/**
 * Shown on a lane or handheld that has no (valid) access token for the store node: paste the token the
 * node printed, or open its pairing link instead.
 */
export function PairingScreen({
  registerId,
  notice,
  onPair,
}: {
  registerId: string;
  notice: string | null;
  onPair: (token: string, registerId: string) => void;
}) {
  const [token, setToken] = useState('');
  const [register, setRegister] = useState(registerId || DEFAULT_REGISTER_ID);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <main className="sign-in" aria-labelledby="pairing-title">
      <h1 id="pairing-title">{t('pairing.title')}</h1>
      <p>{t('pairing.explain')}</p>
      <Notice text={notice} tone="warning" />
      <Notice text={problem} tone="warning" />
      <form
        className="sign-in-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim().length < 16) {
            setProblem(t('pairing.tokenTooShort'));
            return;
          }
          if (!isValidRegisterId(register.trim())) {
            setProblem(t('pairing.badRegister'));
            return;
          }
          onPair(token.trim(), register.trim());
        }}
      >
        <label className="field">
          <span>{t('pairing.token')}</span>
          <input
            autoFocus
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('pairing.register')}</span>
          <input autoComplete="off" value={register} onChange={(event) => setRegister(event.target.value)} />
        </label>
        <button type="submit" className="btn btn-primary">
          {t('pairing.connect')}
        </button>
      </form>
    </main>
  );
}
