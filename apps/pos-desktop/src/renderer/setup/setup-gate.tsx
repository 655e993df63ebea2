import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { CommandResponse, NodeSetupStatus } from '../../shared/commands';
import { usePos } from '../app/pos-context';
import { t } from '../i18n/translate';
import { SetupProgress } from './setup-progress';
import { SetupScreen } from './setup-screen';

type GateState =
  | { readonly kind: 'checking' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'needs-setup'; readonly hubUrl: string | null }
  | { readonly kind: 'just-set-up'; readonly result: CommandResponse<'node-setup'> };

/**
 * A new till shows its setup screen instead of the sign-in screen: the node answers `node-setup-status`
 * with `needs-setup` until it is set up. Right after the setup the progress of the first download from the
 * hub is shown, then the till as usual. A node that cannot answer (older, or unreachable for now) is taken
 * as set up: the till's own screens say what is wrong with the connection.
 */
export function SetupGate({ children }: { children: ReactNode }) {
  const { client } = usePos();
  const [state, setState] = useState<GateState>({ kind: 'checking' });
  const check = useCallback(async () => {
    const result = await client.send('node-setup-status', {});
    const status: NodeSetupStatus | null = result.ok ? result.value : null;
    setState((current) => {
      if (current.kind === 'just-set-up') return current;
      if (status?.state === 'needs-setup') return { kind: 'needs-setup', hubUrl: status.hubUrl };
      return { kind: 'ready' };
    });
  }, [client]);
  useEffect(() => {
    void check();
    // The node swaps its setup server for the store server on the same port: check again on reconnect.
    return client.onConnection((connection) => {
      if (connection === 'online') void check();
    });
  }, [client, check]);
  switch (state.kind) {
    case 'checking':
      return (
        <main className="sign-in">
          <p>{t('app.connecting')}</p>
        </main>
      );
    case 'needs-setup':
      return (
        <SetupScreen hubUrl={state.hubUrl} onSetUp={(result) => setState({ kind: 'just-set-up', result })} />
      );
    case 'just-set-up':
      return <SetupProgress result={state.result} onContinue={() => setState({ kind: 'ready' })} />;
    case 'ready':
      return <>{children}</>;
  }
}
