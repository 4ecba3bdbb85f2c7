import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { SessionSnapshot } from '../session/types.js';
import { buildTrayMenu, type MenuItemDescription, type TrayAction, type TrayActionHandlers, type TrayMenuContext } from '../tray/menu.js';
import { trayIconState, trayTooltip, type TrayIconState } from '../tray/icon.js';
import type { AccountLabels } from '../tray/describe.js';

/**
 * The tray icon: translates the pure menu model (main/tray/menu.ts) into Electron's menu template and the
 * session state into an image and a tooltip. Electron is passed in (app.ts), so this runs under tests too.
 */

const ICON_FILES: Record<TrayIconState, string> = {
  'signed-out': 'signedOut',
  active: 'active',
  refreshing: 'refreshing',
  attention: 'attention',
};

/**
 * macOS: a template image (`<state>Template.png`, Electron picks `@2x` itself and tints it for the menu bar);
 * Windows: a multi-size `.ico`; Linux: a colour PNG.
 */
export function trayIconPath(appPath: string, state: TrayIconState, platform: NodeJS.Platform): string {
  const base = ICON_FILES[state];
  const file = platform === 'darwin' ? `${base}Template.png` : platform === 'win32' ? `${base}.ico` : `${base}.png`;
  return join(appPath, 'assets', 'tray', file);
}


/** One dispatcher for every action; a handler's failure is reported, never left as an unhandled rejection. */
export function createTrayActionDispatcher(handlers: TrayActionHandlers, onError: (error: unknown, action: TrayAction) => void): (action: TrayAction) => void {
  return (action) => {
    const handler = handlers[action.kind] as (action: TrayAction) => unknown;
    try {
      Promise.resolve(handler(action)).catch((error: unknown) => onError(error, action));
    } catch (error) {
      onError(error, action);
    }
  };
}

/** Electron's menu template for the description; clicking an item runs its action. */
export function toMenuTemplate(items: readonly MenuItemDescription[], run: (action: TrayAction) => void, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { id: item.id, type: 'separator' };
    const { action } = item;
    return {
      id: item.id,
      type: item.type,
      label: item.label,
      enabled: item.enabled,
      ...(item.checked !== undefined ? { checked: item.checked } : {}),
      // Only macOS shows tooltips on menu items; elsewhere the reason is already in the label.
      ...(platform === 'darwin' && item.disabledReason ? { toolTip: item.disabledReason } : {}),
      ...(item.submenu ? { submenu: toMenuTemplate(item.submenu, run, platform) } : {}),
      ...(action ? { click: () => run(action) } : {}),
    };
  });
}

/** What the tray shows, read fresh on every render. */
export interface TraySource {
  snapshot(): SessionSnapshot;
  context(): Omit<TrayMenuContext, 'now'> & { accountLabels: AccountLabels };
  now(): number;
}

/** What the tray needs of a NativeImage. */
export interface TrayImage {
  isEmpty(): boolean;
  setTemplateImage(option: boolean): void;
}

/** What the tray needs of Electron's Tray; generic so the real Tray, Menu and NativeImage fit, and fakes too. */
export interface TrayHandle<I extends TrayImage, M> {
  setImage(image: I): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: M | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

/** The parts of Electron the tray uses: `new Tray`, `Menu.buildFromTemplate`, `nativeImage.createFromPath`. */
export interface TrayElectron<I extends TrayImage, M> {
  createTray(image: I): TrayHandle<I, M>;
  buildMenu(template: MenuItemConstructorOptions[]): M;
  imageFromPath(path: string): I;
}

export interface TrayController {
  /** Rebuild image, tooltip and menu from the current state (call on every session change). */
  render(): void;
  destroy(): void;
}

// Kept at module level: a Tray that is only referenced from a closure can be garbage-collected and vanish.
let liveTray: TrayHandle<TrayImage, unknown> | undefined;

export function createTray<I extends TrayImage, M>(options: {
  electron: TrayElectron<I, M>;
  appPath: string;
  platform: NodeJS.Platform;
  source: TraySource;
  run: (action: TrayAction) => void;
  /** Left click on Windows, "activate" on Linux (macOS shows the menu instead). */
  onClick: () => void;
  onMissingIcon: (path: string) => void;
}): TrayController {
  const { electron, appPath, platform, source, run } = options;
  const image = (state: TrayIconState) => {
    const path = trayIconPath(appPath, state, platform);
    const loaded = electron.imageFromPath(path);
    // A bad path gives an empty image, not an error: an invisible tray icon nobody could click.
    if (loaded.isEmpty()) options.onMissingIcon(path);
    if (platform === 'darwin') loaded.setTemplateImage(true);
    return loaded;
  };
  const initial = source.snapshot();
  let shownState = trayIconState(initial);
  const tray = electron.createTray(image(shownState));
  liveTray = tray as TrayHandle<TrayImage, unknown>;
  // macOS opens the context menu on a click itself; acting on the click as well would open a window each time.
  if (platform !== 'darwin') tray.on('click', options.onClick);

  const controller: TrayController = {
    render() {
      const snapshot = source.snapshot();
      const now = source.now();
      const context = source.context();
      const state = trayIconState(snapshot);
      if (state !== shownState) {
        tray.setImage(image(state));
        shownState = state;
      }
      tray.setToolTip(trayTooltip(snapshot, context.accountLabels, now));
      // Set again on every change: Linux's StatusNotifierItem only picks up a menu that is set anew.
      tray.setContextMenu(electron.buildMenu(toMenuTemplate(buildTrayMenu(snapshot, { ...context, now }), run, platform)));
    },
    destroy() {
      tray.destroy();
      if (liveTray === tray) liveTray = undefined;
    },
  };
  controller.render();
  return controller;
}
