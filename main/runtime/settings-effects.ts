import type { RoleChoice } from '../session/session.js';
import type { IdpProfile, Settings } from '../settings/schema.js';

/** The settings decisions both front ends share: which profile, which region, what a change restarts. */

/** The profile the tray signs in to: the selected one, else the first. */
export function activeProfile(settings: Settings): IdpProfile | undefined {
  return settings.idpProfiles.find((p) => p.id === settings.activeProfileId) ?? settings.idpProfiles[0];
}

/** The region STS calls, the console and copied variables use for a profile. */
export function regionFor(profile: IdpProfile, settings: Settings): string {
  return profile.region ?? settings.region;
}

/** The container-credentials port beside the metadata port, so several instances (CLOUDTOKEN_HOME) never collide. */
export function containerPortFor(imdsPort: number): number {
  return imdsPort < 65_535 ? imdsPort + 1 : imdsPort - 1;
}

/** The settings after the user chose roles for a profile (a new object; the input is left alone). */
export function withRoleChoice(settings: Settings, profileId: string, choice: RoleChoice): Settings {
  const next = structuredClone(settings);
  if (choice.metadataRoleArn) next.lastRoleArnByProfile[profileId] = choice.metadataRoleArn;
  next.keptActiveRoleArnsByProfile[profileId] = choice.keptActiveRoleArns;
  return next;
}

export interface RuntimeEffects {
  /** A new credential session: another sign-in URL or name, another STS endpoint, duration or interval. */
  restartSession: boolean;
  /** The metadata service listens anew: mode, port or the token requirement changed. */
  restartService: boolean;
}

/** What a settings change means for the running profile `profileId`. */
export function runtimeEffects(previous: Settings, next: Settings, profileId: string): RuntimeEffects {
  const before = previous.idpProfiles.find((p) => p.id === profileId);
  const after = next.idpProfiles.find((p) => p.id === profileId);
  return {
    restartSession:
      before?.signInUrl !== after?.signInUrl ||
      before?.name !== after?.name ||
      previous.stsEndpointOverride !== next.stsEndpointOverride ||
      previous.sessionDurationSeconds !== next.sessionDurationSeconds ||
      previous.refreshIntervalMinutes !== next.refreshIntervalMinutes ||
      before?.signInPlugin !== after?.signInPlugin ||
      // A plugin runs only as the settings named it when its session started.
      JSON.stringify(previous.plugins) !== JSON.stringify(next.plugins),
    restartService: previous.imdsMode !== next.imdsMode || previous.imdsPort !== next.imdsPort || previous.tokensRequired !== next.tokensRequired,
  };
}
