import { describe, expect, it } from 'vitest';
import { choosePageAction } from '../../../main/login/form-page.js';
import { parsePage } from '../../../main/login/html-forms.js';

const kindOf = (html: string) => choosePageAction(parsePage(html, 'https://idp.example.com/login'));

describe('choosePageAction', () => {
  it('prefers the form to an AWS SAML endpoint over anything else on the page', () => {
    const action = kindOf(`<form><input name="u"><input type="password" name="p"></form>
      <form method="post" action="https://eu-west-1.signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="x"></form>`);
    expect(action.kind).toBe('aws');
  });

  it('does not take a look-alike host for AWS', () => {
    const action = kindOf(`<form method="post" action="https://signin.aws.amazon.com.evil.example/saml"><input type="hidden" name="SAMLResponse" value="x"></form>`);
    expect(action.kind).toBe('auto-submit');
  });

  it('finds the password form and the user name field by its name or label', () => {
    const action = kindOf(`<form><input name="search"></form>
      <form method="post"><input name="remember_choice" type="text"><input name="j_username"><input type="password" name="j_password"></form>`);
    expect(action).toMatchObject({ kind: 'password', password: { name: 'j_password' }, username: { name: 'j_username' } });
  });

  it('takes a password-only form as the second step of a two-step sign-in', () => {
    expect(kindOf(`<form><input type="hidden" name="user" value="alice"><input type="password" name="pw"></form>`)).toMatchObject({
      kind: 'password',
      username: undefined,
    });
  });

  it('takes a single e-mail or user field as a user-name step', () => {
    expect(kindOf(`<form><input type="email" name="identifier"></form>`)).toMatchObject({ kind: 'username', username: { name: 'identifier' } });
    expect(kindOf(`<form><label for="l">Login</label><input id="l" name="f1"></form>`).kind).toBe('username');
  });

  it('asks for a single empty field that is not a user name (a one-time code)', () => {
    expect(kindOf(`<form><label for="c">Verification code</label><input id="c" name="otp" inputmode="numeric"></form>`)).toMatchObject({
      kind: 'ask',
      field: { name: 'otp', label: 'Verification code' },
    });
  });

  it('does not ask for a field that is already filled, nor for forms with several fields', () => {
    expect(kindOf(`<form><input name="code" value="prefilled"><input type="hidden" name="h" value="1"></form>`).kind).toBe('none');
    expect(kindOf(`<form><input name="a"><input name="b"></form>`).kind).toBe('none');
  });

  it('submits intermediate hidden-only forms, else follows a meta refresh, else gives up', () => {
    expect(kindOf(`<form method="post" action="/hop"><input type="hidden" name="SAMLRequest" value="x"></form>`).kind).toBe('auto-submit');
    expect(kindOf(`<meta http-equiv="refresh" content="0;url=/next">`)).toEqual({ kind: 'refresh', url: 'https://idp.example.com/next' });
    expect(kindOf(`<title>Maintenance</title>`)).toEqual({ kind: 'none' });
  });
});
