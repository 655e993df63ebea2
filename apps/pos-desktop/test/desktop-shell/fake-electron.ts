import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

/**
 * A recording stand-in for the `electron` module the main process bundle requires: every window, handler
 * and setting the bundle gives Electron is kept for the test to inspect and to drive. The one real part is
 * the store node: `utilityProcess.fork` starts the bundle it is given as a real process (on this Node, as
 * `npm run desktop` from a checkout does), so supervision is tested against a process that can die.
 */

export type Listener = (...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  openHandler: ((details: { url: string }) => unknown) | undefined;
  readonly printed: unknown[] = [];
  readonly calls: string[] = [];
  printResult: { success: boolean; failureReason: string } = { success: true, failureReason: '' };
  printers = [{ name: 'EPSON_TM_T20III', displayName: 'EPSON TM-T20III', description: '', options: {} }];

  getPrintersAsync(): Promise<unknown[]> {
    return Promise.resolve(this.printers);
  }

  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.openHandler = handler;
  }
  print(options: unknown, callback: (success: boolean, failureReason: string) => void): void {
    this.printed.push(options);
    const { success, failureReason } = this.printResult;
    setImmediate(() => callback(success, failureReason));
  }
  forcefullyCrashRenderer(): void {
    this.calls.push('forcefullyCrashRenderer');
  }
  reload(): void {
    this.calls.push('reload');
  }
  toggleDevTools(): void {
    this.calls.push('toggleDevTools');
  }
  closeDevTools(): void {
    this.calls.push('closeDevTools');
  }
  /** Fires a preventable event the way Electron does and says whether a listener prevented it. */
  firePreventable(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const eventObject = { preventDefault: () => void (prevented = true) };
    this.emit(event, eventObject, ...args);
    return prevented;
  }
}

export interface UtilityFork {
  readonly modulePath: string;
  readonly args: readonly string[];
  readonly options: {
    env?: Record<string, string | undefined>;
    execArgv?: readonly string[];
    serviceName?: string;
    stdio?: unknown;
  };
  readonly child: ChildProcess;
  readonly messages: unknown[];
}

