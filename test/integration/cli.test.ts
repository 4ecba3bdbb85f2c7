import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';
import { callerArn, callerArns } from '../support/caller-identity.js';
import { freePort } from '../support/free-ports.js';
import { CloudtokenProcess, runCloudtoken } from '../support/cli.js';

/**
 * The `cloudtoken` command as a user runs it, against the real SimpleSAMLphp IdP (form sign-in), the strict
 * STS stand-in, and the real AWS CLI, boto3 and JS SDK — all on loopback. (The link-local address itself is
 * exercised in a network namespace by cli-daemon-netns.test.ts.)
 */
const arnFor = (account: string, role: string) => `arn:aws:sts::${account}:assumed-role/${role}/alice@example.org`;

let idp: RunningIdp;
let standIn: StsStandIn;
let home: string;
let env: Record<string, string>;

/** The npm packages `cloudtoken args…` loaded, as test/support/report-loaded-packages.mjs reports them at exit. */
async function loaded(args: string[]): Promise<string[]> {
  const probe = join(process.cwd(), 'test', 'support', 'report-loaded-packages.mjs');
  const result = await runCloudtoken(args, { ...env, NODE_OPTIONS: `--import=${probe}` });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(/loaded packages: (.*)/.exec(result.stderr)![1]!) as string[];
}

beforeAll(async () => {
  idp = await startIdp();
  standIn = await startStsStandIn({
    providers: providersTrusting(idp),
  });
  home = await mkdtemp(join(tmpdir(), 'cloudtoken-cli-'));
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CLOUDTOKEN_HOME: join(home, 'state'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // Flags are never saved: the STS stand-in is named for every command, as the AWS tools' own variable.
    AWS_ENDPOINT_URL_STS: standIn.url,
  };
}, 60_000);

