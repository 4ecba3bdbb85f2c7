import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built tray app (dist/main/index.js) in a child Node process under the Electron stand-in
 * (test/support/electron-stand-in), driven through the stand-in's control channel: read what the desktop
 * shows, click tray menu items, type into pages.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REGISTER = join(ROOT, 'test', 'support', 'electron-stand-in', 'register.mjs');
const MAIN = join(ROOT, 'dist', 'main', 'index.js');

export interface MenuItemState {
  id: string;
  type: string;
  label: string;
  enabled: boolean;
  visible: boolean;
  checked: boolean;
  submenu?: MenuItemState[];
}

export interface ViewState {
  webContentsId: number;
  url: string;
  visible: boolean;
}

export interface WindowState {
  id: number;
  title: string;
  visible: boolean;
  focused: boolean;
  webContentsId: number;
  url: string;
  views: ViewState[];
}

export interface DesktopState {
  tray: { toolTip: string; image: string; imageEmpty: boolean; menusSet: number; menu: MenuItemState[] } | undefined;
  windows: WindowState[];
  notifications: Array<{ title: string; body: string; shown: boolean }>;
  dialogs: Array<{ kind: string; title?: string; content?: string }>;
  interceptions: Array<{ partition: string; url: string; method: string; webContentsId: number | undefined; cancel: boolean }>;
  calls: Array<{ api: string; args: unknown[] }>;
  clipboard: string;
  ipcChannels: string[];
}

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** The journey runs the bundle `npm run build` made; an old one would test yesterday's app. */
export function assertAppBuilt(): void {
  const sources = Math.max(...['main', 'preload', 'renderer'].map((dir) => newestMtime(join(ROOT, dir))));
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < sources) {
    throw new Error('dist/ is missing or older than main/, preload/ or renderer/: run `npm run build` first.');
  }
}

/** Every item of a menu tree, depth first. */
export function menuItems(menu: readonly MenuItemState[]): MenuItemState[] {
  return menu.flatMap((item) => [item, ...menuItems(item.submenu ?? [])]);
}

export class TrayApp {
  readonly exited: Promise<number | null>;
  output = '';
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', REGISTER, MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.on('message', (message: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(message.error));
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        for (const waiter of this.pending.values()) waiter.reject(new Error(`the app exited (${code}) before answering; output:\n${this.output}`));
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  private request<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command, args });
    });
  }

  state(): Promise<DesktopState> {
    return this.request('state');
  }

  /** Polls the desktop until `check` returns something; fails with `what` and the last state seen. */
  async waitFor<T>(what: string, check: (state: DesktopState) => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: DesktopState | undefined;
    for (;;) {
      last = await this.state();
      const found = check(last);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${what}; menu: ${JSON.stringify(last.tray?.menu.map((i) => i.label))}; windows: ${JSON.stringify(last.windows)}\noutput:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  clickMenuItem(id: string): Promise<void> {
    return this.request('clickMenuItem', { id });
  }

  type(webContentsId: number, selector: string, text: string): Promise<void> {
    return this.request('type', { webContentsId, selector, text });
  }

  press(webContentsId: number, selector: string, key: string): Promise<void> {
    return this.request('press', { webContentsId, selector, key });
  }

  text(webContentsId: number, selector: string): Promise<string | null> {
    return this.request('text', { webContentsId, selector });
  }

  count(webContentsId: number, selector: string): Promise<number> {
    return this.request('count', { webContentsId, selector });
  }

  /** Ends the process if it is still running (a failed test); a journey quits through the menu. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    // SIGTERM first: Playwright then closes the Chromium processes it started.
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
