import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStatus } from '../../main/channel/protocol.js';
import { CloudtokenProcess, runCloudtoken } from '../support/cli.js';
import { freePortPair } from '../support/free-ports.js';
import { startCliPeers, type CliPeers } from '../support/cli-peers.js';
import { ALICE } from '../support/idp/index.js';

/**
 * What the `cloudtoken` command says when things go wrong, tried as a user meets it: the real SimpleSAMLphp
 * (alice's assertion carries an 8-hour SessionDuration), the strict STS stand-in, real Chromium, and a real
 * daemon for switch-role and logout.
 */
const DEVELOPER = 'arn:aws:iam::111111111111:role/Developer';
const ADMIN = 'arn:aws:iam::222222222222:role/Admin';

let peers: CliPeers;
let idp: CliPeers['idp'];
let standIn: CliPeers['standIn'];
let dir: string;
let env: Record<string, string>;

/** Lines that look like log records: a timestamp and a level, or JSON fields. */
const LOG_LINE = /^\S+Z (?:DEBUG|INFO|WARN|ERROR) /m;

/** The role the metadata service at `port` serves, asked as an IMDSv2 client asks. */
async function metadataRole(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}/latest`;
  const token = await (await fetch(`${base}/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' } })).text();
  const answer = await fetch(`${base}/meta-data/iam/security-credentials/`, { headers: { 'X-aws-ec2-metadata-token': token } });
  expect(answer.status).toBe(200);
  return (await answer.text()).trim();
}

beforeAll(async () => {
  peers = await startCliPeers('messages');
  ({ idp, standIn, dir, env } = peers);
  const login = await runCloudtoken(['login', '--idp-url', idp.signInUrl, '--form', '--username', ALICE.username, '--password-stdin', '--role', 'Developer'], env, `${ALICE.password}\n`);
  expect(login.code, login.stderr).toBe(0);
}, 60_000);

afterAll(() => peers?.close());

