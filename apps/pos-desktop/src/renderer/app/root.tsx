import { useEffect, useMemo, useState } from 'react';
import type { PosClient } from '../api/pos-client';
import {
  forgetPairing,
  savePairing,
  type ConnectionPlan,
  type KeyValueStorage,
} from '../connection/connection';
import { PairingScreen } from '../connection/pairing-screen';
import type { PosDevices } from '../devices/devices';
import { t } from '../i18n/translate';
import { App } from './app';
import { PosProvider } from './pos-context';
import { createPosServices } from './pos-services';

export interface RootProps {
  readonly initialPlan: ConnectionPlan;
  readonly storage: KeyValueStorage;
  readonly connect: (url: string, token: string) => PosClient;
  readonly devices: PosDevices;
}

/** Pairs the device if it must, then runs the till against its store node. */
export function Root({ initialPlan, storage, connect, devices }: RootProps) {
  const [plan, setPlan] = useState<ConnectionPlan>(initialPlan);
  const [notice, setNotice] = useState<string | null>(null);
  if (plan.kind === 'pairing') {
    return (
      <PairingScreen
        registerId={plan.registerId}
        notice={notice}
        onPair={(token, registerId) => {
          savePairing(storage, token, registerId);
          setNotice(null);
          setPlan({ kind: 'browser', url: plan.url, token, registerId });
        }}
      />
    );
  }
  return (
    <Connected
      key={`${plan.url}|${plan.token}|${plan.registerId}`}
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
    () => createPosServices({ client: connect(plan.url, plan.token), devices, registerId: plan.registerId }),
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
      <App />
    </PosProvider>
  );
}
