import { describe, expect, it } from 'vitest';
import { CredentialsFileError, editCredentialsText, managedProfileNames } from '../../../main/outputs/credentials-file-edit.js';
import type { ManagedProfile } from '../../../main/outputs/credentials-file-edit.js';
import { findSection, IniSyntaxError, parseIni } from '../../../main/outputs/ini.js';

const expiration = Date.UTC(2030, 0, 2, 3, 4, 5, 678);

function profile(name: string, key = 'ASIAFIRST', extra: Partial<ManagedProfile> = {}): ManagedProfile {
  return { name, credentials: { accessKeyId: key, secretAccessKey: 'se/cr+et', sessionToken: 'to/ken==', expiration }, ...extra };
}

const USER_FILE = [
  '# my credentials',
  '[default]',
  'aws_access_key_id = AKIAUSER',
  'aws_secret_access_key = usersecret',
  '',
  '; work account',
  '[work]',
  'aws_access_key_id=AKIAWORK',
  'aws_secret_access_key=worksecret',
  '',
].join('\n');

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('editCredentialsText', () => {
  it('appends a new marked profile after a blank line, leaving the rest byte for byte', () => {
    const { text, written } = editCredentialsText(USER_FILE, { write: [profile('cloudtoken', 'ASIAFIRST', { region: 'eu-west-1' })] });
    expect(written).toEqual(['cloudtoken']);
    expect(text.startsWith(USER_FILE)).toBe(true);
    expect(text.slice(USER_FILE.length)).toBe(
      [
        '',
        '[cloudtoken]',
        '# Written by Cloudtoken, which replaces and removes this profile; edit other profiles freely.',
        'aws_access_key_id = ASIAFIRST',
        'aws_secret_access_key = se/cr+et',
        'aws_session_token = to/ken==',
        'region = eu-west-1',
        'x_cloudtoken_expiration = 2030-01-02T03:04:05Z',
        'x_cloudtoken_managed = true',
        '',
      ].join('\n'),
    );
  });

  it('separates the new section from a last line without newline', () => {
    const { text } = editCredentialsText('[a]\nk = v', { write: [profile('ct')] });
    expect(text.startsWith('[a]\nk = v\n\n[ct]\n')).toBe(true);
  });

  it('replaces its own profile in place, keeping the neighbours and the gap comments', () => {
    const first = editCredentialsText(USER_FILE, { write: [profile('cloudtoken')] }).text;
    const withTail = `${first}\n# about the next one\n[later]\nk = v\n`;
    const second = editCredentialsText(withTail, { write: [profile('cloudtoken', 'ASIASECOND')] }).text;
    expect(second).toBe(withTail.replace('ASIAFIRST', 'ASIASECOND'));
    expect(findSection(parseIni(second), 'cloudtoken')?.values.get('aws_access_key_id')).toBe('ASIASECOND');
  });

  it('keeps CRLF files CRLF', () => {
    const crlf = USER_FILE.replaceAll('\n', '\r\n');
    const { text } = editCredentialsText(crlf, { write: [profile('ct')] });
    expect(text.startsWith(crlf)).toBe(true);
    expect(text.slice(crlf.length).split('\r\n').length).toBeGreaterThan(5);
    expect(text.slice(crlf.length).replaceAll('\r\n', '')).not.toContain('\n');
  });

  it('refuses to overwrite a profile it did not create, naming it, and changes nothing', () => {
    const error = thrown(() => editCredentialsText(USER_FILE, { write: [profile('ct'), profile('work')] }));
    expect(error).toBeInstanceOf(CredentialsFileError);
    expect(error).toMatchObject({ code: 'CREDENTIALS_PROFILE_NOT_OWNED', profile: 'work' });
    expect((error as Error).message).toContain('"work"');
  });

  it('treats a section that only looks similar (other spacing) as not its own', () => {
    const error = thrown(() => editCredentialsText('[ ct ]\naws_access_key_id = X\n', { write: [profile('ct')] }));
    expect(error).toMatchObject({ code: 'CREDENTIALS_PROFILE_NOT_OWNED' });
  });

  it('removes only its own profiles and restores the original text', () => {
    const written = editCredentialsText(USER_FILE, { write: [profile('ct-a'), profile('ct-b')] }).text;
    expect(managedProfileNames(parseIni(written))).toEqual(['ct-a', 'ct-b']);
    const result = editCredentialsText(written, { remove: ['ct-b', 'ct-a', 'work', 'absent'] });
    expect(result).toMatchObject({ removed: ['ct-b', 'ct-a'], notOwned: ['work'] });
    expect(result.text).toBe(USER_FILE);
  });

  it('removing a profile in the middle leaves one blank line between its neighbours', () => {
    const middle = editCredentialsText('[a]\nk = v\n', { write: [profile('ct')] }).text + '\n[z]\nk = v\n';
    expect(editCredentialsText(middle, { remove: ['ct'] }).text).toBe('[a]\nk = v\n\n[z]\nk = v\n');
  });

  it.each([
    ['', 'empty'],
    [' padded', 'space'],
    ['a]b', 'bracket'],
    ['#x', 'comment'],
    ['two\nlines', 'line break'],
  ])('rejects the profile name %j', (name) => {
    expect(thrown(() => editCredentialsText('', { write: [profile(name)] }))).toMatchObject({ code: 'CREDENTIALS_PROFILE_INVALID' });
  });

  it('rejects credentials that would break the file and a name given twice', () => {
    expect(thrown(() => editCredentialsText('', { write: [profile('ct', 'AKIA\n[default]')] }))).toMatchObject({ code: 'CREDENTIALS_PROFILE_INVALID' });
    expect(thrown(() => editCredentialsText('', { write: [profile('ct', 'x', { region: 'eu west' })] }))).toMatchObject({ code: 'CREDENTIALS_PROFILE_INVALID' });
    expect(thrown(() => editCredentialsText('', { write: [profile('ct')], remove: ['ct'] }))).toMatchObject({ code: 'CREDENTIALS_PROFILE_INVALID' });
  });

  it('reports a file the AWS CLI could not read as a syntax error instead of editing it', () => {
    expect(thrown(() => editCredentialsText('aws_access_key_id = X\n', { write: [profile('ct')] }))).toBeInstanceOf(IniSyntaxError);
  });
});
