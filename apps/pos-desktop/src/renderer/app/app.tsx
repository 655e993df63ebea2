import { assertNever } from '@retail/domain';
import { useEffect, useState } from 'react';
import { ROLE_RANK } from '../../shared/commands';
import { OverrideDialog } from '../components/override-dialog';
import { ErrorBanner } from '../components/error-banner';
import { SyncStatusBar } from '../components/sync-status-bar';
import { createStoreFormat } from '../format/format';
import { t } from '../i18n/translate';
import { BopisScreen } from '../screens/bopis/bopis-screen';
import { ReturnsScreen } from '../screens/returns/returns-screen';
import { SellScreen } from '../screens/sell/sell-screen';
import { ShiftScreen } from '../screens/shift/shift-screen';
import { LanesScreen } from '../screens/lanes/lanes-screen';
import { LockScreen, SignInScreen } from '../screens/sign-in/sign-in-screen';
import { SettingsScreen } from '../screens/settings/settings-screen';
import { StaffScreen } from '../screens/staff/staff-screen';
import { StockScreen } from '../screens/stock/stock-screen';
import { AREAS, LOCK_HOTKEY, type AreaId } from './areas';
import { useArea, usePos } from './pos-context';
import { useHotkeys } from './use-hotkeys';

/** The till: sign-in or lock screen, else the work areas; the sync status bar is always there. */
export function App() {
  const { session, sync } = usePos();
  const phase = useArea(session, (state) => state.phase);
  const node = useArea(session, (state) => state.node);
  const error = useArea(session, (state) => state.error);
  const format = node
    ? createStoreFormat({ locale: node.locale, currency: node.currency, timezone: node.timezone })
    : null;

  useEffect(() => {
    void session.getState().loadNode();
    void sync.getState().refresh();
  }, [session, sync]);

  useEffect(() => {
    if (node) document.documentElement.lang = node.locale;
  }, [node]);

  return (
    <div className="app">
      {phase === 'loading' ? (
        <main className="sign-in">
          <p>{t('app.connecting')}</p>
          <ErrorBanner error={error} />
        </main>
      ) : null}
      {phase === 'signed-out' ? <SignInScreen /> : null}
      {phase === 'locked' ? <LockScreen /> : null}
      {phase === 'signed-in' ? <Workspace /> : null}
      <OverrideDialog />
      <SyncStatusBar format={format} />
    </div>
  );
}

/** Orders waiting for someone at this store: to accept, or to put back on the shelf. */
function BopisBadge() {
  const { bopis } = usePos();
  const waiting = useArea(bopis, (state) => (state.queue ? state.queue.waiting + state.queue.toPutBack : 0));
  return waiting > 0 ? <span className="badge">{waiting}</span> : null;
}

function Workspace() {
  const { session, bopis } = usePos();
  const staff = useArea(session, (state) => state.staff);
  const node = useArea(session, (state) => state.node);
  const busy = useArea(session, (state) => state.busy);
  const error = useArea(session, (state) => state.error);
  const [area, setArea] = useState<AreaId>('sell');
  useEffect(() => {
    void bopis.getState().load();
  }, [bopis]);
  const areas = AREAS.filter(
    (entry) => !('minRole' in entry) || (staff !== null && ROLE_RANK[staff.role] >= ROLE_RANK[entry.minRole]),
  );
  useHotkeys({
    ...Object.fromEntries(
      areas.flatMap((entry) => (entry.hotkey === null ? [] : [[entry.hotkey, () => setArea(entry.id)]])),
    ),
    [LOCK_HOTKEY]: () => session.getState().lock(),
  });
  return (
    <>
      <header className="top-bar">
        <span className="store-name">{node?.storeName ?? node?.storeCode}</span>
        <nav aria-label={t('nav.title')}>
          {areas.map((entry) => (
            <button
              key={entry.id}
              type="button"
              className="btn nav-button"
              aria-current={area === entry.id ? 'page' : undefined}
              onClick={() => setArea(entry.id)}
            >
              {t(entry.label)} {entry.id === 'bopis' ? <BopisBadge /> : null}{' '}
              {entry.hotkey === null ? null : <kbd>{entry.hotkey}</kbd>}
            </button>
          ))}
        </nav>
        {staff ? (
          <span
            className="staff-badge"
            aria-label={t('nav.signedInAs', { name: staff.name, role: t(`role.${staff.role}`) })}
          >
            {staff.name} · <strong>{t(`role.${staff.role}`)}</strong>
          </span>
        ) : null}
        <button type="button" className="btn" onClick={() => session.getState().lock()}>
          {t('nav.lock')} <kbd>{LOCK_HOTKEY}</kbd>
        </button>
        <button
          type="button"
          className="btn"
          disabled={busy}
          onClick={() => void session.getState().signOut()}
        >
          {t('nav.signOut')}
        </button>
      </header>
      <ErrorBanner error={error} onDismiss={() => session.setState({ error: null })} />
      <div className="workspace">
        <AreaScreen area={area} onOpenShift={() => setArea('shift')} />
      </div>
    </>
  );
}

function AreaScreen({ area, onOpenShift }: { area: AreaId; onOpenShift: () => void }) {
  switch (area) {
    case 'sell':
      return <SellScreen onOpenShift={onOpenShift} />;
    case 'returns':
      return <ReturnsScreen />;
    case 'stock':
      return <StockScreen />;
    case 'shift':
      return <ShiftScreen />;
    case 'bopis':
      return <BopisScreen />;
    case 'staff':
      return <StaffScreen />;
    case 'lanes':
      return <LanesScreen />;
    case 'settings':
      return <SettingsScreen />;
    default:
      return assertNever(area, 'area');
  }
}
