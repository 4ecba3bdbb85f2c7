import { createExtensionSignIn } from '../extension/sign-in.js';
import type { IdpProfile } from '../settings/schema.js';
import type { Logger } from '../support/logger.js';
import type { ProfileSignIn } from './tray-controller.js';

/**
 * A tray profile that signs in through the user's own browser and the Cloudtoken extension: no login window
 * of ours, so there is none to show, navigate or hand to the system browser; Cancel ends the wait.
 */
export function extensionProfileSignIn(profile: IdpProfile, options: { openInBrowser(url: string): Promise<boolean>; logger: Logger }): ProfileSignIn {
  const extension = createExtensionSignIn({ signInUrl: profile.signInUrl, openInBrowser: options.openInBrowser, logger: options.logger });
  return {
    authenticator: { ...extension, showPending: () => false, cancelPending: () => extension.cancelPending(), useSystemBrowser: () => false },
    extension,
    loginState: () => ({ phase: 'waiting', profileName: profile.name, url: undefined, canGoBack: false, notice: 'Sign in in your browser.', message: undefined }),
    navigate: () => false,
  };
}
