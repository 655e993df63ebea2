import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { LiveChange } from '../api/api-types';
import { useServices } from './dashboard-context';
import type { LiveStatus, LiveTopic } from './live-updates';

/**
 * Calls `reload` whenever the hub reports a change in `topic` (or that changes may have been missed), for
 * as long as the screen is shown. `matches` narrows it to the changes this screen shows (one order).
 */
export function useLiveReload(
  topic: LiveTopic,
  reload: () => void,
  matches: (change: LiveChange) => boolean = () => true,
): void {
  const { live } = useServices();
  const latest = useRef({ reload, matches });
  latest.current = { reload, matches };
  useEffect(
    () =>
      live.subscribe((message) => {
        if (
          message.kind === 'refresh' ||
          message.changes.some((change) => change.topic === topic && latest.current.matches(change))
        ) {
          latest.current.reload();
        }
      }),
    [live, topic],
  );
}

export function useLiveStatus(): LiveStatus {
  return useStore(useServices().live.status, (state) => state.status);
}
