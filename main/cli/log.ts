import { createLogger, redactText, type Logger } from '../support/logger.js';
import type { CliIo } from './context.js';

/**
 * The CLI's logger. With -v: every line, timestamped, with its fields (secrets redacted). Without: stderr is
 * read by people (and shown by the AWS tools around credential_process), so no log lines at all from commands
 * that run silently, and the warnings of those a person watches (login, daemon) as one plain sentence each. What a command reports
 * itself (its output, its failure) does not go through here.
 */
export function cliLogger(options: { verbose: boolean; showWarnings: boolean }, io: Pick<CliIo, 'stderr'>): Logger {
  if (options.verbose) return createLogger({ level: 'debug', sink: (line) => io.stderr.write(`${line}\n`) });
  const plain = (message: string, fields?: Record<string, unknown>) => {
    const reason = fields?.reason ?? fields?.error;
    const detail = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : undefined;
    io.stderr.write(`cloudtoken: ${redactText(detail ? `${message}: ${detail}` : message)}\n`);
  };
  const quiet = () => undefined;
  return { debug: quiet, info: quiet, warn: options.showWarnings ? plain : quiet, error: options.showWarnings ? plain : quiet };
}
