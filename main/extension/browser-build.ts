import { ACS_URL_REGEX_SOURCE, SIGNIN_HOSTS } from '../saml/acs.js';
import { CHROME_EXTENSION_KEY, FIREFOX_EXTENSION_ID } from './identity.js';

/**
 * What `npm run build` writes into the browser extension besides its scripts: the manifests of the Chrome
 * (Chrome, Edge, Brave) and Firefox builds and the declarativeNetRequest rule that keeps the SAML POST from
 * reaching AWS. Every AWS address in them comes from main/saml/acs.ts, the list the app itself uses.
 */
export type BrowserTarget = 'chrome' | 'firefox';

/** Host permissions: each AWS sign-in host and its regional variants, nothing else. */
export const ACS_HOST_PERMISSIONS: readonly string[] = SIGNIN_HOSTS.flatMap(({ host }) => [`https://${host}/*`, `https://*.${host}/*`]);

/**
 * IdP origins are not known when the extension is built: the user grants the ones of their profiles at run
 * time (the options page asks), so the extension learns which page posted an assertion and from nowhere else.
 */
export const OPTIONAL_HOST_PERMISSIONS: readonly string[] = ['https://*/*', 'http://127.0.0.1/*', 'http://localhost/*'];

export const BLOCK_RULESET_ID = 'block-aws-saml-post';

/** Block the IdP's form POST to any ACS, in a tab or a frame; the extension then shows its own page. */
export function blockRules(): object[] {
  return [
    {
      id: 1,
      priority: 1,
      action: { type: 'block' },
      condition: { regexFilter: ACS_URL_REGEX_SOURCE, requestMethods: ['post'], resourceTypes: ['main_frame', 'sub_frame'] },
    },
  ];
}

export function extensionManifest(target: BrowserTarget, version: string): Record<string, unknown> {
  const common = {
    manifest_version: 3,
    name: 'Cloudtoken',
    short_name: 'Cloudtoken',
    version,
    description: 'Signs you in to Cloudtoken with the browser you already use: hands your identity provider’s AWS sign-in to the Cloudtoken app.',
    icons: { '128': 'icon-128.png' },
    options_ui: { page: 'options.html', open_in_tab: false },
    host_permissions: [...ACS_HOST_PERMISSIONS],
    optional_host_permissions: [...OPTIONAL_HOST_PERMISSIONS],
  };
  if (target === 'chrome') {
    return {
      ...common,
      key: CHROME_EXTENSION_KEY,
      minimum_chrome_version: '116',
      permissions: ['webRequest', 'declarativeNetRequestWithHostAccess', 'nativeMessaging', 'storage'],
      background: { service_worker: 'background.js', type: 'module' },
      declarative_net_request: { rule_resources: [{ id: BLOCK_RULESET_ID, enabled: true, path: 'block-rules.json' }] },
    };
  }
  // Firefox keeps blocking webRequest in Manifest V3 and runs background scripts (an event page), not workers.
  return {
    ...common,
    permissions: ['webRequest', 'webRequestBlocking', 'nativeMessaging', 'storage'],
    background: { scripts: ['background.js'], type: 'module' },
    // The assertion goes to the Cloudtoken app on this computer; nothing is collected by anyone.
    browser_specific_settings: { gecko: { id: FIREFOX_EXTENSION_ID, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } } },
  };
}
