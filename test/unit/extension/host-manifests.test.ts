import { describe, expect, it } from 'vitest';
import { hostManifest, hostPlan, registryRemoval, type HostPlanInput } from '../../../main/extension/host-manifests.js';

const input = (platform: NodeJS.Platform, extra: Partial<HostPlanInput> = {}): HostPlanInput => ({
  platform,
  homedir: platform === 'win32' ? 'C:\\Users\\ana' : platform === 'darwin' ? '/Users/ana' : '/home/ana',
  env: {},
  stateHome: platform === 'win32' ? 'C:\\Users\\ana\\AppData\\Roaming\\Cloudtoken' : platform === 'darwin' ? '/Users/ana/Library/Application Support/Cloudtoken' : '/home/ana/.config/cloudtoken',
  command: platform === 'win32' ? ['C:\\Program Files\\nodejs\\node.exe', 'C:\\npm\\cloudtoken.js'] : ['/usr/bin/node', "/opt/it's here/cloudtoken.js"],
  environment: { CLOUDTOKEN_HOME: platform === 'win32' ? 'C:\\Users\\ana\\AppData\\Roaming\\Cloudtoken' : '/home/ana/.config/cloudtoken' },
  ...extra,
});

describe('native messaging host manifests (golden)', () => {
  it('Linux: each browser’s per-user folder, XDG_CONFIG_HOME honoured, Firefox under ~/.mozilla', () => {
    expect(hostPlan(input('linux')).manifests.map((m) => [m.browser, m.manifestPath, m.registryKey])).toEqual([
      ['chrome', '/home/ana/.config/google-chrome/NativeMessagingHosts/com.cloudtoken.native_host.json', undefined],
      ['chromium', '/home/ana/.config/chromium/NativeMessagingHosts/com.cloudtoken.native_host.json', undefined],
      ['edge', '/home/ana/.config/microsoft-edge/NativeMessagingHosts/com.cloudtoken.native_host.json', undefined],
      ['brave', '/home/ana/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.cloudtoken.native_host.json', undefined],
      ['firefox', '/home/ana/.mozilla/native-messaging-hosts/com.cloudtoken.native_host.json', undefined],
    ]);
    expect(hostPlan(input('linux', { env: { XDG_CONFIG_HOME: '/xdg' } })).manifests.map((m) => m.manifestPath)[1]).toBe('/xdg/chromium/NativeMessagingHosts/com.cloudtoken.native_host.json');
    expect(hostPlan(input('linux', { env: { XDG_CONFIG_HOME: 'relative' } })).manifests.map((m) => m.manifestPath)[1]).toBe('/home/ana/.config/chromium/NativeMessagingHosts/com.cloudtoken.native_host.json');
    expect(hostPlan(input('linux')).registry).toEqual([]);
  });

  it('macOS: Application Support folders', () => {
    expect(hostPlan(input('darwin')).manifests.map((m) => [m.browser, m.manifestPath])).toEqual([
      ['chrome', '/Users/ana/Library/Application Support/Google/Chrome/NativeMessagingHosts/com.cloudtoken.native_host.json'],
      ['chromium', '/Users/ana/Library/Application Support/Chromium/NativeMessagingHosts/com.cloudtoken.native_host.json'],
      ['edge', '/Users/ana/Library/Application Support/Microsoft Edge/NativeMessagingHosts/com.cloudtoken.native_host.json'],
      ['brave', '/Users/ana/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.cloudtoken.native_host.json'],
      ['firefox', '/Users/ana/Library/Application Support/Mozilla/NativeMessagingHosts/com.cloudtoken.native_host.json'],
    ]);
  });

  it('Windows: manifests in the state folder, HKCU keys naming them, set and removed with reg', () => {
    const plan = hostPlan(input('win32'));
    const folder = 'C:\\Users\\ana\\AppData\\Roaming\\Cloudtoken\\native-host';
    expect(plan.registry).toEqual([
      ['reg', 'add', 'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\com.cloudtoken.native_host', '/ve', '/t', 'REG_SZ', '/d', `${folder}\\com.cloudtoken.native_host.chrome.json`, '/f'],
      ['reg', 'add', 'HKCU\\Software\\Chromium\\NativeMessagingHosts\\com.cloudtoken.native_host', '/ve', '/t', 'REG_SZ', '/d', `${folder}\\com.cloudtoken.native_host.chrome.json`, '/f'],
      ['reg', 'add', 'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\com.cloudtoken.native_host', '/ve', '/t', 'REG_SZ', '/d', `${folder}\\com.cloudtoken.native_host.chrome.json`, '/f'],
      ['reg', 'add', 'HKCU\\Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts\\com.cloudtoken.native_host', '/ve', '/t', 'REG_SZ', '/d', `${folder}\\com.cloudtoken.native_host.chrome.json`, '/f'],
      ['reg', 'add', 'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\com.cloudtoken.native_host', '/ve', '/t', 'REG_SZ', '/d', `${folder}\\com.cloudtoken.native_host.firefox.json`, '/f'],
    ]);
    expect(registryRemoval(plan)[4]).toEqual(['reg', 'delete', 'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\com.cloudtoken.native_host', '/f']);
    expect(plan.launcher).toEqual({
      path: `${folder}\\cloudtoken-native-host.cmd`,
      content: '@echo off\r\nset "CLOUDTOKEN_HOME=C:\\Users\\ana\\AppData\\Roaming\\Cloudtoken"\r\n"C:\\Program Files\\nodejs\\node.exe" "C:\\npm\\cloudtoken.js" native-host %*\r\n',
    });
  });

  it('admits only the Cloudtoken extension, and the launcher runs this cloudtoken on this state folder', () => {
    const plan = hostPlan(input('linux'));
    expect(JSON.parse(plan.manifests[0]!.content)).toEqual({
      name: 'com.cloudtoken.native_host',
      description: 'Cloudtoken: hands AWS sign-ins from the browser extension to the Cloudtoken app',
      path: '/home/ana/.config/cloudtoken/native-host/cloudtoken-native-host',
      type: 'stdio',
      allowed_origins: ['chrome-extension://ehfgpegdpneilholpjojbhmbgaiacago/'],
    });
    expect(hostManifest('firefox', '/x')).toMatchObject({ allowed_extensions: ['{818cc67f-9a73-4103-830b-8c9f625491dc}'] });
    expect(hostManifest('firefox', '/x')).not.toHaveProperty('allowed_origins');
    expect(plan.launcher.content).toBe(
      "#!/bin/sh\n# Written by `cloudtoken extension install`: the browser starts this for the Cloudtoken extension.\nCLOUDTOKEN_HOME='/home/ana/.config/cloudtoken'; export CLOUDTOKEN_HOME\nexec '/usr/bin/node' '/opt/it'\\''s here/cloudtoken.js' native-host \"$@\"\n",
    );
  });
});
