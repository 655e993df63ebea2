import { useState } from 'react';
import { PairingCodeSchema, type LaneKind, type PairResponse } from '../../shared/lane-commands';
import { Notice } from '../components/error-banner';
import { errorText, t } from '../i18n/translate';
import type { PairDevice } from './pair-request';

/**
 * Shown on a lane, handheld or customer display that the store node does not know yet (or no longer):
 * type the pairing code a manager created on the main till (Staff → Lanes). Before typing it, compare the
 * certificate fingerprint the main till shows with the one this browser shows for the page: a browser
 * cannot pin a certificate itself, so that comparison is what keeps a look-alike node from getting the code.
 */
export function PairingScreen({
  kind,
  notice,
  pair,
  onPaired,
}: {
  kind: LaneKind;
  notice: string | null;
  pair: PairDevice;
  onPaired: (paired: PairResponse) => void;
}) {
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const secure = typeof window !== 'undefined' && window.location.protocol === 'https:';
  const submit = async () => {
    const parsed = PairingCodeSchema.safeParse(code);
    if (!parsed.success) {
      setProblem(t('pairing.badCode'));
      return;
    }
    setBusy(true);
    const outcome = await pair(parsed.data);
    setBusy(false);
    if (!outcome.ok) {
      setProblem(errorText(outcome.error));
      return;
    }
    if (outcome.value.kind !== kind) {
      setProblem(t(kind === 'display' ? 'pairing.notDisplayCode' : 'pairing.notLaneCode'));
      return;
    }
    onPaired(outcome.value);
  };
  return (
    <main className="sign-in" aria-labelledby="pairing-title">
      <h1 id="pairing-title">{t(kind === 'display' ? 'pairing.displayTitle' : 'pairing.title')}</h1>
      <p>{t('pairing.explain')}</p>
      <p>{t(secure ? 'pairing.checkCertificate' : 'pairing.insecure')}</p>
      <Notice text={notice} tone="warning" />
      <Notice text={problem} tone="warning" />
      <form
        className="sign-in-form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>{t('pairing.code')}</span>
          <input
            autoFocus
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={20}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('pairing.connect')}
        </button>
      </form>
    </main>
  );
}
