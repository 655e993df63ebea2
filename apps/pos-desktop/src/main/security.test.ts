import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY,
  contentSecurityPolicy,
  hardenWebContents,
  inputAction,
  isTrustedSender,
  mayFrameNavigate,
  refuseAllPermissions,
  refusePermissionCheck,
  secureWebPreferences,
  type HardenableContents,
} from './security';

type Listener = (event: { preventDefault(): void }, arg?: unknown) => void;

const KEY = { type: 'keyDown', control: false, meta: false, shift: false, alt: false };

function fakeContents() {
  const listeners = new Map<string, Listener>();
  const calls: string[] = [];
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const contents = {
    setWindowOpenHandler: (handler: (details: { url: string }) => { action: 'deny' }) =>
      void (openHandler = handler),
    on: (event: string, listener: Listener) => void listeners.set(event, listener),
    closeDevTools: () => void calls.push('closeDevTools'),
    toggleDevTools: () => void calls.push('toggleDevTools'),
    reload: () => void calls.push('reload'),
  } as unknown as HardenableContents;
  const fire = (event: string, url = '') => {
    let prevented = false;
    listeners.get(event)?.({ preventDefault: () => void (prevented = true) }, url);
    return prevented;
  };
  const frameNavigation = (url: string, isMainFrame: boolean) => {
    let prevented = false;
    listeners.get('will-frame-navigate')?.({
      url,
      isMainFrame,
      preventDefault: () => void (prevented = true),
    } as never);
    return prevented;
  };
  const press = (input: Partial<typeof KEY> & { key: string }) => {
    let prevented = false;
    listeners.get('before-input-event')?.(
      { preventDefault: () => void (prevented = true) },
      { ...KEY, ...input },
    );
    return prevented;
  };
  return {
    contents,
    fire,
    frameNavigation,
    press,
    calls,
    has: (event: string) => listeners.has(event),
    emit: (event: string) => listeners.get(event)?.({ preventDefault() {} }),
    open: (url: string) => openHandler?.({ url }),
  };
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
        devTools: false,
      });
    });

    it('keeps developer tools only for an unlocked till (a checkout, not kiosk)', () => {
      expect(secureWebPreferences('/p.cjs', { locked: false }).devTools).toBe(true);
      expect(secureWebPreferences('/p.cjs', { locked: true }).devTools).toBe(false);
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
      hardenWebContents(contents, { locked: true, log: (message) => refused.push(message) });
      expect(open('https://example.com/')).toEqual({ action: 'deny' });
      expect(fire('will-navigate', 'https://example.com/phish')).toBe(true);
      expect(fire('will-redirect', 'file:///etc/passwd')).toBe(true);
      expect(fire('will-navigate', 'pos-app://other/index.html')).toBe(true);
      expect(fire('will-attach-webview')).toBe(true);
      expect(fire('will-navigate', APP_ENTRY)).toBe(false);
      expect(refused).toContain('refused to navigate to https://example.com/phish');
    });

    it('checks every frame: the receipt preview may hold inline HTML, nothing may leave the bundle', () => {
      const { contents, frameNavigation } = fakeContents();
      hardenWebContents(contents, { locked: true });
      expect(frameNavigation('about:srcdoc', false)).toBe(false);
      expect(frameNavigation(`${APP_ENTRY}#/sell`, true)).toBe(false);
      expect(frameNavigation('https://example.com/', false)).toBe(true);
      expect(frameNavigation('about:srcdoc', true)).toBe(true);
      expect(frameNavigation('data:text/html,<script>1</script>', false)).toBe(true);
    });

    it('swallows devtools, reload and zoom keys on a locked till and closes devtools if they open', () => {
      const { contents, press, calls, emit } = fakeContents();
      hardenWebContents(contents, { locked: true });
      expect(press({ key: 'I', control: true, shift: true })).toBe(true);
      expect(press({ key: 'r', control: true })).toBe(true);
      expect(press({ key: '=', control: true })).toBe(true);
      expect(press({ key: 'F5' })).toBe(false);
      expect(calls).toEqual([]);
      emit('devtools-opened');
      expect(calls).toEqual(['closeDevTools']);
    });

    it('gives a developer devtools and reload on their usual keys when unlocked', () => {
      const { contents, press, calls, has } = fakeContents();
      hardenWebContents(contents, { locked: false });
      expect(press({ key: 'F12' })).toBe(true);
      expect(press({ key: 'r', meta: true })).toBe(true);
      expect(calls).toEqual(['toggleDevTools', 'reload']);
      expect(has('devtools-opened')).toBe(false);
    });
  });

  describe('inputAction', () => {
    it("passes the till's own keys and key releases through", () => {
      for (const key of ['F1', 'F5', 'F9', 'F10', 'Enter', 'a', '0', 'Escape']) {
        expect(inputAction({ ...KEY, key }, true)).toBe('pass');
      }
      expect(inputAction({ ...KEY, type: 'keyUp', key: 'r', control: true }, true)).toBe('pass');
      expect(inputAction({ ...KEY, key: 'ArrowLeft', alt: true }, true)).toBe('block');
      expect(inputAction({ ...KEY, key: '0', control: true }, true)).toBe('block');
      expect(inputAction({ ...KEY, key: 'i', meta: true, alt: true }, true)).toBe('block');
    });
  });

  describe('mayFrameNavigate', () => {
    it('lets only subframes load inline documents', () => {
      expect(mayFrameNavigate('about:blank', false)).toBe(true);
      expect(mayFrameNavigate('about:blank', true)).toBe(false);
      expect(mayFrameNavigate('pos-app://bundle/display', true)).toBe(true);
    });
  });

  describe('refuseAllPermissions', () => {
    it('answers every permission request with no', () => {
      let granted: boolean | undefined;
      refuseAllPermissions({}, 'media', (answer) => (granted = answer));
      expect(granted).toBe(false);
      expect(refusePermissionCheck()).toBe(false);
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
