import { DEFAULT_SETTINGS, LIMITS } from '../settings/schema.js';

/**
 * The `cloudtoken` command line, described once: every command and every option, with the commands that take
 * it, its allowed values and its default. The parser (args.ts) and the help (help.ts) are both made from these
 * tables, so an option cannot be parsed without being documented, nor documented without being parsed.
 */

export const COMMAND_NAMES = [
  'login',
  'daemon',
  'roles',
  'env',
  'credential-process',
  'console',
  'status',
  'refresh',
  'switch-role',
  'network',
  'extension',
  'logout',
  'help',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const NETWORK_ACTIONS = ['status', 'setup', 'revert'] as const;
export type NetworkAction = (typeof NETWORK_ACTIONS)[number];

export const EXTENSION_ACTIONS = ['install', 'uninstall'] as const;
export type ExtensionAction = (typeof EXTENSION_ACTIONS)[number];

export interface CommandDefinition {
  /** One line in `cloudtoken --help`. */
  summary: string;
  /** Another spelling of the command itself. */
  alias?: string;
  /** The words after the command name in its usage line. */
  operands?: string;
  /** What `cloudtoken help <command>` says below the usage line. */
  description: string;
}

export const COMMANDS: Readonly<Record<CommandName, CommandDefinition>> = {
  login: {
    summary: 'Sign in at your IdP and choose a role (remembered)',
    description: `Signs in at your IdP (the system browser shows its real login page; --form asks for the password on a
hidden prompt, and again up to 3 times when the IdP refuses it; --extension uses your own browser and its IdP
session, through the Cloudtoken extension), lists the roles it offers and remembers the one you choose. The
IdP session is kept so later commands and the daemon sign in silently.`,
  },
  daemon: {
    summary: 'Sign in, then serve credentials at the instance metadata address and refresh them',
    alias: '-d',
    description: `Signs in, picks a role, and serves its credentials like an EC2 instance: at http://169.254.169.254/ (alias
mode: sets up the link-local alias once, asking for admin rights if needed, and falls back to loopback if
that is refused) or at http://127.0.0.1:PORT/ (loopback mode), plus a container-credentials endpoint on
PORT+1. Refreshes silently on schedule. Ctrl-C stops it and removes the alias (unless --keep-alias).
A daemon's --role is a one-off: it follows what \`cloudtoken login\` saves, but never saves its own.`,
  },
  roles: {
    summary: 'List the roles your IdP offers',
    description: 'Lists the roles your IdP offers (signs in silently with the saved IdP session), numbered as --role N takes them.',
  },
  env: {
    summary: 'Print shell commands that export credentials for a role',
    description: `Prints commands that export AWS credentials for a role:  eval "$(cloudtoken env)"
Served by a running daemon or tray app of the profile when one runs, else signs in silently.`,
  },
  'credential-process': {
    summary: 'Print credentials as JSON for credential_process in ~/.aws/config',
    description: `For ~/.aws/config:   credential_process = cloudtoken credential-process --role ROLE
Prints JSON (Version 1). Served by a running daemon or tray app of the profile when one runs (--port N picks
among several daemons; a role it does not keep yet is assumed and then kept active), else signs in silently.
Exits 3 when the IdP wants you to sign in again.`,
  },
  console: {
    summary: 'Open (or print) the AWS console sign-in URL for a role',
    description: 'Opens the AWS console signed in as the role (or prints the sign-in URL with --print or without a desktop).',
  },
  status: {
    summary: 'Show the sessions, expiry, endpoints and anything that shadows Cloudtoken',
    description: `Shows every running session (daemons, the tray app: a session runs when its channel answers), its roles and
expiry, the endpoints it serves, the plugins it runs (kind, path, state), and environment variables or profiles
that would shadow the metadata service.`,
  },
  refresh: {
    summary: 'Ask the running sessions (daemons, tray app) to refresh their credentials now',
    description: `Asks every running session (each daemon, the tray app) to refresh its credentials now, or only those of the
profile P and of the metadata port N when given (they also refresh on their own schedule).`,
  },
  'switch-role': {
    summary: 'Make a running session serve another role at the metadata address',
    description: `Asks the running session of the profile (a daemon or the tray app; --port N picks among several daemons)
to serve another role at the metadata address, without signing in again. The tray app and a daemon started
without --role remember the role (as \`cloudtoken login --role R\` does); a daemon started with --role keeps it
to itself. Exits 1 when no session is running: \`cloudtoken login --role R\` chooses the role for later sign-ins.`,
  },
  network: {
    summary: 'Set up, check or remove 169.254.169.254 and its port-80 redirect',
    operands: '[status|setup|revert]',
    description: `status   whether 169.254.169.254 is on the loopback interface and port 80 reaches port N, and what else holds
         the address (the default action)
setup    add both (run as root, e.g. \`sudo cloudtoken network setup\`, or answer the admin prompt); idempotent
revert   remove what setup added, and nothing else`,
  },
  extension: {
    summary: "Install or remove the browser extension's connection to Cloudtoken (--extension sign-in)",
    operands: 'install|uninstall',
    description: `install    let the Cloudtoken browser extension reach Cloudtoken: writes the native messaging host's manifest
           for Chrome, Chromium, Edge, Brave and Firefox, for your user only (HKCU registry keys on Windows),
           and the small launcher they start; no admin rights. Then add the extension from its store.
uninstall  remove them again

With \`cloudtoken login --extension\`, the sign-in opens in the browser you already use, where your IdP session,
passkeys and device-trust extensions are; refreshes ask the extension to sign in again in a background tab.`,
  },
  logout: {
    summary: 'Forget the IdP session (cookies, browser profile)',
    description: `Forgets the IdP session of the profile (cookie jar and browser profile). A running daemon or tray app keeps
serving the credentials it holds until it stops or its IdP session ends.`,
  },
  help: {
    summary: 'Help for every command, or for one',
    operands: '[command]',
    description: 'Shows this overview, or what one command does and every option it takes (same as `cloudtoken <command> --help`).',
  },
};

export interface OptionDefinition {
  /** The long name, without its dashes. */
  long: string;
  short?: string;
  type: 'boolean' | 'string';
  /** The value's name in the help: `--port N`. */
  value?: string;
  /** `--browser [PATH]`: the value may be left out (args.ts tells a path from the next argument). */
  optionalValue?: boolean;
  description: string;
  /** What the option means for one command, where that says more than `description`. */
  about?: Partial<Record<CommandName, string>>;
  /** The only values accepted; the first spelling of a group names what the others mean (see SHELL_ALIASES). */
  choices?: readonly string[];
  /** A whole number within this range. */
  range?: { readonly min: number; readonly max: number };
  /** What applies when the option is not given, as the help shows it. */
  default?: string;
  commands: readonly CommandName[] | 'all';
}

/** The commands that sign in at the IdP: interactively (login, daemon) or silently with the saved session. */
const SIGNING_IN: readonly CommandName[] = ['login', 'daemon', 'roles', 'env', 'credential-process', 'console'];
/** The commands that get credentials from STS (or from a running session that does). */
const ASSUMING: readonly CommandName[] = ['login', 'daemon', 'env', 'credential-process', 'console'];
/** The commands that may reach a running session, which its metadata port tells apart. */
const BY_PORT: readonly CommandName[] = ['daemon', 'env', 'credential-process', 'console', 'refresh', 'switch-role', 'network'];

/** `--shell bash` and `--shell zsh` print what `--shell sh` prints. */
export const SHELL_ALIASES: Readonly<Record<string, 'sh'>> = { bash: 'sh', zsh: 'sh' };

export const OPTIONS: readonly OptionDefinition[] = [
  { long: 'profile', type: 'string', value: 'P', description: 'IdP profile (name or id) from the settings; --idp-url creates it', about: { refresh: 'Only the sessions of this IdP profile (name or id)' }, commands: [...SIGNING_IN, 'logout', 'refresh', 'switch-role'] },
  { long: 'idp-url', type: 'string', value: 'URL', description: 'IdP sign-in URL, saved to the profile once a sign-in with it worked', commands: SIGNING_IN },
  { long: 'browser', type: 'boolean', value: 'PATH', optionalValue: true, description: 'Sign in with the system browser (Chrome, Chromium, Edge); PATH picks one', commands: [...SIGNING_IN, 'logout'] },
  { long: 'form', type: 'boolean', description: "Sign in with the IdP's HTML form in the terminal", commands: [...SIGNING_IN, 'logout'] },
  { long: 'extension', type: 'boolean', description: 'Sign in with your own browser, through the Cloudtoken extension (see `cloudtoken help extension`)', commands: [...SIGNING_IN, 'logout'] },
  { long: 'headless', type: 'boolean', description: 'Hide the system browser (automation; needs --username and --password-stdin)', commands: SIGNING_IN },
  { long: 'username', short: 'u', type: 'string', value: 'U', description: 'User name for the login form', commands: SIGNING_IN },
  { long: 'password-stdin', type: 'boolean', description: 'Read the password from standard input (never stored; a wrong one fails at once)', commands: SIGNING_IN },
  {
    long: 'timeout',
    type: 'string',
    value: 'S',
    description: 'Seconds an interactive system-browser sign-in may take before the browser is closed',
    range: LIMITS.signInTimeoutSeconds,
    commands: SIGNING_IN,
  },
  { long: 'role', short: 'r', type: 'string', value: 'ROLE', description: 'Role: ARN, name, account/name, label/name or the number from `cloudtoken roles`', commands: [...ASSUMING, 'switch-role'] },
  { long: 'region', type: 'string', value: 'R', description: 'AWS region for STS and the metadata service, such as eu-west-1 or us-gov-west-1', default: DEFAULT_SETTINGS.region, commands: ASSUMING },
  {
    long: 'duration',
    type: 'string',
    value: 'S',
    description: "Session length to ask STS for, in seconds; the IdP's SessionDuration wins over it",
    range: LIMITS.sessionDurationSeconds,
    default: String(DEFAULT_SETTINGS.sessionDurationSeconds),
    commands: ASSUMING,
  },
  { long: 'sts-endpoint', type: 'string', value: 'URL', description: 'STS endpoint override (VPC endpoint); AWS_ENDPOINT_URL_STS works alike', commands: ASSUMING },
  { long: 'federation-endpoint', type: 'string', value: 'URL', description: 'Console federation endpoint override', commands: ['console'] },
  { long: 'credentials-profile', type: 'string', value: 'NAME', description: 'Also write the credentials as this profile in ~/.aws/credentials', commands: ['login'] },
  { long: 'imds', type: 'string', value: 'MODE', description: 'Where to serve: alias is 169.254.169.254, loopback is 127.0.0.1', choices: ['alias', 'loopback'], default: DEFAULT_SETTINGS.imdsMode, commands: ['daemon'] },
  {
    long: 'port',
    type: 'string',
    value: 'N',
    description: 'Metadata service port; commands served by a running session use the one serving there',
    about: {
      daemon: 'Port to serve at: on 127.0.0.1 (loopback), or the one port 80 is redirected to (alias); the container endpoint uses N+1',
      network: 'The port that port 80 of 169.254.169.254 is redirected to',
      refresh: 'Only the session serving on this port',
      'switch-role': 'The session serving on this port (needed when several run for the profile)',
    },
    range: LIMITS.imdsPort,
    default: String(DEFAULT_SETTINGS.imdsPort),
    commands: BY_PORT,
  },
  { long: 'keep-alias', type: 'boolean', description: 'Leave the 169.254.169.254 set-up in place when the daemon stops', commands: ['daemon'] },
  { long: 'shell', type: 'string', value: 'SHELL', description: 'Syntax of the exports; bash and zsh print what sh does', choices: ['sh', 'bash', 'zsh', 'fish', 'powershell'], default: 'sh', commands: ['env'] },
  { long: 'print', type: 'boolean', description: 'Print the console sign-in URL instead of opening it', commands: ['console'] },
  { long: 'json', type: 'boolean', description: 'Machine-readable output', commands: ['login', 'roles', 'console', 'status', 'switch-role', 'network'] },
  { long: 'daemon', short: 'd', type: 'boolean', description: 'The daemon command: `cloudtoken -d` is `cloudtoken daemon`', commands: ['daemon'] },
  { long: 'verbose', short: 'v', type: 'boolean', description: 'Debug logging on standard error (secrets are always redacted)', commands: 'all' },
  { long: 'help', short: 'h', type: 'boolean', description: 'Help for the command', commands: 'all' },
  { long: 'version', type: 'boolean', description: "Print Cloudtoken's version", commands: 'all' },
];

export function takesOption(option: OptionDefinition, command: CommandName): boolean {
  return option.commands === 'all' || option.commands.includes(command);
}

export function optionsOf(command: CommandName): OptionDefinition[] {
  return OPTIONS.filter((option) => takesOption(option, command));
}

/** The commands that take an option, in the order of COMMAND_NAMES. */
export function commandsTaking(option: OptionDefinition): CommandName[] {
  return COMMAND_NAMES.filter((command) => takesOption(option, command));
}

/** Exit codes, documented in `cloudtoken --help` and the README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  /** Bad usage, including a --role the IdP does not offer and several roles without --role. */
  usage: 2,
  /** The IdP wants the user: run `cloudtoken login`. */
  signInRequired: 3,
  /** Interrupted (Ctrl-C), at a prompt too, before finishing. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes: ${EXIT.ok} success, ${EXIT.failure} failure, ${EXIT.usage} usage error (also a --role your IdP does not offer, or several roles
and no --role), ${EXIT.signInRequired} sign-in required (run \`cloudtoken login\`), ${EXIT.interrupted} interrupted (Ctrl-C, also at a prompt).`;
