import { PROFILE_ID_PATTERN } from '../settings/schema.js';
import { readJsonObject, updateJsonObject } from '../settings/state-file.js';
import type { SignInKind } from './sign-in-kinds.js';

/**
 * How each IdP profile signs in in the tray app, kept between runs: the embedded window (the default), the
 * system browser (chosen in the login window when the IdP's page does not work embedded: a security key, a
 * browser extension, a device-bound session), or the user's own browser through the Cloudtoken extension
 * (chosen in Settings). It lives beside settings.json, not in it: older versions refuse a profile with a key
 * they do not know.
 */

export interface SignInPreferences {
  /** The profiles that do not sign in in the window, and how they do. */
  load(): Promise<Map<string, Exclude<SignInKind, 'window'>>>;
  remember(profileId: string, kind: SignInKind): Promise<void>;
}

const isKept = (choice: unknown): choice is Exclude<SignInKind, 'window'> => choice === 'system-browser' || choice === 'extension';

/** The profiles the file names; a missing or damaged file means the embedded window for every profile. */
async function readChoices(path: string): Promise<Map<string, Exclude<SignInKind, 'window'>>> {
  const entries = Object.entries(await readJsonObject(path));
  return new Map(entries.filter((entry): entry is [string, Exclude<SignInKind, 'window'>] => PROFILE_ID_PATTERN.test(entry[0]) && isKept(entry[1])));
}

export function signInPreferences(path: string): SignInPreferences {
  return {
    load: () => readChoices(path),
    async remember(profileId, kind) {
      if (!PROFILE_ID_PATTERN.test(profileId)) throw new RangeError(`“${profileId}” is not a profile id.`);
      await updateJsonObject(path, (data) => {
        for (const [id, choice] of Object.entries(data)) if (!PROFILE_ID_PATTERN.test(id) || !isKept(choice)) delete data[id];
        if (kind === 'window') delete data[profileId];
        else data[profileId] = kind;
      });
    },
  };
}
