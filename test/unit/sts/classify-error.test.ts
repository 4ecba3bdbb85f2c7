import {
  IDPRejectedClaimException,
  MalformedPolicyDocumentException,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { parseRolePair } from '../../../main/saml/role-arn.js';
import { faultKindOf } from '../../../main/session/fault-model.js';
import { classifyStsFailure, type FailureContext } from '../../../main/sts/classify-error.js';

const context: FailureContext = {
  role: parseRolePair('arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/Corp'),
  endpoint: 'https://sts.eu-west-1.amazonaws.com',
  region: 'eu-west-1',
  now: Date.UTC(2026, 10, 25, 12, 0, 0),
  networkAdvice: 'Could not reach https://sts.eu-west-1.amazonaws.com.',
};
const metadata = (httpStatusCode: number) => ({ httpStatusCode });

/** An error the SDK raises for a code it has no class for, as its Query protocol builds one. */
function unmodelled(name: string, status: number, message: string) {
  return new STSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: metadata(status), message });
}

describe('classifyStsFailure', () => {
  it.each([
    [new IDPRejectedClaimException({ $metadata: metadata(403), message: 'The IdP rejected the claim' }), 'STS_INVALID_IDENTITY_TOKEN', 'permanent'],
    [new MalformedPolicyDocumentException({ $metadata: metadata(400), message: 'bad policy' }), 'STS_VALIDATION', 'permanent'],
    [unmodelled('ServiceUnavailable', 503, 'Service unavailable'), 'STS_SERVER', 'retryable'],
    [unmodelled('RequestLimitExceeded', 400, 'Rate exceeded'), 'STS_THROTTLED', 'retryable'],
    [unmodelled('TooManyRequests', 429, 'slow down'), 'STS_THROTTLED', 'retryable'],
    [unmodelled('RequestExpired', 400, 'Request has expired'), 'STS_CLOCK_SKEW', 'retryable'],
    [Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { code: 'ETIMEDOUT' }), 'STS_NETWORK', 'retryable'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }), 'STS_NETWORK', 'retryable'],
    [Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'STS_NETWORK', 'retryable'],
    [unmodelled('WeirdNewCode', 400, 'something new'), 'STS_UNEXPECTED_RESPONSE', 'retryable'],
  ])('%s → %s (%s)', (error, code, kind) => {
    const classified = classifyStsFailure(error, context);
    expect({ code: classified.code, kind: faultKindOf(classified) }).toEqual({ code, kind });
    expect(classified.cause).toBe(error);
  });

  it('tells expiry apart from clock skew by the server Date header', () => {
    const expired = (serverDate: number) => {
      const error = unmodelled('ExpiredTokenException', 400, 'Response has expired');
      Object.defineProperty(error, '$response', { value: { headers: { date: new Date(serverDate).toUTCString() } } });
      return classifyStsFailure(error, context);
    };
    expect(expired(context.now + 30_000).code).toBe('STS_ASSERTION_EXPIRED');
    const ahead = expired(context.now + 42 * 60_000);
    expect(ahead.code).toBe('STS_CLOCK_SKEW');
    expect(ahead.message).toContain('42 minutes behind');
    expect(expired(context.now - 42 * 60_000).message).toContain('42 minutes ahead of');
  });

  it('names the role, the provider and the endpoint where they help', () => {
    expect(classifyStsFailure(unmodelled('AccessDenied', 403, 'Not authorized to perform sts:AssumeRoleWithSAML'), context).message).toContain(
      'arn:aws:iam::123456789012:role/Admin',
    );
    const signature = classifyStsFailure(unmodelled('InvalidIdentityToken', 400, 'Response signature invalid'), context);
    expect(signature.message).toContain('saml-provider/Corp');
    expect(signature.awsCode).toBe('InvalidIdentityToken');
    expect(classifyStsFailure(unmodelled('InternalFailure', 500, 'oops'), context).message).toContain(context.endpoint);
  });
});