export function createFakeElectron(setup: {
  readonly appPath: string;
  readonly userData: string;
  readonly isPackaged: boolean;
  readonly version?: string;
  /** Whether this launch gets the single-instance lock (false: another instance is running). */
  readonly singleInstanceLock?: boolean;
}) {
  const appEvents = new EventEmitter();
  const calls: { api: string; args: unknown[] }[] = [];
  const record = (api: string, ...args: unknown[]) => void calls.push({ api, args });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const exits: number[] = [];
  const windows: FakeBrowserWindow[] = [];
  const forks: UtilityFork[] = [];
  const ipcOn = new Map<string, Listener>();
  const ipcHandle = new Map<string, Listener>();
  const protocolHandlers = new Map<string, (request: { url: string }) => Promise<Response>>();
  const screenEvents = new EventEmitter();
  const displays = {
    value: [
      {
        id: 1,
        bounds: { x: 0, y: 0, width: 1920, height: 1080 },
        workArea: { x: 0, y: 0, width: 1920, height: 1040 },
      },
    ],
  };
  /** What the next save dialog answers (the test sets where the "user" saves). */
  const saveDialogAnswer = { value: { canceled: true, filePath: undefined as string | undefined } };
  const session = {
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    setPermissionRequestHandler: (handler: Listener) => void (session.permissionRequest = handler),
    setPermissionCheckHandler: (handler: Listener) => void (session.permissionCheck = handler),
  };

  class FakeBrowserWindow extends EventEmitter {
    readonly options: Record<string, unknown>;
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    destroyed = false;
    shown = false;
    kiosk: boolean;

    constructor(options: Record<string, unknown>) {
      super();
      this.options = options;
      this.kiosk = options.kiosk === true;
      windows.push(this);
      // Electron announces every new WebContents before the window can load anything.
      appEvents.emit('web-contents-created', {}, this.webContents);
    }
    static getAllWindows(): FakeBrowserWindow[] {
      return windows.filter((window) => !window.destroyed);
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      setImmediate(() => this.emit('ready-to-show'));
      return Promise.resolve();
    }
    show(): void {
      this.shown = true;
    }
    showInactive(): void {
      this.shown = true;
    }
    setKiosk(kiosk: boolean): void {
      this.kiosk = kiosk;
    }
    getBounds() {
      const { x = 0, y = 0, width = 1280, height = 800 } = this.options as Record<string, number>;
      return { x, y, width, height };
    }
    setBounds(bounds: Record<string, number>): void {
      Object.assign(this.options, bounds);
    }
    maximize(): void {}
    isMaximized(): boolean {
      return false;
    }
    isMinimized(): boolean {
      return false;
    }
    restore(): void {}
    focus(): void {
      record('BrowserWindow.focus', this.options.title);
    }
    getNormalBounds() {
      return { x: 0, y: 0, width: 1280, height: 800 };
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    destroy(): void {
      this.destroyed = true;
    }
    close(): void {
      this.emit('close');
      this.destroyed = true;
    }
  }

  const electron = {
    app: {
      isPackaged: setup.isPackaged,
      getAppPath: () => setup.appPath,
      getPath: (name: string) => {
        if (name !== 'userData') throw new Error(`the fake app has no path ${name}`);
        return setup.userData;
      },
      getVersion: () => setup.version ?? '0.1.0',
      requestSingleInstanceLock: () => setup.singleInstanceLock ?? true,
      whenReady: () => ready,
      on: (event: string, listener: Listener) => void appEvents.on(event, listener),
      once: (event: string, listener: Listener) => void appEvents.once(event, listener),
      quit: () => record('app.quit'),
      exit: (code = 0) => void exits.push(code),
    },
    BrowserWindow: FakeBrowserWindow,
    Menu: { setApplicationMenu: (menu: unknown) => record('Menu.setApplicationMenu', menu) },
    dialog: {
      showErrorBox: (title: string, message: string) => record('dialog.showErrorBox', title, message),
      showSaveDialog: (...args: unknown[]) => {
        record('dialog.showSaveDialog', ...args);
        return Promise.resolve(saveDialogAnswer.value);
      },
    },
    ipcMain: {
      on: (channel: string, listener: Listener) => void ipcOn.set(channel, listener),
      handle: (channel: string, listener: Listener) => void ipcHandle.set(channel, listener),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) =>
        record('protocol.registerSchemesAsPrivileged', schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) =>
        void protocolHandlers.set(scheme, handler),
    },
    screen: {
      getAllDisplays: () => displays.value,
      getDisplayMatching: () => displays.value[0],
      on: (event: string, listener: Listener) => void screenEvents.on(event, listener),
    },
    session: { defaultSession: session },
    utilityProcess: {
      fork(modulePath: string, args: string[], options: UtilityFork['options']) {
        // The flags go to the executable, as Electron hands execArgv to the utility process's Node.
        const child = spawn(process.execPath, [...(options.execArgv ?? []), modulePath, ...args], {
          env: options.env as NodeJS.ProcessEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const fork: UtilityFork = { modulePath, args, options, child, messages: [] };
        forks.push(fork);
        return {
          stdout: child.stdout,
          stderr: child.stderr,
          pid: child.pid,
          once: (event: string, listener: Listener) => void child.once(event, listener),
          on: (event: string, listener: Listener) => void child.on(event, listener),
          // A utility process hears postMessage on process.parentPort; the plain Node child hears a signal.
          postMessage: (message: { type?: string }) => {
            fork.messages.push(message);
            if (message.type === 'stop') child.kill('SIGTERM');
          },
          kill: () => child.kill('SIGKILL'),
        };
      },
    },
  };

  return {
    electron,
    calls,
    exits,
    windows,
    forks,
    ipcOn,
    ipcHandle,
    protocolHandlers,
    session,
    appEvents,
    screenEvents,
    displays,
    saveDialogAnswer,
    /** Electron's `ready`: the bundle's whenReady callbacks run after this. */
    becomeReady: () => markReady(),
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
