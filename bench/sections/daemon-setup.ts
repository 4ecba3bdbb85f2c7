import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALICE, startIdp, type RunningIdp } from '../../test/support/idp/index.js';
import { providersTrusting, startStsStandIn, type StsStandIn } from '../../test/support/sts/stand-in.js';
import { CloudtokenProcess, runCloudtoken } from '../../test/support/cli.js';


/**
 * What a user has after `cloudtoken login`: SimpleSAMLphp (the IdP) and the STS stand-in on loopback, the
 * IdP session cookies saved and the role remembered, so `cloudtoken daemon` starts without a password.
 */
export interface LoggedIn {
  env: Record<string, string>;
  /** Requests the IdP answered so far, and AssumeRoleWithSAML calls STS received: what a sign-in costs. */
  idpRequests(): number;
  assumeRoleCalls(): number;
  startDaemon(port: number): CloudtokenProcess;
  close(): Promise<void>;
}

export const DAEMON_ROLE = 'Developer';

export async function loggedIn(): Promise<LoggedIn> {
  let idp: RunningIdp | undefined;
  let standIn: StsStandIn | undefined;
  const home = await mkdtemp(join(tmpdir(), 'cloudtoken-bench-daemon-'));
  const close = async () => {
    await standIn?.close();
    await idp?.stop();
    await rm(home, { recursive: true, force: true });
  };
  try {
    idp = await startIdp();
    const { entityId, certificatePem } = idp;
    standIn = await startStsStandIn({
      providers: providersTrusting({ entityId, certificatePem }),
    });
    // Flags are never saved, so the daemon started later finds the STS stand-in through the AWS tools' variable.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CLOUDTOKEN_HOME: join(home, 'state'), AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_STS: standIn.url };
    const login = await runCloudtoken(
      ['login', '--idp-url', idp.signInUrl, '--form', '--username', ALICE.username, '--password-stdin', '--sts-endpoint', standIn.url, '--role', DAEMON_ROLE],
      env,
      `${ALICE.password}\n`,
    );
    if (login.code !== 0) throw new Error(`cloudtoken login failed (${login.code}): ${login.stderr}`);
    const sts = standIn;
    const identityProvider = idp;
    return {
      env,
      idpRequests: () => identityProvider.requests(),
      assumeRoleCalls: () => sts.requests.filter((r) => r.action === 'AssumeRoleWithSAML').length,
      startDaemon: (port) => new CloudtokenProcess(['daemon', '--imds', 'loopback', '--port', String(port), '--role', DAEMON_ROLE], env),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One request without keep-alive; a refused connection counts as status 0 (the daemon is not listening yet). */
export function imdsRequest(port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end();
  });
}

export async function imdsToken(port: number): Promise<string> {
  const answer = await imdsRequest(port, 'PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' });
  if (answer.status !== 200) throw new Error(`token request answered ${answer.status}`);
  return answer.body;
}

/** The role list as an SDK asks for it (token first); status 0 while nothing listens. */
export async function roleList(port: number): Promise<{ status: number; body: string }> {
  const token = await imdsRequest(port, 'PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' });
  if (token.status !== 200) return token;
  return imdsRequest(port, 'GET', '/latest/meta-data/iam/security-credentials/', { 'X-aws-ec2-metadata-token': token.body });
}
