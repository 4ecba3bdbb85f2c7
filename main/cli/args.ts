import { parseArgs, type ParseArgsConfig } from 'node:util';
import { REGION_PATTERN } from '../settings/schema.js';
import { CloudtokenError } from '../support/errors.js';
import {
  COMMAND_NAMES,
  EXTENSION_ACTIONS,
  NETWORK_ACTIONS,
  OPTIONS,
  SHELL_ALIASES,
  commandsTaking,
  takesOption,
  type CommandName,
  type ExtensionAction,
  type NetworkAction,
  type OptionDefinition,
} from './definitions.js';

export { EXIT, type CommandName, type ExtensionAction, type NetworkAction } from './definitions.js';

export class UsageError extends CloudtokenError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

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
  version: boolean;
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

/** `--browser PATH` arrives as `--browser --browser-path=PATH`: the path is part of the `--browser` option. */
const BROWSER_PATH = 'browser-path';

type Spec = NonNullable<ParseArgsConfig['options']>;

/** What node:util's parseArgs is given: every defined option, and the hidden half of `--browser [PATH]`. */
export const PARSE_SPEC: Spec = Object.fromEntries(
  OPTIONS.flatMap((option) => {
    const entry: [string, Spec[string]] = [option.long, { type: option.type, ...(option.short ? { short: option.short } : {}) }];
    return option.optionalValue ? [entry, [BROWSER_PATH, { type: 'string' }]] : [entry];
  }),
);

const BY_LONG = new Map(OPTIONS.map((option) => [option.long, option]));

