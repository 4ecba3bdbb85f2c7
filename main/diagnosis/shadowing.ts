import { promises as fs } from 'node:fs';
import { sharedConfigFilePath, sharedCredentialsFilePath } from '../outputs/aws-paths.js';
import type { Environment } from '../outputs/aws-paths.js';
import { isManagedSection } from '../outputs/credentials-file-edit.js';
import { IniSyntaxError, parseIni } from '../outputs/ini.js';
import type { IniDocument, IniSection } from '../outputs/ini.js';

/**
 * What would make AWS tools take credentials from somewhere other than Cloudtoken, or not reach it at all.
 * AWS SDKs try, in order: environment keys, the selected profile (or `[default]`), web identity, the container
 * endpoint, and only then the instance metadata service. Anything earlier in that chain wins silently; these
 * findings say so in words a non-specialist can act on.
 */
export type ShadowingCode =
  | 'ENV_KEYS'
  | 'ENV_KEYS_PARTIAL'
  | 'PROFILE_NOT_FOUND'
  | 'PROFILE_HAS_CREDENTIALS'
  | 'DEFAULT_PROFILE_HAS_CREDENTIALS'
  | 'WEB_IDENTITY_SET'
  | 'CONTAINER_CREDENTIALS_SET'
  | 'METADATA_DISABLED'
  | 'METADATA_ENDPOINT_ELSEWHERE'
  | 'PROXY_INTERCEPTS_METADATA'
  | 'AWS_FILE_UNREADABLE';

export interface ShadowingFinding {
  code: ShadowingCode;
  /** error: AWS tools fail or never reach Cloudtoken; warning: they use other credentials first. */
  severity: 'error' | 'warning';
  message: string;
  fix: string;
}

export interface AwsFile {
  path: string;
  /** undefined when the file does not exist or could not be read. */
  text: string | undefined;
  /** Why an existing file could not be read. */
  readError?: string;
}

export interface ShadowingInputs {
  env: Environment;
  credentialsFile: AwsFile;
  configFile: AwsFile;
}

export interface ShadowingOptions {
  /**
   * How Cloudtoken serves credentials right now: the metadata service at this endpoint (the link-local
   * `http://169.254.169.254/` or a loopback `http://127.0.0.1:PORT/`), or the container endpoint at this URL.
   */
  serving: { kind: 'metadata'; endpoint: string } | { kind: 'container'; url: string };
}

/** Profile settings that give a profile credentials of its own (a role with `credential_source` is judged apart). */
const CREDENTIAL_KEYS = ['aws_access_key_id', 'credential_process', 'sso_start_url', 'sso_session', 'web_identity_token_file', 'source_profile'];

const LINK_LOCAL = '169.254.169.254';
const IPV6_METADATA = '[fd00:ec2::254]';

function isSet(env: Environment, name: string): boolean {
  return (env[name] ?? '') !== '';
}

function readDocument(file: AwsFile, findings: ShadowingFinding[]): IniDocument | undefined {
  const unreadable = (why: string, fix: string) => {
    findings.push({ code: 'AWS_FILE_UNREADABLE', severity: 'error', message: `AWS tools cannot read ${file.path} (${why}), so AWS commands fail.`, fix });
    return undefined;
  };
  if (file.readError !== undefined) return unreadable(file.readError, `Make ${file.path} a readable text file (or move it away).`);
  if (file.text === undefined) return undefined;
  try {
    return parseIni(file.text);
  } catch (error) {
    if (!(error instanceof IniSyntaxError)) throw error;
    return unreadable(error.message, `Open ${file.path} in a text editor and correct or remove line ${error.line}.`);
  }
}

/** The config file names profiles `[profile x]`, except `[default]`; the credentials file uses bare names. */
function configSection(config: IniDocument | undefined, profile: string): IniSection | undefined {
  return config?.sections.find((section) => section.name === `profile ${profile}` || (profile === 'default' && section.name === 'default'));
}

function credentialsSection(credentials: IniDocument | undefined, profile: string): IniSection | undefined {
  return credentials?.sections.find((section) => section.name === profile);
}

interface ProfileCredentials {
  setting: string;
  file: string;
}

/** Which setting gives the profile credentials other than Cloudtoken's metadata service, if any. */
function shadowingSetting(inputs: ShadowingInputs, credentials: IniSection | undefined, config: IniSection | undefined): ProfileCredentials | undefined {
  if (credentials && !isManagedSection(credentials) && credentials.values.has('aws_access_key_id')) {
    return { setting: 'aws_access_key_id', file: inputs.credentialsFile.path };
  }
  if (!config) return undefined;
  // A role assumed from the instance's credentials builds on Cloudtoken instead of replacing it.
  if (config.values.get('credential_source')?.toLowerCase() === 'ec2instancemetadata') return undefined;
  const setting = CREDENTIAL_KEYS.find((key) => config.values.has(key));
  return setting ? { setting, file: inputs.configFile.path } : undefined;
}

interface ProfileSelection {
  /** The variables naming this profile. */
  variables: string[];
  name: string;
}

