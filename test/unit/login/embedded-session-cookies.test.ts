// Electron's cookie store cannot run here. The partition below follows Electron 41's documented `cookies.set`
// and `Cookie` (and Chromium's refusals): a cookie set without `domain` is host-only for the URL's host, with it
// a domain cookie with a leading dot; no `expirationDate` makes a session cookie; a secure cookie needs an https
// URL and a domain must match the URL's host. That a restored Okta, Entra or AD FS cookie then lets the real
// IdP sign in silently needs those IdPs and Electron.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedSessionFile } from '../../../main/login/browser-session.js';
import {
  SAVED_SESSION_MAX_AGE_MS,
  cookieToRestore,
  createEmbeddedSessionStore,
  readSavedSession,
  sessionCookiesToSave,
  type CookieDetails,
  type PartitionCookie,
  type PartitionCookies,
} from '../../../main/login/embedded-session-cookies.js';
import { createLogger } from '../../../main/support/logger.js';

class Partition implements PartitionCookies {
  cookies: PartitionCookie[] = [];
  async get(): Promise<PartitionCookie[]> {
    return this.cookies.map((cookie) => ({ ...cookie }));
  }
  async set(details: CookieDetails & { expirationDate?: number }): Promise<void> {
    const url = new URL(details.url);
    const domain = details.domain === undefined ? url.hostname : `.${details.domain.replace(/^\./, '')}`;
    const bare = domain.replace(/^\./, '');
    if (url.hostname !== bare && !url.hostname.endsWith(`.${bare}`)) throw new Error('Failed to set cookie - domain does not match the URL');
    if (details.secure && url.protocol !== 'https:') throw new Error('Failed to set cookie - secure cookie from an insecure URL');
    const cookie: PartitionCookie = {
      name: details.name,
      value: details.value,
      domain,
      hostOnly: details.domain === undefined,
      path: details.path,
      secure: details.secure,
      httpOnly: details.httpOnly,
      session: details.expirationDate === undefined,
      sameSite: details.sameSite,
      ...(details.expirationDate === undefined ? {} : { expirationDate: details.expirationDate }),
    };
    this.cookies = [...this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path)), cookie];
  }
}

const OKTA_SID: PartitionCookie = { name: 'sid', value: 'okta-session-102030', domain: 'corp.okta.com', hostOnly: true, path: '/', secure: true, httpOnly: true, session: true, sameSite: 'lax' };
const ENTRA: PartitionCookie = { name: 'ESTSAUTH', value: 'entra-session-405060', domain: '.login.microsoftonline.com', hostOnly: false, path: '/', secure: true, httpOnly: true, session: true, sameSite: 'no_restriction' };
const ADFS: PartitionCookie = { name: 'MSISAuth', value: 'adfs-session-708090', domain: 'adfs.corp.example', hostOnly: true, path: '/adfs', secure: true, httpOnly: true, session: true, sameSite: 'unspecified' };
const TEST_IDP: PartitionCookie = { name: 'SimpleSAMLSessionID', value: 'ssp-112233', domain: '127.0.0.1', hostOnly: true, path: '/', secure: false, httpOnly: true, session: true, sameSite: 'unspecified' };
const PERSISTENT: PartitionCookie = { name: 'ESTSAUTHPERSISTENT', value: 'kept-by-chromium', domain: '.login.microsoftonline.com', hostOnly: false, path: '/', secure: true, httpOnly: true, session: false, expirationDate: 1_900_000_000, sameSite: 'no_restriction' };
const SECRETS = [OKTA_SID, ENTRA, ADFS, TEST_IDP, PERSISTENT].map((cookie) => cookie.value);

let dir: string;
let file: string;
let lines: string[];
let clock: number;
const logger = () => createLogger({ sink: (line) => lines.push(line), level: 'debug' });
const store = (cookies: PartitionCookies) => createEmbeddedSessionStore({ file, cookies, logger: logger(), now: () => clock });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ct-embedded-session-'));
  file = embeddedSessionFile(join(dir, 'browser-profile', 'idp-corp'));
  lines = [];
  clock = Date.UTC(2026, 0, 5, 9);
});
afterEach(async () => {
  for (const secret of SECRETS) expect(lines.join('\n')).not.toContain(secret);
  await rm(dir, { recursive: true, force: true });
});

describe('sessionCookiesToSave / cookieToRestore', () => {
  it('keeps only session cookies: Chromium keeps the persistent ones itself', () => {
    expect(sessionCookiesToSave([OKTA_SID, PERSISTENT, ENTRA]).map((c) => c.name)).toEqual(['sid', 'ESTSAUTH']);
  });

  it('sets a host-only cookie without a domain, for an https URL of its host and path', () => {
    const [saved] = sessionCookiesToSave([ADFS]);
    const details = cookieToRestore(saved!);
    expect(details).toEqual({ url: 'https://adfs.corp.example/adfs', name: 'MSISAuth', value: 'adfs-session-708090', path: '/adfs', secure: true, httpOnly: true, sameSite: 'unspecified' });
    expect('domain' in details).toBe(false);
  });

  it('sets a domain cookie with its domain, and a cookie that is not secure for http', () => {
    expect(cookieToRestore(sessionCookiesToSave([ENTRA])[0]!)).toMatchObject({ url: 'https://login.microsoftonline.com/', domain: '.login.microsoftonline.com' });
    expect(cookieToRestore(sessionCookiesToSave([TEST_IDP])[0]!)).toMatchObject({ url: 'http://127.0.0.1/', secure: false });
  });
});

