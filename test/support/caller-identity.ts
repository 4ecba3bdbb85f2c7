import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWS_CLI, PYTHON } from './aws-clients.js';

/**
 * `sts get-caller-identity` through each real client, with a clean environment (PATH, an empty HOME, and only
 * the variables given): the clients must find credentials on their own — the metadata service, the container
 * endpoint, a credentials file or credential_process — and the STS stand-in verifies their SigV4 signature.
 * Resolves with the ARN the stand-in returned, or rejects with what the client printed.
 */
export type IdentityClient = 'aws-cli' | 'boto3' | 'js-sdk';
export const IDENTITY_CLIENTS: readonly IdentityClient[] = ['aws-cli', 'boto3', 'js-sdk'];

const resolveModule = createRequire(import.meta.url).resolve;

const BOTO3_SCRIPT = `
import sys, boto3
print(boto3.client('sts', region_name='us-east-1', endpoint_url=sys.argv[1]).get_caller_identity()['Arn'])
`;

function jsScript(): string {
  const sts = JSON.stringify(resolveModule('@aws-sdk/client-sts'));
  return `const { STSClient, GetCallerIdentityCommand } = require(${sts});
new STSClient({ region: 'us-east-1', endpoint: process.argv[1] }).send(new GetCallerIdentityCommand({})).then(
  (r) => process.stdout.write(r.Arn + '\\n'),
  (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
}

function commandFor(client: IdentityClient, endpoint: string): [string, string[]] {
  switch (client) {
    case 'aws-cli':
      return [AWS_CLI, ['sts', 'get-caller-identity', '--endpoint-url', endpoint, '--region', 'us-east-1', '--query', 'Arn', '--output', 'text']];
    case 'boto3':
      return [PYTHON, ['-c', BOTO3_SCRIPT, endpoint]];
    default:
      return [process.execPath, ['-e', jsScript(), endpoint]];
  }
}

export async function callerArn(client: IdentityClient, stsEndpoint: string, vars: Record<string, string> = {}, home?: string): Promise<string> {
  const ownHome = home ?? (await mkdtemp(join(tmpdir(), 'cloudtoken-identity-home-')));
  try {
    const [command, args] = commandFor(client, stsEndpoint);
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(command, args, { env: { PATH: '/usr/bin:/bin', HOME: ownHome, ...vars }, cwd: ownHome, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      // The AWS CLI with a credential_process takes seconds even on a quiet machine; on a loaded CI runner far more.
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    if (result.code !== 0) throw new Error(`${client} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    return result.stdout.trim();
  } finally {
    if (!home) await rm(ownHome, { recursive: true, force: true });
  }
}

/** Every client at once; each entry is the ARN or `error: …`, so one failure hides no other. */
export async function callerArns(stsEndpoint: string, vars: Record<string, string> = {}): Promise<Record<IdentityClient, string>> {
  const results = await Promise.all(
    IDENTITY_CLIENTS.map((client) => callerArn(client, stsEndpoint, vars).catch((error: unknown) => `error: ${(error as Error).message}`)),
  );
  return Object.fromEntries(IDENTITY_CLIENTS.map((client, i) => [client, results[i]!])) as Record<IdentityClient, string>;
}
