// 169.254.169.254 appears here only as text; no traffic goes to it (real traffic to it happens only inside a
// network namespace a test creates with unshare — see test/support/netns.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's AWS CLI v2 (the PATH's first `aws` is a pyenv v1). */
export const AWS_CLI = '/usr/bin/aws';

/**
 * Run the real AWS CLI with nothing from this machine's environment: only the given files, no metadata
 * service (it must never reach 169.254.169.254 from here).
 */
export async function awsCli(args: string[], files: { home: string; credentials: string; config: string }): Promise<string> {
  const { stdout } = await run(AWS_CLI, args, {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: files.home,
      AWS_SHARED_CREDENTIALS_FILE: files.credentials,
      AWS_CONFIG_FILE: files.config,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    timeout: 60_000,
  });
  return stdout;
}

export interface ProcessCredentials {
  Version: number;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  Expiration?: string;
}

/** What the AWS CLI resolves for a profile, in credential_process form. */
export async function exportCredentials(profile: string, files: { home: string; credentials: string; config: string }): Promise<ProcessCredentials> {
  return JSON.parse(await awsCli(['configure', 'export-credentials', '--profile', profile, '--format', 'process'], files)) as ProcessCredentials;
}
