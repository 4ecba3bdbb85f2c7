import { createConsoleSigninUrl } from '../sts/federation.js';
import type { ConsoleSigninOptions } from '../sts/federation.js';
import { StsError } from '../sts/errors.js';
import type { RoleCredentials } from '../sts/types.js';
import { awsTimestamp, systemClock } from '../support/clock.js';
import type { Clock } from '../support/clock.js';

export type ConsoleUrlOptions = Omit<ConsoleSigninOptions, 'credentials' | 'partition'> & { clock?: Pick<Clock, 'now'> };

/** Less than this left and the console session would end before the user got anywhere. */
const MIN_REMAINING_MS = 60_000;

/**
 * The AWS console sign-in link for a role's current credentials. The role's partition picks the federation
 * host (GovCloud and China have their own); credentials about to expire are refused here with a message that
 * says so, instead of the federation endpoint's bare HTTP 400.
 */
export async function consoleUrlForRole(role: RoleCredentials, options: ConsoleUrlOptions = {}): Promise<string> {
  const { clock = systemClock, ...signin } = options;
  const { expiration } = role.credentials;
  if (expiration - clock.now() < MIN_REMAINING_MS) {
    throw new StsError(
      'STS_FEDERATION',
      `The credentials for ${role.role.roleName} expire${expiration <= clock.now() ? 'd' : ''} at ${awsTimestamp(expiration)}; sign in again before opening the console.`,
    );
  }
  return createConsoleSigninUrl({ ...signin, credentials: role.credentials, partition: role.role.partition });
}
