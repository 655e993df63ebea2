import { useEffect, useState } from 'react';
import { kindLabel } from '../format/labels';
import { t } from '../i18n/translate';
import { useServices } from './dashboard-context';
import { useLiveStatus } from './use-live';

/**
 * Says "Live" or "Reconnecting…" in the top bar, and announces newly raised critical exceptions to
 * screen readers on every page (an assertive live region: a critical exception is worth interrupting for).
 * Not a `status` or `alert` role: those belong to the page's own notices and errors.
 */
export function LiveAnnouncer() {
  const { live } = useServices();
  const status = useLiveStatus();
  const [announcement, setAnnouncement] = useState('');
  useEffect(
    () =>
      live.subscribe((message) => {
        if (message.kind !== 'changes') return;
        const raised = message.changes.filter(
          (change) =>
            change.topic === 'exceptions' && change.raised === true && change.severity === 'critical',
        );
        if (raised.length === 0) return;
        const kinds = [...new Set(raised.map((change) => kindLabel(change.type ?? '')))].join(', ');
        setAnnouncement(
          raised.length === 1
            ? t('live.newCritical', { kinds })
            : t('live.newCriticalMany', { count: raised.length, kinds }),
        );
      }),
    [live],
  );
  return (
    <>
      <span className={`live-state live-${status}`}>
        <span className="sr-only">{t('live.statusLabel')}: </span>
        {status === 'live' ? t('live.on') : t('live.connecting')}
      </span>
      <div className="sr-only" aria-live="assertive" aria-atomic="true" data-testid="live-announcer">
        {announcement}
      </div>
    </>
  );
}
