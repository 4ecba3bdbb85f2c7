import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerArn } from '../support/caller-identity.js';
import { freePort } from '../support/free-ports.js';
import { CloudtokenProcess, runCloudtoken } from '../support/cli.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';

/**
 * One state folder, several Cloudtoken processes at once (CLI commands, daemons), against the real
 * SimpleSAMLphp IdP and the STS stand-in: nobody's flags end up in the shared settings, nobody's write drops
 * another's, and a failed command changes nothing.
 */
const arnFor = (account: string, role: string) => `arn:aws:sts::${account}:assumed-role/${role}/alice@example.org`;
const ROLES = ['Developer', 'Deploy', 'ReadOnly', 'Admin'];

let idp: RunningIdp;
let standIn: StsStandIn;
let root: string;

async function freshHome(name: string): Promise<Record<string, string>> {
  const home = join(root, name);
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CLOUDTOKEN_HOME: join(home, 'state'), AWS_EC2_METADATA_DISABLED: 'true' };
}

const loginArgs = (extra: string[]) => ['login', '--idp-url', idp.signInUrl, '--form', '--username', 'alice', '--password-stdin', '--sts-endpoint', standIn.url, ...extra];

async function readState(env: Record<string, string>, file: string): Promise<string | undefined> {
  return readFile(join(env.CLOUDTOKEN_HOME as string, file), 'utf8').catch(() => undefined);
}

interface SavedSettings {
  idpProfiles: Array<{ id: string; name: string; signInUrl: string }>;
  activeProfileId?: string;
  lastRoleArnByProfile: Record<string, string>;
  imdsPort: number;
  imdsMode: string;
  sessionDurationSeconds: number;
  stsEndpointOverride?: string;
}

beforeAll(async () => {
  idp = await startIdp();
  standIn = await startStsStandIn({
    providers: providersTrusting(idp),
  });
  root = await mkdtemp(join(tmpdir(), 'cloudtoken-shared-'));
}, 60_000);

