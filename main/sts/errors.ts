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
 * A failure talking to STS (or the federation endpoint). `transient` tells the refresh scheduler whether
 * trying the same thing again later can succeed (throttling, 5xx, network) or whether the user or an admin
 * must act first (expired assertion, trust policy, IdP metadata).
 */
export class StsError extends CloudtokenError {
  declare readonly code: StsErrorCode;
  readonly transient: boolean;
  /** AWS's own error code when STS answered, e.g. `InvalidIdentityToken`. */
  readonly awsCode: string | undefined;

  constructor(
    code: StsErrorCode,
    message: string,
    options: { transient?: boolean; awsCode?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.transient = options.transient ?? false;
    this.awsCode = options.awsCode;
  }
}
