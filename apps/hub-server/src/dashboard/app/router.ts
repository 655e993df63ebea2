import { assertNever } from '@retail/domain';

/** The dashboard's pages. The hub serves index.html for every one of these paths (SPA fallback). */
export type Route =
  | { readonly name: 'exceptions' }
  | { readonly name: 'orders' }
  | { readonly name: 'order'; readonly orderId: string }
  | { readonly name: 'inventory'; readonly sku: string | null }
  | { readonly name: 'catalog' }
  | { readonly name: 'stores' }
  | { readonly name: 'pricing' }
  | { readonly name: 'integrations' }
  | { readonly name: 'staff' }
  | { readonly name: 'settings' }
  | { readonly name: 'audit' }
  | { readonly name: 'reports' }
  | { readonly name: 'alerts' }
  | { readonly name: 'not-found'; readonly path: string };

export function parseRoute(location: string): Route {
  const url = new URL(location, 'http://dashboard.invalid');
  const parts = url.pathname.split('/').filter((part) => part !== '');
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { name: 'not-found', path: url.pathname };
  if (first === undefined || (first === 'exceptions' && second === undefined)) return { name: 'exceptions' };
  if (first === 'orders' && second === undefined) return { name: 'orders' };
  if (first === 'orders' && second !== undefined) {
    return { name: 'order', orderId: decodeURIComponent(second) };
  }
  if (first === 'inventory' && second === undefined) {
    const sku = url.searchParams.get('sku');
    return { name: 'inventory', sku: sku === null || sku.trim() === '' ? null : sku.trim() };
  }
  if (first === 'catalog' && second === undefined) return { name: 'catalog' };
  if (first === 'stores' && second === undefined) return { name: 'stores' };
  if (first === 'pricing' && second === undefined) return { name: 'pricing' };
  if (first === 'integrations' && second === undefined) return { name: 'integrations' };
  if (first === 'staff' && second === undefined) return { name: 'staff' };
  if (first === 'settings' && second === undefined) return { name: 'settings' };
  if (first === 'audit' && second === undefined) return { name: 'audit' };
  if (first === 'reports' && second === undefined) return { name: 'reports' };
  if (first === 'alerts' && second === undefined) return { name: 'alerts' };
  return { name: 'not-found', path: url.pathname };
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'exceptions':
      return '/';
    case 'orders':
      return '/orders';
    case 'order':
      return `/orders/${encodeURIComponent(route.orderId)}`;
    case 'inventory':
      return route.sku === null ? '/inventory' : `/inventory?sku=${encodeURIComponent(route.sku)}`;
    case 'catalog':
      return '/catalog';
    case 'stores':
      return '/stores';
    case 'pricing':
      return '/pricing';
    case 'integrations':
      return '/integrations';
    case 'staff':
      return '/staff';
    case 'settings':
      return '/settings';
    case 'audit':
      return '/audit';
    case 'reports':
      return '/reports';
    case 'alerts':
      return '/alerts';
    case 'not-found':
      return route.path;
    default:
      return assertNever(route, 'route');
  }
}

/** Where the app is and how it moves: the browser's history, or memory in component tests. */
export interface Navigation {
  current(): string;
  push(href: string): void;
  subscribe(listener: () => void): () => void;
}

export function browserNavigation(window: Window): Navigation {
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  window.addEventListener('popstate', notify);
  return {
    current: () => `${window.location.pathname}${window.location.search}`,
    push(href) {
      window.history.pushState(null, '', href);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function memoryNavigation(initial = '/'): Navigation & { readonly history: string[] } {
  const listeners = new Set<() => void>();
  const history = [initial];
  return {
    history,
    current: () => history[history.length - 1] ?? '/',
    push(href) {
      history.push(href);
      listeners.forEach((listener) => listener());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
