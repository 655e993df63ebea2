import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoFixture } from '../../src/engine/fixture/demo-fixture';
import { initStoreNode } from '../../src/engine/init';
import { TEST_PIN_COST, tempDir } from '../../src/engine/testing/test-node';
import { STORE_NODE_V8_FLAGS } from '../../src/main/node-launcher';
import { APP_ENTRY, APP_SCHEME } from '../../src/main/security';
import { IPC } from '../../src/shared/ipc-channels';
import type { DesktopBridge } from '../../src/shared/desktop-bridge';
import { createCommandClient } from '../../src/shared/command-client';
import { buildShell, type BuiltShell } from './build-shell';
import { createFakeElectron, type FakeElectron } from './fake-electron';
import { loadMainBundle } from './load-main-bundle';
import { runSandboxedPreload } from './sandboxed-preload';

let shell: BuiltShell;
const scratch = tempDir('pos-desktop-main-');
const fakes: FakeElectron[] = [];

beforeAll(() => {
  shell = buildShell('main', { cli: true, renderer: 'placeholder' });
});

afterAll(async () => {
  for (const fake of fakes) {
    for (const { child } of fake.forks) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
  }
  scratch.remove();
});

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function storeNodeData(name: string): string {
  const dir = join(scratch.path, name);
  mkdirSync(dir, { recursive: true });
  initStoreNode({
    databasePath: join(dir, 'store.db'),
    setup: { storeId: 'store-1', storeCode: 'S001', deviceNo: 1, currency: 'EUR' },
    firstManager: { staffCode: '1001', name: 'Morgan', pin: '1234' },
    pinCost: TEST_PIN_COST,
  });
  return dir;
}

/** The demo catalog (its first product scans as 4000000000013), loaded by the node at every start. */
function demoCatalog(): string {
  const file = join(scratch.path, 'demo-fixture.json');
  writeFileSync(file, JSON.stringify(demoFixture({ skus: 20 })));
  return file;
}

function startApp(
  name: string,
  args: readonly string[],
  options: { settings?: unknown; isPackaged?: boolean; singleInstanceLock?: boolean } = {},
) {
  const userData = join(scratch.path, name, 'user-data');
  mkdirSync(userData, { recursive: true });
  if (options.settings !== undefined)
    writeFileSync(join(userData, 'pos-desktop.json'), JSON.stringify(options.settings));
  const isPackaged = options.isPackaged ?? true;
  const fake = createFakeElectron({
    appPath: shell.appDir,
    userData,
    isPackaged,
    ...(options.singleInstanceLock === undefined ? {} : { singleInstanceLock: options.singleInstanceLock }),
  });
  fakes.push(fake);
  const env: NodeJS.ProcessEnv = { ...process.env, POS_STORE_LOG_LEVEL: 'warn' };
  delete env.POS_DESKTOP_NODE_BINARY;
  const { log } = loadMainBundle(shell.main, fake.electron, {
    // A packaged app sees [executable, ...arguments]; `electron .` from a checkout also the app path.
    argv: isPackaged ? ['/opt/Retail POS/retail-pos', ...args] : ['/usr/bin/electron', shell.appDir, ...args],
    env,
  });
  return { fake, log };
}

function stdoutDuring<T>(work: () => Promise<T>): Promise<{ value: T; out: string }> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  return work()
    .then((value) => ({ value, out }))
    .finally(() => {
      process.stdout.write = original;
    });
}

/** A key press as Electron reports it to before-input-event; answers whether the shell swallowed it. */
function press(
  contents: FakeElectron['windows'][number]['webContents'],
  key: string,
  modifiers: { control?: boolean; shift?: boolean; alt?: boolean; meta?: boolean } = {},
): boolean {
  return contents.firePreventable('before-input-event', {
    type: 'keyDown',
    key,
    control: false,
    shift: false,
    alt: false,
    meta: false,
    ...modifiers,
  });
}

/** The shortcuts a locked till swallows, and the till's own function keys it leaves to the page. */
function expectLockedKeys(contents: FakeElectron['windows'][number]['webContents']): void {
  expect(press(contents, 'r', { control: true })).toBe(true);
  expect(press(contents, 'F12')).toBe(true);
  expect(press(contents, 'I', { control: true, shift: true })).toBe(true);
  expect(press(contents, '=', { control: true })).toBe(true);
  expect(press(contents, '-', { control: true })).toBe(true);
  expect(press(contents, '0', { control: true })).toBe(true);
  expect(press(contents, 'ArrowLeft', { alt: true })).toBe(true);
  expect(press(contents, 'F5')).toBe(false);
  expect(press(contents, 'F10')).toBe(false);
  expect(contents.calls).toEqual([]);
  contents.emit('devtools-opened');
  expect(contents.calls).toEqual(['closeDevTools']);
}

