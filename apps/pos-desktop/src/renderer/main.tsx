import { createRoot } from 'react-dom/client';
import { createCommandClient } from '../shared/command-client';
import { posClientFrom } from './api/pos-client';
import { Root } from './app/root';
import { planConnection } from './connection/connection';
import { pairWithNode } from './connection/pair-request';
import { DESKTOP_BRIDGE_KEY, type DesktopBridge } from '../shared/desktop-bridge';
import { browserDevices, desktopDevices } from './devices/devices';
import './styles.css';

const bridge = (window as unknown as Record<string, DesktopBridge | undefined>)[DESKTOP_BRIDGE_KEY];
const { plan, cleanHref } = planConnection({
  bridge,
  href: window.location.href,
  storage: window.localStorage,
});
if (cleanHref !== null) window.history.replaceState(null, '', cleanHref);

const container = document.getElementById('root');
if (!container) throw new Error('index.html lost its #root element.');
createRoot(container).render(
  <Root
    initialPlan={plan}
    storage={window.localStorage}
    connect={(url, credential) => posClientFrom(createCommandClient(url, credential))}
    pair={pairWithNode(window.location.origin)}
    devices={bridge ? desktopDevices(bridge) : browserDevices(document)}
  />,
);
