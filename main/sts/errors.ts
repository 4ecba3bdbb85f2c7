import { CloudtokenError } from '../support/errors.js';

/** Machine codes of everything the STS exchange can fail with. */
export type StsErrorCode =
  | 'STS_ASSERTION_EXPIRED'
  | 'STS_ACCESS_DENIED'
  | 'STS_INVALID_IDENTITY_TOKEN'
  | 'STS_REGION_DISABLED'
  | 'STS_THROTTLED'
  | 'STS_NETWORK'
  | 'STS_CLOCK_SKEW'
  | 'STS_VALIDATION'
  | 'STS_SERVER'
  | 'STS_UNEXPECTED_RESPONSE'
  | 'STS_ENDPOINT_INVALID'
  | 'STS_FEDERATION';

/**
 * A failure talking to STS (or the federation endpoint). Whether trying again later can succeed is decided by
 * its code, in one place for every kind of failure: main/session/fault-model.ts.
 */
export class StsError extends CloudtokenError<StsErrorCode> {
  /** AWS's own error code when STS answered, e.g. `InvalidIdentityToken`. */
  readonly awsCode: string | undefined;

  constructor(
    code: StsErrorCode,
    message: string,
    options: { awsCode?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.awsCode = options.awsCode;
  }
}
