import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The real AWS clients, each run as its own process with a clean environment (`env -i` in effect):
 * PATH=/usr/bin:/bin, an empty HOME, and only the variables a test passes. Nothing but the endpoint under
 * test can then supply credentials. Each returns the access key id the client found, or rejects with what
 * the client printed.
 *
 * Network rule: outside a namespace, pass an endpoint variable (AWS_EC2_METADATA_SERVICE_ENDPOINT on
 * loopback, or the container variables plus AWS_EC2_METADATA_DISABLED=true).
 */
export type AwsClient = 'js-imds' | 'js-container' | 'js-chain' | 'aws-cli' | 'botocore';

/** The clients that read the instance metadata service, and those that read the container endpoint. */
export const IMDS_CLIENTS: readonly AwsClient[] = ['js-imds', 'js-chain', 'aws-cli', 'botocore'];
export const CONTAINER_CLIENTS: readonly AwsClient[] = ['js-container', 'js-chain', 'aws-cli', 'botocore'];

/** Debian's AWS CLI v2 and Python; the image's PATH puts a pyenv CLI v1 and python3 first. */
export const AWS_CLI = '/usr/bin/aws';
export const PYTHON = '/usr/bin/python3';

// Generous: on a loaded CI machine the CLI alone can take tens of seconds to start; a hang still ends.
const CLIENT_TIMEOUT_MS = 120_000;
// The CLI and botocore cost about a CPU-second each to start; on two cores more at once only adds waiting,
// and a starved client can miss its own 1 s metadata timeout.
const MAX_CONCURRENT_CLIENTS = 3;
let running = 0;
const waiting: (() => void)[] = [];

async function withClientSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_CLIENTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}
const resolveModule = createRequire(import.meta.url).resolve;

// The JS SDK runs in a child `node` so that the environment it reads is exactly the one given here.
function jsScript(client: 'js-imds' | 'js-container' | 'js-chain'): string {
  const provider =
    client === 'js-chain'
      ? `require(${JSON.stringify(resolveModule('@aws-sdk/credential-providers'))}).fromNodeProviderChain()`
      : `require(${JSON.stringify(resolveModule('@smithy/credential-provider-imds'))}).${client === 'js-imds' ? 'fromInstanceMetadata' : 'fromContainerMetadata'}()`;
  return `${provider}().then(
    (c) => process.stdout.write(c.accessKeyId),
    (e) => { process.stderr.write(String(e && e.message)); process.exit(1); })`;
}

const BOTOCORE_SCRIPT = `
import sys, botocore.session
credentials = botocore.session.Session().get_credentials()
if credentials is None:
    sys.exit('botocore found no credentials')
sys.stdout.write(credentials.get_frozen_credentials().access_key)
`;

function commandFor(client: AwsClient): [string, string[]] {
  switch (client) {
    case 'aws-cli':
      return [AWS_CLI, ['configure', 'export-credentials', '--format', 'process']];
    case 'botocore':
      return [PYTHON, ['-c', BOTOCORE_SCRIPT]];
    default:
      return [process.execPath, ['-e', jsScript(client)]];
  }
}

/** Runs one client with `PATH=/usr/bin:/bin HOME=<fresh empty dir>` plus `vars`; resolves to its access key id. */
export function accessKeyFrom(client: AwsClient, vars: Record<string, string>): Promise<string> {
  return withClientSlot(() => runClient(client, vars));
}

async function runClient(client: AwsClient, vars: Record<string, string>): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'cloudtoken-client-home-'));
  try {
    const [command, args] = commandFor(client);
    const { code, stdout, stderr } = await run(command, args, { PATH: '/usr/bin:/bin', HOME: home, ...vars }, home);
    if (code !== 0) throw new Error(`${client} exited ${code}: ${stderr.trim() || stdout.trim()}`);
    return client === 'aws-cli' ? (JSON.parse(stdout) as { AccessKeyId: string }).AccessKeyId : stdout.trim();
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Runs several clients at once; each entry is the key it found or the error text, so one failure hides no other. */
export async function accessKeysFrom(
  clients: readonly AwsClient[],
  vars: Record<string, string>,
): Promise<Record<string, string>> {
  const results = await Promise.all(
    clients.map((client) => accessKeyFrom(client, vars).catch((error: unknown) => `error: ${(error as Error).message}`)),
  );
  return Object.fromEntries(clients.map((client, i) => [client, results[i]!]));
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * What the AWS CLI signs with when it must find both credentials and region by itself: runs
 * `aws sts get-caller-identity` against a loopback stand-in that records the SigV4 Authorization header
 * (`Credential=<key>/<date>/<region>/sts/aws4_request`) and answers a non-retryable error.
 */
export function awsCliSigningScope(vars: Record<string, string>): Promise<{ accessKeyId: string; region: string }> {
  return withClientSlot(() => signWithCli(vars));
}

async function signWithCli(vars: Record<string, string>): Promise<{ accessKeyId: string; region: string }> {
  let authorization: string | undefined;
  const stub = createServer((req, res) => {
    authorization ??= req.headers.authorization;
    req.resume();
    res.writeHead(403, { 'Content-Type': 'text/xml' });
    res.end('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>recorded</Message></Error></ErrorResponse>');
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const home = await mkdtemp(join(tmpdir(), 'cloudtoken-client-home-'));
  try {
    const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/`;
    const { stderr } = await run(AWS_CLI, ['sts', 'get-caller-identity', '--endpoint-url', endpoint], { PATH: '/usr/bin:/bin', HOME: home, ...vars }, home);
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/sts\/aws4_request/.exec(authorization ?? '');
    if (!scope) throw new Error(`aws-cli signed nothing: ${stderr.trim()}`);
    return { accessKeyId: scope[1]!, region: scope[2]! };
  } finally {
    stub.closeAllConnections();
    stub.close();
    await rm(home, { recursive: true, force: true });
  }
}
