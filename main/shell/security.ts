import type { WebContents } from 'electron';
import { externalUrlAllowed, permissionAllowed } from '../security/web-policy.js';
import type { Logger } from '../support/logger.js';

/**
 * Electron's security checklist, applied to every web content as it is created: no navigation the page
 * does not own, no new windows, no `<webview>`, links out only as checked https URLs, every permission refused.
 */

/** What the hardening needs of a WebContents (structural, so tests can pass a small fake). */
export interface HardenedContents {
  readonly session: object;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface HardeningOptions {
  /** May this web content navigate to `url`? (Only the IdP view may at all.) */
  navigationAllowed(contents: HardenedContents, url: string): boolean;
  openExternal(url: string): Promise<void>;
  logger: Logger;
}

export function hardenWebContents(contents: HardenedContents, options: HardeningOptions): void {
  const refuseNavigation = (event: { preventDefault(): void }, url: string) => {
    if (options.navigationAllowed(contents, url)) return;
    event.preventDefault();
    options.logger.warn('Blocked a navigation', { to: url.replace(/[?#].*$/, '') });
  };
  contents.on('will-navigate', (event, url) => refuseNavigation(event, url));
  contents.on('will-redirect', (event, url) => refuseNavigation(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler((details) => {
    if (externalUrlAllowed(details.url)) {
      options.openExternal(details.url).catch((error: unknown) => options.logger.warn('Could not open a link in the browser', { error }));
    }
    return { action: 'deny' };
  });
}

/** What a session needs for the permission handlers (every session that loads remote content gets both). */
export interface PermissionSession {
  setPermissionRequestHandler(handler: ((webContents: WebContents, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: WebContents | null, permission: string) => boolean) | null): void;
}

export function denyPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionAllowed(permission)));
  session.setPermissionCheckHandler((_contents, permission) => permissionAllowed(permission));
}
