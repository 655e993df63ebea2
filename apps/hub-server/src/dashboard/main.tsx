import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { createDashboardServices, DashboardProvider } from './app/dashboard-context';
import { browserNavigation } from './app/router';
import { createDashboardFormat } from './format/format';
import './styles.css';

const locale = navigator.language || 'en-GB';
const services = createDashboardServices({
  fetch: window.fetch.bind(window),
  storage: window.sessionStorage,
  navigation: browserNavigation(window),
  format: createDashboardFormat(locale, Intl.DateTimeFormat().resolvedOptions().timeZone),
  now: () => Date.now(),
});

const container = document.getElementById('root');
if (!container) throw new Error('index.html lost its #root element.');
createRoot(container).render(
  <DashboardProvider services={services}>
    <App />
  </DashboardProvider>,
);