describe('readSavedSession', () => {
  const cookie = sessionCookiesToSave([OKTA_SID])[0]!;
  it('refuses a file of another shape, and ages out a week-old one (or one from the future)', () => {
    expect(readSavedSession({}, clock)).toEqual({ kind: 'none' });
    expect(readSavedSession({ version: 2, savedAt: clock, cookies: [] }, clock)).toEqual({ kind: 'none' });
    expect(readSavedSession({ version: 1, savedAt: clock - SAVED_SESSION_MAX_AGE_MS - 1, cookies: [cookie] }, clock)).toEqual({ kind: 'stale' });
    expect(readSavedSession({ version: 1, savedAt: clock + SAVED_SESSION_MAX_AGE_MS + 1, cookies: [cookie] }, clock)).toEqual({ kind: 'stale' });
    expect(readSavedSession({ version: 1, savedAt: clock - SAVED_SESSION_MAX_AGE_MS + 1, cookies: [cookie] }, clock)).toMatchObject({ kind: 'cookies', cookies: [cookie] });
  });

  it('skips entries that are not cookies it saved: a domain that is not a host name, a relative path, a wrong type', () => {
    const bad = [{ ...cookie, domain: 'evil.example/path' }, { ...cookie, path: 'relative' }, { ...cookie, secure: 'yes' }, { ...cookie, sameSite: 'none' }, null, 'sid=1'];
    expect(readSavedSession({ version: 1, savedAt: clock, cookies: [...bad, cookie] }, clock)).toMatchObject({ cookies: [cookie] });
  });
});

describe('createEmbeddedSessionStore', () => {
  it('saves the session cookies to a 0600 file and restores them, as they were, in the next run', async () => {
    const before = new Partition();
    before.cookies = [OKTA_SID, ENTRA, ADFS, TEST_IDP, PERSISTENT];
    await store(before).save();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).not.toContain(PERSISTENT.value);

    const after = new Partition();
    await store(after).restore();
    const sorted = (cookies: PartitionCookie[]) => [...cookies].sort((a, b) => a.name.localeCompare(b.name));
    expect(sorted(after.cookies)).toEqual(sorted([OKTA_SID, ENTRA, ADFS, TEST_IDP]));
    expect(lines.join('\n')).toContain('"restored":4,"failed":0');
  });

  it('restores once per run: a cookie renewed since is not overwritten by the file', async () => {
    const partition = new Partition();
    partition.cookies = [OKTA_SID];
    await store(partition).save();
    const kept = store(partition);
    await kept.restore();
    await partition.set({ ...cookieToRestore(sessionCookiesToSave([OKTA_SID])[0]!), value: 'renewed-session' });
    await kept.restore();
    expect(partition.cookies.map((c) => c.value)).toEqual(['renewed-session']);
  });

  it('restores the cookies it can and counts the ones the partition refuses', async () => {
    const cookie = sessionCookiesToSave([OKTA_SID])[0]!;
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, JSON.stringify({ version: 1, savedAt: clock, cookies: [cookie, { ...cookie, name: 'other', domain: '.okta.com', hostOnly: false }] }));
    const partition = new Partition();
    const refusing: PartitionCookies = { get: () => partition.get(), set: (details) => (details.name === 'other' ? Promise.reject(new Error(`Failed to set cookie ${details.value}`)) : partition.set(details)) };
    await store(refusing).restore();
    expect(partition.cookies.map((c) => c.name)).toEqual(['sid']);
    expect(lines.join('\n')).toContain('"restored":1,"failed":1');
  });

  it('drops and deletes a file older than a week', async () => {
    const partition = new Partition();
    partition.cookies = [OKTA_SID];
    await store(partition).save();
    clock += SAVED_SESSION_MAX_AGE_MS + 60_000;
    const fresh = new Partition();
    await store(fresh).restore();
    expect(fresh.cookies).toEqual([]);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the first save time while the cookies stay the same, so cookies nobody renews still age out', async () => {
    const partition = new Partition();
    partition.cookies = [OKTA_SID];
    await store(partition).save();
    const savedAt = () => readFile(file, 'utf8').then((text) => (JSON.parse(text) as { savedAt: number }).savedAt);
    const first = clock;
    clock += 3 * 24 * 60 * 60 * 1000;
    const nextRun = store(partition);
    await nextRun.restore();
    await nextRun.save();
    expect(await savedAt()).toBe(first);
    await partition.set({ ...cookieToRestore(sessionCookiesToSave([OKTA_SID])[0]!), value: 'renewed-at-sign-in' });
    await nextRun.save();
    expect(await savedAt()).toBe(clock);
  });

  it('removes the file when the partition has no session cookie left, and on sign-out', async () => {
    const partition = new Partition();
    partition.cookies = [OKTA_SID];
    const kept = store(partition);
    await kept.save();
    partition.cookies = [PERSISTENT];
    await kept.save();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    partition.cookies = [OKTA_SID];
    await kept.save();
    await kept.forget();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('restores nothing from a damaged file, and logs none of its content', async () => {
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, `{"version":1,"savedAt":${clock},"cookies":[{"name":"sid","value":"${OKTA_SID.value}"`);
    const partition = new Partition();
    await store(partition).restore();
    expect(partition.cookies).toEqual([]);
  });

  it('never throws from save when the file cannot be written, and says so without cookie values', async () => {
    const partition = new Partition();
    partition.cookies = [OKTA_SID];
    await writeFile(join(dir, 'not-a-folder'), '');
    await createEmbeddedSessionStore({ file: join(dir, 'not-a-folder', 'cookies.json'), cookies: partition, logger: logger() }).save();
    expect(lines.join('\n')).toMatch(/WARN Could not save the IdP session cookies/);
  });
});

