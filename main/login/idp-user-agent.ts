/**
 * The user agent the embedded sign-in presents to the IdP. Electron's default is Chrome's plus the app's own
 * `<name>/<version>` and `Electron/<version>` tokens, and Google Workspace (among others) refuses to sign in
 * an "embedded browser" it recognises that way. The page is real Chromium, so it says what Chrome says: those
 * extra product tokens are dropped and the Chrome version is reduced to its major number, as Chrome itself
 * sends it since its user-agent reduction.
 */

const CHROME_PRODUCTS = new Set(['Mozilla', 'AppleWebKit', 'Chrome', 'Safari', 'Mobile']);

export function chromeUserAgent(electronUserAgent: string): string {
  return electronUserAgent
    // Parenthesised comments (the platform) are passed over whole: they may hold slashes of their own.
    .replace(/\([^)]*\)| ([^\s()/]+)\/[^\s()]+/g, (match, product: string | undefined) => (product === undefined || CHROME_PRODUCTS.has(product) ? match : ''))
    .replace(/ Chrome\/(\d+)[.\d]*/, ' Chrome/$1.0.0.0');
}
