import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SessionSnapshot } from '../../../main/session/types.js';
import {
  createTray,
  createTrayActionDispatcher,
  toMenuTemplate,
  trayIconPath,
  type TrayElectron,
  type TrayImage,
} from '../../../main/shell/tray-icon.js';
import { buildTrayMenu, type MenuItemDescription, type TrayAction, type TrayActionHandlers } from '../../../main/tray/menu.js';
import { manyRoles, role, serving, snapshot } from '../../support/session-snapshots.js';

const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);
const APP_PATH = new URL('../../..', import.meta.url).pathname;
const CONTEXT = { accountLabels: { '111111111111': 'Production' }, startAtLogin: false, hasProfiles: true, offerExtensionHost: true, now: NOW, timeZone: 'UTC' };

type Template = ReturnType<typeof toMenuTemplate>;

/** Every clickable item of a template, depth first. */
function clickable(template: Template): Template {
  return template.flatMap((item) => [...(item.click ? [item] : []), ...(Array.isArray(item.submenu) ? clickable(item.submenu) : [])]);
}

function actionsOf(items: readonly MenuItemDescription[]): TrayAction[] {
  return items.flatMap((item) => [...(item.action ? [item.action] : []), ...actionsOf(item.submenu ?? [])]);
}

const admin = role('111111111111', 'Admin');
const read = role('222222222222', 'ReadOnly');
/** Menus across the session's states: together they hold every kind of action. */
const SNAPSHOTS: SessionSnapshot[] = [
  snapshot('signed-out'),
  snapshot('signing-in'),
  snapshot('choosing-role', { roles: [admin, read] }),
  serving('active', [admin, read, ...manyRoles(40, 1)], admin, NOW + 3_600_000),
  serving('needs-sign-in', [admin, read], admin, NOW + 600_000),
];

/** The same handler for every kind, spelled out so the compiler checks none is missing. */
function everyHandler(handler: (action: TrayAction) => unknown): TrayActionHandlers {
  return {
    'sign-in': handler,
    'show-sign-in': handler,
    'sign-out': handler,
    'choose-role': handler,
    'keep-active': handler,
    'open-role-picker': handler,
    refresh: handler,
    'copy-env': handler,
    'open-console': handler,
    'open-status': handler,
    'open-settings': handler,
    'set-start-at-login': handler,
    'install-extension-host': handler,
    quit: handler,
  };
}

