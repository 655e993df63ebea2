/**
 * Electron main process of the desktop till: one instance per machine, a hardened window loading the
 * renderer from the app bundle, and the store node (engine + local server) supervised in its own process.
 * The decisions live in small tested modules (security, app-protocol, window-state, node-supervisor,
 * receipt-printer, cash-drawer, desktop-config); this file wires them to Electron.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  screen,
  session,
  utilityProcess,
} from 'electron';
import { redeemDrawerGrant } from '../engine/drawer-grant';
import { redeemPrintGrant } from '../engine/print-grant';
import { IPC, type ConnectionInfo } from '../shared/ipc-channels';
import { bundleHeaders, resolveBundleRequest } from './app-protocol';
import { openCashDrawer } from './cash-drawer';
import { backupToCopy } from './backup-copy';
import { customerScreen, DISPLAY_PAGE } from './customer-display';
import {
  DesktopConfigError,
  desktopSettingsOf,
  loadDesktopConfig,
  rawReceiptTransport,
  saveDesktopSettings,
  type DesktopConfig,
} from './desktop-config';
import {
  nodeArguments,
  nodeEnvironment,
  STORE_NODE_V8_FLAGS,
  watchNodeProcess,
  type SpawnedProcess,
} from './node-launcher';
import { createNodeSupervisor, type NodeState } from './node-supervisor';
import { keepsServing, posStoreArguments } from './pos-store-mode';
import { printEscPosReceipt, printReceiptSilently, type PrintWindow } from './receipt-printer';
import { watchRenderer } from './renderer-watchdog';
import {
  APP_ENTRY,
  APP_ORIGIN,
  APP_SCHEME,
  contentSecurityPolicy,
  hardenWebContents,
  isTrustedSender,
  refuseAllPermissions,
  refusePermissionCheck,
  secureWebPreferences,
} from './security';
import { readWindowState, restoreBounds, writeWindowState } from './window-state';

const appDir = app.getAppPath();
const DIST = join(appDir, 'dist');
const paths = {
  renderer: join(DIST, 'renderer'),
  preload: join(DIST, 'preload', 'preload.cjs'),
  nodeEntry: join(DIST, 'main', 'store-node.cjs'),
  migrations: join(DIST, 'migrations'),
  windowState: () => join(app.getPath('userData'), 'window-state.json'),
};

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const log = (message: string) => process.stderr.write(`pos-desktop: ${message}\n`);

function launchNode(config: DesktopConfig, token: string, drawerKey: Uint8Array): SpawnedProcess {
  const args = nodeArguments({
    entry: paths.nodeEntry,
    dataDir: config.dataDir,
    port: config.port,
    lan: config.lan,
    migrationsDir: paths.migrations,
    rendererDir: paths.renderer,
    hubUrl: config.hubUrl,
    ...(config.fixture === undefined ? {} : { fixture: config.fixture }),
    token,
  });
  const env = nodeEnvironment(process.env, token, drawerKey);
  // Installed builds run the node in an Electron utility process (better-sqlite3 is rebuilt for Electron).
  // `npm run desktop` from a checkout runs it on the Node that installed node_modules, whose ABI it matches.
  const devNode = process.env.POS_DESKTOP_NODE_BINARY;
  if (!app.isPackaged && devNode) {
    const child = spawn(devNode, [...STORE_NODE_V8_FLAGS, paths.nodeEntry, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      onExit: (listener) => void child.once('exit', (code) => listener(code)),
      requestStop: () => void child.kill('SIGTERM'),
      kill: () => void child.kill('SIGKILL'),
    };
  }
  const child = utilityProcess.fork(paths.nodeEntry, args, {
    env,
    execArgv: [...STORE_NODE_V8_FLAGS],
    stdio: 'pipe',
    serviceName: 'POS store node',
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    requestStop: () => child.postMessage({ type: 'stop' }),
    kill: () => void child.kill(),
  };
}

function offscreenPrintWindow(): PrintWindow {
  const window = new BrowserWindow({
    show: false,
    webPreferences: { ...secureWebPreferences(''), preload: undefined, javascript: false, devTools: false },
  });
  return {
    load: (html) => window.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`),
    print: (options) =>
      new Promise((resolvePrint) =>
        window.webContents.print(options, (success, failureReason) =>
          resolvePrint({ success, failureReason }),
        ),
      ),
    close: () => {
      if (!window.isDestroyed()) window.destroy();
    },
  };
}

/** Reloads a window whose renderer died or hung (see renderer-watchdog). */
function watchWindow(window: BrowserWindow, url: string): void {
  watchRenderer(
    {
      onGone: (listener) =>
        void window.webContents.on('render-process-gone', (_event, details) => listener(details.reason)),
      onUnresponsive: (listener) => void window.on('unresponsive', listener),
      onResponsive: (listener) => void window.on('responsive', listener),
      reload: () => void window.loadURL(url),
      crash: () => window.webContents.forcefullyCrashRenderer(),
      giveUp: (message) => dialog.showErrorBox('The till stopped', message),
    },
    { log },
  );
}

