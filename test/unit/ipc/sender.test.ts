import { describe, expect, it } from 'vitest';
import { isTrustedSender, pageUrl, senderRefusal } from '../../../main/ipc/sender.js';
import { REQUEST_WINDOWS, isRequestChannel } from '../../../preload/contract.js';
import type { RequestChannel, WindowKind } from '../../../preload/contract.js';

const policy = { rendererBaseUrl: 'file:///opt/Cloudtoken/resources/app.asar/dist/renderer/' };
const settingsPage = 'file:///opt/Cloudtoken/resources/app.asar/dist/renderer/settings/index.html';

describe('senderRefusal', () => {
  it('accepts the main frame of a window showing its own page, on its own channels', () => {
    expect(pageUrl('settings', policy)).toBe(settingsPage);
    expect(senderRefusal({ frameUrl: settingsPage, isMainFrame: true, windowKind: 'settings' }, 'cloudtoken:settings:save', policy)).toBeUndefined();
    expect(isTrustedSender({ frameUrl: `${settingsPage}#profiles`, isMainFrame: true, windowKind: 'settings' }, 'cloudtoken:window:close', policy)).toBe(true);
  });

  it.each([
    [{ frameUrl: settingsPage, isMainFrame: true, windowKind: undefined }, 'not sent by a Cloudtoken window'],
    [{ frameUrl: settingsPage, isMainFrame: false, windowKind: 'settings' }, 'subframe'],
    [{ frameUrl: undefined, isMainFrame: true, windowKind: 'settings' }, 'frame is gone'],
    [{ frameUrl: 'not a url', isMainFrame: true, windowKind: 'settings' }, 'no valid URL'],
    [{ frameUrl: 'https://idp.example.com/renderer/settings/index.html', isMainFrame: true, windowKind: 'settings' }, 'unexpected page'],
    [{ frameUrl: 'file:///tmp/evil/settings/index.html', isMainFrame: true, windowKind: 'settings' }, 'unexpected page'],
    [{ frameUrl: policy.rendererBaseUrl + 'status/index.html', isMainFrame: true, windowKind: 'settings' }, 'unexpected page'],
    [{ frameUrl: policy.rendererBaseUrl + 'settings/../status/index.html', isMainFrame: true, windowKind: 'settings' }, 'unexpected page'],
    [{ frameUrl: policy.rendererBaseUrl + 'roles/index.html', isMainFrame: true, windowKind: 'roles' }, 'may not use cloudtoken:settings:save'],
  ] as const)('refuses %j (%s)', (sender, reason) => {
    expect(senderRefusal(sender as never, 'cloudtoken:settings:save', policy)).toContain(reason);
  });

  it('works for a custom protocol base too', () => {
    const app = { rendererBaseUrl: 'app://cloudtoken/' };
    expect(isTrustedSender({ frameUrl: 'app://cloudtoken/login/index.html', isMainFrame: true, windowKind: 'login' }, 'cloudtoken:login:cancel', app)).toBe(true);
    expect(isTrustedSender({ frameUrl: 'app://other/login/index.html', isMainFrame: true, windowKind: 'login' }, 'cloudtoken:login:cancel', app)).toBe(false);
  });

  it('every channel is allowed to some window and to no other', () => {
    const kinds: WindowKind[] = ['login', 'roles', 'settings', 'status'];
    for (const channel of Object.keys(REQUEST_WINDOWS) as RequestChannel[]) {
      expect(isRequestChannel(channel)).toBe(true);
      const allowed = kinds.filter((kind) => isTrustedSender({ frameUrl: pageUrl(kind, policy), isMainFrame: true, windowKind: kind }, channel, policy));
      expect(allowed).toEqual([...REQUEST_WINDOWS[channel]]);
    }
    expect(isRequestChannel('cloudtoken:nope')).toBe(false);
    expect(isRequestChannel('toString')).toBe(false);
  });
});