describe('the tray menu in Electron terms', () => {
  it('maps every action of the menu model to its handler, with the item’s payload', () => {
    const seen: TrayAction[] = [];
    const record = (action: TrayAction) => {
      seen.push(action);
    };
    const handlers = everyHandler(record);
    const run = createTrayActionDispatcher(handlers, (error) => {
      throw error;
    });
    const kinds = new Set<string>();
    for (const state of SNAPSHOTS) {
      const items = buildTrayMenu(state, CONTEXT);
      const expected = actionsOf(items);
      seen.length = 0;
      for (const item of clickable(toMenuTemplate(items, run, 'linux'))) item.click?.({} as never, undefined, {} as never);
      expect(seen).toEqual(expected);
      for (const action of expected) kinds.add(action.kind);
    }
    expect([...kinds].sort()).toEqual(Object.keys(handlers).sort());
  });

  it('keeps labels, types, checks and the enabled flag; disabled items carry no click; reasons become macOS tooltips', () => {
    const items = buildTrayMenu(snapshot('signed-out'), CONTEXT);
    const refresh = items.find((item) => item.id === 'refresh');
    expect(refresh?.enabled).toBe(false);
    const onMac = toMenuTemplate(items, () => {}, 'darwin').find((item) => item.id === 'refresh');
    expect(onMac).toMatchObject({ label: refresh?.label, enabled: false, toolTip: refresh?.disabledReason });
    expect(onMac?.click).toBeUndefined();
    const onLinux = toMenuTemplate(items, () => {}, 'linux').find((item) => item.id === 'refresh');
    expect(onLinux?.toolTip).toBeUndefined();
    const login = toMenuTemplate(items, () => {}, 'linux').find((item) => item.id === 'start-at-login');
    expect(login).toMatchObject({ type: 'checkbox', checked: false });
  });

  it('reports a failing handler instead of leaving an unhandled rejection', async () => {
    const errors: unknown[] = [];
    const failing = async () => {
      throw new Error('STS is down');
    };
    const handlers = everyHandler(failing);
    createTrayActionDispatcher(handlers, (error) => errors.push(error))({ kind: 'refresh' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([new Error('STS is down')]);
  });
});

describe('trayIconPath', () => {
  it.each(['darwin', 'win32', 'linux'] as const)('names an existing image for every state on %s', (platform) => {
    for (const state of ['signed-out', 'active', 'refreshing', 'attention'] as const) {
      const path = trayIconPath(APP_PATH, state, platform);
      expect(existsSync(path), path).toBe(true);
    }
    expect(trayIconPath('/app', 'signed-out', 'darwin')).toBe('/app/assets/tray/signedOutTemplate.png');
    expect(trayIconPath('/app', 'active', 'win32')).toMatch(/active\.ico$/);
    expect(trayIconPath('/app', 'attention', 'linux')).toMatch(/attention\.png$/);
  });
});

class FakeImage implements TrayImage {
  template = false;
  constructor(readonly path: string, private readonly empty: boolean) {}
  isEmpty() {
    return this.empty;
  }
  setTemplateImage(option: boolean) {
    this.template = option;
  }
}

describe('createTray', () => {
  function fakeElectron() {
    const calls: string[] = [];
    const menus: Template[] = [];
    const electron: TrayElectron<FakeImage, Template> = {
      imageFromPath: (path) => new FakeImage(path, path.includes('missing')),
      buildMenu: (template) => template,
      createTray: (image) => {
        calls.push(`new Tray ${image.path.split('/').pop()}`);
        return {
          setImage: (next) => calls.push(`setImage ${next.path.split('/').pop()}`),
          setToolTip: (text) => calls.push(`setToolTip ${text}`),
          setContextMenu: (menu) => {
            calls.push('setContextMenu');
            if (menu) menus.push(menu);
          },
          on: (event) => calls.push(`on ${event}`),
          destroy: () => calls.push('destroy'),
        };
      },
    };
    return { electron, calls, menus };
  }

  it('sets image, tooltip and a freshly built menu on every render; the image only when the state changed', () => {
    const { electron, calls, menus } = fakeElectron();
    let current = snapshot('signed-out');
    const tray = createTray({
      electron,
      appPath: '/app',
      platform: 'darwin',
      source: { snapshot: () => current, context: () => CONTEXT, now: () => NOW },
      run: () => {},
      onClick: () => {},
      onMissingIcon: (path) => calls.push(`missing ${path}`),
    });
    // No click handler on macOS: a click there opens the menu.
    expect(calls).toEqual(['new Tray signedOutTemplate.png', 'setToolTip Cloudtoken — signed out', 'setContextMenu']);
    calls.length = 0;
    tray.render();
    expect(calls).toEqual(['setToolTip Cloudtoken — signed out', 'setContextMenu']);
    current = serving('active', [admin], admin, NOW + 42 * 60_000);
    calls.length = 0;
    tray.render();
    expect(calls).toEqual(['setImage activeTemplate.png', 'setToolTip Cloudtoken — Admin · Production — 42 min left', 'setContextMenu']);
    expect(menus).toHaveLength(3);
    expect(menus[2]).not.toBe(menus[1]);
    tray.destroy();
    expect(calls.at(-1)).toBe('destroy');
  });

  it('reports a tray image that failed to load (an empty image would leave an invisible icon)', () => {
    const { electron, calls } = fakeElectron();
    createTray({
      electron,
      appPath: '/missing',
      platform: 'linux',
      source: { snapshot: () => snapshot('signed-out'), context: () => CONTEXT, now: () => NOW },
      run: () => {},
      onClick: () => {},
      onMissingIcon: (path) => calls.push(`missing ${path}`),
    }).destroy();
    expect(calls).toContain('missing /missing/assets/tray/signedOut.png');
    expect(calls).toContain('on click');
  });
});
