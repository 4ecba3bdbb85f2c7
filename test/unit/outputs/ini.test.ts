import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IniSyntaxError, findSection, parseIni, serializeIni, splitLines } from '../../../main/outputs/ini.js';

describe('parseIni', () => {
  it('reads sections, keys (lower-cased), values and both delimiters', () => {
    const document = parseIni('[default]\nAWS_Access_Key_ID = AKIA\nregion: eu-west-1\n\n[ other ]\nkey=value with = sign\n');
    expect(document.sections.map((section) => section.name)).toEqual(['default', 'other']);
    expect(findSection(document, 'default')?.values).toEqual(new Map([['aws_access_key_id', 'AKIA'], ['region', 'eu-west-1']]));
    expect(findSection(document, 'other')?.values.get('key')).toBe('value with = sign');
  });

  it('accepts CRLF, indentation, # and ; comments anywhere, and a missing final newline', () => {
    const text = '\ufeff# top\r\n  ; indented comment\r\n[a]\r\n  key = 1\r\n# between\r\n[b]\r\nk=2';
    const document = parseIni(text);
    expect(document.bom).toBe('\ufeff');
    expect(document.newline).toBe('\r\n');
    expect(document.sections.map((section) => [section.name, Object.fromEntries(section.values)])).toEqual([
      ['a', { key: '1' }],
      ['b', { k: '2' }],
    ]);
  });

  it('joins indented continuation lines to the key above, like configparser', () => {
    const document = parseIni('[profile dev]\ns3 =\n  max_concurrent_requests = 10\n  use_accelerate_endpoint = true\nregion = us-east-1\n');
    const section = findSection(document, 'profile dev');
    expect(section?.values.get('s3')).toBe('max_concurrent_requests = 10\nuse_accelerate_endpoint = true');
    expect(section?.values.get('region')).toBe('us-east-1');
    expect(section?.end).toBe(5);
  });

  it('ends a section at its last setting: trailing comments and blanks belong to no one', () => {
    const document = parseIni('[a]\nk = v\n\n# about b\n[b]\n');
    expect(findSection(document, 'a')).toMatchObject({ header: 0, end: 2 });
  });

  it.each([
    ['key = value\n[a]\n', 1, 'before any [section]'],
    ['[a]\nthis line has no delimiter\n', 2, 'neither'],
    ['[a]\n= value\n', 2, 'neither'],
    ['[a]\nk = 1\n[a]\n', 3, 'appears twice'],
    ['[a]\nk = 1\nK = 2\n', 3, 'appears twice'],
    ['[a]\nk = \0\n', 2, 'NUL'],
  ])('rejects %j at line %i', (text, line, reason) => {
    let caught: unknown;
    try {
      parseIni(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IniSyntaxError);
    expect((caught as IniSyntaxError).line).toBe(line);
    expect((caught as IniSyntaxError).message).toContain(reason);
  });

  it('serializes back to exactly the input, whatever the line endings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('[s]', '# c', '; c', '', '  ', 'k = v', '\tx=y'), fc.constantFrom('\n', '\r\n', '\r')), { maxLength: 20 }),
        (parts) => {
          const text = parts.map(([line, eol]) => line + eol).join('');
          expect(splitLines(text).map((line) => line.text + line.eol).join('')).toBe(text);
        },
      ),
    );
    const sample = '\ufeff[a]\r\nk = v\n\n[b]\nx = y';
    expect(serializeIni(parseIni(sample))).toBe(sample);
  });
});
