import { describe, expect, it } from 'vitest';
import { PARSE_SPEC, UsageError, parseCli, type CliOptions } from '../../../main/cli/args.js';
import { COMMAND_NAMES, OPTIONS, takesOption, type CommandName, type OptionDefinition } from '../../../main/cli/definitions.js';
import { commandHelp, mainHelp, optionSignature } from '../../../main/cli/help.js';

/** For each option: a value to give it (none for a flag), and where parseCli puts what it was given. */
const LANDS: Record<string, { value?: string; field: keyof CliOptions; parsed: unknown }> = {
  profile: { value: 'work', field: 'profile', parsed: 'work' },
  'idp-url': { value: 'https://idp.example.com/sso', field: 'idpUrl', parsed: 'https://idp.example.com/sso' },
  browser: { field: 'method', parsed: 'browser' },
  form: { field: 'method', parsed: 'form' },
  extension: { field: 'method', parsed: 'extension' },
  headless: { field: 'headless', parsed: true },
  username: { value: 'alice', field: 'username', parsed: 'alice' },
  'password-stdin': { field: 'passwordStdin', parsed: true },
  timeout: { value: '60', field: 'timeoutSeconds', parsed: 60 },
  role: { value: 'Admin', field: 'role', parsed: 'Admin' },
  region: { value: 'eu-central-2', field: 'region', parsed: 'eu-central-2' },
  duration: { value: '7200', field: 'duration', parsed: 7200 },
  'sts-endpoint': { value: 'https://sts.example.com', field: 'stsEndpoint', parsed: 'https://sts.example.com' },
  'federation-endpoint': { value: 'https://signin.example.com/federation', field: 'federationEndpoint', parsed: 'https://signin.example.com/federation' },
  'credentials-profile': { value: 'ct', field: 'credentialsProfile', parsed: 'ct' },
  imds: { value: 'loopback', field: 'imds', parsed: 'loopback' },
  port: { value: '9921', field: 'port', parsed: 9921 },
  'keep-alias': { field: 'keepAlias', parsed: true },
  shell: { value: 'fish', field: 'shell', parsed: 'fish' },
  print: { field: 'print', parsed: true },
  json: { field: 'json', parsed: true },
  daemon: { field: 'command', parsed: 'daemon' },
  verbose: { field: 'verbose', parsed: true },
  help: { field: 'help', parsed: true },
  version: { field: 'version', parsed: true },
};

/** The command line that gives `option` to `command` (switch-role always needs its --role, extension its action). */
function argvFor(command: CommandName, option: OptionDefinition, spelling: 'long' | 'short' = 'long'): string[] {
  const { value } = LANDS[option.long]!;
  const name = spelling === 'short' ? `-${option.short}` : `--${option.long}`;
  const needed = command === 'switch-role' && option.long !== 'role' ? ['--role', 'Admin'] : command === 'extension' ? ['install'] : [];
  return [command, ...needed, name, ...(value !== undefined ? [value] : [])];
}

const MATRIX = COMMAND_NAMES.flatMap((command) => OPTIONS.map((option) => [command, option.long, option] as const));

describe('the CLI definitions', () => {
  it('parse exactly the options they define (and the hidden path half of --browser PATH)', () => {
    expect(Object.keys(PARSE_SPEC).sort()).toEqual([...OPTIONS.map((o) => o.long), 'browser-path'].sort());
    expect(Object.keys(LANDS).sort()).toEqual(OPTIONS.map((o) => o.long).sort());
  });

  it.each(MATRIX)('%s --%s: parsed when documented in its help, refused with a pointer otherwise', (command, _long, option) => {
    const documented = listed(commandHelp(command), option);
    expect(documented).toBe(takesOption(option, command));
    const spellings = option.short ? (['long', 'short'] as const) : (['long'] as const);
    for (const spelling of spellings) {
      const argv = argvFor(command, option, spelling);
      if (documented) {
        const parsed = parseCli(argv);
        const { field, parsed: expected } = LANDS[option.long]!;
        expect(parsed[field]).toEqual(expected);
        expect(parsed.command).toBe(command);
      } else {
        const typed = spelling === 'short' ? `-${option.short}` : `--${option.long}`;
        // -d names the command itself: it cannot come with another one.
        if (option.long === 'daemon') expect(() => parseCli(argv)).toThrow(new UsageError('-d is short for the daemon command; it cannot be combined with another command.'));
        else expect(() => parseCli(argv)).toThrow(new UsageError(`\`${typed}\` is an option of ${ownersOf(option)}; ${command} does not take it. See \`cloudtoken help ${command}\`.`));
      }
    }
  });

  it('list every option in the overview, with the commands that take it', () => {
    const help = mainHelp();
    for (const option of OPTIONS) {
      expect(listed(help, option), option.long).toBe(true);
      const entry = help.slice(help.indexOf(`  ${optionSignature(option)}`));
      expect(/\n {26}\[([^\]]+)\]/.exec(entry)?.[1]).toBe(option.commands === 'all' ? 'every command' : ownersOf(option));
    }
    for (const command of COMMAND_NAMES) expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    for (const words of ['--timeout S', '--headless', '--federation-endpoint URL', '-u, --username U', '-r, --role ROLE', '--print', '--shell SHELL', '--browser [PATH]', '-d, --daemon']) {
      expect(help).toContain(words);
    }
    expect(help).toMatch(/Exit codes: 0 success, 1 failure, 2 usage error .*\n.*3 sign-in required .* 130 interrupted/);
  });

  it('show ranges, choices and defaults from the shared limits', () => {
    expect(commandHelp('daemon')).toMatch(/--port N .*\(1024–65535; default 9911\)/);
    expect(commandHelp('daemon')).toMatch(/--imds MODE .*\(alias\|loopback; default alias\)/);
    expect(commandHelp('login')).toMatch(/--duration S .*\(900–43200; default 3600\)/);
    expect(commandHelp('login')).toMatch(/--timeout S .*\(1–86400\)/);
    expect(commandHelp('env')).toMatch(/--shell SHELL .*\(sh\|bash\|zsh\|fish\|powershell; default sh\)/);
  });
});

/** The option has its own entry in the help text: its signature at the start of a line. */
function listed(help: string, option: OptionDefinition): boolean {
  const signature = optionSignature(option).replace(/[[\]]/g, '\\$&');
  return new RegExp(`^  ${signature}(?: |$)`, 'm').test(help);
}

function ownersOf(option: OptionDefinition): string {
  return COMMAND_NAMES.filter((command) => takesOption(option, command)).join(', ');
}
