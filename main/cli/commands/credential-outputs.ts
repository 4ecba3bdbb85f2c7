import { formatCredentialProcessOutput } from '../../outputs/credential-process.js';
import { credentialVariables, formatEnvAssignments } from '../../outputs/shell-env.js';
import type { Partition } from '../../saml/types.js';
import { validateEndpointOverride } from '../../sts/endpoints.js';
import type { AwsCredentials } from '../../sts/types.js';
import type { CliOptions } from '../args.js';
import type { CliIo } from '../context.js';
import { writeJson } from '../output.js';

/**
 * What `env`, `credential-process` and `console` print, whoever obtained the credentials: this process's own
 * silent sign-in or a running session over its channel.
 */
export interface HeldCredentials {
  roleArn: string;
  partition: Partition;
  assumedRoleArn: string;
  credentials: AwsCredentials;
}

export type CredentialCommand = 'env' | 'credential-process' | 'console';

/** Refused before any credentials are fetched, not after: the same rule as --sts-endpoint. */
export function checkCredentialCommand(options: CliOptions): void {
  if (options.command === 'console' && options.federationEndpoint !== undefined) validateEndpointOverride(options.federationEndpoint, 'federation endpoint');
}

export async function writeCredentials(command: CredentialCommand, held: HeldCredentials, region: string, options: CliOptions, io: CliIo): Promise<void> {
  if (command === 'credential-process') {
    io.stdout.write(formatCredentialProcessOutput(held.credentials));
    return;
  }
  if (command === 'env') {
    io.stdout.write(formatEnvAssignments(options.shell, credentialVariables(held.credentials, { region })));
    return;
  }
  // Loaded only for the console: its HTTP stack (proxy support) and the browser launch are more than
  // credential_process needs.
  const [{ createConsoleSigninUrl }, { openInBrowser }] = await Promise.all([import('../../sts/federation.js'), import('../open-url.js')]);
  const { federationEndpoint } = options;
  const url = await createConsoleSigninUrl({
    credentials: held.credentials,
    partition: held.partition,
    region,
    issuer: 'Cloudtoken',
    ...(federationEndpoint !== undefined ? { federationEndpoint } : {}),
  });
  if (options.json) {
    writeJson(io.stdout, { url, roleArn: held.roleArn });
    return;
  }
  if (options.print || !(await openInBrowser(url, io))) {
    io.stdout.write(`${url}\n`);
  } else {
    io.stdout.write(`Opened the AWS console as ${held.assumedRoleArn}.\n`);
  }
}
