import { checkServiceUrl } from './service-url.js';

/**
 * Which web content may go where, for the shell's `web-contents-created` hardening. Cloudtoken's own pages
 * never navigate; the IdP view may follow the IdP wherever it redirects, but only over https (plain http only
 * to this machine, for test IdPs), the same rule the sign-in URL itself passes.
 */

/** The IdP view may navigate to `url`. */
export function idpNavigationAllowed(url: string): boolean {
  return checkServiceUrl(url, 'page') === undefined;
}

/**
 * A link may be handed to the system browser (`shell.openExternal`): https only, no user-info, nothing
 * (file:, smb:, custom schemes) that would make the OS run or mount something.
 */
export function externalUrlAllowed(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.hostname !== '';
}

/**
 * Every permission request (camera, geolocation, notifications, clipboard, HID…) of every web content is
 * refused: neither Cloudtoken's pages nor a sign-in page need one, and Electron grants all of them unasked.
 */
export function permissionAllowed(_permission: string): boolean {
  return false;
}
