/** The XML STS speaks (Query protocol, API version 2011-06-15), built the way AWS lays it out. */
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** `<Tag>value</Tag>` lines for the fields that are present, in the order given. */
export function elements(fields: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  return fields
    .filter((field): field is readonly [string, string | number] => field[1] !== undefined)
    .map(([tag, value]) => `<${tag}>${escapeXml(String(value))}</${tag}>`)
    .join('\n');
}

/** `<{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata>…` as AWS sends it. */
export function resultDocument(action: string, resultXml: string, requestId: string): string {
  return [
    `<${action}Response xmlns="${STS_NAMESPACE}">`,
    `<${action}Result>`,
    resultXml,
    `</${action}Result>`,
    '<ResponseMetadata>',
    `<RequestId>${escapeXml(requestId)}</RequestId>`,
    '</ResponseMetadata>',
    `</${action}Response>`,
    '',
  ].join('\n');
}

/** An error as STS reports it: HTTP status, Sender (caller's fault) or Receiver (AWS's), code, message. */
export interface StsFault {
  status: number;
  code: string;
  message: string;
  type?: 'Sender' | 'Receiver';
}

export function errorDocument(fault: StsFault, requestId: string): string {
  const type = fault.type ?? (fault.status >= 500 ? 'Receiver' : 'Sender');
  return [
    `<ErrorResponse xmlns="${STS_NAMESPACE}">`,
    '<Error>',
    elements([
      ['Type', type],
      ['Code', fault.code],
      ['Message', fault.message],
    ]),
    '</Error>',
    `<RequestId>${escapeXml(requestId)}</RequestId>`,
    '</ErrorResponse>',
    '',
  ].join('\n');
}

/** Thrown inside the stand-in to answer with an STS error. */
export class StsFaultError extends Error {
  constructor(readonly fault: StsFault) {
    super(`${fault.code}: ${fault.message}`);
  }
}

export const fault = (status: number, code: string, message: string): StsFaultError =>
  new StsFaultError({ status, code, message });

/** The faults whose wording the stand-in and its tests share; texts as AWS words them. */
export const AWS_FAULTS = {
  throttling: () => fault(400, 'Throttling', 'Rate exceeded'),
  internal: () => fault(500, 'InternalFailure', 'An internal error occurred.'),
  accessDenied: () => fault(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML'),
  regionDisabled: (account: string) =>
    fault(
      403,
      'RegionDisabledException',
      `STS is not activated in this region for account:${account}. Your account administrator can activate STS in this region using the IAM Console.`,
    ),
  maxSessionDuration: () => fault(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'),
  expiredAssertion: () => fault(400, 'ExpiredTokenException', 'Response has expired'),
  signatureInvalid: () => fault(400, 'InvalidIdentityToken', 'Response signature invalid'),
  providerMissing: () => fault(400, 'InvalidIdentityToken', "Specified provider doesn't exist"),
  requestArnInvalid: () => fault(400, 'ValidationError', 'Request ARN is invalid'),
  invalidClientTokenId: () => fault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid'),
  expiredToken: () => fault(403, 'ExpiredToken', 'The security token included in the request is expired'),
  signatureMismatch: () =>
    fault(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    ),
} as const;

/** AWS's wording for a violated member constraint in the Query protocol. */
export function constraintViolation(member: string, value: string | null, constraint: string): StsFaultError {
  const shown = value === null ? 'null' : `'${value}'`;
  return fault(400, 'ValidationError', `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}
