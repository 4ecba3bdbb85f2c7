import { describe, expect, it } from 'vitest';
import { withRoleChoice } from '../../../main/runtime/settings-effects.js';
import { resolveRoleChoice } from '../../../main/session/role-choice.js';
import { defaultSettings } from '../../../main/settings/schema.js';
import { parseRolePair } from '../../../main/saml/role-arn.js';
import { isCloudtokenError } from '../../../main/support/errors.js';

const roles = [
  'arn:aws:iam::111111111111:role/ReadOnly,arn:aws:iam::111111111111:saml-provider/Corp',
  'arn:aws:iam::111111111111:role/team/Deploy,arn:aws:iam::111111111111:saml-provider/Corp',
  'arn:aws:iam::222222222222:role/ReadOnly,arn:aws:iam::222222222222:saml-provider/Corp',
].map(parseRolePair);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isCloudtokenError(error) ? error.code : 'untyped';
  }
  return undefined;
}

describe('resolveRoleChoice', () => {
  it('takes a full ARN, a unique name (any case), a number, account/name and label/name', () => {
    expect(resolveRoleChoice(roles, 'arn:aws:iam::222222222222:role/ReadOnly')).toBe(roles[2]);
    expect(resolveRoleChoice(roles, 'deploy')).toBe(roles[1]);
    expect(resolveRoleChoice(roles, ' 3 ')).toBe(roles[2]);
    expect(resolveRoleChoice(roles, '111111111111/ReadOnly')).toBe(roles[0]);
    expect(resolveRoleChoice(roles, 'Prod/ReadOnly', { '222222222222': 'prod' })).toBe(roles[2]);
  });

  it('refuses ambiguous, unknown, out-of-range and empty choices with specific errors', () => {
    expect(code(() => resolveRoleChoice(roles, 'ReadOnly'))).toBe('ROLE_CHOICE_AMBIGUOUS');
    expect(code(() => resolveRoleChoice(roles, 'Admin'))).toBe('ROLE_CHOICE_UNKNOWN');
    expect(code(() => resolveRoleChoice(roles, '4'))).toBe('ROLE_CHOICE_RANGE');
    expect(code(() => resolveRoleChoice(roles, '0'))).toBe('ROLE_CHOICE_RANGE');
    expect(code(() => resolveRoleChoice(roles, '  '))).toBe('ROLE_CHOICE_EMPTY');
  });
});

describe('withRoleChoice', () => {
  it('records the metadata and kept-active roles per profile without touching the input', () => {
    const before = defaultSettings();
    const after = withRoleChoice(before, 'p1', { metadataRoleArn: 'arn:aws:iam::111111111111:role/A', keptActiveRoleArns: ['arn:aws:iam::111111111111:role/B'] });
    expect(after.lastRoleArnByProfile).toEqual({ p1: 'arn:aws:iam::111111111111:role/A' });
    expect(after.keptActiveRoleArnsByProfile).toEqual({ p1: ['arn:aws:iam::111111111111:role/B'] });
    expect(before.lastRoleArnByProfile).toEqual({});
    // Clearing the metadata role keeps the remembered one (the next sign-in restores it).
    expect(withRoleChoice(after, 'p1', { metadataRoleArn: undefined, keptActiveRoleArns: [] }).lastRoleArnByProfile.p1).toBe('arn:aws:iam::111111111111:role/A');
  });
});