describe('cloudtoken messages', () => {
  it('one-shot commands under STS throttling: what failed and what to do, no retry promised, no log lines without -v', { timeout: 60_000 }, async () => {
    standIn.setFault({ kind: 'throttling' });
    try {
      const quiet = await runCloudtoken(['credential-process', '--role', 'Developer'], env);
      expect(quiet.code).toBe(1);
      expect(quiet.stdout).toBe('');
      expect(quiet.stderr).toMatch(/^cloudtoken: AWS STS is throttling requests at .*\.\nThis may pass by itself, but this command does not retry: run it again in a moment/);
      expect(quiet.stderr).not.toMatch(/will try again|retrying/);
      expect(quiet.stderr).not.toMatch(LOG_LINE);
      const verbose = await runCloudtoken(['env', '--role', 'Developer', '-v'], env);
      expect(verbose.code).toBe(1);
      expect(verbose.stderr).toMatch(/WARN STS asked us to slow down or failed; retrying \{"attempt":1,/);
    } finally {
      standIn.setFault(undefined);
    }
  });

  it('says when the IdP’s SessionDuration wins over --duration, and by how much', async () => {
    const result = await runCloudtoken(['env', '--role', 'Developer', '--duration', '7200'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("cloudtoken: --duration 7200 is not used: your IdP's SessionDuration attribute (28800 s) sets the session length, and it wins.\n");
    const same = await runCloudtoken(['env', '--role', 'Developer', '--duration', '28800'], env);
    expect(same.stderr).toBe('');
  });

  it('refuses a region no partition has before signing in, and a --role the IdP does not offer with the usage exit code', async () => {
    const idpRequests = idp.requests();
    const stsRequests = standIn.requests.length;
    const mars = await runCloudtoken(['credential-process', '--role', 'Developer', '--region', 'mars-1'], env);
    expect(mars).toEqual({ code: 2, stdout: '', stderr: 'cloudtoken: --region must be an AWS region such as us-east-1, eu-central-2 or us-gov-west-1; got "mars-1".\n' });
    expect(idp.requests()).toBe(idpRequests);
    expect(standIn.requests.length).toBe(stsRequests);

    const unknown = await runCloudtoken(['env', '--role', 'Nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^cloudtoken: Your identity provider does not offer the role "Nope"\. Offered: arn:aws:iam::/);
  });

  it('fails at once on a wrong password read with --password-stdin: nothing to ask again', async () => {
    const fresh = { ...env, CLOUDTOKEN_HOME: join(dir, 'wrong-password') };
    const result = await runCloudtoken(['login', '--idp-url', idp.signInUrl, '--form', '--username', ALICE.username, '--password-stdin', '--role', 'Developer'], fresh, 'wrong\nwrong\nwrong\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cloudtoken: [^\n]*(?:password|credentials)[^\n]*\n$/i);
    expect(result.stderr).not.toMatch(/Try again/);
  });

  it('with no display, the default browser sign-in points to --form and --headless', { timeout: 60_000 }, async () => {
    const fresh = { ...env, CLOUDTOKEN_HOME: join(dir, 'no-display') };
    const result = await runCloudtoken(['login', '--idp-url', idp.signInUrl, '--role', 'Developer'], fresh);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cloudtoken: Could not start the browser /);
    expect(result.stderr).toContain('There is no display here (DISPLAY and WAYLAND_DISPLAY are unset): sign in with --form');
    expect(result.stderr).toContain('--headless --username U --password-stdin');
  });

  it('says to pass --port N when the daemon’s port is taken', { timeout: 60_000 }, async () => {
    const port = await freePortPair();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const result = await runCloudtoken(['daemon', '--imds', 'loopback', '--port', String(port), '--role', 'Developer'], env);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use, .*Quit it, or pass another port with --port N\\.`));
      expect(result.stdout + result.stderr).not.toMatch(/in the settings/);
    } finally {
      holder.close();
    }
  });

  it('switch-role switches a running daemon over its channel; logout says the daemon keeps serving', { timeout: 120_000 }, async () => {
    const port = await freePortPair();
    const daemon = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(port), '--role', 'Developer'], env);
    try {
      await daemon.waitFor(/served by this session through/, 60_000);
      const issued = standIn.issued.length;
      const switched = await runCloudtoken(['switch-role', '--role', 'Admin', '--json'], env);
      expect(switched.code, switched.stderr).toBe(0);
      const status = JSON.parse(switched.stdout) as SessionStatus;
      expect(status.roles.find((role) => role.metadata)?.roleArn).toBe(ADMIN);
      expect(standIn.issued.slice(issued).map((record) => record.roleArn)).toContain(ADMIN);
      expect(await metadataRole(port)).toBe('Admin');

      const plain = await runCloudtoken(['switch-role', '--role', 'Developer', '--port', String(port)], env);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toMatch(new RegExp(`^Switched the daemon on port ${port} \\(profile 127\\.0\\.0\\.1:\\d+\\) to ${DEVELOPER} at http://127\\.0\\.0\\.1:${port}/; credentials valid until `));
      expect(await metadataRole(port)).toBe('Developer');

      const unknown = await runCloudtoken(['switch-role', '--role', 'Nope'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/^cloudtoken: Your identity provider does not offer the role "Nope"/);

      const elsewhere = await runCloudtoken(['switch-role', '--role', 'Admin', '--port', String(port + 2)], env);
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.stderr).toMatch(new RegExp(`no session of this profile is running on port ${port + 2}`));

      const logout = await runCloudtoken(['logout'], env);
      expect(logout.code, logout.stderr).toBe(0);
      expect(logout.stdout).toMatch(
        new RegExp(`^Signed out of .*: the IdP session is forgotten\\.\\nThe daemon on port ${port} \\(pid \\d+\\) still runs for .*: it keeps serving the credentials it holds until it stops or its own IdP session ends\\.`),
      );
    } finally {
      expect(await daemon.stop('SIGINT')).toBe(0);
    }
    const after = await runCloudtoken(['logout'], env);
    expect(after.stdout).not.toMatch(/still runs/);
  });
});
