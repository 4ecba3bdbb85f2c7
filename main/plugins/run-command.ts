import { spawn } from 'node:child_process';
import type { Logger } from '../support/logger.js';
import { PluginError } from './plugin-error.js';

/** What a plugin command printed and how it ended. */
export interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** No plugin answer is this long (a SAMLResponse with thousands of roles is well under it). */
const MAX_STDOUT_BYTES = 4 * 1024 * 1024;
/** Lines of stderr logged per run, so a chatty command cannot fill the log. */
const MAX_STDERR_LINES = 50;

/**
 * Runs a plugin command once: `input` on its standard input, its standard output collected, each line of its
 * standard error logged under its name (never shown on Cloudtoken's own output, which may be JSON for a tool).
 * Killed after `timeoutMs`; that, like failing to start, is a PluginError.
 */
export function runPluginCommand(options: {
  plugin: string;
  command: readonly string[];
  input: string;
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  logger: Logger;
}): Promise<CommandOutcome> {
  const { plugin, command, logger } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, command.slice(1), { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderrLines = 0;
    let partial = '';
    let failure: PluginError | undefined;
    const fail = (error: PluginError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(new PluginError('PLUGIN_TIMEOUT', `The plugin "${plugin}" did not finish within ${options.timeoutMs / 1000} s and was stopped.`)),
      options.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_STDOUT_BYTES) fail(new PluginError('PLUGIN_BAD_OUTPUT', `The plugin "${plugin}" printed more than ${MAX_STDOUT_BYTES / 1024 / 1024} MiB and was stopped.`));
      else chunks.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() && stderrLines++ < MAX_STDERR_LINES) logger.warn(`Plugin ${plugin}: ${line}`);
    });
    // A command that does not read its input (or exits first) must not crash Cloudtoken with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    child.on('error', (error: NodeJS.ErrnoException) => {
      fail(new PluginError('PLUGIN_CRASHED', `The plugin "${plugin}" could not be started (${error.code ?? error.message}).`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (partial.trim() && stderrLines < MAX_STDERR_LINES) logger.warn(`Plugin ${plugin}: ${partial}`);
      if (failure) reject(failure);
      else resolve({ code, signal, stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** The PluginError for a command that ended badly, or undefined when it exited 0. */
export function commandFailure(plugin: string, outcome: CommandOutcome): PluginError | undefined {
  if (outcome.code === 0) return undefined;
  if (outcome.signal) return new PluginError('PLUGIN_CRASHED', `The plugin "${plugin}" was killed by ${outcome.signal}.`);
  return new PluginError('PLUGIN_FAILED', `The plugin "${plugin}" exited with status ${outcome.code} (its messages are in the log).`);
}
