import { spawn, execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStatus } from '../../main/channel/protocol.js';
import { callerArn } from '../support/caller-identity.js';
import { freePortPair } from '../support/free-ports.js';
import { CLOUDTOKEN_BIN, CloudtokenProcess, runCloudtoken } from '../support/cli.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';

/**
 * The session channel from the real CLI to real daemons (SimpleSAMLphp sign-in, the strict STS stand-in, the
 * AWS CLI v2 running credential_process): what is served without a sign-in, what is refused, and the fallback
 * when no session runs.
 */
const execFileAsync = promisify(execFile);
const roleArn = (account: string, role: string) => `arn:aws:iam::${account}:role/${role}`;
const DEVELOPER = roleArn('111111111111', 'Developer');
const ADMIN = roleArn('222222222222', 'Admin');
const READ_ONLY = roleArn('222222222222', 'ReadOnly');

let idp: RunningIdp;
let standIn: StsStandIn;
let dir: string;
let env: Record<string, string>;
let sessionsDir: string;

async function startDaemon(role: string): Promise<{ daemon: CloudtokenProcess; port: number; socket: string }> {
  const port = await freePortPair();
  const daemon = new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(port), '--role', role], env);
  const [, socket] = await daemon.waitFor(/served by this session through (\S+)/, 60_000);
  return { daemon, port, socket: socket as string };
}

async function sessions(): Promise<SessionStatus[]> {
  const result = await runCloudtoken(['status', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { sessions: SessionStatus[] }).sessions;
}

/** The role whose credentials these are, as the STS stand-in that issued them knows. */
function issuedRole(accessKeyId: string): string | undefined {
  return standIn.issued.find((record) => record.accessKeyId === accessKeyId)?.roleArn;
}

async function credentialProcess(...args: string[]): Promise<{ AccessKeyId: string; Expiration: string }> {
  const result = await runCloudtoken(['credential-process', ...args], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { AccessKeyId: string; Expiration: string };
}

/** Credentials STS issued (an assumption may take two calls, when the first asks for too long a session). */
const assumeCalls = () => standIn.issued.length;

/**
 * Raw bytes to the socket, and what the session answers line by line: after `answers` lines the client hangs
 * up, unless it waits for the session to hang up (`untilClosed`).
 */
function exchange(socket: string, payload: string, answers: number, untilClosed = false): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const client = connect(socket);
    let text = '';
    const lines = () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    client.setEncoding('utf8');
    client.on('data', (chunk: string) => {
      text += chunk;
      if (!untilClosed && lines().length >= answers) {
        client.end();
        resolve(lines());
      }
    });
    client.on('close', () => resolve(lines()));
    client.on('error', reject);
    client.write(payload);
  });
}

beforeAll(async () => {
  idp = await startIdp();
  standIn = await startStsStandIn({
    providers: providersTrusting(idp),
  });
  dir = await mkdtemp(join(tmpdir(), 'cloudtoken-channel-'));
  // Anyone may walk to the state folder: only the sessions folder's own mode keeps other users out.
  await chmod(dir, 0o755);
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    CLOUDTOKEN_HOME: join(dir, 'state'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: standIn.url,
  };
  sessionsDir = join(dir, 'state', 'sessions');
  const login = await runCloudtoken(
    ['login', '--idp-url', idp.signInUrl, '--form', '--username', ALICE.username, '--password-stdin', '--role', 'Developer'],
    env,
    `${ALICE.password}\n`,
  );
  expect(login.code, login.stderr).toBe(0);
  await chmod(join(dir, 'state'), 0o755);
}, 60_000);