afterAll(async () => {
  await standIn?.close();
  await idp?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('shared state across Cloudtoken processes', () => {
  it('never saves a command’s flags, even when the command fails', async () => {
    const env = await freshHome('flags');
    const login = await runCloudtoken(loginArgs(['--role', 'Developer']), env, `${ALICE.password}\n`);
    expect(login.code).toBe(0);
    const before = await readState(env, 'settings.json');
    const saved = JSON.parse(before as string) as SavedSettings;
    // The login's own --sts-endpoint is a flag too: not saved.
    expect(saved.stsEndpointOverride).toBeUndefined();
    expect(saved).toMatchObject({ imdsPort: 9911, imdsMode: 'alias', sessionDurationSeconds: 3600 });

    const failed = await runCloudtoken(
      ['daemon', '--idp-url', 'http://127.0.0.1:1/sso', '--port', '40000', '--imds', 'loopback', '--duration', '900', '--sts-endpoint', 'http://127.0.0.1:1/', '--form', '--username', 'x', '--password-stdin'],
      env,
    );
    expect(failed.code).toBe(1);
    expect(await readState(env, 'settings.json')).toBe(before);
    // Flags a command does not take are refused before anything is read or written.
    const refused = await runCloudtoken(['roles', '--idp-url', 'http://127.0.0.1:1/sso', '--port', '40000', '--form'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/`--port` is an option of .*; roles does not take it/);
    expect(await readState(env, 'settings.json')).toBe(before);

    // A mistyped URL for the working profile: the sign-in fails, and the profile keeps its URL.
    const mistyped = await runCloudtoken(['login', '--idp-url', `${idp.signInUrl}-typo`, '--form', '--username', 'alice', '--password-stdin', '--role', 'Developer'], env, `${ALICE.password}\n`);
    expect(mistyped.code).not.toBe(0);
    expect(await readState(env, 'settings.json')).toBe(before);

    // And the working profile still signs in silently.
    const roles = await runCloudtoken(['roles', '--json'], env);
    expect(roles.code).toBe(0);
  });

  it('keeps all of eight parallel logins: profiles, role choices and sign-in methods', { timeout: 120_000 }, async () => {
    const env = await freshHome('parallel');
    const logins = await Promise.all(
      Array.from({ length: 8 }, (_, n) => runCloudtoken(loginArgs(['--profile', `p${n}`, '--role', ROLES[n % 4] as string]), env, `${ALICE.password}\n`)),
    );
    expect(logins.map((l) => l.code)).toEqual(Array(8).fill(0));
    const settings = JSON.parse((await readState(env, 'settings.json')) as string) as SavedSettings;
    const byName = new Map(settings.idpProfiles.map((p) => [p.name, p.id]));
    expect([...byName.keys()].sort()).toEqual(Array.from({ length: 8 }, (_, n) => `p${n}`));
    for (let n = 0; n < 8; n += 1) {
      expect(settings.lastRoleArnByProfile[byName.get(`p${n}`) as string]).toMatch(new RegExp(`/${ROLES[n % 4]}$`));
    }
    const cliState = JSON.parse((await readState(env, 'cli-state.json')) as string) as Record<string, { method: string; username: string }>;
    for (const id of byName.values()) expect(cliState[id]).toEqual({ method: 'form', username: 'alice' });

    // Each of them is signed in: credentials without a new sign-in, for every profile.
    const envs = await Promise.all(Array.from({ length: 8 }, (_, n) => runCloudtoken(['env', '--profile', `p${n}`, '--sts-endpoint', standIn.url], env)));
    expect(envs.map((r) => r.code)).toEqual(Array(8).fill(0));
    envs.forEach((r) => expect(r.stdout).toMatch(/^export AWS_ACCESS_KEY_ID='?ASIA/m));
  });

  it('a running daemon keeps what other processes saved, and follows the role login chose', { timeout: 120_000 }, async () => {
    const env = { ...(await freshHome('daemon')), AWS_ENDPOINT_URL_STS: standIn.url };
    expect((await runCloudtoken(loginArgs(['--role', 'Developer']), env, `${ALICE.password}\n`)).code).toBe(0);
    const port = await freePort();
    const daemon = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(port)], env);
    try {
      await daemon.waitFor(/Metadata proxy now available/);
      const second = await runCloudtoken(['login', '--profile', 'second', '--idp-url', idp.signInUrl, '--form', '--username', 'alice', '--password-stdin', '--role', 'Deploy'], env, `${ALICE.password}\n`);
      expect(second.code).toBe(0);
      const first = JSON.parse((await readState(env, 'settings.json')) as string) as SavedSettings;
      const firstId = first.idpProfiles.find((p) => p.name !== 'second')?.id as string;
      const switched = await runCloudtoken(['login', '--profile', firstId, '--role', 'ReadOnly'], env);
      expect(switched.code).toBe(0);
      await daemon.waitFor(/Switching to role arn:aws:iam::222222222222:role\/ReadOnly/);
      const imds = { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}/` };
      await expect.poll(() => callerArn('aws-cli', standIn.url, imds), { timeout: 15_000 }).toBe(arnFor('222222222222', 'ReadOnly'));
      const after = JSON.parse((await readState(env, 'settings.json')) as string) as SavedSettings;
      expect(after.idpProfiles.map((p) => p.name)).toContain('second');
      expect((await runCloudtoken(['roles', '--profile', 'second'], env)).code).toBe(0);
    } finally {
      expect(await daemon.stop('SIGINT')).toBe(0);
    }
  });

  it('a second daemon with another --role leaves the first one’s role alone', { timeout: 120_000 }, async () => {
    const env = { ...(await freshHome('two-daemons')), AWS_ENDPOINT_URL_STS: standIn.url };
    expect((await runCloudtoken(loginArgs(['--role', 'Developer']), env, `${ALICE.password}\n`)).code).toBe(0);
    // Each daemon's container endpoint listens on its port + 1.
    const portA = await freePort();
    let portB = await freePort();
    while (Math.abs(portB - portA) <= 1) portB = await freePort();
    const a = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(portA), '--role', 'Deploy'], env);
    const b = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(portB), '--role', 'Admin'], env);
    try {
      await a.waitFor(/Metadata proxy now available/);
      await b.waitFor(/Metadata proxy now available/);
      expect(await callerArn('aws-cli', standIn.url, { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${portA}/` })).toBe(arnFor('111111111111', 'Deploy'));
      expect(await callerArn('aws-cli', standIn.url, { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${portB}/` })).toBe(arnFor('222222222222', 'Admin'));
      // Neither one-off --role was saved: the remembered role is still the one login chose.
      const settings = JSON.parse((await readState(env, 'settings.json')) as string) as SavedSettings;
      expect(Object.values(settings.lastRoleArnByProfile)).toEqual(['arn:aws:iam::111111111111:role/Developer']);
      expect(a.output).not.toMatch(/Switching to role/);
    } finally {
      expect(await a.stop('SIGINT')).toBe(0);
      expect(await b.stop('SIGINT')).toBe(0);
    }
  });
});
