import { writeFileAtomic } from '../settings/atomic-file.js';
import { PROFILE_ID_PATTERN } from '../settings/schema.js';
import { readJsonObject } from '../settings/state-file.js';
import { oneAtATime } from '../support/one-at-a-time.js';

/**
 * Which IdP profiles sign in through the system browser, kept between runs of the tray app. People choose
 * it in the login window when their IdP's page does not work embedded (a security key, a browser
 * extension, a device-bound session), and would otherwise choose it again after every restart.
 * It lives beside settings.json, not in it: older versions refuse a profile with a key they do not know.
 */
export interface SignInPreferences {
  /** The ids of the profiles that sign in through the system browser. */
  load(): Promise<Set<string>>;
  remember(profileId: string, systemBrowser: boolean): Promise<void>;
}

const SYSTEM_BROWSER = 'system-browser';

/** The profiles the file names; a missing or damaged file means the embedded window for every profile. */
async function readChoices(path: string): Promise<Set<string>> {
  const entries = Object.entries(await readJsonObject(path));
  return new Set(entries.filter(([profileId, choice]) => PROFILE_ID_PATTERN.test(profileId) && choice === SYSTEM_BROWSER).map(([profileId]) => profileId));
}

export function signInPreferences(path: string): SignInPreferences {
  // Re-read before each write, so a change made by another instance of the app in between stays.
  const serialized = oneAtATime();
  return {
    load: () => readChoices(path),
    remember(profileId, systemBrowser) {
      if (!PROFILE_ID_PATTERN.test(profileId)) return Promise.reject(new RangeError(`“${profileId}” is not a profile id.`));
      return serialized(async () => {
        const profiles = await readChoices(path);
        if (systemBrowser) profiles.add(profileId);
        else profiles.delete(profileId);
        const choices = Object.fromEntries([...profiles].map((id) => [id, SYSTEM_BROWSER]));
        await writeFileAtomic(path, `${JSON.stringify(choices, null, 2)}\n`);
      });
    },
  };
}