afterAll(async () => {
  await standIn?.close();
  await idp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the session channel', () => {
  it('without a running session, credential-process signs in on its own', async () => {
    expect(await sessions()).toEqual([]);
    const before = assumeCalls();
    const answer = await credentialProcess('--role', 'Developer');
    expect(issuedRole(answer.AccessKeyId)).toBe(DEVELOPER);
    expect(assumeCalls()).toBe(before + 1);
  });

  it('serves a running daemon’s roles, assumes another on demand and keeps it; two daemons keep their own roles', { timeout: 120_000 }, async () => {
    const first = await startDaemon('Developer');
    let second: Awaited<ReturnType<typeof startDaemon>> | undefined;
    try {
      expect((await stat(sessionsDir)).mode & 0o777).toBe(0o700);
      expect((await stat(first.socket)).mode & 0o777).toBe(0o600);

      // The metadata role: no sign-in and no STS call.
      const before = assumeCalls();
      const served = await credentialProcess('--role', 'Developer');
      expect(issuedRole(served.AccessKeyId)).toBe(DEVELOPER);
      expect(assumeCalls()).toBe(before);

      // Through the AWS CLI's credential_process, as users configure it.
      const config = join(dir, 'aws-config');
      await writeFile(config, `[profile ct]\ncredential_process = ${process.execPath} ${CLOUDTOKEN_BIN} credential-process --role Developer\n`);
      const viaAwsCli = await callerArn('aws-cli', standIn.url, { AWS_CONFIG_FILE: config, AWS_PROFILE: 'ct', CLOUDTOKEN_HOME: env.CLOUDTOKEN_HOME!, AWS_EC2_METADATA_DISABLED: 'true' });
      expect(viaAwsCli).toBe(`arn:aws:sts::111111111111:assumed-role/Developer/${ALICE.roleSessionName}`);
      expect(assumeCalls()).toBe(before);

      // Another role: assumed once, then kept active and served from the session.
      const admin = await credentialProcess('--role', 'Admin');
      expect(issuedRole(admin.AccessKeyId)).toBe(ADMIN);
      expect(assumeCalls()).toBe(before + 1);
      expect((await credentialProcess('--role', ADMIN)).AccessKeyId).toBe(admin.AccessKeyId);
      expect(assumeCalls()).toBe(before + 1);
      const env1 = await runCloudtoken(['env', '--role', 'Admin'], env);
      expect(env1.stdout).toContain(`export AWS_ACCESS_KEY_ID='${admin.AccessKeyId}'`);

      // Asking for another session length or STS endpoint is not something the session's credentials answer:
      // the command gets its own, and the session keeps serving what it had.
      const own = await credentialProcess('--role', 'Developer', '--duration', '1800');
      expect(own.AccessKeyId).not.toBe(served.AccessKeyId);
      expect(standIn.issued.at(-1)).toMatchObject({ accessKeyId: own.AccessKeyId, roleArn: DEVELOPER });
      expect(assumeCalls()).toBe(before + 2);
      await credentialProcess('--role', 'Developer', '--sts-endpoint', standIn.url);
      expect(assumeCalls()).toBe(before + 3);
      expect((await credentialProcess('--role', 'Developer')).AccessKeyId).toBe(served.AccessKeyId);

      second = await startDaemon('ReadOnly');
      const both = await sessions();
      expect(both.map((s) => [s.imdsPort, s.roles.find((r) => r.metadata)?.roleArn])).toEqual([
        [first.port, DEVELOPER],
        [second.port, READ_ONLY],
      ]);
      expect(both[0]?.roles.map((r) => r.roleArn)).toEqual([DEVELOPER, ADMIN]);
      expect(JSON.stringify(both)).not.toMatch(/ASIA|secret|sessionToken/i);
      // --port picks the session; Admin, kept by the first, is served by it without a second assumption.
      expect(issuedRole((await credentialProcess('--port', String(second.port))).AccessKeyId)).toBe(READ_ONLY);
      expect(issuedRole((await credentialProcess('--role', 'Admin')).AccessKeyId)).toBe(ADMIN);

      // Refresh only the second: the first keeps its credentials.
      const calls = assumeCalls();
      const refresh = await runCloudtoken(['refresh', '--port', String(second.port)], env);
      expect(refresh.code, refresh.stderr).toBe(0);
      expect(refresh.stdout).toMatch(new RegExp(`Refreshed the daemon \\(profile .*, port ${second.port}\\)`));
      expect(assumeCalls()).toBe(calls + 1);
      expect((await credentialProcess('--role', 'Developer')).AccessKeyId).toBe(served.AccessKeyId);

      expect(await second.daemon.stop('SIGINT')).toBe(0);
      second = undefined;
      const left = await sessions();
      expect(left.map((s) => [s.imdsPort, s.roles.find((r) => r.metadata)?.roleArn])).toEqual([[first.port, DEVELOPER]]);
    } finally {
      await second?.daemon.stop('SIGINT');
      expect(await first.daemon.stop('SIGINT')).toBe(0);
    }
    expect(await readdir(sessionsDir)).toEqual([]);
    const before = assumeCalls();
    await credentialProcess('--role', 'Developer');
    expect(assumeCalls()).toBe(before + 1);
  });

  it('answers a malformed or oversized request with an error and keeps serving; refuses other users; replaces stale sockets', { timeout: 90_000 }, async () => {
    const { daemon, socket } = await startDaemon('Developer');
    try {
      const key = (await readFile(socket.replace(/\.sock$/, '.key'), 'utf8')).trim();
      expect((await stat(socket.replace(/\.sock$/, '.key'))).mode & 0o777).toBe(0o600);
      const hello = `{"v":1,"type":"hello","key":"${key}"}\n`;
      const malformed = await exchange(socket, `not json\n{"v":1,"type":"frobnicate"}\n{"v":7,"type":"hello"}\n${hello}{"v":1,"type":"status"}\n`, 5);
      expect(malformed.map((l) => (l.error as { code: string } | undefined)?.code ?? 'ok')).toEqual(['MALFORMED_REQUEST', 'UNKNOWN_REQUEST', 'UNSUPPORTED_VERSION', 'ok', 'ok']);

      // Without the key, or with another, nothing is answered and the session hangs up.
      const [keyless] = await exchange(socket, '{"v":1,"type":"credentials"}\n{"v":1,"type":"status"}\n', 2, true);
      expect(keyless).toMatchObject({ ok: false, error: { code: 'HANDSHAKE_REQUIRED' } });
      const wrong = await exchange(socket, `{"v":1,"type":"hello","key":"${'0'.repeat(64)}"}\n${hello}`, 2, true);
      expect(wrong).toEqual([{ v: 1, ok: false, error: { code: 'WRONG_SESSION_KEY', message: "The handshake's key is not this session's: read it from the session's key file." } }]);

      // The session hangs up after answering: the client's exchange only ends because it did.
      const oversized = await exchange(socket, `${hello}{"v":1,"type":"credentials","role":"${'x'.repeat(20_000)}"}\n`, 2, true);
      expect(oversized[1]).toEqual({ v: 1, ok: false, error: { code: 'REQUEST_TOO_LARGE', message: 'A request may be at most 16384 bytes.' } });
      const after = await exchange(socket, hello, 1);
      expect((after[0]?.status as SessionStatus).roles[0]?.roleArn).toBe(DEVELOPER);

      // A role switch over the channel: the session serves Admin at its metadata service from now on.
      const [, switched] = await exchange(socket, `${hello}{"v":1,"type":"switch-role","role":"Admin"}\n`, 2);
      expect((switched?.status as SessionStatus).roles.find((r) => r.metadata)?.roleArn).toBe(ADMIN);
      expect(issuedRole((await credentialProcess()).AccessKeyId)).toBe(ADMIN);

      // Another user (nobody) running node: the kernel refuses at connect, as the sessions folder is 0700.
      const script = `require('net').connect(${JSON.stringify(socket)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
      const other = await execFileAsync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script]);
      expect(other.stdout.trim()).toBe('EACCES');

      // Even where another user can open the socket (the folder and socket opened up, as a Windows pipe's default
      // ACL is), without the key file, which stays 0600, they get nothing but the refusal.
      await chmod(sessionsDir, 0o711);
      await chmod(socket, 0o666);
      try {
        const ask = `const s = require('net').connect(${JSON.stringify(socket)}); let t = ''; s.setEncoding('utf8');
          s.on('data', (d) => { t += d; }); s.on('close', () => { console.log(t.trim()); process.exit(0); });
          s.on('error', (e) => { console.log(e.code); process.exit(0); });
          s.write('{"v":1,"type":"credentials"}\\n');
          try { require('fs').readFileSync(${JSON.stringify(socket.replace(/\.sock$/, '.key'))}); console.error('key readable'); } catch (e) { console.error(e.code); }`;
        const intruder = await execFileAsync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', ask]);
        expect(intruder.stderr.trim()).toBe('EACCES');
        expect(JSON.parse(intruder.stdout.trim())).toMatchObject({ ok: false, error: { code: 'HANDSHAKE_REQUIRED' } });
        expect(intruder.stdout).not.toMatch(/AccessKeyId|accessKeyId|ASIA/);
      } finally {
        await chmod(sessionsDir, 0o700);
        await chmod(socket, 0o600);
      }

      // A session killed with SIGKILL leaves its socket file: found dead at connect and removed.
      const stale = join(sessionsDir, 'deadbeef0000.sock');
      const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('close', resolve));
      expect((await stat(stale)).isSocket()).toBe(true);
      await writeFile(stale.replace(/\.sock$/, '.key'), `${'1'.repeat(64)}\n`, { mode: 0o600 });
      expect((await sessions()).length).toBe(1);
      await expect(stat(stale)).rejects.toThrow(/ENOENT/);
      await expect(stat(stale.replace(/\.sock$/, '.key'))).rejects.toThrow(/ENOENT/);
      // A socket that refuses but has no key yet may be a session between binding and listening: left alone.
      const starting = join(sessionsDir, 'feedface0000.sock');
      const binder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(starting)}, () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => binder.stdout.once('data', resolve));
      binder.kill('SIGKILL');
      await new Promise((resolve) => binder.once('close', resolve));
      expect((await sessions()).length).toBe(1);
      expect((await stat(starting)).isSocket()).toBe(true);
      await rm(starting);

      // A sessions folder others can enter is not used.
      await chmod(sessionsDir, 0o755);
      const open = await runCloudtoken(['status'], env);
      expect(open.code).toBe(1);
      expect(open.stderr).toMatch(/can be entered by other users \(mode 755\)/);
      await chmod(sessionsDir, 0o700);
    } finally {
      expect(await daemon.stop('SIGINT')).toBe(0);
    }
  });
});