/**
 * The profiles the environment selects. The AWS CLI v2 and most SDKs read AWS_PROFILE first, botocore (boto3)
 * AWS_DEFAULT_PROFILE first, so when both are set each is judged.
 */
function selectedProfiles(env: Environment): ProfileSelection[] {
  const selections: ProfileSelection[] = [];
  for (const variable of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) {
    const name = env[variable];
    if (!name) continue;
    const same = selections.find((selection) => selection.name === name);
    if (same) same.variables.push(variable);
    else selections.push({ variables: [variable], name });
  }
  return selections;
}

function proxyFor(env: Environment): string | undefined {
  return env.http_proxy || env.HTTP_PROXY || undefined;
}

/** Python's urllib rule, which botocore applies to metadata requests: `*`, or a host or domain-suffix entry. */
export function noProxyCovers(noProxy: string | undefined, host: string, port: string): boolean {
  if (!noProxy) return false;
  if (noProxy.trim() === '*') return true;
  const hostOnly = host.toLowerCase();
  const withPort = port ? `${hostOnly}:${port}` : hostOnly;
  return noProxy.split(',').some((raw) => {
    const name = raw.trim().replace(/^\.+/, '').toLowerCase();
    if (!name) return false;
    return hostOnly === name || withPort === name || hostOnly.endsWith(`.${name}`) || withPort.endsWith(`.${name}`);
  });
}

const unsetAdvice = (names: string[]) =>
  `Remove them from this terminal with \`unset ${names.join(' ')}\` (PowerShell: \`Remove-Item ${names.map((name) => `Env:${name}`).join(', ')}\`) ` +
  'and delete the lines that set them in your shell start-up file (such as ~/.bashrc or ~/.zshrc) or your system settings.';

