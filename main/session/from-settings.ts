import type { Authenticator } from '../login/capture.js';
import type { IdpProfile, Settings } from '../settings/schema.js';
import { createStsExchange, type StsExchange } from '../sts/assume-role.js';
import type { Logger } from '../support/logger.js';
import { policyFor } from './schedule.js';
import { createCredentialSession, type CredentialSession, type RoleChoice } from './session.js';

/** The settings after the user chose roles for a profile (a new object; the input is left alone). */
export function withRoleChoice(settings: Settings, profileId: string, choice: RoleChoice): Settings {
  const next = structuredClone(settings);
  if (choice.metadataRoleArn) next.lastRoleArnByProfile[profileId] = choice.metadataRoleArn;
  next.keptActiveRoleArnsByProfile[profileId] = choice.keptActiveRoleArns;
  return next;
}

export interface SessionFromSettingsOptions {
  settings: Settings;
  profile: IdpProfile;
  authenticator: Authenticator;
  logger: Logger;
  /**
   * Restore the profile's remembered roles and report every new choice (the tray app and `login`/`daemon`);
   * omitted, the session neither restores nor reports (one-shot commands such as credential_process).
   */
  onChoiceChanged?: (choice: RoleChoice) => void;
  /** Roles' session limits kept from earlier runs, and where to report new ones (sts/duration-limits-file.ts). */
  durationLimits?: Readonly<Record<string, number>>;
  onDurationLimit?: (roleArn: string, seconds: number) => void;
}

/** The STS exchange and credential session for one IdP profile, configured from the shared settings. */
export function createSessionFromSettings(options: SessionFromSettingsOptions): { session: CredentialSession; sts: StsExchange } {
  const { settings, profile, authenticator, logger, onChoiceChanged, durationLimits, onDurationLimit } = options;
  const sts = createStsExchange({
    logger,
    endpointOverride: settings.stsEndpointOverride,
    defaultSessionDuration: settings.sessionDurationSeconds,
    ...(durationLimits ? { durationLimits } : {}),
    ...(onDurationLimit ? { onDurationLimit } : {}),
  });
  const session = createCredentialSession({
    profileId: profile.id,
    authenticator,
    sts,
    sessionDurationSeconds: settings.sessionDurationSeconds,
    policy: policyFor(settings.refreshIntervalMinutes),
    ...(onChoiceChanged
      ? {
          remembered: {
            metadataRoleArn: settings.lastRoleArnByProfile[profile.id],
            keptActiveRoleArns: settings.keptActiveRoleArnsByProfile[profile.id] ?? [],
          },
          onChoiceChanged,
        }
      : {}),
    logger,
  });
  return { session, sts };
}
