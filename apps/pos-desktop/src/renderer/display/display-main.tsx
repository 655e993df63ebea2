import { createRoot } from 'react-dom/client';
import { pairWithNode } from '../connection/pair-request';
import { DESKTOP_BRIDGE_KEY, type DesktopBridge } from '../../shared/desktop-bridge';
import '../styles.css';
import { DisplayRoot, socketDisplayConnector } from './display-root';

const bridge = (window as unknown as Record<string, DesktopBridge | undefined>)[DESKTOP_BRIDGE_KEY];
const register = new URL(window.location.href).searchParams.get('register');

const container = document.getElementById('root');
if (!container) throw new Error('display/index.html lost its #root element.');
createRoot(container).render(
  <DisplayRoot
    url={bridge ? bridge.url : window.location.origin}
    desktop={bridge ? { token: bridge.token, registerId: register ?? 'main' } : null}
    storage={window.localStorage}
    pair={pairWithNode(window.location.origin)}
    connect={socketDisplayConnector}
  />,
);
