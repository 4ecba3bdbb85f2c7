/**
 * Which addresses Cloudtoken sends people, assertions or credentials to: https, or plain http to this machine
 * (test IdPs and STS stand-ins), never with a user name or password in them. The settings validator, the
 * STS endpoint check and the IdP view's navigation policy all apply this one rule. Pure, so the settings
 * window applies it as the user types.
 */

/** Far more than any IdP or STS address; a longer one is a paste gone wrong. */
export const MAX_URL_LENGTH = 2048;

/** A URL's hostname that is this machine (`URL.hostname` keeps the brackets of an IPv6 address). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Why `value` is not an acceptable service URL, or undefined when it is; `what` names it in the message. */
export function checkServiceUrl(value: string, what: string): string | undefined {
  const text = value.trim();
  if (text === '') return `Enter the ${what}.`;
  if (text.length > MAX_URL_LENGTH) return `The ${what} is longer than ${MAX_URL_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `The ${what} is not a complete URL: it should look like https://idp.example.com/…`;
  }
  if (url.username || url.password) return `The ${what} must not contain a user name or password.`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname)
      ? undefined
      : `The ${what} must start with https:// (plain http is only allowed to this computer, e.g. http://127.0.0.1).`;
  }
  return `The ${what} must start with https://.`;
}
