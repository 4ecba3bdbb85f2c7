import type { ExtensionSignIn } from '../extension/sign-in.js';
import type { CredentialSession } from '../session/session.js';
import { describeError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';

/**
 * What a session does with the browser extension's own news: the user signed in in the tab the IdP wanted them
 * in (sign in with that assertion), or the browser is back after a refresh found it closed (refresh silently
 * now instead of waiting for the user). Returns the function that stops following.
 */
export function followExtension(extension: ExtensionSignIn, session: CredentialSession, logger: Logger): () => void {
  const failed = (what: string) => (error: unknown) => logger.warn(what, { reason: describeError(error) });
  const offUnsolicited = extension.onUnsolicited(() => {
    session.signIn({ interactive: true }).catch(failed('Signing in with the browser’s assertion failed'));
  });
  const offReturned = extension.onReturned(() => {
    if (session.snapshot().metadataRoleArn) session.refreshNow().catch(failed('Refreshing once the browser was back failed'));
  });
  return () => {
    offUnsolicited();
    offReturned();
  };
}