/** `--browser PATH` names the browser to launch; a bare `--browser` only picks the system-browser path. */
function splitBrowserPath(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg.startsWith('--browser=')) {
      out.push('--browser', `--${BROWSER_PATH}=${arg.slice('--browser='.length)}`);
    } else if (arg === '--browser' && next !== undefined && !next.startsWith('-') && /[/\\]|\.exe$/i.test(next)) {
      out.push('--browser', `--${BROWSER_PATH}=${next}`);
      i += 1;
    } else if (arg.startsWith(`--${BROWSER_PATH}`)) {
      // Only ever made above: typed by hand it would be an option the help does not know.
      throw new UsageError(`Unknown option '--${BROWSER_PATH}'; name the browser with --browser PATH. See \`cloudtoken --help\`.`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

function definitionOf(long: string): OptionDefinition {
  return BY_LONG.get(long === BROWSER_PATH ? 'browser' : long) as OptionDefinition;
}

/** The value of an option with a range or a list of choices, checked against them. */
function checkedValue(option: OptionDefinition, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const { range, choices } = option;
  if (range && (!/^\d+$/.test(text) || Number(text) < range.min || Number(text) > range.max)) {
    throw new UsageError(`--${option.long} must be a whole number from ${range.min} to ${range.max}; got "${text}".`);
  }
  if (choices && !choices.includes(text)) throw new UsageError(`--${option.long} must be one of ${choices.join(', ')}; got "${text}".`);
  return text;
}

function whole(option: string, text: string | undefined): number | undefined {
  const value = checkedValue(definitionOf(option), text);
  return value === undefined ? undefined : Number(value);
}

function oneOf<T extends string>(option: string, text: string | undefined): T | undefined {
  return checkedValue(definitionOf(option), text) as T | undefined;
}

/** Refused before any sign-in: a region no AWS partition has (`mars-1`) would otherwise fail only at STS. */
function checkRegion(text: string | undefined): string | undefined {
  if (text !== undefined && !REGION_PATTERN.test(text)) {
    throw new UsageError(`--region must be an AWS region such as us-east-1, eu-central-2 or us-gov-west-1; got "${text}".`);
  }
  return text;
}

function commandOf(first: string | undefined, daemonFlag: boolean): CommandName {
  if (daemonFlag) {
    if (first !== undefined && first !== 'daemon') throw new UsageError('-d is short for the daemon command; it cannot be combined with another command.');
    return 'daemon';
  }
  if (first === undefined) return 'help';
  if ((COMMAND_NAMES as readonly string[]).includes(first)) return first as CommandName;
  throw new UsageError(`Unknown command "${first}". Commands: ${COMMAND_NAMES.join(', ')}. See \`cloudtoken --help\`.`);
}

/** Each option the command line gave, as typed (`-r`, `--role`), refused unless this command takes it. */
function refuseForeignOptions(tokens: NonNullable<ReturnType<typeof parseArgs>['tokens']>, command: CommandName): void {
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = definitionOf(token.name);
    if (takesOption(option, command)) continue;
    const typed = token.name === BROWSER_PATH ? '--browser' : token.rawName;
    const owners = commandsTaking(option).join(', ');
    throw new UsageError(`\`${typed}\` is an option of ${owners}; ${command} does not take it. See \`cloudtoken help ${command}\`.`);
  }
}

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: splitBrowserPath(argv), options: PARSE_SPEC, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '.')} See \`cloudtoken --help\`.`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const text = (name: string) => values[name] as string | undefined;
  const flag = (name: string) => (values[name] as boolean | undefined) ?? false;
  const [first, ...rest] = parsed.positionals;
  const command = commandOf(first, flag('daemon'));
  refuseForeignOptions(parsed.tokens, command);

  const topic = command === 'help' ? rest.shift() : undefined;
  const networkAction = command === 'network' ? (rest.shift() ?? 'status') : undefined;
  if (networkAction !== undefined && !(NETWORK_ACTIONS as readonly string[]).includes(networkAction)) {
    throw new UsageError(`cloudtoken network takes one of ${NETWORK_ACTIONS.join(', ')}; got "${networkAction}".`);
  }
  const extensionAction = command === 'extension' ? rest.shift() : undefined;
  if (command === 'extension' && !flag('help') && !(EXTENSION_ACTIONS as readonly (string | undefined)[]).includes(extensionAction)) {
    throw new UsageError(`cloudtoken extension takes one of ${EXTENSION_ACTIONS.join(', ')}${extensionAction === undefined ? '' : `; got "${extensionAction}"`}.`);
  }
  if (topic !== undefined && !(COMMAND_NAMES as readonly string[]).includes(topic)) throw new UsageError(`No help for "${topic}": unknown command.`);
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}". See \`cloudtoken help ${command}\`.`);
  if ([flag('browser'), flag('form'), flag('extension')].filter(Boolean).length > 1) throw new UsageError('Choose one sign-in path: --browser, --form or --extension.');
  if (flag('password-stdin') && flag('browser') && !text('username')) {
    throw new UsageError('--password-stdin with --browser also needs --username, to fill in the login form.');
  }
  if (command === 'switch-role' && text('role') === undefined && !flag('help') && !flag('version')) {
    throw new UsageError('switch-role needs the role to switch to: cloudtoken switch-role --role ROLE.');
  }
  const shell = oneOf<string>('shell', text('shell')) ?? 'sh';
  return {
    command,
    topic: topic as CommandName | undefined,
    networkAction: networkAction as NetworkAction | undefined,
    extensionAction: extensionAction as ExtensionAction | undefined,
    profile: text('profile'),
    json: flag('json'),
    verbose: flag('verbose'),
    help: flag('help'),
    version: flag('version'),
    idpUrl: text('idp-url'),
    method: flag('browser') ? 'browser' : flag('form') ? 'form' : flag('extension') ? 'extension' : undefined,
    browserPath: text(BROWSER_PATH),
    headless: flag('headless'),
    username: text('username'),
    passwordStdin: flag('password-stdin'),
    role: text('role'),
    stsEndpoint: text('sts-endpoint'),
    federationEndpoint: text('federation-endpoint'),
    imds: oneOf('imds', text('imds')),
    port: whole('port', text('port')),
    region: checkRegion(text('region')),
    duration: whole('duration', text('duration')),
    shell: (SHELL_ALIASES[shell] ?? shell) as CliOptions['shell'],
    print: flag('print'),
    credentialsProfile: text('credentials-profile'),
    keepAlias: flag('keep-alias'),
    timeoutSeconds: whole('timeout', text('timeout')),
  };
}
