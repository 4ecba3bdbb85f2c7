import { InteractionRequiredError } from '../login/capture.js';
import { faultKindOf } from '../session/fault-model.js';
import { CloudtokenError, describeError } from '../support/errors.js';
import { EXIT, UsageError, type CliOptions } from './args.js';
import type { CliIo } from './context.js';
import { openCommand } from './open-url.js';

/**
 * What a failed command tells its user, and its exit code: the error's own message, and what to do about it
 * from a terminal (a tray user gets other advice from the same errors).
 */
export interface FailureReport {
  lines: string[];
  code: number;
}

/** The commands that run once and exit: nothing of theirs retries later. */
const ONE_SHOT: ReadonlySet<CliOptions['command']> = new Set(['roles', 'env', 'credential-process', 'console']);

function codesAlong(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (current instanceof CloudtokenError) codes.push(current.code);
    current = current.cause;
  }
  return codes;
}

/** The advice written for the tray's settings window, said as the CLI does it. */
function cliWording(error: unknown): string {
  const message = describeError(error);
  if (codesAlong(error).includes('IMDS_PORT_IN_USE')) return message.replace(/choose another port in the settings\./, 'pass another port with --port N.');
  return message;
}

function adviceFor(error: unknown, codes: string[], options: CliOptions | undefined, io: CliIo): string | undefined {
  if (error instanceof InteractionRequiredError) return 'Sign in again with `cloudtoken login`.';
  const browserFailed = codes.some((code) => code === 'BROWSER_LAUNCH_FAILED' || code === 'BROWSER_NOT_FOUND');
  if (browserFailed && !options?.headless && openCommand(io.platform, io.env) === undefined) {
    return 'There is no display here (DISPLAY and WAYLAND_DISPLAY are unset): sign in with --form (the IdP\'s form in this terminal), or with --headless --username U --password-stdin.';
  }
  if (options && ONE_SHOT.has(options.command) && error instanceof CloudtokenError && faultKindOf(error) === 'retryable') {
    return 'This may pass by itself, but this command does not retry: run it again in a moment (a running `cloudtoken daemon` or the tray app retries on its own).';
  }
  return undefined;
}

export function reportFailure(error: unknown, options: CliOptions | undefined, io: CliIo): FailureReport {
  const codes = codesAlong(error);
  if (codes.includes('PROMPT_CANCELLED')) return { lines: ['Cancelled.'], code: EXIT.interrupted };
  const lines = [cliWording(error)];
  const advice = adviceFor(error, codes, options, io);
  if (advice) lines.push(advice);
  // A role the IdP does not offer is a mistyped --role, as much as a missing --role is.
  if (error instanceof UsageError || codes.some((code) => code.startsWith('ROLE_CHOICE_'))) return { lines, code: EXIT.usage };
  if (error instanceof InteractionRequiredError) return { lines, code: EXIT.signInRequired };
  return { lines, code: EXIT.failure };
}
