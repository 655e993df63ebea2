import type { ErrorBody } from '@retail/domain';
import { EventSource } from 'eventsource';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LiveChange } from '../api/api-types';

export type LiveTopic = LiveChange['topic'];

/** `refresh`: changes may have been missed (a reconnect, a lost hub connection); reload everything shown. */
export type LiveMessage =
  { readonly kind: 'changes'; readonly changes: readonly LiveChange[] } | { readonly kind: 'refresh' };

/** `live`: changes arrive as they happen; `connecting`: (re)connecting, what is shown may be behind. */
export type LiveStatus = 'off' | 'connecting' | 'live';

export interface LiveUpdatesOptions {
  readonly fetch: typeof fetch;
  /** The session token, read on every (re)connect so a new sign-in is used. */
  readonly token: () => string | null;
  /** The hub ended the session (signed out elsewhere, expired, deactivated). */
  readonly onSessionEnded: (error: ErrorBody) => void;
  /** The stream was refused (401, 403, a proxy's 5xx): asks the hub whether the session still holds. */
  readonly checkSession: () => Promise<void>;
  /** After a refused stream, wait this long before trying again. */
  readonly retryMs?: number;
}

export interface LiveUpdates {
  readonly status: StoreApi<{ status: LiveStatus }>;
  start(): void;
  stop(): void;
  subscribe(listener: (message: LiveMessage) => void): () => void;
}

const TOPICS: readonly string[] = ['exceptions', 'orders', 'devices'];
const SEVERITIES: readonly string[] = ['info', 'warning', 'critical'];

/** The hub's `changes` data, parsed: entries of a shape this dashboard does not know are left out. */
export function parseChanges(data: string): LiveChange[] | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  return value.flatMap((entry: unknown): LiveChange[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const change = entry as Record<string, unknown>;
    if (typeof change.topic !== 'string' || !TOPICS.includes(change.topic)) return [];
    if (typeof change.id !== 'string') return [];
    return [
      {
        topic: change.topic as LiveTopic,
        id: change.id,
        ...(typeof change.type === 'string' ? { type: change.type } : {}),
        ...(typeof change.severity === 'string' && SEVERITIES.includes(change.severity)
          ? { severity: change.severity as 'info' | 'warning' | 'critical' }
          : {}),
        ...(typeof change.status === 'string' ? { status: change.status } : {}),
        ...(typeof change.raised === 'boolean' ? { raised: change.raised } : {}),
      },
    ];
  });
}

function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * The signed-in dashboard's one connection to `GET /api/live` (server-sent events, with the session
 * token in the Authorization header, so it is a fetch-based EventSource). Screens subscribe and reload
 * what they show when a change names their topic; the stream is only ever a hint to reload.
 */
export function createLiveUpdates(options: LiveUpdatesOptions): LiveUpdates {
  const status = createStore<{ status: LiveStatus }>(() => ({ status: 'off' }));
  const listeners = new Set<(message: LiveMessage) => void>();
  let source: EventSource | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let running = false;

  const publish = (message: LiveMessage) => {
    for (const listener of [...listeners]) listener(message);
  };

  const connect = () => {
    if (!running) return;
    status.setState({ status: 'connecting' });
    const opened = new EventSource('/api/live', {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        const token = options.token();
        if (token !== null) headers.set('authorization', `Bearer ${token}`);
        return options.fetch(input, { ...init, headers });
      },
    });
    source = opened;
    // Every (re)connect may have missed changes: what the screens show is reloaded once the hub listens.
    opened.addEventListener('ready', () => {
      status.setState({ status: 'live' });
      publish({ kind: 'refresh' });
    });
    opened.addEventListener('refresh', () => publish({ kind: 'refresh' }));
    opened.addEventListener('changes', (event) => {
      const changes = parseChanges(event.data);
      publish(changes === null ? { kind: 'refresh' } : { kind: 'changes', changes });
    });
    opened.addEventListener('session-ended', (event) => {
      let error: unknown;
      try {
        error = JSON.parse(event.data);
      } catch {
        error = undefined;
      }
      stop();
      if (isErrorBody(error)) options.onSessionEnded(error);
    });
    opened.addEventListener('error', () => {
      if (source !== opened) return;
      status.setState({ status: 'connecting' });
      // The library retries a dropped stream itself; a refused one (a status other than 200) it closes.
      if (opened.readyState !== opened.CLOSED) return;
      void options.checkSession().finally(() => {
        if (!running || source !== opened) return;
        retryTimer = setTimeout(connect, options.retryMs ?? 5_000);
      });
    });
  };

  function stop(): void {
    running = false;
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
    source?.close();
    source = undefined;
    status.setState({ status: 'off' });
  }

  return {
    status,
    start() {
      if (running) return;
      running = true;
      connect();
    },
    stop,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
