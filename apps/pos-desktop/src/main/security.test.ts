import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY,
  contentSecurityPolicy,
  hardenWebContents,
  isTrustedSender,
  refuseAllPermissions,
  secureWebPreferences,
  type HardenableContents,
} from './security';

type Listener = (event: { preventDefault(): void }, url: string) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const contents: HardenableContents = {
    setWindowOpenHandler: (handler) => void (openHandler = handler),
    on: (event: string, listener: Listener) => void listeners.set(event, listener),
  } as HardenableContents;
  const fire = (event: string, url = '') => {
    let prevented = false;
    listeners.get(event)?.({ preventDefault: () => void (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('security', () => {
  describe('secureWebPreferences', () => {
    it('isolates and sandboxes the renderer without Node', () => {
      expect(secureWebPreferences('/app/dist/preload/preload.cjs')).toMatchObject({
        preload: '/app/dist/preload/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      });
    });
  });

  describe('contentSecurityPolicy', () => {
    it('allows scripts from the bundle only and connections to the local node only', () => {
      const csp = contentSecurityPolicy('http://127.0.0.1:7420');
      const directives = Object.fromEntries(csp.split('; ').map((part) => [part.split(' ')[0], part]));
      expect(directives['script-src']).toBe("script-src 'self'");
      expect(directives['connect-src']).toBe("connect-src 'self' http://127.0.0.1:7420 ws://127.0.0.1:7420");
      expect(directives['object-src']).toBe("object-src 'none'");
      expect(directives['default-src']).toBe("default-src 'self'");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    });
  });

  describe('hardenWebContents', () => {
    it('denies new windows, webviews and navigation away from the bundle', () => {
      const refused: string[] = [];
      const { contents, fire, open } = fakeContents();
      hardenWebContents(contents, (message) => refused.push(message));
      expect(open('https://example.com/')).toEqual({ action: 'deny' });
      expect(fire('will-navigate', 'https://example.com/phish')).toBe(true);
      expect(fire('will-redirect', 'file:///etc/passwd')).toBe(true);
      expect(fire('will-navigate', 'pos-app://other/index.html')).toBe(true);
      expect(fire('will-attach-webview')).toBe(true);
      expect(fire('will-navigate', APP_ENTRY)).toBe(false);
      expect(refused).toContain('refused to navigate to https://example.com/phish');
    });
  });

  describe('refuseAllPermissions', () => {
    it('answers every permission request with no', () => {
      let granted: boolean | undefined;
      refuseAllPermissions({}, 'media', (answer) => (granted = answer));
      expect(granted).toBe(false);
    });
  });

  describe('isTrustedSender', () => {
    it('trusts only frames of the app bundle', () => {
      expect(isTrustedSender('pos-app://bundle/index.html')).toBe(true);
      expect(isTrustedSender('http://127.0.0.1:7420/')).toBe(false);
      expect(isTrustedSender('data:text/html,hi')).toBe(false);
      expect(isTrustedSender(undefined)).toBe(false);
    });
  });
});
