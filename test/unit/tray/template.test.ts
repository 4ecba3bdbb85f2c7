import { describe, expect, it } from 'vitest';
import { buildTrayMenu } from '../../../main/tray/menu.js';
import type { TrayAction } from '../../../main/tray/menu.js';
import { toMenuTemplate } from '../../../main/tray/template.js';
import type { MenuTemplateItem } from '../../../main/tray/template.js';
import { role, serving, snapshot } from '../../support/session-snapshots.js';

const NOW = Date.UTC(2026, 10, 25, 13, 0, 0);
const context = { accountLabels: {}, startAtLogin: false, hasProfiles: true, now: NOW, timeZone: 'UTC' };
const admin = role('123456789012', 'Admin');
const deploy = role('210987654321', 'Deploy');

function find(items: MenuTemplateItem[], id: string): MenuTemplateItem | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = item.submenu && find(item.submenu, id);
    if (inner) return inner;
  }
  return undefined;
}

describe('toMenuTemplate', () => {
  it('dispatches the action of enabled items, including those in submenus', () => {
    const actions: TrayAction[] = [];
    const menu = buildTrayMenu(serving('active', [admin, deploy], admin, NOW + 3_600_000), context);
    const template = toMenuTemplate(menu, (action) => actions.push(action), 'linux');
    find(template, `role:${deploy.roleArn}`)!.click!();
    find(template, 'copy-env:powershell')!.click!();
    find(template, 'quit')!.click!();
    expect(actions).toEqual([{ kind: 'choose-role', roleArn: deploy.roleArn }, { kind: 'copy-env', shell: 'powershell' }, { kind: 'quit' }]);
    expect(find(template, `role:${admin.roleArn}`)).toMatchObject({ type: 'radio', checked: true });
    expect(find(template, `account:${deploy.accountId}`)!.submenu).toHaveLength(1);
  });

  it('gives disabled and informational items no click, and a tooltip only on macOS', () => {
    const menu = buildTrayMenu(snapshot('signed-out'), context);
    const linux = toMenuTemplate(menu, () => {}, 'linux');
    const mac = toMenuTemplate(menu, () => {}, 'darwin');
    expect(find(linux, 'refresh')).toEqual({ id: 'refresh', type: 'normal', label: 'Refresh now (sign in first)', enabled: false });
    expect(find(mac, 'refresh')).toMatchObject({ toolTip: 'sign in first' });
    expect(find(mac, 'refresh')!.click).toBeUndefined();
    expect(find(mac, 'status')!.click).toBeUndefined();
    expect(linux.filter((item) => item.type === 'separator').every((item) => Object.keys(item).length === 2)).toBe(true);
  });
});