/** The customer-facing display: the till's sale, full screen on the second screen, never focused. */
function createDisplayWindow(bounds: Electron.Rectangle, locked: boolean): BrowserWindow {
  const url = `${APP_ORIGIN}/${DISPLAY_PAGE}`;
  const window = new BrowserWindow({
    ...bounds,
    show: false,
    frame: false,
    fullscreen: true,
    focusable: false,
    skipTaskbar: true,
    backgroundColor: '#000000',
    title: 'Customer display',
    webPreferences: secureWebPreferences(paths.preload, { locked }),
  });
  watchWindow(window, url);
  window.once('ready-to-show', () => window.showInactive());
  void window.loadURL(url);
  return window;
}

function createWindow(config: DesktopConfig, locked: boolean): BrowserWindow {
  const state = restoreBounds(
    readWindowState(paths.windowState()),
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const window = new BrowserWindow({
    ...state.bounds,
    show: false,
    kiosk: config.kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#f4f5f7',
    title: 'POS',
    webPreferences: secureWebPreferences(paths.preload, { locked }),
  });
  watchWindow(window, APP_ENTRY);
  window.once('ready-to-show', () => {
    if (state.maximized && !config.kiosk) window.maximize();
    window.show();
  });
  window.on('close', () => {
    if (!config.kiosk) {
      writeWindowState(paths.windowState(), {
        bounds: window.getNormalBounds(),
        maximized: window.isMaximized(),
      });
    }
  });
  void window.loadURL(APP_ENTRY);
  return window;
}

function start(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let config: DesktopConfig;
  try {
    config = loadDesktopConfig({ argv: process.argv.slice(1), userDataDir: app.getPath('userData') });
  } catch (error) {
    void app.whenReady().then(() => {
      dialog.showErrorBox(
        'POS settings',
        error instanceof DesktopConfigError ? error.message : String(error),
      );
      app.exit(2);
    });
    return;
  }
  const token = randomBytes(32).toString('base64url');
  // The node signs drawer grants with this key; only grants it signed open the drawer (drawer-grant.ts).
  const drawerKey = randomBytes(32);
  const usedDrawerGrants = new Map<string, number>();
  const usedPrintGrants = new Map<string, number>();
  // An installed till, or any till in kiosk mode, is locked: no devtools, reload, zoom or history keys.
  const locked = app.isPackaged || config.kiosk;
  let window: BrowserWindow | undefined;
  let displayWindow: BrowserWindow | undefined;
  let nodeUrl: string | undefined;

  /** Opens or closes the customer display as the settings and the attached screens say. */
  const syncCustomerDisplay = () => {
    if (!window || window.isDestroyed()) return;
    const target = config.customerDisplay
      ? customerScreen(
          screen.getAllDisplays().map((display) => ({ id: display.id, bounds: display.bounds })),
          screen.getDisplayMatching(window.getBounds()).id,
        )
      : null;
    if (target === null) {
      if (displayWindow && !displayWindow.isDestroyed()) displayWindow.destroy();
      displayWindow = undefined;
      return;
    }
    if (displayWindow && !displayWindow.isDestroyed()) displayWindow.setBounds(target.bounds);
    else displayWindow = createDisplayWindow(target.bounds, locked);
  };

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { locked, log }));

  const supervisor = createNodeSupervisor({
    launch: () => watchNodeProcess(launchNode(config, token, drawerKey)),
    onState: (state: NodeState) => {
      log(`store node ${state.status}${'message' in state ? `: ${state.message}` : ''}`);
      if (state.status === 'running' && !window) {
        nodeUrl = state.url;
        window = createWindow(config, locked);
        window.on('closed', () => {
          if (displayWindow && !displayWindow.isDestroyed()) displayWindow.destroy();
        });
        syncCustomerDisplay();
      }
      if (state.status === 'failed') {
        dialog.showErrorBox('The store node stopped', state.message);
        app.exit(1);
      }
    },
  });

  ipcMain.on(IPC.connection, (event) => {
    if (!isTrustedSender(event.senderFrame?.url) || nodeUrl === undefined) {
      event.returnValue = null;
      return;
    }
    const info: ConnectionInfo = { url: nodeUrl, token, appVersion: app.getVersion() };
    event.returnValue = info;
  });
  ipcMain.handle(IPC.printReceipt, (event, html: unknown) =>
    isTrustedSender(event.senderFrame?.url)
      ? printReceiptSilently(html, config.printerName, offscreenPrintWindow)
      : { ok: false, message: 'Refused.' },
  );
  ipcMain.handle(IPC.printReceiptRaw, (event, grant: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return { ok: false, message: 'Refused.' };
    const check = redeemPrintGrant(drawerKey, grant, Date.now(), usedPrintGrants);
    if (!check.ok) {
      log(`refused to print raw receipt bytes: ${check.reason} grant`);
      return {
        ok: false,
        message: 'That receipt was not prepared by this till for printing. Print a copy from the sale.',
      };
    }
    return printEscPosReceipt(check.bytes, rawReceiptTransport(config));
  });
  ipcMain.handle(IPC.listPrinters, async (event) => {
    if (!isTrustedSender(event.senderFrame?.url)) return [];
    const printers = await event.sender.getPrintersAsync();
    return printers.map(({ name, displayName }) => ({ name, displayName }));
  });
  ipcMain.handle(IPC.readSettings, (event) =>
    isTrustedSender(event.senderFrame?.url) ? desktopSettingsOf(config) : null,
  );
  ipcMain.handle(IPC.saveSettings, (event, settings: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return { ok: false, message: 'Refused.' };
    try {
      config = saveDesktopSettings({ userDataDir: app.getPath('userData'), current: config, settings });
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    // Kiosk and the customer display switch now; the printer is read at the next print.
    window?.setKiosk(config.kiosk);
    syncCustomerDisplay();
    return { ok: true };
  });
  ipcMain.handle(IPC.saveBackupCopy, async (event, file: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return { ok: false, message: 'Refused.' };
    const source = backupToCopy(file, config.dataDir);
    if (source === null)
      return { ok: false, message: 'That is not a backup of this till. Make a backup first.' };
    const options = { title: 'Save a copy of the backup', defaultPath: basename(source) };
    const chosen = window
      ? await dialog.showSaveDialog(window, options)
      : await dialog.showSaveDialog(options);
    if (chosen.canceled || chosen.filePath === undefined) return { ok: false, message: 'No copy was saved.' };
    try {
      await copyFile(source, chosen.filePath, fsConstants.COPYFILE_EXCL);
      return { ok: true };
    } catch (error) {
      return {
        ok: false,
        message: `The copy was not saved (${error instanceof Error ? error.message : String(error)}). Choose another place or name.`,
      };
    }
  });
  ipcMain.handle(IPC.openCashDrawer, (event, grant: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return { ok: false, message: 'Refused.' };
    const check = redeemDrawerGrant(drawerKey, grant, Date.now(), usedDrawerGrants);
    if (!check.ok) {
      log(`refused to open the cash drawer: ${check.reason} grant`);
      return {
        ok: false,
        message: 'The cash drawer opens only for a signed-in staff member allowed to open it. Sign in again.',
      };
    }
    return openCashDrawer(config.drawer, config.pulse);
  });

  void app.whenReady().then(() => {
    // Without a menu Electron binds none of its default accelerators (reload, zoom, devtools, quit).
    Menu.setApplicationMenu(null);
    session.defaultSession.setPermissionRequestHandler(refuseAllPermissions);
    session.defaultSession.setPermissionCheckHandler(refusePermissionCheck);
    protocol.handle(APP_SCHEME, async (request) => {
      const target = resolveBundleRequest(request.url, paths.renderer);
      if (target.kind === 'not-found' || nodeUrl === undefined)
        return new Response('Not found', { status: 404 });
      try {
        return new Response(await readFile(target.path), {
          headers: bundleHeaders(target.contentType, contentSecurityPolicy(nodeUrl)),
        });
      } catch {
        return new Response('Not found', { status: 404 });
      }
    });
    screen.on('display-added', syncCustomerDisplay);
    screen.on('display-removed', syncCustomerDisplay);
    supervisor.start();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => supervisor.stop());
}

/** `retail-pos pos-store ...`: the CLI, loaded only in this mode (it opens SQLite in this process). */
async function runPosStore(cliArgs: string[]): Promise<void> {
  const { main: posStore } = await import('../cli/main');
  const code = await posStore(cliArgs);
  if (code !== 0 || !keepsServing(cliArgs)) app.exit(code);
}

const posStoreArgs = posStoreArguments(process.argv, app.isPackaged);
if (posStoreArgs === null) start();
else void runPosStore(posStoreArgs);
