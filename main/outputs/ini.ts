import { CloudtokenError } from '../support/errors.js';

/**
 * A line-preserving reading of the AWS shared config/credentials INI files. Edits work on the original lines,
 * so everything Cloudtoken does not own (comments, blank lines, order, line endings, key spelling) survives
 * byte for byte.
 *
 * What counts as valid follows Python's configparser as botocore uses it (the strictest reader of these
 * files): `#`/`;` full-line comments (indented too), `=` or `:` between key and value, indented lines after a
 * key continue its value, and a file with a key outside any section, a line that is neither, a repeated section
 * or a repeated key in one section is unreadable for the AWS CLI as a whole. Cloudtoken refuses to edit such a
 * file rather than guess.
 */
export interface IniLine {
  /** The line without its line ending. */
  text: string;
  /** '\n', '\r\n' or '' for a last line without one. */
  eol: string;
}

export interface IniSection {
  /** The name between the brackets, trimmed. */
  name: string;
  /** Index of the `[name]` line. */
  header: number;
  /** Index after the section's last key or continuation line (trailing comments and blanks are not its own). */
  end: number;
  /** Keys lower-cased (configparser does the same), values trimmed; continuation lines joined with '\n'. */
  values: Map<string, string>;
}

export interface IniDocument {
  lines: IniLine[];
  sections: IniSection[];
  /** A UTF-8 byte-order mark kept in front of the first line. */
  bom: string;
  /** The file's own line ending, used for lines Cloudtoken adds. */
  newline: '\n' | '\r\n';
}

export class IniSyntaxError extends CloudtokenError {
  /** 1-based line number of the first problem. */
  readonly line: number;

  constructor(line: number, reason: string) {
    super('INI_SYNTAX', `line ${line}: ${reason}`);
    this.line = line;
  }
}

const SECTION_HEADER = /^\[(.+)\]/;
const KEY_VALUE = /^(.*?)\s*[=:]\s*(.*)$/;

function isComment(trimmed: string): boolean {
  return trimmed.startsWith('#') || trimmed.startsWith(';');
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

export function splitLines(text: string): IniLine[] {
  const lines: IniLine[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) {
      lines.push({ text: text.slice(start), eol: '' });
      break;
    }
    const crlf = newline > start && text[newline - 1] === '\r';
    lines.push({ text: text.slice(start, crlf ? newline - 1 : newline), eol: crlf ? '\r\n' : '\n' });
    start = newline + 1;
  }
  return lines;
}

export function parseIni(input: string): IniDocument {
  const bom = input.startsWith('\ufeff') ? '\ufeff' : '';
  const text = input.slice(bom.length);
  if (text.includes('\0')) throw new IniSyntaxError(text.slice(0, text.indexOf('\0')).split('\n').length, 'contains a NUL byte (not a text file)');
  const lines = splitLines(text);
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  let currentKey: { name: string; indent: number } | undefined;

  lines.forEach((line, index) => {
    const trimmed = line.text.trim();
    if (trimmed === '' || isComment(trimmed)) return;
    const indent = indentOf(line.text);
    if (current && currentKey && indent > currentKey.indent) {
      const previous = current.values.get(currentKey.name) ?? '';
      current.values.set(currentKey.name, previous === '' ? trimmed : `${previous}\n${trimmed}`);
      current.end = index + 1;
      return;
    }
    const header = SECTION_HEADER.exec(trimmed);
    if (header) {
      const name = (header[1] ?? '').trim();
      if (sections.some((section) => section.name === name)) {
        throw new IniSyntaxError(index + 1, `the section [${name}] appears twice`);
      }
      current = { name, header: index, end: index + 1, values: new Map() };
      currentKey = undefined;
      sections.push(current);
      return;
    }
    if (!current) throw new IniSyntaxError(index + 1, 'a setting appears before any [section] header');
    const pair = KEY_VALUE.exec(trimmed);
    const key = pair?.[1]?.trim().toLowerCase();
    if (!pair || !key) throw new IniSyntaxError(index + 1, 'the line is neither a [section], a key = value pair nor a comment');
    if (current.values.has(key)) throw new IniSyntaxError(index + 1, `the key ${key} appears twice in [${current.name}]`);
    current.values.set(key, (pair[2] ?? '').trim());
    currentKey = { name: key, indent };
    current.end = index + 1;
  });

  const firstEol = lines.find((line) => line.eol !== '')?.eol;
  return { lines, sections, bom, newline: firstEol === '\r\n' ? '\r\n' : '\n' };
}

export function serializeIni(document: Pick<IniDocument, 'lines' | 'bom'>): string {
  return document.bom + document.lines.map((line) => line.text + line.eol).join('');
}

export function findSection(document: IniDocument, name: string): IniSection | undefined {
  return document.sections.find((section) => section.name === name);
}
