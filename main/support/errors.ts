/**
 * Every failure a user can meet is a CloudtokenError: `message` is written for the person in front of the
 * tray or terminal (and an IdP admin where it concerns them); `code` is stable for scripts, tests and logs.
 * The tray, the CLI and the log all show the same message.
 *
 * Most failures are this class itself with their own code. A subclass exists only where it earns its name:
 * a caller tells it apart with `instanceof`, it carries fields besides the message, or it pins the set of
 * codes a module throws (`Code`), so that a new code does not compile until the fault model classifies it.
 */
export class CloudtokenError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export function isCloudtokenError(value: unknown, code?: string): value is CloudtokenError {
  return value instanceof CloudtokenError && (code === undefined || value.code === code);
}

/** The user-facing text of anything thrown, without stack traces or internal detail. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
