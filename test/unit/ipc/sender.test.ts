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

  describe('an install path on Windows', () => {
    // What pathToFileURL makes of `c:\Users\Ann\AppData\Local\Programs\Cloud 100%\resources\app.asar\dist\renderer\`.
    const windows = { rendererBaseUrl: 'file:///c:/Users/Ann/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/', platform: 'win32' as const };
    const page = (path: string) => ({ frameUrl: `file:///${path}`, isMainFrame: true, windowKind: 'settings' as const });

    it.each([
      ['the same URL', 'c:/Users/Ann/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/settings/index.html'],
      ['Chromium’s upper-case drive letter', 'C:/Users/Ann/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/settings/index.html'],
      ['another spelling of the same characters', 'C:/Users/Ann/AppData/Local/Programs/Cloud 100%25/resources/app.asar/dist/renderer/settings/index%2Ehtml'],
    ])('accepts %s', (_name, path) => {
      expect(senderRefusal(page(path), 'cloudtoken:settings:save', windows)).toBeUndefined();
    });

    it.each([
      ['another drive', 'D:/Users/Ann/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/settings/index.html'],
      ['another folder', 'C:/Users/Eve/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/settings/index.html'],
      ['another page', 'C:/Users/Ann/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/status/index.html'],
      ['an escaped separator', 'C:/Users/Ann/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/settings%5Cindex.html'],
    ])('refuses %s', (_name, path) => {
      expect(senderRefusal(page(path), 'cloudtoken:settings:save', windows)).toContain('unexpected page');
    });

    it('refuses a share on another host', () => {
      expect(senderRefusal({ ...page(''), frameUrl: 'file://evil/c$/Users/Ann/AppData/Local/Programs/Cloud%20100%25/resources/app.asar/dist/renderer/settings/index.html' }, 'cloudtoken:settings:save', windows)).toContain('unexpected page');
    });
  });

  it('on Linux, a file path keeps its case and its escapes decode to the same file', () => {
    const linux = { rendererBaseUrl: 'file:///home/ann/Cloud%20100%25/dist/renderer/', platform: 'linux' as const };
    const sender = (frameUrl: string) => ({ frameUrl, isMainFrame: true, windowKind: 'settings' as const });
    expect(senderRefusal(sender('file:///home/ann/Cloud 100%25/dist/renderer/settings/index.html'), 'cloudtoken:settings:save', linux)).toBeUndefined();
    expect(senderRefusal(sender('file:///home/ann/cloud%20100%25/dist/renderer/settings/index.html'), 'cloudtoken:settings:save', linux)).toContain('unexpected page');
    expect(senderRefusal(sender('file:///home/ann/Cloud%20100%25/dist/renderer%2Fsettings/index.html'), 'cloudtoken:settings:save', linux)).toContain('unexpected page');
  });

  it('every channel is allowed to some window and to no other', () => {
    const kinds: WindowKind[] = ['login', 'roles', 'settings', 'status', 'question'];
    for (const channel of Object.keys(REQUEST_WINDOWS) as RequestChannel[]) {
      expect(isRequestChannel(channel)).toBe(true);
      const allowed = kinds.filter((kind) => isTrustedSender({ frameUrl: pageUrl(kind, policy), isMainFrame: true, windowKind: kind }, channel, policy));
      expect(allowed).toEqual([...REQUEST_WINDOWS[channel]]);
    }
    expect(isRequestChannel('cloudtoken:nope')).toBe(false);
    expect(isRequestChannel('toString')).toBe(false);
  });
});
