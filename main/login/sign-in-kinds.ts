/**
 * The ways a tray profile signs in: the embedded window (the default), the system browser driven over
 * DevTools, or the user's own browser through the Cloudtoken extension. Pure, so the Settings window lists them.
 */
export type SignInKind = 'window' | 'system-browser' | 'extension';
export const SIGN_IN_KINDS: readonly SignInKind[] = ['window', 'system-browser', 'extension'];
