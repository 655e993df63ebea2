import { useEffect, useMemo, useState } from 'react';
import type { ClientCredential } from '../../shared/command-client';
import type { PosClient } from '../api/pos-client';
import {
  forgetPairing,
  saveLanePairing,
  type ConnectionPlan,
  type KeyValueStorage,
} from '../connection/connection';
import type { PairDevice } from '../connection/pair-request';
import { PairingScreen } from '../connection/pairing-screen';
import type { PosDevices } from '../devices/devices';
import { t } from '../i18n/translate';
import { SetupGate } from '../setup/setup-gate';
import { App } from './app';
import { PosProvider } from './pos-context';
import { createPosServices } from './pos-services';

export interface RootProps {
  readonly initialPlan: ConnectionPlan;
  readonly storage: KeyValueStorage;
  readonly connect: (url: string, credential: ClientCredential) => PosClient;
  /** Trades a pairing code for this lane's credential (`POST /lanes/pair` on the node). */
  readonly pair: PairDevice;
  readonly devices: PosDevices;
}

/** Pairs the device if it must, then runs the till against its store node. */
export function Root({ initialPlan, storage, connect, pair, devices }: RootProps) {
  const [plan, setPlan] = useState<ConnectionPlan>(initialPlan);
  const [notice, setNotice] = useState<string | null>(null);
  if (plan.kind === 'pairing') {
    return (
      <PairingScreen
        kind="lane"
        notice={notice}
        pair={pair}
        onPaired={(paired) => {
          saveLanePairing(storage, paired);
          setNotice(null);
          setPlan({
            kind: 'browser',
            url: plan.url,
            credential: { lane: paired.credential },
            registerId: paired.registerId,
          });
        }}
      />
    );
  }
  return (
    <Connected
      key={`${plan.url}|${JSON.stringify(plan.credential)}|${plan.registerId}`}
      plan={plan}
      connect={connect}
      devices={devices}
      onRefused={() => {
        if (plan.kind === 'browser') {
          forgetPairing(storage);
          setNotice(t('pairing.refused'));
          setPlan({ kind: 'pairing', url: plan.url, registerId: plan.registerId });
        }
      }}
    />
  );
}

function Connected({
  plan,
  connect,
  devices,
  onRefused,
}: {
  plan: Exclude<ConnectionPlan, { kind: 'pairing' }>;
  connect: RootProps['connect'];
  devices: PosDevices;
  onRefused: () => void;
}) {
  const services = useMemo(
    () =>
      createPosServices({ client: connect(plan.url, plan.credential), devices, registerId: plan.registerId }),
    [plan, connect, devices],
  );
  useEffect(() => () => services.dispose(), [services]);
  useEffect(() => {
    if (services.client.connection() === 'refused') onRefused();
    return services.client.onConnection((state) => {
      if (state === 'refused') onRefused();
    });
  }, [services, onRefused]);
  return (
    <PosProvider services={services}>
      <SetupGate>
        <App />
      </SetupGate>
    </PosProvider>
  );
}