/** What the preload gets from the main process's connection channel, for a frame at `url`. */
function connectionFor(fake: FakeElectron, url: string): unknown {
  const event = { senderFrame: { url }, returnValue: undefined as unknown };
  fake.ipcOn.get(IPC.connection)?.(event);
  return event.returnValue;
}

describe('dist/main/main.cjs', () => {
  let fake: FakeElectron;
  let log: string[];
  let port: number;
  let bridge: DesktopBridge;
  const drawerDevice = join(scratch.path, 'drawer-device');

  beforeAll(async () => {
    port = await freePort();
    writeFileSync(drawerDevice, '');
    ({ fake, log } = startApp(
      'till',
      ['--data', storeNodeData('till-data'), '--port', String(port), '--fixture', demoCatalog()],
      { settings: { drawer: { kind: 'device', path: drawerDevice } } },
    ));
    fake.becomeReady();
    await waitFor('the till window', () => fake.windows[0]);
  });

  it('opens one hardened window: isolated, sandboxed, no Node, no devtools, on the bundle', () => {
    expect(fake.windows).toHaveLength(1);
    const [window] = fake.windows;
    expect(window?.options.webPreferences).toMatchObject({
      preload: shell.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      devTools: false,
    });
    expect(window?.options.kiosk).toBe(false);
    expect(window?.loaded).toEqual([APP_ENTRY]);
  });

  it('removes the default menu and refuses every permission request and check', () => {
    expect(fake.calls).toContainEqual({ api: 'Menu.setApplicationMenu', args: [null] });
    let granted: boolean | undefined;
    fake.session.permissionRequest?.({}, 'media', (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
    expect(fake.session.permissionCheck?.(null, 'notifications', 'pos-app://bundle', {})).toBe(false);
  });

  it('serves the renderer from the privileged bundle scheme with the CSP, and nothing outside it', async () => {
    expect(fake.calls.find((call) => call.api === 'protocol.registerSchemesAsPrivileged')?.args[0]).toEqual([
      { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    const handle = fake.protocolHandlers.get(APP_SCHEME);
    const page = await handle?.({ url: APP_ENTRY });
    expect(page?.status).toBe(200);
    expect(await page?.text()).toContain('/assets/app.js');
    expect(page?.headers.get('content-security-policy')).toContain(
      `connect-src 'self' http://127.0.0.1:${port} ws://127.0.0.1:${port}`,
    );
    expect((await handle?.({ url: 'pos-app://bundle/../../main/main.cjs' }))?.status).toBe(404);
    expect((await handle?.({ url: 'pos-app://elsewhere/index.html' }))?.status).toBe(404);
  });

  it('denies navigation away from the bundle, new windows and webviews in every web contents', () => {
    const contents = fake.windows[0]!.webContents;
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.firePreventable('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.firePreventable('will-navigate', APP_ENTRY)).toBe(false);
    expect(contents.firePreventable('will-attach-webview')).toBe(true);
    let prevented = false;
    contents.emit('will-frame-navigate', {
      url: 'https://example.com/frame',
      isMainFrame: false,
      preventDefault: () => (prevented = true),
    });
    expect(prevented).toBe(true);
  });

  it('swallows reload, zoom, history and devtools keys in the installed build, and closes devtools', () => {
    expectLockedKeys(fake.windows[0]!.webContents);
  });

  it('launches the store node in a utility process with the token in its environment only', () => {
    const [fork] = fake.forks;
    expect(fork?.modulePath).toBe(shell.storeNode);
    expect(fork?.options.serviceName).toBe('POS store node');
    expect(fork?.args).toEqual(expect.arrayContaining(['--port', String(port), '--host', '127.0.0.1']));
    const token = fork?.options.env?.POS_STORE_TOKEN ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(fork?.args.join(' ')).not.toContain(token);
    expect(fork?.options.env?.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('gives the store node its young generation flags on its own command line', () => {
    const [fork] = fake.forks;
    expect(fork?.options.execArgv).toEqual(STORE_NODE_V8_FLAGS);
    const commandLine = readFileSync(`/proc/${fork?.child.pid}/cmdline`, 'utf8').split('\0');
    expect(commandLine.slice(1, 1 + STORE_NODE_V8_FLAGS.length)).toEqual(STORE_NODE_V8_FLAGS);
  });

  it('hands the connection only to frames of the bundle, and the built preload reaches the node with it', async () => {
    expect(connectionFor(fake, 'https://example.com/')).toBeNull();
    const { exposed } = runSandboxedPreload(shell.preload, {
      contextBridge: { exposeInMainWorld: () => undefined },
      ipcRenderer: {
        sendSync: (channel) => connectionFor(fake, channel === IPC.connection ? APP_ENTRY : ''),
        invoke: async (channel, ...args) =>
          fake.ipcHandle.get(channel)?.(
            { senderFrame: { url: APP_ENTRY }, sender: fake.windows[0]?.webContents },
            ...args,
          ),
      },
    });
    bridge = exposed.get('posDesktop') as DesktopBridge;
    expect(bridge.url).toBe(`http://127.0.0.1:${port}`);
    expect(bridge.token).toBe(fake.forks[0]?.options.env?.POS_STORE_TOKEN);
    const client = createCommandClient(bridge.url, bridge.token);
    try {
      const info = await client.send('node-info', {});
      expect(info).toMatchObject({ ok: true, value: { storeCode: 'S001', deviceNo: 1 } });
    } finally {
      client.close();
    }
    expect(await bridge.printReceipt('<p>receipt</p>')).toEqual({ ok: true });
    const printWindow = fake.windows[1]!;
    expect(printWindow.options.webPreferences).toMatchObject({ javascript: false, sandbox: true });
    expect(printWindow.webContents.printed).toEqual([
      { silent: true, printBackground: true, margins: { marginType: 'none' } },
    ]);
    expect(printWindow.destroyed).toBe(true);
  });

  it('refuses every device and settings channel to a frame that is not the bundle', async () => {
    const stranger = { senderFrame: { url: 'https://example.com/' }, sender: fake.windows[0]?.webContents };
    const refused = { ok: false, message: 'Refused.' };
    expect(await fake.ipcHandle.get(IPC.printReceipt)?.(stranger, '<p>x</p>')).toEqual(refused);
    expect(await fake.ipcHandle.get(IPC.openCashDrawer)?.(stranger, 'grant')).toEqual(refused);
    expect(await fake.ipcHandle.get(IPC.saveSettings)?.(stranger, { kiosk: true })).toEqual(refused);
    expect(await fake.ipcHandle.get(IPC.saveBackupCopy)?.(stranger, '/etc/passwd')).toEqual(refused);
    expect(await fake.ipcHandle.get(IPC.listPrinters)?.(stranger)).toEqual([]);
    expect(await fake.ipcHandle.get(IPC.readSettings)?.(stranger)).toBeNull();
    // A frame gone (destroyed) has no URL and is refused the same way.
    expect(await fake.ipcHandle.get(IPC.printReceipt)?.({ senderFrame: null }, '<p>x</p>')).toEqual(refused);
    expect(fake.calls.filter((call) => call.api === 'dialog.showSaveDialog')).toEqual([]);
  });

  it('focuses the till when someone starts the app a second time', () => {
    fake.appEvents.emit('second-instance');
    expect(fake.calls).toContainEqual({ api: 'BrowserWindow.focus', args: ['POS'] });
  });

  it('kicks the cash drawer only with a grant the node signed for a signed-in staff member, once', async () => {
    const forged = `v1.opening-1.${Date.now() + 10_000}.${'A'.repeat(43)}`;
    expect(await bridge.openCashDrawer(forged)).toEqual({
      ok: false,
      message: 'The cash drawer opens only for a signed-in staff member allowed to open it. Sign in again.',
    });
    expect(readFileSync(drawerDevice)).toHaveLength(0);
    const client = createCommandClient(bridge.url, bridge.token);
    try {
      const signIn = await client.send('staff-sign-in', { staffCode: '1001', pin: '1234' });
      if (!signIn.ok) throw new Error(signIn.error.message);
      const session = { session: signIn.value.session };
      expect((await client.send('shift-open', { float: 0 }, session)).ok).toBe(true);
      const opening = await client.send('drawer-open', { reason: 'no-sale' }, session);
      if (!opening.ok || opening.value.grant === null) throw new Error('the node granted no opening');
      expect(await bridge.openCashDrawer(opening.value.grant)).toEqual({ ok: true });
      // ESC p 0 25 250: the pulse on pin 2 the default settings describe.
      expect([...readFileSync(drawerDevice)]).toEqual([0x1b, 0x70, 0, 25, 250]);
      expect((await bridge.openCashDrawer(opening.value.grant)).ok).toBe(false);
      expect(readFileSync(drawerDevice)).toHaveLength(5);
    } finally {
      client.close();
    }
  });

  it('lists printers and saves printer, kiosk and customer display settings, applied at once', async () => {
    const userData = join(scratch.path, 'till', 'user-data');
    expect(await bridge.listPrinters()).toEqual([
      { name: 'EPSON_TM_T20III', displayName: 'EPSON TM-T20III' },
    ]);
    expect(await bridge.readSettings()).toEqual({
      printerName: null,
      kiosk: false,
      customerDisplay: false,
      receipt: { format: 'driver', paper: '80mm', rawPrinter: null },
    });
    fake.displays.value = [
      ...fake.displays.value,
      {
        id: 2,
        bounds: { x: 1920, y: 0, width: 800, height: 480 },
        workArea: { x: 1920, y: 0, width: 800, height: 480 },
      },
    ];
    expect(
      await bridge.saveSettings({ printerName: 'EPSON_TM_T20III', kiosk: true, customerDisplay: true }),
    ).toEqual({ ok: true });
    expect(JSON.parse(readFileSync(join(userData, 'pos-desktop.json'), 'utf8'))).toMatchObject({
      printerName: 'EPSON_TM_T20III',
      kiosk: true,
      customerDisplay: true,
      drawer: { kind: 'device', path: drawerDevice },
    });
    const [till] = fake.windows;
    expect(till?.kiosk).toBe(true);
    const display = fake.windows.find((window) => window.options.title === 'Customer display');
    expect(display?.loaded).toEqual(['pos-app://bundle/display/index.html?register=main']);
    expect(display?.options).toMatchObject({ x: 1920, width: 800, focusable: false, fullscreen: true });
    expect(display?.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      preload: shell.preload,
    });
    // The display page gets the connection like the till (it signs in as the register's display).
    expect(connectionFor(fake, 'pos-app://bundle/display/index.html?register=main')).toMatchObject({
      url: bridge.url,
    });

    expect(await bridge.printReceipt('<p>receipt</p>')).toEqual({ ok: true });
    expect(fake.windows.at(-1)?.webContents.printed).toEqual([
      { silent: true, printBackground: true, margins: { marginType: 'none' }, deviceName: 'EPSON_TM_T20III' },
    ]);

    // The second screen is unplugged: the display goes; a bad setting is refused and changes nothing.
    fake.displays.value = fake.displays.value.slice(0, 1);
    fake.screenEvents.emit('display-removed');
    expect(display?.destroyed).toBe(true);
    expect((await bridge.saveSettings({ kiosk: 'yes' } as never)).ok).toBe(false);
    expect(await bridge.readSettings()).toEqual({
      printerName: 'EPSON_TM_T20III',
      kiosk: true,
      customerDisplay: true,
      receipt: { format: 'driver', paper: '80mm', rawPrinter: null },
    });

    // Plugged in again (a 1024x600 pole display this time): a new display window, on that screen.
    fake.displays.value = [
      ...fake.displays.value,
      {
        id: 3,
        bounds: { x: -1024, y: 0, width: 1024, height: 600 },
        workArea: { x: -1024, y: 0, width: 1024, height: 600 },
      },
    ];
    fake.screenEvents.emit('display-added');
    const displays = fake.windows.filter((window) => window.options.title === 'Customer display');
    expect(displays).toHaveLength(2);
    expect(displays[1]?.destroyed).toBe(false);
    expect(displays[1]?.options).toMatchObject({ x: -1024, width: 1024, height: 600, focusable: false });
    expect(displays[1]?.loaded).toEqual(['pos-app://bundle/display/index.html?register=main']);
    fake.displays.value = fake.displays.value.slice(0, 1);
    fake.screenEvents.emit('display-removed');
    expect(displays[1]?.destroyed).toBe(true);
  });

  it("copies only this node's backups, to where the manager chose", async () => {
    const backups = join(scratch.path, 'till-data', 'backups');
    mkdirSync(backups, { recursive: true });
    const backup = join(backups, 'store-20261123T100000Z.db');
    writeFileSync(backup, 'a backup');
    const target = join(scratch.path, 'usb-stick-copy.db');
    fake.saveDialogAnswer.value = { canceled: false, filePath: target };
    expect(await bridge.saveBackupCopy(backup)).toEqual({ ok: true });
    expect(readFileSync(target, 'utf8')).toBe('a backup');
    expect((await bridge.saveBackupCopy(backup)).ok).toBe(false);
    expect(await bridge.saveBackupCopy(join(scratch.path, 'till-data', 'store.db'))).toEqual({
      ok: false,
      message: 'That is not a backup of this till. Make a backup first.',
    });
  });

  it('reloads the screen after its renderer crashed, and the reloaded screen finds the open sale', async () => {
    const [window] = fake.windows;
    const before = createCommandClient(bridge.url, bridge.token);
    let saleId: string;
    try {
      const signIn = await before.send('staff-sign-in', { staffCode: '1001', pin: '1234' });
      if (!signIn.ok) throw new Error(signIn.error.message);
      const session = { session: signIn.value.session };
      const sale = await before.send('sale-start', { registerId: 'main' }, session);
      if (!sale.ok) throw new Error(sale.error.message);
      saleId = sale.value.saleId;
      const line = await before.send('sale-add-line', { saleId, code: '4000000000013' }, session);
      expect(line.ok && line.value.lines).toHaveLength(1);
    } finally {
      before.close();
    }

    window!.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(window!.loaded).toEqual([APP_ENTRY, APP_ENTRY]);

    // The reloaded page asks the preload for the connection again and signs in: the sale is where it was.
    const reconnected = connectionFor(fake, APP_ENTRY) as { url: string; token: string };
    const after = createCommandClient(reconnected.url, reconnected.token);
    try {
      const signIn = await after.send('staff-sign-in', { staffCode: '1001', pin: '1234' });
      if (!signIn.ok) throw new Error(signIn.error.message);
      const current = await after.send(
        'sale-current',
        { registerId: 'main' },
        { session: signIn.value.session },
      );
      expect(current.ok && current.value.sale).toMatchObject({ saleId, lines: [{ qty: 1 }] });
    } finally {
      after.close();
    }
  });

  it('kills a screen that stopped responding for 15 s and reloads it; one that recovers is left alone', async () => {
    const [window] = fake.windows;
    const loads = window!.loaded.length;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      window!.emit('unresponsive');
      vi.advanceTimersByTime(10_000);
      window!.emit('responsive');
      vi.advanceTimersByTime(60_000);
      expect(window!.webContents.calls).not.toContain('forcefullyCrashRenderer');

      window!.emit('unresponsive');
      vi.advanceTimersByTime(15_000);
    } finally {
      vi.useRealTimers();
    }
    expect(window!.webContents.calls).toContain('forcefullyCrashRenderer');
    // Electron then reports the killed renderer gone, and the watchdog reloads the page.
    window!.webContents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    expect(window!.loaded.slice(loads)).toEqual([APP_ENTRY]);
  });

  it('restarts a store node that died, on the same port with the same token', async () => {
    const first = fake.forks[0]!;
    first.child.kill('SIGKILL');
    const second = await waitFor('the restarted store node', () => fake.forks[1]);
    expect(second.args).toEqual(first.args);
    expect(second.options.env?.POS_STORE_TOKEN).toBe(first.options.env?.POS_STORE_TOKEN);
    await waitFor(
      'the node running again',
      () => log.filter((line) => line.endsWith('store node running')).length === 2,
    );
    const client = createCommandClient(`http://127.0.0.1:${port}`, first.options.env?.POS_STORE_TOKEN ?? '');
    try {
      expect((await client.send('node-info', {})).ok).toBe(true);
    } finally {
      client.close();
    }
    expect(fake.windows.filter((window) => window.options.webPreferences && !window.destroyed)).toHaveLength(
      1,
    );
  });

  it('asks the store node to stop when the app quits', async () => {
    const node = fake.forks.at(-1)!;
    const exited = new Promise<number | null>((resolve) => node.child.once('exit', (code) => resolve(code)));
    fake.appEvents.emit('before-quit');
    expect(node.messages).toEqual([{ type: 'stop' }]);
    expect(await exited).toBe(0);
  });
});

/** A driverless receipt printer on its raw port: every connection's bytes, once the sender finished. */
async function rawPrinter(): Promise<{ server: Server; port: number; jobs: Buffer[] }> {
  const jobs: Buffer[] = [];
  const server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => jobs.push(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, jobs };
}

describe('dist/main/main.cjs printing raw ESC/POS receipts', () => {
  it('sends the node-signed 58 mm receipt to the raw printer, never page bytes, and says when it is unreachable', async () => {
    const printer = await rawPrinter();
    const port = await freePort();
    const drawerDevice = join(scratch.path, 'raw-till-drawer');
    writeFileSync(drawerDevice, '');
    const { fake } = startApp(
      'raw-till',
      ['--data', storeNodeData('raw-till-data'), '--port', String(port), '--fixture', demoCatalog()],
      {
        settings: {
          drawer: { kind: 'device', path: drawerDevice },
          receiptFormat: 'escpos',
          receiptPaper: '58mm',
          rawPrinter: { kind: 'network-printer', host: '127.0.0.1', port: printer.port },
        },
      },
    );
    fake.becomeReady();
    await waitFor('the till window', () => fake.windows[0]);
    const { exposed } = runSandboxedPreload(shell.preload, {
      contextBridge: { exposeInMainWorld: () => undefined },
      ipcRenderer: {
        sendSync: (channel) => connectionFor(fake, channel === IPC.connection ? APP_ENTRY : ''),
        invoke: async (channel, ...args) =>
          fake.ipcHandle.get(channel)?.(
            { senderFrame: { url: APP_ENTRY }, sender: fake.windows[0]?.webContents },
            ...args,
          ),
      },
    });
    const bridge = exposed.get('posDesktop') as DesktopBridge;
    expect((await bridge.readSettings()).receipt).toEqual({
      format: 'escpos',
      paper: '58mm',
      rawPrinter: { kind: 'network-printer', host: '127.0.0.1', port: printer.port },
    });

    const client = createCommandClient(bridge.url, bridge.token);
    try {
      const signIn = await client.send('staff-sign-in', { staffCode: '1001', pin: '1234' });
      if (!signIn.ok) throw new Error(signIn.error.message);
      const session = { session: signIn.value.session };
      expect((await client.send('shift-open', { float: 0 }, session)).ok).toBe(true);
      const started = await client.send('sale-start', { registerId: 'main' }, session);
      if (!started.ok) throw new Error(started.error.message);
      const saleId = started.value.saleId;
      const line = await client.send('sale-add-line', { saleId, code: '4000000000013' }, session);
      if (!line.ok) throw new Error(line.error.message);
      const paid = await client.send(
        'sale-add-tender',
        { saleId, tender: { type: 'cash', amount: line.value.totals.total } },
        session,
      );
      if (!paid.ok) throw new Error(paid.error.message);
      const completed = await client.send('sale-complete', { saleId }, session);
      if (!completed.ok || completed.value.receiptNumber === null)
        throw new Error('the sale did not complete');
      const receiptNumber = completed.value.receiptNumber;

      // What the page asks for with these settings (devices.receiptRequest), plus a drawer kick it slips in.
      const print = await client.send(
        'receipt-print',
        { receiptNumber, paper: '58mm', escpos: { cut: true, drawerKick: {} } },
        session,
      );
      if (!print.ok || print.value.escposGrant === undefined) throw new Error('no signed receipt');
      expect(print.value.html).toContain('58mm');
      expect([...Buffer.from(print.value.escpos!, 'base64').subarray(0, 16)]).toEqual(
        expect.arrayContaining([0x1b, 0x70]),
      );

      expect(await bridge.printReceiptRaw(print.value.escposGrant)).toEqual({ ok: true });
      await waitFor('the printed receipt', () => printer.jobs.length === 1);
      const job = printer.jobs[0]!;
      expect([...job.subarray(0, 2)]).toEqual([0x1b, 0x40]);
      expect(job.toString('latin1')).toContain(receiptNumber);
      // The node signed the receipt without the drawer kick the page asked for: the drawer stays shut.
      expect(job.includes(Buffer.from([0x1b, 0x70]))).toBe(false);
      expect(readFileSync(drawerDevice)).toHaveLength(0);
      // 58 mm: 32 columns, so the receipt's rules run 32 characters wide (48 on 80 mm).
      const rules = job.toString('latin1').match(/[-=\xc4\xcd]{16,}/g) ?? [];
      expect(rules.length).toBeGreaterThan(0);
      expect(Math.max(...rules.map((rule) => rule.length))).toBe(32);

      // Replayed, or bytes the page made up: refused, nothing reaches the printer.
      const refusal = {
        ok: false,
        message: 'That receipt was not prepared by this till for printing. Print a copy from the sale.',
      };
      expect(await bridge.printReceiptRaw(print.value.escposGrant)).toEqual(refusal);
      const forged = `r1.print-x.${Date.now() + 10_000}.${Buffer.from([0x1b, 0x70, 0, 25, 250]).toString('base64url')}.${'A'.repeat(43)}`;
      expect(await bridge.printReceiptRaw(forged)).toEqual(refusal);
      expect(printer.jobs).toHaveLength(1);

      // The printer goes away: the cashier is told which one and that the sale stands.
      await new Promise<void>((resolve) => printer.server.close(() => resolve()));
      const copy = await client.send(
        'receipt-print',
        { receiptNumber, paper: '58mm', escpos: { cut: true } },
        session,
      );
      if (!copy.ok || copy.value.escposGrant === undefined) throw new Error('no signed copy');
      const failed = await bridge.printReceiptRaw(copy.value.escposGrant);
      expect(failed.ok).toBe(false);
      expect(!failed.ok && failed.message).toMatch(
        new RegExp(
          `^The receipt printer at 127\\.0\\.0\\.1:${printer.port} did not take the receipt \\(.*\\)\\. .*the sale itself is complete\\.$`,
        ),
      );
      const preview = await client.send('receipt-preview', { receiptNumber }, session);
      expect(preview.ok && preview.value.receipt.receiptNumber).toBe(receiptNumber);
    } finally {
      client.close();
    }

    // The manager switches this lane to a USB printer; a path that is not a printer device is refused.
    const refused = await bridge.saveSettings({
      printerName: null,
      kiosk: false,
      customerDisplay: false,
      receipt: {
        format: 'escpos',
        paper: '58mm',
        rawPrinter: { kind: 'device', path: '/home/till/.bashrc' },
      },
    });
    expect(refused.ok).toBe(false);
    expect(
      await bridge.saveSettings({
        printerName: null,
        kiosk: false,
        customerDisplay: false,
        receipt: { format: 'escpos', paper: '80mm', rawPrinter: { kind: 'device', path: '/dev/usb/lp0' } },
      }),
    ).toEqual({ ok: true });
    expect(
      JSON.parse(readFileSync(join(scratch.path, 'raw-till', 'user-data', 'pos-desktop.json'), 'utf8')),
    ).toMatchObject({
      receiptFormat: 'escpos',
      receiptPaper: '80mm',
      rawPrinter: { kind: 'device', path: '/dev/usb/lp0' },
      drawer: { kind: 'device', path: drawerDevice },
    });
    expect((await bridge.readSettings()).receipt).toEqual({
      format: 'escpos',
      paper: '80mm',
      rawPrinter: { kind: 'device', path: '/dev/usb/lp0' },
    });
  });
});

describe('dist/main/main.cjs on a fresh install', () => {
  it('opens the setup screen, and the set-up till on the same port without restarting the node', async () => {
    const port = await freePort();
    const dataDir = join(scratch.path, 'fresh-install', 'store-node');
    const { fake, log } = startApp('fresh-install', ['--data', dataDir, '--port', String(port)]);
    fake.becomeReady();
    const window = await waitFor('the window', () => fake.windows[0]);
    expect(window.loaded).toEqual([APP_ENTRY]);
    const connection = connectionFor(fake, APP_ENTRY) as { url: string; token: string };
    expect(connection.url).toBe(`http://127.0.0.1:${port}`);
    const client = createCommandClient(connection.url, connection.token);
    try {
      expect(await client.send('node-setup-status', {})).toEqual({
        ok: true,
        value: { state: 'needs-setup', hubUrl: null },
      });
      const setUp = await client.send(
        'node-setup',
        {
          mode: 'standalone',
          storeId: 'store-9',
          storeCode: 'S009',
          deviceNo: 1,
          currency: 'EUR',
          firstManager: { staffCode: '1001', name: 'Morgan', pin: '1234' },
        },
        { timeoutMs: 30_000 },
      );
      expect(setUp).toMatchObject({ ok: true, value: { storeCode: 'S009', managerStaffCode: '1001' } });
      // The page's socket reconnects to the store server that took the port over.
      const until = Date.now() + 60_000;
      let info = await client.send('node-info', {}, { timeoutMs: 20_000 });
      while (!info.ok && Date.now() < until) info = await client.send('node-info', {}, { timeoutMs: 20_000 });
      expect(info).toMatchObject({ ok: true, value: { storeCode: 'S009', deviceNo: 1 } });
      expect((await client.send('staff-sign-in', { staffCode: '1001', pin: '1234' })).ok).toBe(true);
    } finally {
      client.close();
    }
    expect(fake.forks).toHaveLength(1);
    expect(fake.windows).toHaveLength(1);
    // The store server answers as soon as it listens; it reports ready after its socket warm-up (up to 1 s).
    const running = () => log.filter((line) => line === 'pos-desktop: store node running').length;
    await waitFor('the store server reported ready', () => running() >= 2);
    // Running twice (the setup server, then the store server), never restarted.
    expect(log.filter((line) => line.startsWith('pos-desktop: store node '))).toEqual([
      'pos-desktop: store node starting',
      'pos-desktop: store node running',
      'pos-desktop: store node running',
    ]);
    fake.appEvents.emit('before-quit');
  });
});

describe('dist/main/main.cjs started while the till already runs', () => {
  it('quits at once, without a window or a second store node', async () => {
    const { fake } = startApp('second-instance', ['--data', storeNodeData('second-instance-data')], {
      singleInstanceLock: false,
    });
    fake.becomeReady();
    await waitFor('the quit', () => fake.calls.some((call) => call.api === 'app.quit'));
    expect(fake.windows).toHaveLength(0);
    expect(fake.forks).toHaveLength(0);
  });
});

describe('dist/main/main.cjs window position', () => {
  it('remembers where the till window was, and puts it back there at the next start', async () => {
    const data = storeNodeData('window-state-data');
    const first = startApp('window-state', ['--data', data, '--port', String(await freePort())], {
      isPackaged: false,
    });
    first.fake.becomeReady();
    const window = await waitFor('the window', () => first.fake.windows[0]);
    window.getNormalBounds = () => ({ x: 40, y: 30, width: 1100, height: 700 });
    window.close();
    const stored = join(scratch.path, 'window-state', 'user-data', 'window-state.json');
    expect(JSON.parse(readFileSync(stored, 'utf8'))).toEqual({
      bounds: { x: 40, y: 30, width: 1100, height: 700 },
      maximized: false,
    });
    const node = first.fake.forks[0]!.child;
    const stopped = new Promise((resolve) => node.once('exit', resolve));
    first.fake.appEvents.emit('before-quit');
    if (node.exitCode === null && node.signalCode === null) await stopped;

    const second = startApp('window-state', ['--data', data, '--port', String(await freePort())], {
      isPackaged: false,
    });
    second.fake.becomeReady();
    const again = await waitFor('the window', () => second.fake.windows[0]);
    expect(again.options).toMatchObject({ x: 40, y: 30, width: 1100, height: 700 });
    second.fake.appEvents.emit('before-quit');
  });
});

describe('dist/main/main.cjs with bad settings', () => {
  it('shows what is wrong and exits without starting a node', async () => {
    const { fake } = startApp('bad-settings', [], { settings: { port: 'seventy' } });
    fake.becomeReady();
    await waitFor('the exit', () => fake.exits.length > 0);
    expect(fake.exits).toEqual([2]);
    const error = fake.calls.find((call) => call.api === 'dialog.showErrorBox');
    expect(error?.args[1]).toMatch(/The desktop settings are not usable: port/);
    expect(fake.forks).toHaveLength(0);
  });
});

describe('dist/main/main.cjs in kiosk mode from a checkout', () => {
  it('opens a kiosk window without devtools and swallows the shortcuts, though the build is not packaged', async () => {
    const port = await freePort();
    const { fake } = startApp(
      'kiosk',
      ['--data', storeNodeData('kiosk-data'), '--port', String(port), '--kiosk'],
      {
        isPackaged: false,
      },
    );
    fake.becomeReady();
    const window = await waitFor('the kiosk window', () => fake.windows[0]);
    expect(window.options.kiosk).toBe(true);
    expect(window.options.webPreferences).toMatchObject({ devTools: false });
    expect(fake.calls).toContainEqual({ api: 'Menu.setApplicationMenu', args: [null] });
    expectLockedKeys(window.webContents);
    fake.appEvents.emit('before-quit');
  });
});

describe('dist/main/main.cjs from a checkout without kiosk', () => {
  it('keeps devtools and reload on their keys for the developer, still without a menu', async () => {
    const port = await freePort();
    const { fake } = startApp(
      'unlocked',
      ['--data', storeNodeData('unlocked-data'), '--port', String(port)],
      {
        isPackaged: false,
      },
    );
    fake.becomeReady();
    const window = await waitFor('the window', () => fake.windows[0]);
    expect(window.options.webPreferences).toMatchObject({ devTools: true });
    expect(fake.calls).toContainEqual({ api: 'Menu.setApplicationMenu', args: [null] });
    expect(press(window.webContents, 'F12')).toBe(true);
    expect(press(window.webContents, 'r', { control: true })).toBe(true);
    expect(press(window.webContents, '=', { control: true })).toBe(false);
    expect(window.webContents.calls).toEqual(['toggleDevTools', 'reload']);
    window.webContents.emit('devtools-opened');
    expect(window.webContents.calls).toEqual(['toggleDevTools', 'reload']);
    fake.appEvents.emit('before-quit');
  });
});

describe('dist/main/main.cjs as pos-store', () => {
  it('runs the CLI in the app binary without a window, and exits with its code', async () => {
    const data = storeNodeData('cli-data');
    const out = join(scratch.path, 'cli-backup.db');
    const { value: fake, out: printed } = await stdoutDuring(async () => {
      const { fake } = startApp('cli', ['pos-store', 'backup', '--data', data, '--out', out]);
      await waitFor('the CLI to finish', () => fake.exits.length > 0);
      return fake;
    });
    expect(fake.exits).toEqual([0]);
    expect(printed).toContain(`pos-store: backup written to ${out}`);
    expect(fake.windows).toHaveLength(0);
    expect(fake.forks).toHaveLength(0);
  });

  it('passes a usage error through as exit code 2', async () => {
    const { fake } = startApp('cli-usage', ['pos-store', 'backup', '--nonsense']);
    await waitFor('the CLI to finish', () => fake.exits.length > 0);
    expect(fake.exits).toEqual([2]);
  });
});