function environmentFindings(env: Environment, options: ShadowingOptions): ShadowingFinding[] {
  const findings: ShadowingFinding[] = [];
  const hasId = isSet(env, 'AWS_ACCESS_KEY_ID');
  const hasSecret = isSet(env, 'AWS_SECRET_ACCESS_KEY');
  const keyNames = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
  if (hasId && hasSecret) {
    findings.push({
      code: 'ENV_KEYS',
      severity: 'warning',
      message: 'AWS keys are set in this environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), so AWS tools started from here use those keys instead of Cloudtoken’s.',
      fix: unsetAdvice(keyNames),
    });
  } else if (hasId || hasSecret) {
    findings.push({
      code: 'ENV_KEYS_PARTIAL',
      severity: 'error',
      message: `Only half of an AWS key is set in this environment (${hasId ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'}), so the AWS CLI stops with an error instead of using Cloudtoken.`,
      fix: unsetAdvice(keyNames),
    });
  }
  if (isSet(env, 'AWS_WEB_IDENTITY_TOKEN_FILE')) {
    findings.push({
      code: 'WEB_IDENTITY_SET',
      severity: 'warning',
      message: 'AWS_WEB_IDENTITY_TOKEN_FILE is set (usually by Kubernetes), so AWS tools sign in with that token instead of using Cloudtoken.',
      fix: unsetAdvice(['AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN']),
    });
  }
  const containerVariables = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'].filter((name) => isSet(env, name));
  const ownContainer = options.serving.kind === 'container' && env.AWS_CONTAINER_CREDENTIALS_FULL_URI === options.serving.url && !isSet(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
  if (containerVariables.length > 0 && !ownContainer) {
    findings.push({
      code: 'CONTAINER_CREDENTIALS_SET',
      severity: 'warning',
      message: `${containerVariables.join(' and ')} ${containerVariables.length > 1 ? 'are' : 'is'} set, so AWS tools ask that container credentials address instead of Cloudtoken.`,
      fix: unsetAdvice([...containerVariables, 'AWS_CONTAINER_AUTHORIZATION_TOKEN']),
    });
  }
  if (options.serving.kind === 'metadata') findings.push(...metadataFindings(env, options.serving.endpoint));
  return findings;
}

function metadataFindings(env: Environment, endpoint: string): ShadowingFinding[] {
  const findings: ShadowingFinding[] = [];
  const disabled = env.AWS_EC2_METADATA_DISABLED;
  if (disabled !== undefined && disabled.toLowerCase() !== 'false') {
    findings.push({
      code: 'METADATA_DISABLED',
      severity: 'error',
      message: `AWS_EC2_METADATA_DISABLED is set to "${disabled}", which tells AWS tools never to ask the metadata service where Cloudtoken serves your credentials.`,
      fix: unsetAdvice(['AWS_EC2_METADATA_DISABLED']),
    });
  }
  findings.push(...endpointFindings(env, endpoint));
  const expected = new URL(endpoint);
  const proxy = proxyFor(env);
  const noProxy = env.no_proxy || env.NO_PROXY;
  if (proxy && !noProxyCovers(noProxy, expected.hostname, expected.port)) {
    findings.push({
      code: 'PROXY_INTERCEPTS_METADATA',
      severity: 'warning',
      message: `A web proxy is set (${env.http_proxy ? 'http_proxy' : 'HTTP_PROXY'}) and NO_PROXY does not exclude ${expected.hostname}, so the AWS CLI and Python tools send their credential requests to the proxy, which cannot answer them.`,
      fix: `Add ${expected.hostname} to NO_PROXY, for example \`export NO_PROXY="${[noProxy, expected.hostname].filter(Boolean).join(',')}"\` (and the same for no_proxy if you use it).`,
    });
  }
  return findings;
}

/** Where AWS tools look for the metadata service, compared with where Cloudtoken serves it. */
function endpointFindings(env: Environment, endpoint: string): ShadowingFinding[] {
  const configured = env.AWS_EC2_METADATA_SERVICE_ENDPOINT || undefined;
  const ipv6 = env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === 'ipv6';
  const actual = configured ? safeUrl(configured) : new URL(ipv6 ? `http://${IPV6_METADATA}/` : `http://${LINK_LOCAL}/`);
  const expected = new URL(endpoint);
  const loopback = expected.hostname !== LINK_LOCAL;
  const setEndpoint = `Set it in your shell start-up file: \`export AWS_EC2_METADATA_SERVICE_ENDPOINT=${endpoint}\` (PowerShell: \`$Env:AWS_EC2_METADATA_SERVICE_ENDPOINT = '${endpoint}'\`).`;
  if (!actual || actual.host !== expected.host) {
    const where = configured ?? (ipv6 ? `the IPv6 address ${IPV6_METADATA} (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE)` : `http://${LINK_LOCAL}/`);
    return [
      {
        code: 'METADATA_ENDPOINT_ELSEWHERE',
        severity: 'error',
        message: `AWS tools look for credentials at ${where}, but Cloudtoken serves them at ${endpoint}.`,
        fix: loopback ? setEndpoint : unsetAdvice(configured ? ['AWS_EC2_METADATA_SERVICE_ENDPOINT'] : ['AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE']),
      },
    ];
  }
  if (configured && !configured.endsWith('/')) {
    return [
      {
        code: 'METADATA_ENDPOINT_ELSEWHERE',
        severity: 'error',
        message: `AWS_EC2_METADATA_SERVICE_ENDPOINT is ${configured} without a final "/", which makes the AWS CLI ask a wrong address.`,
        fix: setEndpoint,
      },
    ];
  }
  return [];
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function profileFindings(env: Environment, inputs: ShadowingInputs, findings: ShadowingFinding[]): void {
  const credentials = readDocument(inputs.credentialsFile, findings);
  const config = readDocument(inputs.configFile, findings);
  const filesReadable = findings.every((finding) => finding.code !== 'AWS_FILE_UNREADABLE');
  const selections = selectedProfiles(env);
  for (const { variables, name } of selections) {
    const selects = `${variables.join(' and ')} ${variables.length > 1 ? 'select' : 'selects'} the profile "${name}"`;
    const inCredentials = credentialsSection(credentials, name);
    const inConfig = configSection(config, name);
    if (!inCredentials && !inConfig) {
      if (filesReadable) {
        findings.push({
          code: 'PROFILE_NOT_FOUND',
          severity: 'error',
          message: `${selects}, which is in neither ${inputs.configFile.path} nor ${inputs.credentialsFile.path}, so AWS commands fail.`,
          fix: unsetAdvice(variables),
        });
      }
      continue;
    }
    const own = shadowingSetting(inputs, inCredentials, inConfig);
    if (own) {
      findings.push({
        code: 'PROFILE_HAS_CREDENTIALS',
        severity: 'warning',
        message: `${selects}, which has its own credentials (${own.setting} in ${own.file}), so AWS tools use those instead of Cloudtoken’s.`,
        fix: unsetAdvice(variables),
      });
    }
  }
  if (selections.length > 0) return;
  const own = shadowingSetting(inputs, credentialsSection(credentials, 'default'), configSection(config, 'default'));
  if (!own) return;
  findings.push({
    code: 'DEFAULT_PROFILE_HAS_CREDENTIALS',
    severity: 'warning',
    message: `The [default] profile in ${own.file} has its own credentials (${own.setting}), so AWS tools use those instead of Cloudtoken’s.`,
    fix: `Rename that section in ${own.file} (for example to [personal]) and use \`--profile personal\` when you want it.`,
  });
}

/** Everything that would take precedence over, or block, the way Cloudtoken is serving credentials. */
export function detectShadowing(inputs: ShadowingInputs, options: ShadowingOptions): ShadowingFinding[] {
  const findings = environmentFindings(inputs.env, options);
  profileFindings(inputs.env, inputs, findings);
  return findings;
}

async function readAwsFile(path: string): Promise<AwsFile> {
  try {
    return { path, text: await fs.readFile(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, text: undefined };
    return { path, text: undefined, readError: (error as Error).message };
  }
}

/** Read the two AWS files the way AWS tools locate them. */
export async function loadShadowingInputs(env: Environment, homedir: string): Promise<ShadowingInputs> {
  const [credentialsFile, configFile] = await Promise.all([
    readAwsFile(sharedCredentialsFilePath(env, homedir)),
    readAwsFile(sharedConfigFilePath(env, homedir)),
  ]);
  return { env, credentialsFile, configFile };
}
