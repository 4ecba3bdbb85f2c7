import { CloudtokenError } from '../support/errors.js';
import { awsTimestamp } from '../support/clock.js';
import type { AwsCredentials } from '../sts/types.js';

/**
 * Environment-variable lines a user pastes or `eval`s into a shell (`eval "$(cloudtoken env)"`), for three
 * families of shells. Every value goes through one quoting function per shell, whatever the variables mean.
 */
export type ShellKind = 'sh' | 'fish' | 'powershell';

export interface EnvVariable {
  name: string;
  value: string;
}

const SHELL_ALIASES: Readonly<Record<string, ShellKind>> = {
  sh: 'sh',
  bash: 'sh',
  zsh: 'sh',
  dash: 'sh',
  ksh: 'sh',
  fish: 'fish',
  powershell: 'powershell',
  pwsh: 'powershell',
};

/** `--shell` values, with the usual shell names accepted for their family. */
export function parseShellKind(text: string): ShellKind {
  const kind = SHELL_ALIASES[text.trim().toLowerCase()];
  if (!kind) {
    throw new CloudtokenError('SHELL_UNKNOWN', `Unknown shell "${text}". Use one of: sh (also bash, zsh), fish, powershell.`);
  }
  return kind;
}

// PowerShell treats the typographic single quotes as quotes too; each must be doubled like the ASCII one.
const POWERSHELL_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/** A single-quoted literal the shell reads back as exactly `value`, with no expansion of any kind. */
export function quoteForShell(shell: ShellKind, value: string): string {
  if (value.includes('\0')) throw new CloudtokenError('SHELL_ENV_INVALID_VALUE', 'An environment variable cannot contain a NUL character.');
  switch (shell) {
    case 'sh':
      // Nothing is special inside '…' in POSIX shells, so a quote closes, is escaped, and reopens.
      return `'${value.replaceAll("'", "'\\''")}'`;
    case 'fish':
      // fish honours exactly two escapes inside '…': \\ and \'.
      return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
    case 'powershell':
      return `'${value.replace(POWERSHELL_QUOTES, (quote) => quote + quote)}'`;
  }
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function assignment(shell: ShellKind, { name, value }: EnvVariable): string {
  if (!VARIABLE_NAME.test(name)) throw new CloudtokenError('SHELL_ENV_INVALID_NAME', `"${name}" is not a valid environment variable name.`);
  const quoted = quoteForShell(shell, value);
  switch (shell) {
    case 'sh':
      return `export ${name}=${quoted}`;
    case 'fish':
      return `set -gx ${name} ${quoted}`;
    case 'powershell':
      return `$Env:${name} = ${quoted}`;
  }
}

/** One assignment per line, ending in a newline. */
export function formatEnvAssignments(shell: ShellKind, variables: readonly EnvVariable[]): string {
  return variables.map((variable) => `${assignment(shell, variable)}\n`).join('');
}

/** The variables every AWS SDK and the CLI read first, ahead of any profile or metadata service. */
export function credentialVariables(credentials: AwsCredentials, options: { region?: string } = {}): EnvVariable[] {
  return [
    { name: 'AWS_ACCESS_KEY_ID', value: credentials.accessKeyId },
    { name: 'AWS_SECRET_ACCESS_KEY', value: credentials.secretAccessKey },
    { name: 'AWS_SESSION_TOKEN', value: credentials.sessionToken },
    { name: 'AWS_CREDENTIAL_EXPIRATION', value: awsTimestamp(credentials.expiration) },
    ...regionVariables(options.region),
  ];
}

function regionVariables(region: string | undefined): EnvVariable[] {
  return region
    ? [
        { name: 'AWS_REGION', value: region },
        { name: 'AWS_DEFAULT_REGION', value: region },
      ]
    : [];
}

function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CloudtokenError('SHELL_ENV_INVALID_VALUE', `${port} is not a TCP port.`);
}

/**
 * Point AWS tools at Cloudtoken's metadata service on loopback, for machines where the link-local alias is not
 * set up. The trailing slash matters: AWS CLI v2.9 appends `latest/…` without one.
 */
export function metadataEndpointVariables(port: number, options: { region?: string } = {}): EnvVariable[] {
  assertPort(port);
  return [{ name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: `http://127.0.0.1:${port}/` }, ...regionVariables(options.region)];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The container-credentials pair; SDKs accept plain http only for loopback, so only such URLs are offered. */
export function containerCredentialVariables(endpoint: { url: string; token: string }, options: { region?: string } = {}): EnvVariable[] {
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    throw new CloudtokenError('SHELL_ENV_INVALID_VALUE', `"${endpoint.url}" is not a URL.`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new CloudtokenError('SHELL_ENV_INVALID_VALUE', `The container credentials endpoint must be http on loopback, not ${endpoint.url}.`);
  }
  return [
    { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: url.href },
    { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN', value: endpoint.token },
    ...regionVariables(options.region),
  ];
}
