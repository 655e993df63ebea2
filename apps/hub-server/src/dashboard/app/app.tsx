import { assertNever } from '@retail/domain';
import { useEffect, useRef } from 'react';
import { Link } from '../components/link';
import { t, type MessageKey } from '../i18n/translate';
import { CatalogScreen } from '../screens/catalog/catalog-screen';
import { ExceptionsScreen } from '../screens/exceptions/exceptions-screen';
import { IntegrationsScreen } from '../screens/integrations/integrations-screen';
import { InventoryScreen } from '../screens/inventory/inventory-screen';
import { OrderScreen } from '../screens/orders/order-screen';
import { OrdersScreen } from '../screens/orders/orders-screen';
import { PricingScreen } from '../screens/pricing/pricing-screen';
import { SignInScreen } from '../screens/sign-in/sign-in-screen';
import { AlertsScreen } from '../screens/alerts/alerts-screen';
import { AuditScreen } from '../screens/audit/audit-screen';
import { ReportsScreen } from '../screens/reports/reports-screen';
import { SettingsScreen } from '../screens/settings/settings-screen';
import { StaffScreen } from '../screens/staff/staff-screen';
import { StoresScreen } from '../screens/stores/stores-screen';
import { useRoute, useServices, useSession } from './dashboard-context';
import { LiveAnnouncer } from './live-announcer';
import { hrefOf, type Route } from './router';

const SECTIONS: readonly { readonly route: Route; readonly label: MessageKey }[] = [
  { route: { name: 'exceptions' }, label: 'nav.exceptions' },
  { route: { name: 'orders' }, label: 'nav.orders' },
  { route: { name: 'inventory', sku: null }, label: 'nav.inventory' },
  { route: { name: 'catalog' }, label: 'nav.catalog' },
  { route: { name: 'stores' }, label: 'nav.stores' },
  { route: { name: 'pricing' }, label: 'nav.pricing' },
  { route: { name: 'integrations' }, label: 'nav.integrations' },
  { route: { name: 'alerts' }, label: 'nav.alerts' },
  { route: { name: 'reports' }, label: 'nav.reports' },
  { route: { name: 'staff' }, label: 'nav.staff' },
  { route: { name: 'settings' }, label: 'nav.settings' },
  { route: { name: 'audit' }, label: 'nav.audit' },
];

function sectionOf(route: Route): Route['name'] {
  return route.name === 'order' ? 'orders' : route.name;
}

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'exceptions':
      return <ExceptionsScreen />;
    case 'orders':
      return <OrdersScreen />;
    case 'order':
      return <OrderScreen orderId={route.orderId} />;
    case 'inventory':
      return <InventoryScreen sku={route.sku} />;
    case 'catalog':
      return <CatalogScreen />;
    case 'stores':
      return <StoresScreen />;
    case 'pricing':
      return <PricingScreen />;
    case 'integrations':
      return <IntegrationsScreen />;
    case 'staff':
      return <StaffScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'audit':
      return <AuditScreen />;
    case 'reports':
      return <ReportsScreen />;
    case 'alerts':
      return <AlertsScreen />;
    case 'not-found':
      return (
        <section aria-labelledby="not-found-title">
          <h1 id="not-found-title">{t('notFound.title')}</h1>
          <p>{t('notFound.body', { path: route.path })}</p>
          <Link to={{ name: 'exceptions' }}>{t('notFound.back')}</Link>
        </section>
      );
    default:
      return assertNever(route, 'route');
  }
}

/** The signed-in dashboard: sections, who is signed in, and the page the address names. */
export function App() {
  const { api, session, live } = useServices();
  const user = useSession((state) => (state.phase === 'signed-in' ? state.user : null));
  const signedIn = user !== null;
  useEffect(() => {
    if (!signedIn) return undefined;
    live.start();
    return () => live.stop();
  }, [live, signedIn]);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const href = hrefOf(route);
  const firstPage = useRef(true);
  useEffect(() => {
    // After moving to another page, keyboard and screen-reader users start at its content, not the top bar.
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    main.current?.focus();
  }, [href]);
  if (user === null) return <SignInScreen />;

  const signOut = async () => {
    // The session ends here whatever the hub answers: a tab left signed in is the worse outcome.
    await api.logout();
    session.getState().signedOut(t('signIn.signedOut'));
  };
  const current = sectionOf(route);
  return (
    <div className="shell">
      <a className="skip" href="#content">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('nav.title')}>
          <ul className="nav">
            {SECTIONS.map((section) => (
              <li key={section.label}>
                <Link to={section.route} current={current === section.route.name}>
                  {t(section.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {t('nav.signedInAs', { name: user.username, role: t(`role.${user.role}`) })}
        </span>
        <LiveAnnouncer />
        <button type="button" className="btn" onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </header>
      {user.role === 'viewer' ? (
        <p className="banner banner-info" role="note">
          {t('nav.viewerNote')}
        </p>
      ) : null}
      <main id="content" tabIndex={-1} ref={main}>
        <Page route={route} />
      </main>
    </div>
  );
}
