/**
 * The product's end-to-end proof, run INSIDE a fresh network namespace (see cli-daemon-netns.test.ts, which
 * starts this file with `unshare --net …` and asserts on what it prints). Everything is real except STS:
 * SimpleSAMLphp, `cloudtoken daemon` setting up 169.254.169.254 and the port-80 redirect itself (direct runner,
 * as root), and the AWS CLI, boto3 and the JS SDK finding credentials with no AWS variables at all.
 * Prints one JSON line of observations on stdout; progress goes to stderr.
 */
import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdp } from '../../support/idp/index.js';
import { ALICE } from '../../support/idp/users.js';
import { aliasState } from '../../support/netns.js';
import { providersTrusting, startStsStandIn } from '../../support/sts/stand-in.js';
import { callerArn, callerArns } from '../../support/caller-identity.js';
import { CloudtokenProcess, runCloudtoken } from '../../support/cli.js';

const CREDENTIAL_LIFETIME_S = Number(process.env.SCENARIO_CREDENTIAL_LIFETIME_S ?? 50);
const log = (line: string) => process.stderr.write(`[scenario] ${line}\n`);
const observations: Record<string, unknown> = {};

/** IMDSv2 as an SDK does it, on the real address and port 80: token, then the role list. */
function roleListStatus(): Promise<number | string> {
  const call = (method: string, path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '169.254.169.254', port: 80, method, path, headers, timeout: 2000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  return call('PUT', '/latest/api/token', { 'X-aws-ec2-metadata-token-ttl-seconds': '60' })
    .then((token) => call('GET', '/latest/meta-data/iam/security-credentials/', { 'X-aws-ec2-metadata-token': token.body }))
    .then((list) => list.status)
    .catch((error: Error) => `error: ${error.message}`);
}

const idp = await startIdp();
const standIn = await startStsStandIn({
  providers: providersTrusting(idp),
  credentialLifetimeSeconds: CREDENTIAL_LIFETIME_S,
});
const home = await mkdtemp(join(tmpdir(), 'cloudtoken-e2e-'));
const env = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: home,
  CLOUDTOKEN_HOME: join(home, 'state'),
  // Flags are never saved: later commands (login --role) name the STS stand-in the AWS tools' own way.
  AWS_ENDPOINT_URL_STS: standIn.url,
};
const arn = (account: string, role: string) => `arn:aws:sts::${account}:assumed-role/${role}/alice@example.org`;
observations.expected = { developer: arn('111111111111', 'Developer'), admin: arn('222222222222', 'Admin') };
observations.aliasBefore = aliasState();

const daemon = new CloudtokenProcess(
  ['daemon', '--idp-url', idp.signInUrl, '--form', '--username', 'alice', '--password-stdin', '--role', 'Developer', '--sts-endpoint', standIn.url, '--imds', 'alias', '--port', '9911'],
  env,
  `${ALICE.password}\n`,
);
try {
  await daemon.waitFor(/Metadata proxy now available on (\S+)/, 60_000);
  log('daemon serving');
  observations.announced = daemon.output.match(/Metadata proxy now available on (\S+)/)?.[1];
  observations.aliasWhileRunning = aliasState();
  observations.initial = await callerArns(standIn.url);

  const switched = await runCloudtoken(['login', '--role', 'Admin'], env);
  observations.switchExit = switched.code;
  await daemon.waitFor(/Switching to role arn:aws:iam::222222222222:role\/Admin/);
  for (let i = 0; i < 20 && observations.afterSwitch !== arn('222222222222', 'Admin'); i += 1) {
    observations.afterSwitch = await callerArn('aws-cli', standIn.url).catch((e: Error) => `error: ${e.message}`);
  }
  log('role switched');

  const issuedBefore = standIn.issued.length;
  process.kill(daemon.child.pid as number, 'SIGUSR1');
  await daemon.waitFor(/Refresh requested\.\n[^\n]*Credentials refreshed/);
  observations.silentRefreshIssued = standIn.issued.length - issuedBefore;
  observations.afterRefresh = await callerArn('boto3', standIn.url).catch((e: Error) => `error: ${e.message}`);
  const lastIssued = standIn.issued.at(-1);
  log('refreshed silently');

  await idp.stop();
  process.kill(daemon.child.pid as number, 'SIGUSR1');
  await daemon.waitFor(/Refresh failed/);
  observations.afterIdpDeath = await callerArn('js-sdk', standIn.url).catch((e: Error) => `error: ${e.message}`);
  observations.roleListBeforeExpiry = await roleListStatus();
  log('IdP gone, old credentials still served');

  const waitMs = (lastIssued?.expiration ?? Date.now()) - Date.now() + 1500;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
  observations.roleListAfterExpiry = await roleListStatus();
  observations.afterExpiry = await callerArn('aws-cli', standIn.url).catch((e: Error) => `error: ${e.message}`);
  log('expired');
} catch (error) {
  observations.error = (error as Error).message;
} finally {
  observations.daemonExit = await daemon.stop('SIGINT');
  observations.aliasAfter = aliasState();
  observations.daemonOutput = daemon.output;
  await standIn.close();
  await idp.stop();
}
process.stdout.write(`${JSON.stringify(observations)}\n`);
process.exit(0);
