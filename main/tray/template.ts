import type { MenuItemDescription, TrayAction } from './menu.js';

/**
 * The menu description as the plain options object `Menu.buildFromTemplate` takes (structurally Electron's
 * MenuItemConstructorOptions; Electron's types cannot be named outside main/shell). Clicks go to one
 * dispatcher with the item's action; items without an action get no click handler at all, which is what
 * keeps a disabled top-level item inert on macOS, where `enabled` is ignored there.
 */
export interface MenuTemplateItem {
  id: string;
  type: 'normal' | 'separator' | 'radio' | 'checkbox' | 'submenu';
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  toolTip?: string;
  submenu?: MenuTemplateItem[];
  click?: () => void;
}

export function toMenuTemplate(
  items: readonly MenuItemDescription[],
  dispatch: (action: TrayAction) => void,
  platform: NodeJS.Platform,
): MenuTemplateItem[] {
  return items.map((item): MenuTemplateItem => {
    if (item.type === 'separator') return { id: item.id, type: 'separator' };
    const template: MenuTemplateItem = { id: item.id, type: item.type, label: item.label, enabled: item.enabled };
    if (item.checked !== undefined) template.checked = item.checked;
    // toolTip is shown on macOS only; elsewhere the reason is already in the label.
    if (item.disabledReason && platform === 'darwin') template.toolTip = item.disabledReason;
    if (item.submenu) template.submenu = toMenuTemplate(item.submenu, dispatch, platform);
    const { action } = item;
    if (action && item.enabled) template.click = () => dispatch(action);
    return template;
  });
}
