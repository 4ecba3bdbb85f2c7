import { parseArgs } from 'node:util';
import { CloudtokenError } from '../support/errors.js';

export const COMMANDS = ['login', 'daemon', 'roles', 'env', 'credential-process', 'console', 'status', 'refresh', 'network', 'extension', 'logout', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const NETWORK_ACTIONS = ['status', 'setup', 'revert'] as const;
export type NetworkAction = (typeof NETWORK_ACTIONS)[number];

export const EXTENSION_ACTIONS = ['install', 'uninstall'] as const;
export type ExtensionAction = (typeof EXTENSION_ACTIONS)[number];

export class UsageError extends CloudtokenError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Exit codes, documented in `cloudtoken --help` and the README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The IdP wants the user: run `cloudtoken login`. */
  signInRequired: 3,
  /** Interrupted (Ctrl-C) before finishing. */
  interrupted: 130,
} as const;

export interface CliOptions {
  command: CommandName;
  /** The command `cloudtoken help <command>` asks about. */
  topic: CommandName | undefined;
  /** `cloudtoken network <action>`. */
  networkAction: NetworkAction | undefined;
  /** `cloudtoken extension <action>`. */
  extensionAction: ExtensionAction | undefined;
  profile: string | undefined;
  json: boolean;
  verbose: boolean;
  help: boolean;
  idpUrl: string | undefined;
  method: 'browser' | 'form' | 'extension' | undefined;
  browserPath: string | undefined;
  headless: boolean;
  username: string | undefined;
  passwordStdin: boolean;
  role: string | undefined;
  stsEndpoint: string | undefined;
  federationEndpoint: string | undefined;
  imds: 'alias' | 'loopback' | undefined;
  port: number | undefined;
  region: string | undefined;
  duration: number | undefined;
  shell: 'sh' | 'fish' | 'powershell';
  print: boolean;
  credentialsProfile: string | undefined;
  keepAlias: boolean;
  timeoutSeconds: number | undefined;
}

const OPTION_SPEC = {
  profile: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  'idp-url': { type: 'string' },
  browser: { type: 'boolean' },
  'browser-path': { type: 'string' },
  form: { type: 'boolean' },
  extension: { type: 'boolean' },
  headless: { type: 'boolean' },
  username: { type: 'string', short: 'u' },
  'password-stdin': { type: 'boolean' },
  role: { type: 'string', short: 'r' },
  'sts-endpoint': { type: 'string' },
  'federation-endpoint': { type: 'string' },
  imds: { type: 'string' },
  port: { type: 'string' },
  region: { type: 'string' },
  duration: { type: 'string' },
  shell: { type: 'string' },
  print: { type: 'boolean' },
  'credentials-profile': { type: 'string' },
  'keep-alias': { type: 'boolean' },
  timeout: { type: 'string' },
  daemon: { type: 'boolean', short: 'd' },
} as const;

