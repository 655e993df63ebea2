import { useEffect, useState } from 'react';
import type { SyncStatus } from '../../shared/commands';
import { useArea, usePos } from '../app/pos-context';
import type { StoreFormat } from '../format/format';
import { errorText, t, type MessageKey } from '../i18n/translate';
import { Dialog } from './dialog';

const AGENT_KEYS: Readonly<Record<SyncStatus['agent'], MessageKey>> = {
  'not-configured': 'sync.agent.notConfigured',
  'not-running': 'sync.agent.notRunning',
  offline: 'sync.agent.offline',
  connecting: 'sync.agent.connecting',
  'catching-up': 'sync.agent.catchingUp',
  live: 'sync.agent.live',
};

const NODE_KEYS = {
  connecting: 'sync.node.connecting',
  online: 'sync.node.online',
  offline: 'sync.node.offline',
  refused: 'sync.node.refused',
} as const;

/** "3 min", "2 h": how long the oldest unsent event has waited. */
function age(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return t('sync.age.seconds');
  if (minutes < 120) return t('sync.age.minutes', { minutes });
  return t('sync.age.hours', { hours: Math.floor(minutes / 60) });
}

/** The latest moment the node heard from the hub: a pull that reached the end, or a feed page applied. */
function lastHubContact(status: SyncStatus): string | null {
  const times = [status.lastPullAt, status.lastFeedAppliedAt].filter(
    (at): at is string => typeof at === 'string',
  );
  return times.length === 0
    ? null
    : times.reduce((latest, at) => (Date.parse(at) > Date.parse(latest) ? at : latest));
}

/**
 * Always on screen: whether this till reaches the store node, whether the node reaches the hub, how many
 * events wait to be sent and since when, when the hub was last heard from, and every event the hub refused
 * for good with its reason. Offline is a normal state, said plainly, never an error popup.
 */
export function SyncStatusBar({ format }: { format: StoreFormat | null }) {
  const { sync, session } = usePos();
  const connection = useArea(sync, (state) => state.connection);
  const status = useArea(sync, (state) => state.status);
  const error = useArea(sync, (state) => state.error);
  const syncing = useArea(sync, (state) => state.syncing);
  const signedIn = useArea(session, (state) => state.phase === 'signed-in');
  const [now, setNow] = useState(() => Date.now());
  const [showRejected, setShowRejected] = useState(false);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  // The operating system says the network is back: the node should try the hub now, not when its retry
  // delay runs out (it cannot see this machine's network events itself when it runs elsewhere).
  const hubConfigured = status?.hubUrl !== null && status?.hubUrl !== undefined;
  useEffect(() => {
    if (!signedIn || !hubConfigured) return undefined;
    const onOnline = () => void sync.getState().syncNow();
    window.addEventListener('online', onOnline);
    return () => window.removeEventListener('online', onOnline);
  }, [signedIn, hubConfigured, sync]);
  const rejected = status?.rejected ?? [];
  const stopped = status?.state === 'error';
  const hubTone = stopped
    ? 'warn'
    : status?.agent === 'live'
      ? 'ok'
      : status?.agent === 'offline'
        ? 'warn'
        : 'neutral';
  const contact = status ? lastHubContact(status) : null;
  return (
    <footer className="status-bar" role="status" aria-label={t('sync.title')}>
      <span className={`pill pill-${connection === 'online' ? 'ok' : 'warn'}`}>
        {t(NODE_KEYS[connection])}
      </span>
      {/* The node's last report goes stale the moment the link drops: "All events sent" would be a guess. */}
      {status && connection !== 'online' ? <span>{t('sync.unknownWhileUnreachable')}</span> : null}
      {status && connection === 'online' ? (
        <>
          <span className={`pill pill-${hubTone}`}>
            {stopped
              ? t('sync.stopped', { reason: status.error ? errorText(status.error) : '' })
              : t(AGENT_KEYS[status.agent])}
          </span>
          {status.snapshot ? (
            <span>
              {t('sync.snapshot', { received: status.snapshot.received, total: status.snapshot.total })}
            </span>
          ) : null}
          <span>
            {status.pendingEvents === 0
              ? t('sync.nothingPending')
              : t('sync.pending', {
                  count: status.pendingEvents,
                  age: status.oldestPendingAt
                    ? age(Math.max(0, now - Date.parse(status.oldestPendingAt)))
                    : '—',
                })}
          </span>
          <span>
            {contact && format ? t('sync.lastSync', { at: format.dateTime(contact) }) : t('sync.neverSynced')}
          </span>
          <span>
            {status.settingsVersion
              ? t('sync.settingsVersion', { version: status.settingsVersion.version })
              : t('sync.settingsDefault')}
          </span>
          {!stopped && status.error ? (
            <span>
              {status.nextRetryAt && format
                ? t('sync.retrying', { reason: errorText(status.error), at: format.time(status.nextRetryAt) })
                : t('sync.failing', { reason: errorText(status.error) })}
            </span>
          ) : null}
          {status.deferredFeedChanges > 0 ? (
            <span className="pill pill-warn">
              {t('sync.deferred', { count: status.deferredFeedChanges })}
            </span>
          ) : null}
          {rejected.length > 0 ? (
            <button type="button" className="btn btn-status pill-warn" onClick={() => setShowRejected(true)}>
              {t('sync.rejected', { count: rejected.length })}
            </button>
          ) : null}
          {signedIn && status.hubUrl !== null ? (
            <button
              type="button"
              className="btn btn-status"
              disabled={syncing}
              onClick={() => void sync.getState().syncNow()}
            >
              {t('sync.now')}
            </button>
          ) : null}
        </>
      ) : null}
      {error ? <span className="pill pill-warn">{errorText(error)}</span> : null}
      {showRejected ? (
        <Dialog title={t('sync.rejectedTitle')} onCancel={() => setShowRejected(false)} wide>
          <p>{t('sync.rejectedExplain')}</p>
          <ul className="tender-list" aria-label={t('sync.rejectedTitle')}>
            {rejected.map((event) => (
              <li key={event.eventId}>
                <span>
                  {t('sync.rejectedEvent', {
                    seq: event.deviceSeq,
                    at: format ? format.dateTime(event.rejectedAt) : event.rejectedAt,
                  })}
                </span>
                <span>{event.reason}</span>
              </li>
            ))}
          </ul>
          <div className="dialog-actions">
            <button type="button" className="btn" data-close onClick={() => setShowRejected(false)}>
              {t('common.close')}
            </button>
          </div>
        </Dialog>
      ) : null}
    </footer>
  );
}