afterAll(async () => {
  await standIn?.close();
  await idp?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('cloudtoken CLI', () => {
  it('refuses a wrong password with the IdP’s complaint and saves no session', async () => {
    const result = await runCloudtoken(
      ['login', '--idp-url', idp.signInUrl, '--form', '--username', 'alice', '--password-stdin', '--sts-endpoint', standIn.url, '--role', 'Developer'],
      { ...env, CLOUDTOKEN_HOME: join(home, 'wrong') },
      'not-the-password\n',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/password|credentials|incorrect|wrong/i);
    expect(result.stderr).not.toContain('not-the-password');
  });

  it('logs in with the form, picks a role by name, and remembers the profile and role', async () => {
    const result = await runCloudtoken(
      ['login', '--idp-url', idp.signInUrl, '--form', '--username', 'alice', '--password-stdin', '--sts-endpoint', standIn.url, '--role', 'Developer', '--json'],
      env,
      `${ALICE.password}\n`,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { assumedRoleArn: string; roles: string[] };
    expect(out.assumedRoleArn).toBe(arnFor('111111111111', 'Developer'));
    expect(out.roles).toHaveLength(4);
    const settings = JSON.parse(await readFile(join(home, 'state', 'settings.json'), 'utf8')) as {
      idpProfiles: Array<{ id: string; signInUrl: string }>;
      lastRoleArnByProfile: Record<string, string>;
    };
    expect(settings.idpProfiles[0]?.signInUrl).toBe(idp.signInUrl);
    expect(Object.values(settings.lastRoleArnByProfile)).toEqual(['arn:aws:iam::111111111111:role/Developer']);
    const jar = await stat(join(home, 'state', 'cookies', `${settings.idpProfiles[0]?.id}.json`));
    expect(jar.mode & 0o777).toBe(0o600);
    // The password went nowhere on disk.
    for (const file of ['settings.json', 'cli-state.json']) {
      expect(await readFile(join(home, 'state', file), 'utf8')).not.toContain(ALICE.password);
    }
  });

  it('lists roles silently with the saved IdP session', async () => {
    const result = await runCloudtoken(['roles', '--json'], env);
    expect(result.code).toBe(0);
    const roles = JSON.parse(result.stdout) as Array<{ roleArn: string; accountId: string }>;
    expect(roles.map((r) => r.roleArn)).toEqual(ALICE.roles.map((r) => r.roleArn));
  });

  it('prints sh exports that the AWS CLI accepts', async () => {
    const result = await runCloudtoken(['env', '--role', 'Deploy'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^export AWS_ACCESS_KEY_ID='?ASIA/m);
    const vars = Object.fromEntries(
      [...result.stdout.matchAll(/^export (\w+)='?([^'\n]*)'?$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(await callerArn('aws-cli', standIn.url, { ...vars, AWS_EC2_METADATA_DISABLED: 'true' })).toBe(arnFor('111111111111', 'Deploy'));
  });

  it('serves credential_process for the real AWS CLI and boto3', { timeout: 120_000 }, async () => {
    const direct = await runCloudtoken(['credential-process', '--role', '222222222222/ReadOnly'], env);
    expect(direct.code).toBe(0);
    expect(JSON.parse(direct.stdout)).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });

    const config = join(home, 'aws-config');
    const command = `${process.execPath} ${join(process.cwd(), 'bin', 'cloudtoken.js')} credential-process --role Admin`;
    await writeFile(config, `[profile admin]\ncredential_process = ${command}\n`);
    const vars = { AWS_CONFIG_FILE: config, AWS_PROFILE: 'admin', CLOUDTOKEN_HOME: env.CLOUDTOKEN_HOME as string, AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_STS: standIn.url };
    expect(await callerArn('aws-cli', standIn.url, vars)).toBe(arnFor('222222222222', 'Admin'));
    expect(await callerArn('boto3', standIn.url, vars)).toBe(arnFor('222222222222', 'Admin'));
  });

  it('remembers a role’s session limit, so later commands ask STS once instead of being refused first', async () => {
    // alice's IdP asks for 8 hours; the stand-in's roles allow 1 hour, like a role left at AWS's default.
    const limitsFile = join(env.CLOUDTOKEN_HOME as string, 'sts-duration-limits.json');
    await rm(limitsFile, { force: true });
    const assumeCalls = async () => {
      const before = standIn.requests.length;
      const result = await runCloudtoken(['credential-process', '--role', 'Admin'], env);
      expect(result.code).toBe(0);
      return standIn.requests
        .slice(before)
        .filter((request) => request.action === 'AssumeRoleWithSAML')
        .map((request) => `${request.params.DurationSeconds} ${request.errorCode ?? 'ok'}`);
    };
    expect(await assumeCalls()).toEqual(['28800 ValidationError', '3600 ok']);
    expect(JSON.parse(await readFile(limitsFile, 'utf8'))).toEqual({
      'arn:aws:iam::222222222222:role/Admin': { seconds: 3_600, learnedAt: expect.any(Number) },
    });
    expect(await assumeCalls()).toEqual(['3600 ok']);
  });

  it('prints a console sign-in URL through the federation endpoint', async () => {
    const result = await runCloudtoken(['console', '--print', '--federation-endpoint', `${standIn.url}/federation`], env);
    expect(result.code).toBe(0);
    const url = new URL(result.stdout.trim());
    expect(url.searchParams.get('Action')).toBe('login');
    expect(url.searchParams.get('SigninToken')).toBe(standIn.signinTokens.at(-1)?.token);
  });

  it('refuses a plain-http federation endpoint off loopback before signing in, as --sts-endpoint does', async () => {
    const before = standIn.requests.length;
    const result = await runCloudtoken(['console', '--print', '--federation-endpoint', 'http://10.99.0.1:8080/federation'], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The federation endpoint setting "http://10.99.0.1:8080/federation" must use https');
    expect(result.stdout).toBe('');
    expect(standIn.requests.length).toBe(before);
  });

  it('signs in through headless Chromium (system-browser path), then again silently with its profile', { timeout: 120_000 }, async () => {
    const browserEnv = { ...env, CLOUDTOKEN_HOME: join(home, 'browser') };
    const first = await runCloudtoken(
      ['login', '--idp-url', idp.signInUrl, '--browser', '/usr/bin/chromium', '--headless', '--username', 'alice', '--password-stdin', '--role', 'ReadOnly', '--sts-endpoint', standIn.url, '--json'],
      browserEnv,
      `${ALICE.password}\n`,
    );
    expect(first.stderr.replace(/.*dev-shm.*\n?/g, '')).toBe('');
    expect(first.code).toBe(0);
    expect((JSON.parse(first.stdout) as { assumedRoleArn: string }).assumedRoleArn).toBe(arnFor('222222222222', 'ReadOnly'));
    // No password this time: the browser profile's IdP session signs in silently.
    const again = await runCloudtoken(['credential-process', '--role', 'Developer'], browserEnv);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ Version: 1 });
  });

  it('exits 3 with advice when a silent command meets the IdP login page', async () => {
    const fresh = { ...env, CLOUDTOKEN_HOME: join(home, 'fresh') };
    await runCloudtoken(['status'], fresh);
    const result = await runCloudtoken(['roles', '--idp-url', idp.signInUrl, '--form'], fresh);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cloudtoken login/);
  });

  it('loads only what a command needs: help and status no SDK, credential_process no express', async () => {
    expect(await loaded(['help'])).toEqual([]);
    expect(await loaded(['status'])).toEqual([]);
    const credentialProcess = await loaded(['credential-process', '--role', 'Admin']);
    expect(credentialProcess).toEqual(expect.arrayContaining(['@aws-sdk/client-sts', '@xmldom/xmldom']));
    expect(credentialProcess).not.toContain('express');
  });

  it('rejects bad usage with exit code 2 and a specific message', async () => {
    const bad = await runCloudtoken(['daemon', '--port', '80'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port must be a whole number from 1024 to 65535/);
    const unknown = await runCloudtoken(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    const help = await runCloudtoken(['help', 'daemon'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: cloudtoken daemon/);
  });

  it('runs the daemon in loopback mode: every client gets the role, a refresh swaps keys, Ctrl-C stops it', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const daemon = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(port), '--role', 'Developer'], env);
    try {
      await daemon.waitFor(/Metadata proxy now available on (http:\/\/127\.0\.0\.1:\d+\/)/);
      const imdsVars = { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}/` };
      expect(await callerArns(standIn.url, imdsVars)).toEqual({
        'aws-cli': arnFor('111111111111', 'Developer'),
        boto3: arnFor('111111111111', 'Developer'),
        'js-sdk': arnFor('111111111111', 'Developer'),
      });
      const container = daemon.output.match(/AWS_CONTAINER_CREDENTIALS_FULL_URI=(\S+)\n\s+export AWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)/);
      expect(container).not.toBeNull();
      const containerVars = {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: container?.[1] as string,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: container?.[2] as string,
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      expect(await callerArn('boto3', standIn.url, containerVars)).toBe(arnFor('111111111111', 'Developer'));

      const status = await runCloudtoken(['status', '--json'], env);
      const reported = JSON.parse(status.stdout) as { sessions: Array<{ service: { imdsUrl: string }; roles: Array<{ assumedRoleArn: string }> }> };
      expect(reported.sessions).toHaveLength(1);
      expect(reported.sessions[0]?.service.imdsUrl).toBe(`http://127.0.0.1:${port}/`);
      expect(reported.sessions[0]?.roles[0]?.assumedRoleArn).toBe(arnFor('111111111111', 'Developer'));
      expect(status.stdout).not.toMatch(/ASIA|SecretAccessKey/);

      // Served by the running session over its channel: no SDK, no express, no browser automation.
      const servedByDaemon = await loaded(['credential-process', '--role', 'Developer']);
      expect(servedByDaemon.filter((name) => /^@aws-sdk\/|^@smithy\/|^express$|^playwright/.test(name))).toEqual([]);

      const issuedBefore = standIn.issued.length;
      const refresh = await runCloudtoken(['refresh'], env);
      expect(refresh.code).toBe(0);
      expect(refresh.stdout).toMatch(/Refreshed the daemon/);
      expect(standIn.issued.length).toBe(issuedBefore + 1);

      // A role chosen elsewhere (here: login --role) is followed by the running daemon.
      const switched = await runCloudtoken(['login', '--role', 'Admin'], env);
      expect(switched.code).toBe(0);
      await daemon.waitFor(/Switching to role arn:aws:iam::222222222222:role\/Admin/);
      await expect.poll(() => callerArn('aws-cli', standIn.url, imdsVars), { timeout: 15_000 }).toBe(arnFor('222222222222', 'Admin'));
    } finally {
      expect(await daemon.stop('SIGINT')).toBe(0);
    }
    expect(daemon.output).toMatch(/Stopped\./);
    const after = await runCloudtoken(['status', '--json'], env);
    expect((JSON.parse(after.stdout) as { sessions: unknown[] }).sessions).toEqual([]);
  });
});
