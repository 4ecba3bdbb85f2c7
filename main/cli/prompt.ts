import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CloudtokenError } from '../support/errors.js';
import type { SamlRole } from '../saml/types.js';


export interface Terminal {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable & { isTTY?: boolean };
}

/** Read one line from a stream (for --password-stdin): the first line only, without its line break. */
export async function readFirstLine(input: Readable): Promise<string> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) return line;
  } finally {
    lines.close();
  }
  throw new CloudtokenError('PASSWORD_STDIN_EMPTY', '--password-stdin was given but standard input was empty.');
}

/** Ask a question on the terminal; with `hidden`, nothing typed is echoed (passwords, one-time codes). */
export function ask(terminal: Terminal, question: string, options: { hidden?: boolean } = {}): Promise<string> {
  if (!terminal.input.isTTY) {
    return Promise.reject(new CloudtokenError('NO_TERMINAL', `Cloudtoken needs an answer ("${question.trim()}") but there is no terminal to ask on.`));
  }
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: true });
    if (options.hidden) {
      // Keep the question visible but echo nothing the user types.
      const writable = rl as unknown as { _writeToOutput: (text: string) => void };
      writable._writeToOutput = (text: string) => {
        if (text.includes(question)) terminal.output.write(question);
        else if (text.includes('\n') || text.includes('\r')) terminal.output.write('\n');
      };
    }
    rl.on('SIGINT', () => {
      rl.close();
      reject(new CloudtokenError('PROMPT_CANCELLED', 'Cancelled.'));
    });
    rl.question(question, (answer) => {
      rl.close();
      if (options.hidden) terminal.output.write('\n');
      resolve(answer);
    });
  });
}

/** The seed's numbered list: "Available roles to choose from: 1. arn…". */
export function formatRoleList(roles: readonly SamlRole[], accountLabels: Readonly<Record<string, string>> = {}): string {
  const width = String(roles.length).length;
  return roles
    .map((role, index) => {
      const label = accountLabels[role.accountId];
      return `    ${String(index + 1).padStart(width)}. ${role.roleArn}${label ? `  (${label})` : ''}`;
    })
    .join('\n');
}