/** `--browser PATH` names the browser to launch; a bare `--browser` only picks the system-browser path. */
function splitBrowserPath(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg.startsWith('--browser=')) {
      out.push('--browser', `--browser-path=${arg.slice('--browser='.length)}`);
    } else if (arg === '--browser' && next !== undefined && !next.startsWith('-') && /[/\\]|\.exe$/i.test(next)) {
      out.push('--browser', `--browser-path=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got "${text}".`);
  }
  return Number(text);
}

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${text}".`);
  return text as T;
}

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: splitBrowserPath(argv), options: OPTION_SPEC, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '.')} See \`cloudtoken --help\`.`);
  }
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  const topic = first === 'help' ? rest.shift() : undefined;
  const networkAction = first === 'network' ? (rest.shift() ?? 'status') : undefined;
  if (networkAction !== undefined && !(NETWORK_ACTIONS as readonly string[]).includes(networkAction)) {
    throw new UsageError(`cloudtoken network takes one of ${NETWORK_ACTIONS.join(', ')}; got "${networkAction}".`);
  }
  const extensionAction = first === 'extension' ? rest.shift() : undefined;
  if (first === 'extension' && !(EXTENSION_ACTIONS as readonly (string | undefined)[]).includes(extensionAction)) {
    throw new UsageError(`cloudtoken extension takes one of ${EXTENSION_ACTIONS.join(', ')}${extensionAction === undefined ? '' : `; got "${extensionAction}"`}.`);
  }
  if (topic !== undefined && !(COMMANDS as readonly string[]).includes(topic)) throw new UsageError(`No help for "${topic}": unknown command.`);
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}". See \`cloudtoken --help\`.`);
  let command: CommandName;
  if (values.daemon) {
    if (first !== undefined && first !== 'daemon') throw new UsageError('-d is short for the daemon command; it cannot be combined with another command.');
    command = 'daemon';
  } else if (first === undefined) {
    command = 'help';
  } else if ((COMMANDS as readonly string[]).includes(first)) {
    command = first as CommandName;
  } else {
    throw new UsageError(`Unknown command "${first}". Commands: ${COMMANDS.join(', ')}.`);
  }
  if ([values.browser, values.form, values.extension].filter(Boolean).length > 1) throw new UsageError('Choose one sign-in path: --browser, --form or --extension.');
  if (values['password-stdin'] && values.browser && !values.username) {
    throw new UsageError('--password-stdin with --browser also needs --username, to fill in the login form.');
  }
  return {
    command,
    topic: topic as CommandName | undefined,
    networkAction: networkAction as NetworkAction | undefined,
    extensionAction: extensionAction as ExtensionAction | undefined,
    profile: values.profile,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    help: values.help ?? false,
    idpUrl: values['idp-url'],
    method: values.browser ? 'browser' : values.form ? 'form' : values.extension ? 'extension' : undefined,
    browserPath: values['browser-path'],
    headless: values.headless ?? false,
    username: values.username,
    passwordStdin: values['password-stdin'] ?? false,
    role: values.role,
    stsEndpoint: values['sts-endpoint'],
    federationEndpoint: values['federation-endpoint'],
    imds: oneOf('imds', values.imds, ['alias', 'loopback'] as const),
    port: integer('port', values.port, 1024, 65535),
    region: values.region,
    duration: integer('duration', values.duration, 900, 43200),
    shell: oneOf('shell', values.shell, ['sh', 'fish', 'powershell'] as const) ?? 'sh',
    print: values.print ?? false,
    credentialsProfile: values['credentials-profile'],
    keepAlias: values['keep-alias'] ?? false,
    timeoutSeconds: integer('timeout', values.timeout, 1, 86400),
  };
}

