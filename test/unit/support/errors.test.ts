import { describe, expect, it } from 'vitest';
import { resolveRoleChoice } from '../../../main/session/role-choice.js';
import { SamlError } from '../../../main/saml/saml-error.js';
import { CloudtokenError, describeError, isCloudtokenError } from '../../../main/support/errors.js';

describe('CloudtokenError', () => {
  it('is shown as its message alone, like any other Error; anything else thrown as its text', () => {
    const cause = new Error('socket hang up');
    expect(describeError(new CloudtokenError('SOME_CODE', 'What went wrong, for a person.', { cause }))).toBe('What went wrong, for a person.');
    expect(describeError(new TypeError('not a function'))).toBe('not a function');
    expect([describeError('plain text'), describeError(undefined)]).toEqual(['plain text', 'undefined']);
  });

  it('keeps its code and cause, and the name of the class that made it', () => {
    const cause = new Error('inner');
    const error = new CloudtokenError('SOME_CODE', 'outer', { cause });
    expect(error).toMatchObject({ name: 'CloudtokenError', code: 'SOME_CODE', message: 'outer', cause });
    expect(new SamlError('SAML_NOT_XML', 'x')).toMatchObject({ name: 'SamlError', code: 'SAML_NOT_XML' });
    expect(new SamlError('SAML_NOT_XML', 'x')).toBeInstanceOf(CloudtokenError);
  });

  it('is recognised by code, whichever module threw it', () => {
    let thrown: unknown;
    try {
      resolveRoleChoice([], ' ');
    } catch (error) {
      thrown = error;
    }
    expect([isCloudtokenError(thrown), isCloudtokenError(thrown, 'ROLE_CHOICE_EMPTY'), isCloudtokenError(thrown, 'OTHER')]).toEqual([true, true, false]);
    expect(describeError(thrown)).toBe('No role was given.');
    expect(isCloudtokenError(new Error('x'))).toBe(false);
  });
});
