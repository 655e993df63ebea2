/**
 * The Electron security baseline, as plain data and handlers so it is tested without the Electron binary:
 * an isolated, sandboxed renderer without Node, a strict Content-Security-Policy, and no navigation, new
 * windows, webviews or permissions beyond what a till needs (none). A locked till (an installed build, or
 * kiosk mode) also has no developer tools and ignores reload, zoom and history shortcuts.
 */

/** The app bundle is served from this origin (a privileged custom scheme, never file://). */
export const APP_SCHEME = 'pos-app';
export const APP_ORIGIN = `${APP_SCHEME}://bundle`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly experimentalFeatures: false;
  readonly webviewTag: false;
  readonly navigateOnDragDrop: false;
  readonly spellcheck: false;
  readonly devTools: boolean;
}

export function secureWebPreferences(
  preload: string,
  options: { readonly locked: boolean } = { locked: true },
): SecureWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: !options.locked,
  };
}

/**
 * The page may load only its own bundle and talk only to the local store node (HTTP for socket.io's
 * handshake, WebSocket for the channel). Inline styles are allowed for the receipt preview, which is the
 * node's self-contained HTML; scripts never are.
 */
export function contentSecurityPolicy(nodeUrl: string): string {
  const node = new URL(nodeUrl);
  const ws = `ws://${node.host}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${node.origin} ${ws}`,
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type Preventable = { preventDefault(): void };

/** A key press as Electron's `before-input-event` reports it. */
export interface KeyInput {
  readonly type: string;
  readonly key: string;
  readonly control: boolean;
  readonly meta: boolean;
  readonly shift: boolean;
  readonly alt: boolean;
}

/** The parts of Electron's WebContents the hardening touches (so a test can hand in a fake). */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: Preventable, url: string) => void): void;
  on(
    event: 'will-frame-navigate',
    listener: (details: Preventable & { url: string; isMainFrame: boolean }) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): void;
  on(event: 'before-input-event', listener: (event: Preventable, input: KeyInput) => void): void;
  on(event: 'devtools-opened', listener: () => void): void;
  closeDevTools(): void;
  toggleDevTools(): void;
  reload(): void;
}

/** Whether a navigation stays inside the app bundle (a reload or an in-app route). */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'bundle';
  } catch {
    return false;
  }
}

/**
 * Whether a frame may load `url`: the page itself only from the bundle; a subframe also the inline
 * documents the renderer builds (the receipt preview is an `<iframe srcdoc>` without scripts).
 */
export function mayFrameNavigate(url: string, isMainFrame: boolean): boolean {
  if (isAppUrl(url)) return true;
  return !isMainFrame && (url === 'about:srcdoc' || url === 'about:blank');
}

export type InputAction = 'pass' | 'block' | 'toggle-devtools' | 'reload';

/**
 * What a key press may do beyond the page. There is no application menu, so Electron binds no reload,
 * zoom or devtools accelerators; a locked till also swallows the ones Chromium itself would act on.
 * F5 is the till's own Pickup-orders key and always reaches the page. Unlocked (a developer's checkout)
 * keeps devtools and reload on their usual keys.
 */
export function inputAction(input: KeyInput, locked: boolean): InputAction {
  if (input.type !== 'keyDown') return 'pass';
  const key = input.key.toLowerCase();
  const command = input.control || input.meta;
  const devtools =
    key === 'f12' ||
    (command && input.shift && ['i', 'j', 'c'].includes(key)) ||
    (input.meta && input.alt && key === 'i');
  const reload = command && key === 'r';
  if (!locked) {
    if (devtools) return 'toggle-devtools';
    if (reload) return 'reload';
    return 'pass';
  }
  const zoom = command && ['+', '=', '-', '_', '0'].includes(key);
  const history = input.alt && (key === 'arrowleft' || key === 'arrowright');
  const browserKeys = ['browserback', 'browserforward', 'browserrefresh', 'zoomin', 'zoomout'].includes(key);
  return devtools || reload || zoom || history || browserKeys ? 'block' : 'pass';
}

export function hardenWebContents(
  contents: HardenableContents,
  options: { readonly locked: boolean; readonly log?: (message: string) => void },
): void {
  const log = options.log ?? (() => undefined);
  contents.setWindowOpenHandler(({ url }) => {
    log(`refused to open a window for ${url}`);
    return { action: 'deny' };
  });
  const stayInApp = (event: Preventable, url: string) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      log(`refused to navigate to ${url}`);
    }
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  // will-navigate sees only the main frame; this one sees every frame, the receipt preview's included.
  contents.on('will-frame-navigate', (details) => {
    if (!mayFrameNavigate(details.url, details.isMainFrame)) {
      details.preventDefault();
      log(`refused to navigate a ${details.isMainFrame ? 'window' : 'frame'} to ${details.url}`);
    }
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('before-input-event', (event, input) => {
    const action = inputAction(input, options.locked);
    if (action === 'pass') return;
    event.preventDefault();
    if (action === 'toggle-devtools') contents.toggleDevTools();
    else if (action === 'reload') contents.reload();
  });
  if (options.locked) contents.on('devtools-opened', () => contents.closeDevTools());
}

/** A till asks for no camera, microphone, notifications or geolocation: every permission is refused. */
export function refuseAllPermissions(
  _contents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false);
}

/** Permission checks (what a page may query synchronously) get the same answer as requests. */
export function refusePermissionCheck(): boolean {
  return false;
}

/** IPC is answered only for frames of the app bundle, never for anything a navigation could have loaded. */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  return frameUrl !== undefined && isAppUrl(frameUrl);
}
