import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialsFile } from '../../main/outputs/credentials-file.js';
import type { ManagedProfile } from '../../main/outputs/credentials-file.js';
import { parseIni } from '../../main/outputs/ini.js';
import { awsCli, exportCredentials } from '../unit/outputs/aws-cli.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MODULE = path.join(REPO, 'main/outputs/credentials-file.ts');

const USER_FILE = [
  '# Personal keys — do not lose',
  '[default]',
  'aws_access_key_id = AKIAUSERDEFAULT',
  'aws_secret_access_key = userDefaultSecret',
  '',
  '; the work account',
  '[work]',
  'aws_access_key_id=AKIAWORK',
  'aws_secret_access_key=workSecret',
  'region = eu-central-1',
  '',
].join('\r\n');

let home: string;
let files: { home: string; credentials: string; config: string };

beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-credfile-'));
  files = { home, credentials: path.join(home, 'aws', 'credentials'), config: path.join(home, 'aws', 'config') };
});

afterEach(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

const expiration = Date.now() + 3_600_000;
function profile(name: string, accessKeyId: string): ManagedProfile {
  return { name, credentials: { accessKeyId, secretAccessKey: `secret/${accessKeyId}+x`, sessionToken: `token==${accessKeyId}`, expiration } };
}

const credentialsFile = () => createCredentialsFile({ env: { AWS_SHARED_CREDENTIALS_FILE: files.credentials }, homedir: home });

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

// Each AWS CLI start costs about a second of CPU; on a busy 2-core runner a test with several can take long.
describe('credentials file writer with the real AWS CLI', { timeout: 120_000 }, () => {
  it('creates ~/.aws/credentials (dir 0700, file 0600) when no variable names another file', async () => {
    const writer = createCredentialsFile({ env: {}, homedir: home });
    expect(await writer.removeProfiles()).toEqual({ removed: [], notOwned: [] });
    expect(await fs.readdir(home)).toEqual([]);
    expect(writer.path).toBe(path.join(home, '.aws', 'credentials'));
    await writer.writeProfiles([profile('cloudtoken', 'ASIAHOMEDEFAULT')]);
    expect((await fs.stat(path.join(home, '.aws'))).mode & 0o777).toBe(0o700);
    expect((await fs.stat(writer.path)).mode & 0o777).toBe(0o600);
    const read = await exportCredentials('cloudtoken', { home, credentials: writer.path, config: path.join(home, 'none') });
    expect(read).toMatchObject({ Version: 1, AccessKeyId: 'ASIAHOMEDEFAULT', SecretAccessKey: 'secret/ASIAHOMEDEFAULT+x', SessionToken: 'token==ASIAHOMEDEFAULT' });
  });

  it('writes its profile into an existing file the CLI still reads whole, other profiles byte for byte', async () => {
    await fs.mkdir(path.dirname(files.credentials), { recursive: true });
    await fs.writeFile(files.credentials, USER_FILE, { mode: 0o644 });
    await fs.writeFile(files.config, '[profile ct-region]\nregion = ap-south-1\n');
    const writer = credentialsFile();
    await writer.writeProfiles([{ ...profile('ct-region', 'ASIAFIRST'), region: 'eu-west-3' }]);
    await writer.writeProfiles([{ ...profile('ct-region', 'ASIASECOND'), region: 'eu-west-3' }]);

    const text = await fs.readFile(files.credentials, 'utf8');
    expect(text.startsWith(USER_FILE)).toBe(true);
    expect(text).not.toContain('ASIAFIRST');
    expect((await fs.stat(files.credentials)).mode & 0o777).toBe(0o600);
    expect(await exportCredentials('ct-region', files)).toMatchObject({ AccessKeyId: 'ASIASECOND', SessionToken: 'token==ASIASECOND' });
    expect(await exportCredentials('work', files)).toMatchObject({ AccessKeyId: 'AKIAWORK', SecretAccessKey: 'workSecret' });
    expect((await awsCli(['configure', 'get', 'aws_session_token', '--profile', 'ct-region'], files)).trim()).toBe('token==ASIASECOND');
    expect(await writer.managedProfiles()).toEqual(['ct-region']);

    expect(await writer.removeProfiles()).toEqual({ removed: ['ct-region'], notOwned: [] });
    expect(await fs.readFile(files.credentials, 'utf8')).toBe(USER_FILE);
    await expect(exportCredentials('ct-region', files)).rejects.toThrow(/no credentials found/);
  });

  it('refuses to overwrite or remove a profile it did not create, leaving the file untouched', async () => {
    await fs.mkdir(path.dirname(files.credentials), { recursive: true });
    await fs.writeFile(files.credentials, USER_FILE);
    const writer = credentialsFile();
    const error = await errorOf(writer.writeProfiles([profile('work', 'ASIAEVIL')]));
    expect(error).toMatchObject({ code: 'CREDENTIALS_PROFILE_NOT_OWNED', profile: 'work' });
    expect(await writer.removeProfiles(['work', 'default'])).toEqual({ removed: [], notOwned: ['work', 'default'] });
    expect(await fs.readFile(files.credentials, 'utf8')).toBe(USER_FILE);
    expect(await exportCredentials('work', files)).toMatchObject({ AccessKeyId: 'AKIAWORK' });
  });

  it('writes through a symlinked credentials file (dotfiles repos) and keeps the link', async () => {
    const real = path.join(home, 'dotfiles', 'aws-credentials');
    await fs.mkdir(path.dirname(real), { recursive: true });
    await fs.mkdir(path.dirname(files.credentials), { recursive: true });
    await fs.writeFile(real, USER_FILE);
    await fs.symlink(path.relative(path.dirname(files.credentials), real), files.credentials);
    await credentialsFile().writeProfiles([profile('cloudtoken', 'ASIALINKED')]);
    expect((await fs.lstat(files.credentials)).isSymbolicLink()).toBe(true);
    expect((await fs.readFile(real, 'utf8')).startsWith(USER_FILE)).toBe(true);
    expect(await exportCredentials('cloudtoken', files)).toMatchObject({ AccessKeyId: 'ASIALINKED' });
    expect((await fs.readdir(path.dirname(files.credentials))).sort()).toEqual(['credentials']);
  });

  it('creates the target of a dangling symlink instead of replacing the link', async () => {
    const real = path.join(home, 'dotfiles', 'aws-credentials');
    await fs.mkdir(path.dirname(files.credentials), { recursive: true });
    await fs.symlink(real, files.credentials);
    await credentialsFile().writeProfiles([profile('cloudtoken', 'ASIADANGLING')]);
    expect((await fs.lstat(files.credentials)).isSymbolicLink()).toBe(true);
    expect(await exportCredentials('cloudtoken', files)).toMatchObject({ AccessKeyId: 'ASIADANGLING' });
  });

  it.each([
    ['a key outside any section', 'aws_access_key_id = AKIA\n[default]\n'],
    ['a repeated section', '[a]\nk = 1\n[a]\nk = 2\n'],
    ['a binary file', '[a]\nk = \0\xff\n'],
  ])('rejects %s with a typed error and leaves it untouched', async (_label, content) => {
    await fs.mkdir(path.dirname(files.credentials), { recursive: true });
    await fs.writeFile(files.credentials, content, 'latin1');
    const before = await fs.readFile(files.credentials);
    const error = await errorOf(credentialsFile().writeProfiles([profile('cloudtoken', 'ASIANEVER')]));
    expect(error).toMatchObject({ code: 'CREDENTIALS_FILE_CORRUPT', path: files.credentials });
    expect((error as Error).message).toContain(files.credentials);
    expect(await fs.readFile(files.credentials)).toEqual(before);
    expect(await fs.readdir(path.dirname(files.credentials))).toEqual(['credentials']);
  });

  it('reports an unreadable credentials path with a typed error', async () => {
    await fs.mkdir(files.credentials, { recursive: true });
    const error = await errorOf(credentialsFile().writeProfiles([profile('cloudtoken', 'ASIANEVER')]));
    expect(error).toMatchObject({ code: 'CREDENTIALS_FILE_UNREADABLE' });
    expect(await fs.readdir(files.credentials)).toEqual([]);
  });

  it('loses no profile when two processes write at the same time', async () => {
    await fs.mkdir(path.dirname(files.credentials), { recursive: true });
    await fs.writeFile(files.credentials, USER_FILE);
    const script = path.join(home, 'writer.mts');
    await fs.writeFile(
      script,
      [
        `import { createCredentialsFile } from ${JSON.stringify(MODULE)};`,
        'const [name, count] = process.argv.slice(2);',
        'const file = createCredentialsFile({ env: process.env, homedir: process.env.HOME });',
        'for (let i = 0; i < Number(count); i += 1) {',
        '  const id = `ASIA${name.toUpperCase().replace(/[^A-Z]/g, "")}${i}`;',
        '  await file.writeProfiles([{ name, credentials: { accessKeyId: id, secretAccessKey: "s", sessionToken: "t", expiration: Date.now() + 3600000 } }]);',
        '}',
      ].join('\n'),
    );
    const writer = (name: string) =>
      run(process.execPath, ['--import', 'tsx', script, name, '25'], {
        cwd: REPO,
        env: { PATH: process.env.PATH, HOME: home, AWS_SHARED_CREDENTIALS_FILE: files.credentials },
        timeout: 60_000,
      });
    await Promise.all([writer('ct-alpha'), writer('ct-beta')]);

    const text = await fs.readFile(files.credentials, 'utf8');
    expect(text.startsWith(USER_FILE)).toBe(true);
    expect(parseIni(text).sections.map((section) => section.name).sort()).toEqual(['ct-alpha', 'ct-beta', 'default', 'work']);
    expect(await exportCredentials('ct-alpha', files)).toMatchObject({ AccessKeyId: 'ASIACTALPHA24' });
    expect(await exportCredentials('ct-beta', files)).toMatchObject({ AccessKeyId: 'ASIACTBETA24' });
    expect((await fs.readdir(path.dirname(files.credentials))).sort()).toEqual(['credentials']);
  });
});
