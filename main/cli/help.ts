import { COMMANDS, COMMAND_NAMES, EXIT_CODES_HELP, OPTIONS, commandsTaking, optionsOf, type CommandName, type OptionDefinition } from './definitions.js';

/** `cloudtoken --help` and `cloudtoken help <command>`, written from the definitions. */

const COLUMN = 26;

/** `-r, --role ROLE`, `--browser [PATH]`. */
export function optionSignature(option: OptionDefinition): string {
  const value = option.value ? (option.optionalValue ? ` [${option.value}]` : ` ${option.value}`) : '';
  return `${option.short ? `-${option.short}, ` : ''}--${option.long}${value}`;
}

/** What the description leaves out: the values allowed and the default. */
function constraints(option: OptionDefinition): string {
  const parts = [
    option.choices ? option.choices.join('|') : undefined,
    option.range ? `${option.range.min}–${option.range.max}` : undefined,
    option.default !== undefined ? `default ${option.default}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

function optionLine(option: OptionDefinition, command: CommandName | undefined): string {
  const signature = `  ${optionSignature(option)}`;
  const lead = signature.length < COLUMN ? signature.padEnd(COLUMN) : `${signature}\n${' '.repeat(COLUMN)}`;
  const line = `${lead}${(command && option.about?.[command]) ?? option.description}${constraints(option)}`;
  if (command) return line;
  const takers = option.commands === 'all' ? 'every command' : commandsTaking(option).join(', ');
  return `${line}\n${' '.repeat(COLUMN)}[${takers}]`;
}

function commandLabel(name: CommandName): string {
  const { alias } = COMMANDS[name];
  return alias ? `${name} (${alias})` : name;
}

export function mainHelp(): string {
  const commands = COMMAND_NAMES.map((name) => `  ${commandLabel(name).padEnd(COLUMN - 2)}${COMMANDS[name].summary}`);
  return `cloudtoken — AWS credentials from your SAML identity provider, kept fresh.

Usage: cloudtoken <command> [options]        cloudtoken help <command>, or cloudtoken <command> --help, for one command

Commands:
${commands.join('\n')}

Options (each for the commands named in brackets; another command refuses it):
${OPTIONS.map((option) => optionLine(option, undefined)).join('\n')}

Environment: CLOUDTOKEN_HOME moves all state (settings, cookies, browser profile) to another directory.

${EXIT_CODES_HELP}`;
}

export function commandHelp(name: CommandName): string {
  const command = COMMANDS[name];
  const usage = [`Usage: cloudtoken ${name}${command.operands ? ` ${command.operands}` : ''} [options]`];
  if (command.alias) usage.push(`       cloudtoken ${command.alias} [options]`);
  return `${usage.join('\n')}

${command.description}

Options:
${optionsOf(name)
  .map((option) => optionLine(option, name))
  .join('\n')}`;
}

export function helpText(topic: CommandName | undefined): string {
  return topic === undefined ? mainHelp() : commandHelp(topic);
}
