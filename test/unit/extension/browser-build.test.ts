import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACS_HOST_PERMISSIONS, blockRules, extensionManifest } from '../../../main/extension/browser-build.js';
import { CHROME_EXTENSION_ID, CHROME_EXTENSION_KEY, FIREFOX_EXTENSION_ID } from '../../../main/extension/identity.js';
import { ACS_URL_REGEX_SOURCE, classifyAcsUrl } from '../../../main/saml/acs.js';
// @ts-expect-error -- a plain ESM build script without types
import { buildExtension } from '../../../scripts/build-extension.mjs';

const ROOT = join(import.meta.dirname, '../../..');

describe('the browser extension build', () => {
  it('pins the key whose id the host manifests name', () => {
    const digest = createHash('sha256').update(Buffer.from(CHROME_EXTENSION_KEY, 'base64')).digest('hex').slice(0, 32);
    expect([...digest].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('')).toBe(CHROME_EXTENSION_ID);
    expect(extensionManifest('chrome', '1.2.3').key).toBe(CHROME_EXTENSION_KEY);
  });

  it('asks for the AWS sign-in hosts only, reads no page, and takes IdP origins only when granted', () => {
    for (const target of ['chrome', 'firefox'] as const) {
      const manifest = extensionManifest(target, '1.2.3');
      expect(manifest.host_permissions).toEqual([
        'https://signin.aws.amazon.com/*',
        'https://*.signin.aws.amazon.com/*',
        'https://signin.amazonaws-us-gov.com/*',
        'https://*.signin.amazonaws-us-gov.com/*',
        'https://signin.amazonaws.cn/*',
        'https://*.signin.amazonaws.cn/*',
      ]);
      expect(manifest).not.toHaveProperty('content_scripts');
      expect(manifest).not.toHaveProperty('externally_connectable');
      expect(manifest).not.toHaveProperty('web_accessible_resources');
      expect(manifest.permissions).not.toContain('tabs');
      expect(manifest.permissions).not.toContain('scripting');
      expect(manifest.optional_host_permissions).toEqual(['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*']);
    }
    expect(extensionManifest('chrome', '1').permissions).toEqual(['webRequest', 'declarativeNetRequestWithHostAccess', 'nativeMessaging', 'storage']);
    expect(extensionManifest('firefox', '1').permissions).toEqual(['webRequest', 'webRequestBlocking', 'nativeMessaging', 'storage']);
  });

  it('gives Firefox its gecko id and background scripts, Chrome a service worker and the blocking rule', () => {
    const firefox = extensionManifest('firefox', '1.2.3');
    expect(firefox.browser_specific_settings).toEqual({ gecko: { id: FIREFOX_EXTENSION_ID, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } } });
    expect(firefox.background).toEqual({ scripts: ['background.js'], type: 'module' });
    expect(firefox).not.toHaveProperty('key');
    const chrome = extensionManifest('chrome', '1.2.3');
    expect(chrome.background).toEqual({ service_worker: 'background.js', type: 'module' });
    expect(chrome.declarative_net_request).toEqual({ rule_resources: [{ id: 'block-aws-saml-post', enabled: true, path: 'block-rules.json' }] });
  });

  it('blocks a POST to exactly the endpoints the app treats as AWS SAML endpoints', () => {
    const [rule] = blockRules() as Array<{ condition: { regexFilter: string; requestMethods: string[] } }>;
    expect(rule!.condition.regexFilter).toBe(ACS_URL_REGEX_SOURCE);
    expect(rule!.condition.requestMethods).toEqual(['post']);
    const matches = new RegExp(ACS_URL_REGEX_SOURCE);
    const urls = [
      'https://signin.aws.amazon.com/saml',
      'https://signin.aws.amazon.com/saml/',
      'https://signin.aws.amazon.com/static/saml',
      'https://eu-west-1.signin.aws.amazon.com/saml',
      'https://us-gov-west-1.signin.amazonaws-us-gov.com/saml',
      'https://signin.amazonaws.cn/saml/acs/SAMLSP4SHN3UIS2D558H46',
      'https://signin.aws.amazon.com/saml?SAMLResponse=x',
      'https://signin.aws.amazon.com.evil.example/saml',
      'https://evil.example/signin.aws.amazon.com/saml',
      'http://signin.aws.amazon.com/saml',
      'https://signin.aws.amazon.com/samlx',
      'https://console.signin.aws.amazon.com/saml',
      'https://signin.aws.amazon.com/console',
    ];
    for (const url of urls) expect(matches.test(url), url).toBe(classifyAcsUrl(url) !== undefined);
    // Every host the rule can match is one the extension has permission for.
    for (const url of urls.filter((u) => matches.test(u))) expect(ACS_HOST_PERMISSIONS.some((p) => new URL(url).hostname.endsWith(new URL(p.replace('*.', '')).hostname))).toBe(true);
  });

  it('writes an unpacked folder and a store zip per target', { timeout: 30_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'ct-extension-build-'));
    try {
      const archives: string[] = await buildExtension(ROOT, out);
      const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(archives.map((a) => a.slice(out.length))).toEqual([`/extension/cloudtoken-chrome-${version}.zip`, `/extension/cloudtoken-firefox-${version}.zip`]);
      for (const [index, target] of (['chrome', 'firefox'] as const).entries()) {
        // Read back by Info-ZIP's unzip, as a store's tooling would read it.
        const archive = archives[index]!;
        expect(execFileSync('unzip', ['-tq', archive], { encoding: 'utf8' })).toMatch(/^No errors detected/);
        const names = execFileSync('unzip', ['-Z1', archive], { encoding: 'utf8' }).trim().split('\n').sort();
        expect(names).toEqual(
          ['background.js', ...(target === 'chrome' ? ['block-rules.json'] : []), 'icon-128.png', 'manifest.json', 'options.html', 'options.js', 'page.css', 'signed-in.html', 'signed-in.js'].sort(),
        );
        const manifest = JSON.parse(execFileSync('unzip', ['-p', archive, 'manifest.json'], { encoding: 'utf8' }));
        expect(manifest).toEqual(extensionManifest(target, version));
        const background = execFileSync('unzip', ['-p', archive, 'background.js'], { encoding: 'utf8' });
        // The build-time target decides how the POST is stopped; nothing of the other remains switchable.
        expect(background).not.toContain('__TARGET__');
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
