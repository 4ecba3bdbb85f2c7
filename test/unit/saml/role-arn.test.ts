import { describe, expect, it } from 'vitest';
import { parseIamArn, parseRoleArn, parseRolePair } from '../../../main/saml/role-arn.js';
import { samlErrorFrom } from '../../support/saml-expect.js';

describe('parseIamArn', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/Admin', { kind: 'role', partition: 'aws', accountId: '123456789012', name: 'Admin' }],
    ['arn:aws-us-gov:iam::123456789012:role/a/b/c/Dev', { kind: 'role', partition: 'aws-us-gov', name: 'Dev' }],
    ['arn:aws-cn:iam::000000000001:role/x+=,.@-_9', { kind: 'role', partition: 'aws-cn', name: 'x+=,.@-_9' }],
    ['arn:aws:iam::123456789012:saml-provider/Okta.Prod-1', { kind: 'saml-provider', name: 'Okta.Prod-1' }],
    [' arn:aws:iam::123456789012:role/Trimmed ', { kind: 'role', arn: 'arn:aws:iam::123456789012:role/Trimmed' }],
  ])('reads %j', (text, expected) => {
    expect(parseIamArn(text)).toMatchObject(expected);
  });

  it.each([
    '',
    'Admin',
    'arn:aws:iam::123456789012:role/',
    'arn:aws:iam::123456789012:role//Admin',
    'arn:aws:iam::1234567890123:role/Admin',
    'arn:aws:iam:us-east-1:123456789012:role/Admin',
    'arn:aws:sts::123456789012:assumed-role/Admin/alice',
    'arn:aws-iso:iam::123456789012:role/Admin',
    'ARN:AWS:IAM::123456789012:ROLE/Admin',
    `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`,
    'arn:aws:iam::123456789012:role/has space',
    'arn:aws:iam::123456789012:saml-provider/bad/slash',
    'arn:aws:iam::123456789012:user/bob',
  ])('refuses %j', (text) => {
    expect(parseIamArn(text)).toBeUndefined();
  });
});

describe('parseRoleArn', () => {
  it('accepts a role ARN a user types and refuses a provider ARN in its place', () => {
    expect(parseRoleArn('arn:aws:iam::123456789012:role/Admin')?.name).toBe('Admin');
    expect(parseRoleArn('arn:aws:iam::123456789012:saml-provider/Okta')).toBeUndefined();
  });
});

describe('parseRolePair', () => {
  const role = 'arn:aws:iam::123456789012:role/ops/Admin';
  const provider = 'arn:aws:iam::123456789012:saml-provider/Okta';

  it('reads both orders into the same role', () => {
    const expected = { roleArn: role, principalArn: provider, accountId: '123456789012', roleName: 'Admin', partition: 'aws' };
    expect(parseRolePair(`${role},${provider}`)).toEqual(expected);
    expect(parseRolePair(`${provider} , ${role}`)).toEqual(expected);
  });

  it('names the value and the reason in its error', () => {
    const error = samlErrorFrom(() => parseRolePair(`${role},arn:aws-us-gov:iam::123456789012:saml-provider/Okta`));
    expect(error.code).toBe('SAML_BAD_ARN');
    expect(error.message).toContain(`"${role},arn:aws-us-gov:iam::123456789012:saml-provider/Okta"`);
    expect(error.message).toContain('different AWS partitions');
  });
});
