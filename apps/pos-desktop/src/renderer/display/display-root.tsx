import { useEffect, useMemo, useState } from 'react';
import { io } from 'socket.io-client';
import type { ClientCredential } from '../../shared/command-client';
import {
  CustomerDisplayStateSchema,
  DISPLAY_EVENT,
  type CustomerDisplayState,
} from '../../shared/customer-display';
import type { KeyValueStorage } from '../connection/connection';
import type { PairDevice } from '../connection/pair-request';
import { PairingScreen } from '../connection/pairing-screen';
import { t } from '../i18n/translate';
import { CustomerDisplay } from './customer-display';

export const DISPLAY_STORAGE_KEY = 'pos.display.credential';

/** How a display proves who it is: a display credential of its own, or the desktop shell's token. */
export type DisplayAuth = ClientCredential | { readonly token: string; readonly display: string };

/** Opens the display's socket and calls back with each state; returns the function that closes it. */
export type DisplayConnector = (
  url: string,
  auth: DisplayAuth,
  on: { state(state: CustomerDisplayState): void; refused(): void; offline(): void },
) => () => void;

export const socketDisplayConnector: DisplayConnector = (url, auth, on) => {
  const socket = io(url, {
    auth: typeof auth === 'string' ? { token: auth } : { ...auth },
    transports: ['websocket', 'polling'],
    reconnectionDelayMax: 5000,
  });
  socket.on(DISPLAY_EVENT, (payload: unknown) => {
    const parsed = CustomerDisplayStateSchema.safeParse(payload);
    if (parsed.success) on.state(parsed.data);
  });
  socket.on('connect_error', (error) => {
    if (error.message === 'unauthorized') {
      socket.disconnect();
      on.refused();
    } else on.offline();
  });
  socket.on('disconnect', () => on.offline());
  return () => socket.disconnect();
};

export interface DisplayRootProps {
  readonly url: string;
  /** Given in the desktop shell (launch token and register); absent in a browser, which pairs. */
  readonly desktop: { readonly token: string; readonly registerId: string } | null;
  readonly storage: KeyValueStorage;
  readonly pair: PairDevice;
  readonly connect: DisplayConnector;
}

/** A customer display: paired once with a display code, then showing its register's sale live. */
export function DisplayRoot({ url, desktop, storage, pair, connect }: DisplayRootProps) {
  const [credential, setCredential] = useState<string | null>(() => storage.getItem(DISPLAY_STORAGE_KEY));
  const [state, setState] = useState<CustomerDisplayState | null>(null);
  const [offline, setOffline] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const desktopToken = desktop?.token;
  const desktopRegister = desktop?.registerId;
  // Rebuilt only when the credential changes: a new object with the same credential must not reconnect.
  const auth = useMemo<DisplayAuth | null>(
    () =>
      desktopToken !== undefined && desktopRegister !== undefined
        ? { token: desktopToken, display: desktopRegister }
        : credential === null
          ? null
          : { lane: credential },
    [desktopToken, desktopRegister, credential],
  );
  useEffect(() => {
    if (auth === null) return undefined;
    return connect(url, auth, {
      state(next) {
        setOffline(false);
        setState(next);
      },
      refused() {
        storage.removeItem(DISPLAY_STORAGE_KEY);
        setCredential(null);
        setState(null);
        setNotice(t('pairing.refused'));
      },
      offline: () => setOffline(true),
    });
  }, [url, auth, connect, storage]);
  if (auth === null) {
    return (
      <PairingScreen
        kind="display"
        notice={notice}
        pair={pair}
        onPaired={(paired) => {
          storage.setItem(DISPLAY_STORAGE_KEY, paired.credential);
          setNotice(null);
          setCredential(paired.credential);
        }}
      />
    );
  }
  return (
    <>
      {state === null ? (
        <main className="customer-display idle" aria-label={t('display.title')}>
          <p>{t('display.connecting')}</p>
        </main>
      ) : (
        <CustomerDisplay state={state} />
      )}
      {offline ? <p className="display-offline">{t('display.offline')}</p> : null}
    </>
  );
}
