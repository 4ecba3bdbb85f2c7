import { join } from 'node:path';
import { BrowserWindow } from 'electron';
import type { PushChannel, PushPayload, WindowKind } from '../../preload/contract.js';
import { PUSH_WINDOWS } from '../../preload/contract.js';

/**
 * Cloudtoken's own windows (login chrome, role picker, settings, status): renderer pages from dist/renderer
 * (each with its strict CSP), the sandboxed CommonJS preload as the only bridge, no Node, no navigation
 * (security.ts). The registry is what IPC's sender check asks which window a message came from.
 */

export interface WindowRegistry {
  register(window: BrowserWindow, kind: WindowKind): void;
  kindOf(webContentsId: number): WindowKind | undefined;
  /** The open window of a kind (one each). */
  find(kind: WindowKind): BrowserWindow | undefined;
  push<P extends PushChannel>(channel: P, payload: PushPayload<P>): void;
}

export function createWindowRegistry(options: { onClosed?(kind: WindowKind, webContentsId: number): void } = {}): WindowRegistry {
  const windows = new Map<number, { window: BrowserWindow; kind: WindowKind }>();
  return {
    register(window, kind) {
      const id = window.webContents.id;
      windows.set(id, { window, kind });
      window.on('closed', () => {
        windows.delete(id);
        options.onClosed?.(kind, id);
      });
    },
    kindOf: (id) => windows.get(id)?.kind,
    find: (kind) => [...windows.values()].find((entry) => entry.kind === kind && !entry.window.isDestroyed())?.window,
    push(channel, payload) {
      const kinds = PUSH_WINDOWS[channel] as readonly WindowKind[];
      for (const { window, kind } of windows.values()) {
        if (kinds.includes(kind) && !window.isDestroyed()) window.webContents.send(channel, payload);
      }
    },
  };
}

/** Where the built pages and the preload live inside the app. */
export interface PageLocation {
  appPath: string;
}

const SIZES: Record<WindowKind, { width: number; height: number; title: string }> = {
  login: { width: 900, height: 760, title: 'Sign in — Cloudtoken' },
  roles: { width: 560, height: 640, title: 'Choose a role — Cloudtoken' },
  settings: { width: 720, height: 760, title: 'Settings — Cloudtoken' },
  status: { width: 640, height: 640, title: 'Status — Cloudtoken' },
  // Titled without the question: a title is shown in task switchers and read by accessibility tools.
  question: { width: 460, height: 260, title: 'Sign-in question — Cloudtoken' },
};

/** A new window showing one of our pages; not shown yet (the caller decides: show, showInactive or hidden). */
export function createPageWindow(kind: WindowKind, location: PageLocation, registry: WindowRegistry): BrowserWindow {
  const { width, height, title } = SIZES[kind];
  const window = new BrowserWindow({
    width,
    height,
    title,
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      // An absolute path to the one-file CommonJS bundle: sandboxed preloads can neither be ESM nor require files.
      preload: join(location.appPath, 'dist', 'preload', 'index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // No middle-click (auxclick) events: no page here needs them (Electronegativity's advice).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  registry.register(window, kind);
  void window.loadFile(join(location.appPath, 'dist', 'renderer', kind, 'index.html'));
  return window;
}

/** Show the window of `kind`, opening it first when none is open. */
export function showPageWindow(kind: Exclude<WindowKind, 'login'>, location: PageLocation, registry: WindowRegistry): BrowserWindow {
  const open = registry.find(kind);
  if (open) {
    if (open.isMinimized()) open.restore();
    open.show();
    open.focus();
    return open;
  }
  const window = createPageWindow(kind, location, registry);
  window.once('ready-to-show', () => window.show());
  return window;
}
