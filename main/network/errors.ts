import { LIMITS } from '../settings/schema.js';
import { CloudtokenError } from '../support/errors.js';

/**
 * What can go wrong while setting up 169.254.169.254, each with its code and message. None of these is fatal
 * to the app: the caller catches them, serves on loopback instead and shows `fallbackAdvice`. Only the two
 * that carry facts besides the message (the exit code and output, the holders of the address) are classes.
 */

export function invalidPortError(value: unknown): CloudtokenError {
  return new CloudtokenError(
    'network.invalid-port',
    `The metadata server port must be a whole number from ${LIMITS.imdsPort.min} to ${LIMITS.imdsPort.max} (got ${JSON.stringify(String(value)).slice(0, 40)}).`,
  );
}

export function adminPromptCancelledError(options?: { cause?: unknown }): CloudtokenError {
  return new CloudtokenError(
    'network.admin-cancelled',
    'Administrator permission was not granted, so 169.254.169.254 was not set up. Cloudtoken serves credentials on 127.0.0.1 instead.',
    options,
  );
}

export function adminPromptUnavailableError(detail: string, options?: { cause?: unknown }): CloudtokenError {
  return new CloudtokenError(
    'network.admin-unavailable',
    `Cloudtoken could not ask for administrator permission: ${detail} Cloudtoken serves credentials on 127.0.0.1 instead.`,
    options,
  );
}

export class AdminCommandFailedError extends CloudtokenError {
  readonly exitCode: number;
  readonly stderr: string;

  constructor(exitCode: number, stderr: string, options?: { cause?: unknown }) {
    super(
      'network.admin-command-failed',
      `Setting up 169.254.169.254 failed (exit code ${exitCode}${describeStep(exitCode)}). Cloudtoken serves credentials on 127.0.0.1 instead.`,
      options,
    );
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export function unsafeScriptPathError(path: string, remedy = 'set TMPDIR to a plain path'): CloudtokenError {
  return new CloudtokenError(
    'network.unsafe-script-path',
    `The path ${JSON.stringify(path)} contains characters that cannot be passed safely to the administrator prompt; ${remedy}.`,
  );
}

export class AliasConflictError extends CloudtokenError {
  readonly holders: readonly string[];

  constructor(holders: readonly string[]) {
    super(
      'network.alias-conflict',
      `169.254.169.254 is already in use (${holders.join('; ')}). Cloudtoken leaves it alone and serves credentials on 127.0.0.1 instead.`,
    );
    this.holders = holders;
  }
}

/** The elevated scripts exit with these codes so a failure names its step without reading localized text. */
export const STEP_EXIT_CODES = {
  address: 10,
  redirect: 11,
  firewall: 12,
} as const;

function describeStep(exitCode: number): string {
  if (exitCode === STEP_EXIT_CODES.address) return ' while adding the address';
  if (exitCode === STEP_EXIT_CODES.redirect) return ' while redirecting port 80';
  if (exitCode === STEP_EXIT_CODES.firewall) return ' while restricting the address to this machine';
  return '';
}

export function aliasNotEffectiveError(expected: 'present' | 'absent', actual: string): CloudtokenError {
  return new CloudtokenError(
    'network.alias-not-effective',
    `The network set-up ran but 169.254.169.254 is ${actual} instead of ${expected}. Cloudtoken serves credentials on 127.0.0.1 instead.`,
  );
}
