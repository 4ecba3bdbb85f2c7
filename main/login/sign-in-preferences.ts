import { PROFILE_ID_PATTERN } from '../settings/schema.js';
import { readJsonObject, updateJsonObject } from '../settings/state-file.js';

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
  return {
    load: () => readChoices(path),
    async remember(profileId, systemBrowser) {
      if (!PROFILE_ID_PATTERN.test(profileId)) throw new RangeError(`“${profileId}” is not a profile id.`);
      await updateJsonObject(path, (data) => {
        for (const [id, choice] of Object.entries(data)) if (!PROFILE_ID_PATTERN.test(id) || choice !== SYSTEM_BROWSER) delete data[id];
        if (systemBrowser) data[profileId] = SYSTEM_BROWSER;
        else delete data[profileId];
      });
    },
  };
}
