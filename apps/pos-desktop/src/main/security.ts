/**
 * The Electron security baseline, as plain data and handlers so it is tested without the Electron binary:
 * an isolated, sandboxed renderer without Node, a strict Content-Security-Policy, and no navigation, new
 * windows, webviews or permissions beyond what a till needs (none).
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
}

export function secureWebPreferences(preload: string): SecureWebPreferences {
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

/** The parts of Electron's WebContents the hardening touches (so a test can hand in a fake). */
export interface HardenableContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
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

export function hardenWebContents(
  contents: HardenableContents,
  log: (message: string) => void = () => undefined,
): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`refused to open a window for ${url}`);
    return { action: 'deny' };
  });
  const stayInApp = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      log(`refused to navigate to ${url}`);
    }
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** A till asks for no camera, microphone, notifications or geolocation: every permission is refused. */
export function refuseAllPermissions(
  _contents: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false);
}

/** IPC is answered only for frames of the app bundle, never for anything a navigation could have loaded. */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  return frameUrl !== undefined && isAppUrl(frameUrl);
}
