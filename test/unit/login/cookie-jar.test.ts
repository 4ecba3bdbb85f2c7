import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCookieJar } from '../../../main/login/cookie-jar.js';
import type { CookieJarWarning } from '../../../main/login/cookie-jar.js';
import { createLogger } from '../../../main/support/logger.js';

const IDP = 'https://idp.example.com/simplesaml/module.php/core/loginuserpass.php';
const SESSION_VALUE = 'sessvalue0123456789abcdef';

describe('persistent cookie jar', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudtoken-jar-'));
    path = join(dir, 'state', 'idp-cookies.json');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps session and persistent cookies across opens, in a 0600 file in a 0700 directory', async () => {
    const jar = await openCookieJar({ path });
    await jar.storeResponseCookies([`SimpleSAMLSessionID=${SESSION_VALUE}; Path=/; HttpOnly; Secure`, 'lang=en; Max-Age=3600; Path=/simplesaml'], IDP);
    await jar.save();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'state'))).toEqual(['idp-cookies.json']);

    const again = await openCookieJar({ path });
    // RFC 6265 order: the longer path first.
    expect(await again.cookieHeader(IDP)).toBe(`lang=en; SimpleSAMLSessionID=${SESSION_VALUE}`);
    expect(await again.cookieHeader('https://idp.example.com/other')).toBe(`SimpleSAMLSessionID=${SESSION_VALUE}`);
    expect(await again.cookieHeader('http://idp.example.com/simplesaml/')).toBe('lang=en'); // Secure stays on https
    expect(await again.cookieHeader('https://elsewhere.example.org/')).toBe('');
  });

  it('keeps a file that was made readable by others private again when it saves', async () => {
    const jar = await openCookieJar({ path });
    await jar.storeResponseCookies(['a=1; Path=/'], IDP);
    await jar.save();
    await chmod(path, 0o644);
    await jar.save();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('ignores cookies the page may not set, as a browser would', async () => {
    const jar = await openCookieJar();
    await jar.storeResponseCookies(['evil=1; Domain=example.org', 'tld=1; Domain=com', 'ok=1'], IDP);
    expect(await jar.cookieHeader(IDP)).toBe('ok=1');
    expect(await jar.cookieHeader('https://www.example.org/')).toBe('');
  });

  it('drops expired cookies', async () => {
    const jar = await openCookieJar();
    await jar.storeResponseCookies(['gone=1; Max-Age=0', 'old=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'kept=1'], IDP);
    expect(await jar.cookieHeader(IDP)).toBe('kept=1');
  });

  it.each([
    ['truncated JSON', '{"format":"cloudtoken-cookie-jar","ver'],
    ['another format', '{"format":"something-else","version":1,"jar":{}}'],
    ['a future version', '{"format":"cloudtoken-cookie-jar","version":99,"jar":{}}'],
    ['binary junk', '\u0000\u0001\u0002'],
  ])('starts empty with a typed warning when the file holds %s, keeping the file aside', async (_what, content) => {
    await openCookieJar({ path }).then((jar) => jar.save()); // creates the directory
    await writeFile(path, content);
    const warnings: CookieJarWarning[] = [];
    const lines: string[] = [];
    const jar = await openCookieJar({ path, onWarning: (w) => warnings.push(w), logger: createLogger({ sink: (l) => lines.push(l) }) });
    expect(await jar.cookieHeader(IDP)).toBe('');
    expect(warnings).toEqual([{ code: 'COOKIE_JAR_UNREADABLE', message: expect.stringContaining('sign in again'), path, keptAs: expect.stringContaining('.unreadable-') }]);
    expect(await readFile(warnings[0]!.keptAs!, 'utf8')).toBe(content);
    expect(lines.some((line) => line.includes('WARN') && line.includes('COOKIE_JAR_UNREADABLE'))).toBe(true);
    await jar.storeResponseCookies(['fresh=1'], IDP);
    await jar.save();
    expect(await (await openCookieJar({ path })).cookieHeader(IDP)).toBe('fresh=1');
  });

  it('clear() forgets every cookie and removes the file', async () => {
    const jar = await openCookieJar({ path });
    await jar.storeResponseCookies(['a=1'], IDP);
    await jar.save();
    await jar.clear();
    expect(await jar.cookieHeader(IDP)).toBe('');
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await jar.clear(); // nothing left to remove: still fine
  });

  it('never writes a cookie value into the log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (line) => lines.push(line) });
    const jar = await openCookieJar({ path, logger });
    await jar.storeResponseCookies([`SimpleSAMLSessionID=${SESSION_VALUE}`], IDP);
    await jar.save();
    await writeFile(path, `{"broken": "${SESSION_VALUE}"`);
    await openCookieJar({ path, logger });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(SESSION_VALUE);
  });
});
