import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../main/cli/args.js';
import { hostOf, selectProfile } from '../../../main/cli/profile-selection.js';
import { defaultSettings, type Settings } from '../../../main/settings/schema.js';

const WORK = { id: 'p-work', name: 'Work', signInUrl: 'https://idp.work.example/sso' };
const LAB = { id: 'p-lab', name: 'lab', signInUrl: 'https://idp.lab.example/sso' };

function settings(change: Partial<Settings> = {}): Settings {
  return { ...defaultSettings(), idpProfiles: [WORK, LAB], ...change };
}

describe('selectProfile', () => {
  it('takes --profile by name (any case) or id, else the active profile, else the only one', () => {
    expect(selectProfile(settings(), { profile: 'work', idpUrl: undefined })).toEqual({ profile: WORK, save: false });
    expect(selectProfile(settings(), { profile: 'p-lab', idpUrl: undefined }).profile).toBe(LAB);
    expect(selectProfile(settings({ activeProfileId: 'p-lab' }), { profile: undefined, idpUrl: undefined }).profile).toBe(LAB);
    expect(selectProfile(settings({ idpProfiles: [WORK] }), { profile: undefined, idpUrl: undefined }).profile).toBe(WORK);
  });

  it('says what to do when there is no profile to take', () => {
    const none = (s: Settings, profile?: string) => () => selectProfile(s, { profile, idpUrl: undefined });
    expect(none(settings({ idpProfiles: [] }))).toThrow(new UsageError('No IdP is set up yet. Pass your IdP sign-in URL once with --idp-url URL.'));
    expect(none(settings())).toThrow(new UsageError('Several IdP profiles exist (Work, lab); choose one with --profile.'));
    expect(none(settings(), 'home')).toThrow(new UsageError('There is no IdP profile named "home". Create it with --profile home --idp-url URL.'));
  });

  it('makes --idp-url a new or updated profile that is saved only later, after a sign-in worked', () => {
    const created = selectProfile(settings({ idpProfiles: [] }), { profile: undefined, idpUrl: 'https://idp.new.example/sso' });
    expect(created).toEqual({ profile: { id: expect.any(String), name: 'idp.new.example', signInUrl: 'https://idp.new.example/sso' }, save: true });
    const named = selectProfile(settings(), { profile: 'home', idpUrl: 'https://idp.home.example/sso' });
    expect(named.profile).toMatchObject({ name: 'home', signInUrl: 'https://idp.home.example/sso' });
    const moved = selectProfile(settings(), { profile: 'Work', idpUrl: 'https://idp.moved.example/sso' });
    expect(moved).toEqual({ profile: { ...WORK, signInUrl: 'https://idp.moved.example/sso' }, save: true });
    // The same URL again selects the profile; saved only when it was not the active one yet.
    expect(selectProfile(settings({ activeProfileId: 'p-work' }), { profile: undefined, idpUrl: WORK.signInUrl })).toEqual({ profile: WORK, save: false });
    expect(selectProfile(settings({ activeProfileId: 'p-lab' }), { profile: undefined, idpUrl: WORK.signInUrl })).toEqual({ profile: WORK, save: true });
  });

  it('refuses an IdP URL it would not send a password to, with one "The" in the message', () => {
    for (const [url, message] of [
      ['foo', 'The IdP sign-in URL is not a complete URL: it should look like https://idp.example.com/…'],
      ['ftp://idp.example/sso', 'The IdP sign-in URL must start with https://.'],
      ['http://idp.example/sso', 'The IdP sign-in URL must start with https:// (plain http is only allowed to this computer, e.g. http://127.0.0.1).'],
      ['https://user:pw@idp.example/sso', 'The IdP sign-in URL must not contain a user name or password.'],
    ] as const) {
      expect(() => selectProfile(settings(), { profile: undefined, idpUrl: url })).toThrow(new UsageError(message));
    }
  });

  it('shows hosts of URLs, and what is not one as it is', () => {
    expect(hostOf('https://idp.example.com:8443/sso')).toBe('idp.example.com:8443');
    expect(hostOf('not a url')).toBe('not a url');
  });
});
