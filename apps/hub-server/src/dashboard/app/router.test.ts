import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './router';

describe('router', () => {
  describe('parseRoute', () => {
    it('reads every page from its path', () => {
      expect(parseRoute('/')).toEqual({ name: 'exceptions' });
      expect(parseRoute('/exceptions')).toEqual({ name: 'exceptions' });
      expect(parseRoute('/orders')).toEqual({ name: 'orders' });
      expect(parseRoute('/orders/W%2012')).toEqual({ name: 'order', orderId: 'W 12' });
      expect(parseRoute('/inventory?sku=%20SKU-1%20')).toEqual({ name: 'inventory', sku: 'SKU-1' });
      expect(parseRoute('/inventory')).toEqual({ name: 'inventory', sku: null });
      expect(parseRoute('/stores')).toEqual({ name: 'stores' });
      expect(parseRoute('/pricing')).toEqual({ name: 'pricing' });
    });

    it('names the path when no page lives there', () => {
      expect(parseRoute('/orders/1/extra')).toEqual({ name: 'not-found', path: '/orders/1/extra' });
      expect(parseRoute('/nowhere')).toEqual({ name: 'not-found', path: '/nowhere' });
    });
  });

  describe('hrefOf', () => {
    it('writes a link that parses back to the same page', () => {
      const routes: Route[] = [
        { name: 'exceptions' },
        { name: 'orders' },
        { name: 'order', orderId: 'ord/1 ä' },
        { name: 'inventory', sku: 'A&B' },
        { name: 'inventory', sku: null },
        { name: 'stores' },
        { name: 'pricing' },
        { name: 'staff' },
        { name: 'settings' },
        { name: 'audit' },
        { name: 'reports' },
      ];
      for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
    });
  });
});
