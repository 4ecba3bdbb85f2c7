import { describe, expect, it } from 'vitest';
import { externalUrlAllowed, idpNavigationAllowed, permissionAllowed } from '../../../main/security/web-policy.js';
import { denyPermissions, hardenWebContents, type HardenedContents, type PermissionSession } from '../../../main/shell/security.js';
import { silentLogger } from '../../../main/support/logger.js';

type NavListener = (event: { preventDefault(): void }, url: string) => void;

class FakeContents implements HardenedContents {
  readonly session = {};
  readonly listeners = new Map<string, NavListener>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  on(event: string, listener: NavListener): this {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Fires `event` and says whether the default was prevented. */
  fire(event: string, url = ''): boolean {
    let prevented = false;
    this.listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

describe('hardenWebContents', () => {
  function harden(navigationAllowed: (url: string) => boolean) {
    const contents = new FakeContents();
    const opened: string[] = [];
    hardenWebContents(contents, {
      navigationAllowed: (_c, url) => navigationAllowed(url),
      openExternal: async (url) => {
        opened.push(url);
      },
      logger: silentLogger,
    });
    return { contents, opened };
  }

  it('blocks navigation and redirects the policy refuses, and never attaches a webview', () => {
    const { contents } = harden(idpNavigationAllowed);
    expect(contents.fire('will-navigate', 'https://idp.example.com/next')).toBe(false);
    expect(contents.fire('will-navigate', 'http://idp.example.com/next')).toBe(true);
    expect(contents.fire('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
  });

  it('denies every window.open, handing only checked https links to the system browser', () => {
    const { contents, opened } = harden(() => false);
    for (const url of ['https://docs.example.com/help', 'http://example.com/', 'file:///etc/passwd', 'smb://host/share', 'https://user:pw@example.com/', 'javascript:alert(1)']) {
      expect(contents.openHandler?.({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://docs.example.com/help']);
  });
});

describe('the web policy', () => {
  it.each([
    ['https://idp.example.com/sso', true],
    ['http://127.0.0.1:8080/simplesaml/', true],
    ['http://idp.example.com/sso', false],
    ['file:///etc/passwd', false],
    ['data:text/html,hi', false],
    ['https://user:pw@idp.example.com/', false],
  ])('IdP navigation to %s allowed: %s', (url, allowed) => {
    expect(idpNavigationAllowed(url)).toBe(allowed);
  });

  it('external links: https only', () => {
    expect(externalUrlAllowed('https://signin.aws.amazon.com/federation?Action=login')).toBe(true);
    expect(externalUrlAllowed('not a url')).toBe(false);
    expect(externalUrlAllowed('vscode://open')).toBe(false);
  });
});

describe('denyPermissions', () => {
  it('sets both handlers, and both refuse everything', () => {
    let request: Parameters<PermissionSession['setPermissionRequestHandler']>[0] = null;
    let check: Parameters<PermissionSession['setPermissionCheckHandler']>[0] = null;
    denyPermissions({
      setPermissionRequestHandler: (handler) => {
        request = handler;
      },
      setPermissionCheckHandler: (handler) => {
        check = handler;
      },
    });
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'openExternal']) {
      (request as unknown as (c: unknown, p: string, cb: (granted: boolean) => void) => void)?.({}, permission, (granted) => answers.push(granted));
      answers.push((check as unknown as (c: unknown, p: string) => boolean)?.(null, permission));
      expect(permissionAllowed(permission)).toBe(false);
    }
    expect(answers).toHaveLength(12);
    expect(answers.every((granted) => granted === false)).toBe(true);
  });
});
