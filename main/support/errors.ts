/**
 * Every failure a user can meet is a CloudtokenError: `message` is written for the person in front of the
 * tray or terminal (and an IdP admin where it concerns them); `code` is stable for scripts, tests and logs.
 * The tray, the CLI and the log all show the same message.
 */
export class CloudtokenError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
  if (error instanceof CloudtokenError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
