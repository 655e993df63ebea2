import { useEffect, useState } from 'react';
import type { SyncStatus } from '../../shared/commands';
import { useArea, usePos } from '../app/pos-context';
import type { StoreFormat } from '../format/format';
import { t, type MessageKey } from '../i18n/translate';

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

/**
 * Always on screen: whether this till reaches the store node, whether the node reaches the hub, how many
 * events wait to be sent and since when, and when hub data last arrived. Offline is a normal state, said
 * plainly, never an error popup.
 */
export function SyncStatusBar({ format }: { format: StoreFormat | null }) {
  const { sync } = usePos();
  const connection = useArea(sync, (state) => state.connection);
  const status = useArea(sync, (state) => state.status);
  const error = useArea(sync, (state) => state.error);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  const hubTone = status?.agent === 'live' ? 'ok' : status?.agent === 'offline' ? 'warn' : 'neutral';
  return (
    <footer className="status-bar" role="status" aria-label={t('sync.title')}>
      <span className={`pill pill-${connection === 'online' ? 'ok' : 'warn'}`}>
        {t(NODE_KEYS[connection])}
      </span>
      {status ? (
        <>
          <span className={`pill pill-${hubTone}`}>{t(AGENT_KEYS[status.agent])}</span>
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
            {status.lastFeedAppliedAt && format
              ? t('sync.lastSync', { at: format.dateTime(status.lastFeedAppliedAt) })
              : t('sync.neverSynced')}
          </span>
          {status.deferredFeedChanges > 0 ? (
            <span className="pill pill-warn">
              {t('sync.deferred', { count: status.deferredFeedChanges })}
            </span>
          ) : null}
        </>
      ) : null}
      {error ? <span className="pill pill-warn">{error.message}</span> : null}
    </footer>
  );
}