export const HELP: Record<CommandName | 'main', string> = {
  main: `cloudtoken — AWS credentials from your SAML identity provider, kept fresh.

Usage: cloudtoken <command> [options]

Commands:
  login               Sign in at your IdP and choose a role
  daemon (-d)         Sign in, then serve credentials at the instance metadata address and refresh them
  roles               List the roles your IdP offers
  env                 Print shell commands that export credentials for a role
  credential-process  Print credentials as JSON for credential_process in ~/.aws/config
  console             Open (or print) the AWS console sign-in URL for a role
  status              Show the session, expiry, endpoints and anything that shadows Cloudtoken
  refresh             Ask the running sessions (daemons, tray app) to refresh their credentials now
  network             Set up, check or remove 169.254.169.254 and its port-80 redirect
  extension           Install or remove the browser extension's connection to Cloudtoken (--extension sign-in)
  logout              Forget the IdP session (cookies, browser profile)

Common options:
  --profile P           IdP profile (name or id) from the settings; created by --idp-url
  --idp-url URL         IdP sign-in URL (saved to the profile)
  --browser [PATH]      Sign in with the system browser (Chrome, Chromium, Edge); PATH picks one
  --form                Sign in with the IdP's HTML form in the terminal
  --extension           Sign in with your own browser, through the Cloudtoken extension (see \`cloudtoken help extension\`)
  --username U          User name for form sign-in
  --password-stdin      Read the password from standard input (never stored)
  --role ARN|NAME       Role to use (ARN, name, account/name or list number)
  --region R            Region for the metadata service and STS
  --sts-endpoint URL    STS endpoint override (VPC endpoint)
  --json                Machine-readable output
  -v, --verbose         Debug logging (secrets are always redacted)
  -h, --help            Help for a command

Environment: CLOUDTOKEN_HOME moves all state (settings, cookies, browser profile) to another directory.

Exit codes: 0 success, 1 failure, 2 usage error, 3 sign-in required (run \`cloudtoken login\`), 130 interrupted.`,
  login: `Usage: cloudtoken login [--profile P] [--idp-url URL] [--browser [PATH] | --form | --extension] [--username U] [--password-stdin]
                        [--role ARN|NAME] [--credentials-profile NAME] [--json]

Signs in at your IdP (the system browser shows its real login page; --form asks for the password on a
hidden prompt; --extension uses your own browser and its IdP session, through the Cloudtoken extension), lists the roles it offers and remembers the one you choose. The IdP session is kept so later
commands and the daemon sign in silently. --credentials-profile also writes the credentials as a named
profile in your AWS credentials file (only profiles Cloudtoken created are ever changed).`,
  daemon: `Usage: cloudtoken daemon [--imds alias|loopback] [--port N] [--keep-alias] [login options]
       cloudtoken -d

Signs in, picks a role, and serves its credentials like an EC2 instance: at http://169.254.169.254/ (alias
mode: sets up the link-local alias once, asking for admin rights if needed, and falls back to loopback if
that is refused) or at http://127.0.0.1:PORT/ (loopback mode, default port 9911), plus a container-credentials
endpoint. Refreshes silently on schedule. Ctrl-C stops it and removes the alias (unless --keep-alias).`,
  roles: `Usage: cloudtoken roles [--profile P] [--json]

Lists the roles your IdP offers (signs in silently with the saved IdP session).`,
  env: `Usage: cloudtoken env [--role ARN|NAME] [--shell sh|fish|powershell]

Prints commands that export AWS credentials for a role:  eval "$(cloudtoken env)"`,
  'credential-process': `Usage: cloudtoken credential-process --role ARN|NAME [--profile P]

For ~/.aws/config:   credential_process = cloudtoken credential-process --role ROLE
Prints JSON (Version 1). Served by a running daemon or tray app of the profile when one runs (--port N picks
among several daemons; a role it does not keep yet is assumed and then kept active), else signs in silently.
Exits 3 when the IdP wants you to sign in again.`,
  console: `Usage: cloudtoken console [--role ARN|NAME] [--print]

Opens the AWS console signed in as the role (or prints the sign-in URL with --print or without a desktop).`,
  status: `Usage: cloudtoken status [--json]

Shows every running session (daemons, the tray app: a session runs when its channel answers), its roles and
expiry, the endpoints it serves, and environment variables or profiles that would shadow the metadata service.`,
  refresh: `Usage: cloudtoken refresh [--profile P] [--port N]

Asks every running session (each daemon, the tray app) to refresh its credentials now, or only those of the
profile P and of the metadata port N when given (they also refresh on their own schedule).`,
  network: `Usage: cloudtoken network [status|setup|revert] [--port N]

status   whether 169.254.169.254 is on the loopback interface and port 80 reaches port N (default 9911),
         and what else holds the address
setup    add both (run as root, e.g. \`sudo cloudtoken network setup\`, or answer the admin prompt); idempotent
revert   remove what setup added, and nothing else`,
  extension: `Usage: cloudtoken extension install|uninstall

install    let the Cloudtoken browser extension reach Cloudtoken: writes the native messaging host's manifest
           for Chrome, Chromium, Edge, Brave and Firefox, for your user only (HKCU registry keys on Windows),
           and the small launcher they start; no admin rights. Then add the extension from its store.
uninstall  remove them again

With \`cloudtoken login --extension\`, the sign-in opens in the browser you already use, where your IdP session,
passkeys and device-trust extensions are; refreshes ask the extension to sign in again in a background tab.`,
  logout: `Usage: cloudtoken logout [--profile P]

Forgets the IdP session of the profile (cookie jar and browser profile).`,
  help: `Usage: cloudtoken help [command]`,
};
