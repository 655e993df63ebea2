import { useEffect, useState } from 'react';
import type { LaneKind } from '../../../shared/lane-commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { isValidRegisterId } from '../../connection/connection';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { t } from '../../i18n/translate';
import { screenError } from '../../stores/store-kit';

/**
 * Lanes and customer displays paired with this node (managers only): pair a new one with a short code
 * shown here (with the certificate fingerprint to compare on the device), and revoke one without
 * touching the others.
 */
export function LanesScreen() {
  const { lanes: lanesStore } = usePos();
  const format = useFormat();
  const lanes = useArea(lanesStore, (state) => state.lanes);
  const code = useArea(lanesStore, (state) => state.code);
  const error = useArea(lanesStore, (state) => state.error);
  const notice = useArea(lanesStore, (state) => state.notice);
  const busy = useArea(lanesStore, (state) => state.busy);
  useEffect(() => {
    void lanesStore.getState().load();
  }, [lanesStore]);
  return (
    <section className="screen lanes" aria-labelledby="lanes-title">
      <h1 id="lanes-title">{t('lanes.title')}</h1>
      <ErrorBanner error={error} onDismiss={() => lanesStore.setState({ error: null })} />
      <Notice text={notice} tone="success" />
      {code ? (
        <section className="pairing-code" aria-label={t('lanes.codeFor', { name: code.name })}>
          <h2>
            {t(code.kind === 'lane' ? 'lanes.codeForLane' : 'lanes.codeForDisplay', { name: code.name })}
          </h2>
          <p className="big-code" aria-label={t('lanes.code')}>
            {code.code}
          </p>
          <p>{t('lanes.codeValid', { at: format.time(code.expiresAt), register: code.registerId })}</p>
          <p>
            {code.certificateFingerprint === null
              ? t('lanes.noCertificate')
              : t('lanes.fingerprint', { fingerprint: code.certificateFingerprint })}
          </p>
        </section>
      ) : null}
      <ul className="tender-list" aria-label={t('lanes.list')}>
        {lanes.length === 0 ? <li>{t('lanes.none')}</li> : null}
        {lanes.map((lane) => (
          <li key={lane.laneId} aria-label={lane.name}>
            <span className="cart-line-name">
              {lane.name} · {t(lane.kind === 'lane' ? 'lanes.kindLane' : 'lanes.kindDisplay')} ·{' '}
              {t('lanes.register', { register: lane.registerId })}
            </span>
            <span className="muted">
              {lane.lastSeenAt === null
                ? t('lanes.neverSeen')
                : t('lanes.lastSeen', { at: format.dateTime(lane.lastSeenAt) })}
            </span>
            {lane.revokedAt === null ? (
              <button
                type="button"
                className="btn"
                disabled={busy}
                onClick={() => void lanesStore.getState().revoke(lane)}
              >
                {t('lanes.revoke', { name: lane.name })}
              </button>
            ) : (
              <span className="pill pill-warn">
                {t('lanes.revokedAt', { at: format.dateTime(lane.revokedAt) })}
              </span>
            )}
          </li>
        ))}
      </ul>
      <PairForm kind="lane" />
      <PairForm kind="display" />
    </section>
  );
}

function PairForm({ kind }: { kind: LaneKind }) {
  const { lanes: lanesStore, registerId: ownRegister } = usePos();
  const busy = useArea(lanesStore, (state) => state.busy);
  const [name, setName] = useState(kind === 'display' ? t('lanes.defaultDisplayName') : '');
  const [registerId, setRegisterId] = useState(kind === 'display' ? ownRegister : '');
  const title = t(kind === 'lane' ? 'lanes.pairLane' : 'lanes.pairDisplay');
  return (
    <form
      aria-label={title}
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim() === '' || !isValidRegisterId(registerId.trim())) {
          lanesStore.setState({ error: screenError(t('lanes.incomplete')) });
          return;
        }
        void lanesStore.getState().createCode({ kind, name: name.trim(), registerId: registerId.trim() });
      }}
    >
      <h2>{title}</h2>
      <label className="field">
        <span>{t('lanes.name')}</span>
        <input autoComplete="off" value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label className="field">
        <span>{t(kind === 'lane' ? 'lanes.registerOfLane' : 'lanes.registerShown')}</span>
        <input
          autoComplete="off"
          value={registerId}
          onChange={(event) => setRegisterId(event.target.value)}
        />
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {t('lanes.createCode')}
      </button>
    </form>
  );
}
