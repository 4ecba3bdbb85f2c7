import { checkServiceUrl } from '../security/service-url.js';
import { newProfileId, type IdpProfile, type Settings } from '../settings/schema.js';
import { UsageError, type CliOptions } from './args.js';

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The profile a command works on, and what of it to save once a sign-in has shown that it works. */
export interface ProfileSelection {
  profile: IdpProfile;
  /** `--idp-url` created the profile or gave it a new URL: saved (and selected) after the first sign-in. */
  save: boolean;
}

/**
 * The IdP profile a command works on: `--profile` (name or id), else the active one, else the only one.
 * `--idp-url` creates the profile (or gives it a new URL) so later commands need no flags. Pure: nothing is
 * saved here, so a mistyped URL whose sign-in fails leaves the working profile as it was.
 */
export function selectProfile(settings: Settings, options: Pick<CliOptions, 'profile' | 'idpUrl'>): ProfileSelection {
  const wanted = options.profile;
  const byName = (p: IdpProfile) => p.id === wanted || p.name.toLowerCase() === wanted?.toLowerCase();
  let profile = wanted !== undefined ? settings.idpProfiles.find(byName) : undefined;
  if (!profile && wanted === undefined) {
    profile =
      (options.idpUrl && settings.idpProfiles.find((p) => p.signInUrl === options.idpUrl)) ||
      settings.idpProfiles.find((p) => p.id === settings.activeProfileId) ||
      (settings.idpProfiles.length === 1 ? settings.idpProfiles[0] : undefined);
  }
  if (options.idpUrl !== undefined) {
    const problem = checkServiceUrl(options.idpUrl, 'IdP sign-in URL');
    if (problem) throw new UsageError(problem);
    if (profile && profile.signInUrl === options.idpUrl) return { profile, save: settings.activeProfileId !== profile.id };
    return {
      profile: profile ? { ...profile, signInUrl: options.idpUrl } : { id: newProfileId(), name: wanted ?? hostOf(options.idpUrl), signInUrl: options.idpUrl },
      save: true,
    };
  }
  if (!profile) {
    if (wanted !== undefined) throw new UsageError(`There is no IdP profile named "${wanted}". Create it with --profile ${wanted} --idp-url URL.`);
    if (settings.idpProfiles.length === 0) throw new UsageError('No IdP is set up yet. Pass your IdP sign-in URL once with --idp-url URL.');
    throw new UsageError(`Several IdP profiles exist (${settings.idpProfiles.map((p) => p.name).join(', ')}); choose one with --profile.`);
  }
  return { profile, save: false };
}
