/**
 * Who the companion browser extension is, as the native messaging host and the browsers check it. The
 * Chrome build pins `key` (a public key; its private half was never kept: the id is all that matters), so the
 * extension has the same id unpacked, force-installed by policy and in the store, and the host manifests can
 * name exactly that id. Firefox identifies an extension by its gecko id instead.
 */
export const CHROME_EXTENSION_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwh66RtMdXHDRNSt+ePZw01uEOERMHDsSZ9dAN+HF4N3ggu4jC8bzzW5Ovk/bTbFDs0PhvFKOXgNQaNon8/8jDyj1C1uoKcTmuGOlFoU1WP2RxvVkszjqshd5h6tUC63Ql8NRPeShagZTaT2aSlLMAQUfrb3gwowAIjrgkyMayMNusu6e086WWflnbe9HxvW3A0UzvDBqx+rXrdcNtsDdo/bqAW6+PbJ0aqe9hjNEK7bOUfmfDWHHbK5uMyq3ZGSzwjluc7VVt5Zi0bHhDeMt+88Ysi4Jhh/r8mSv/OmX3u2tAPyvoJ5/AXRbtVdNj0RAkGuKTZPI/dTxlShZq68OxQIDAQAB';

/** The id Chrome, Chromium, Edge and Brave derive from the key (test/unit/extension/identity.test.ts checks it). */
export const CHROME_EXTENSION_ID = 'ehfgpegdpneilholpjojbhmbgaiacago';

export const FIREFOX_EXTENSION_ID = '{818cc67f-9a73-4103-830b-8c9f625491dc}';

/** The native messaging host's name: what the extension connects to and what the manifests are called. */
export const NATIVE_HOST_NAME = 'com.cloudtoken.native_host';

export const CHROME_ORIGIN = `chrome-extension://${CHROME_EXTENSION_ID}/`;

/** The stores' pages the tray app opens after installing the host (the Chrome Web Store serves Edge and Brave too). */
export const STORE_PAGES = {
  chrome: `https://chromewebstore.google.com/detail/${CHROME_EXTENSION_ID}`,
  firefox: 'https://addons.mozilla.org/firefox/addon/cloudtoken/',
} as const;

/**
 * Whether the browser started the host for our extension: Chrome-family browsers pass the caller's origin as
 * the first argument, Firefox passes the manifest path and then the extension's id. The browsers already
 * refuse every other extension (the manifests' allowed_origins / allowed_extensions); this is the second lock.
 */
export function callerOfHost(argv: readonly string[]): 'chrome' | 'firefox' | undefined {
  if (argv.includes(CHROME_ORIGIN)) return 'chrome';
  if (argv.includes(FIREFOX_EXTENSION_ID)) return 'firefox';
  return undefined;
}
