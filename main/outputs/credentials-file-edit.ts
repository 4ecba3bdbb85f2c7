import { CloudtokenError } from '../support/errors.js';
import { awsTimestamp } from '../support/clock.js';
import type { AwsCredentials } from '../sts/types.js';
import { findSection, parseIni, serializeIni } from './ini.js';
import type { IniDocument, IniLine, IniSection } from './ini.js';

/**
 * Pure text edits of a shared credentials file: write or remove the profiles Cloudtoken owns, leave every
 * other line as it was. A profile is Cloudtoken's when its section carries `x_cloudtoken_managed = true`;
 * botocore, the AWS CLI and the JS SDK ignore keys they do not know, and a key (unlike a comment) stays with
 * its section when other tools rewrite the file.
 */
export const MANAGED_KEY = 'x_cloudtoken_managed';

export type CredentialsFileErrorCode =
  | 'CREDENTIALS_FILE_UNREADABLE'
  | 'CREDENTIALS_FILE_CORRUPT'
  | 'CREDENTIALS_FILE_WRITE_FAILED'
  | 'CREDENTIALS_PROFILE_NOT_OWNED'
  | 'CREDENTIALS_PROFILE_INVALID';

export class CredentialsFileError extends CloudtokenError<CredentialsFileErrorCode> {
  readonly path: string | undefined;
  readonly profile: string | undefined;

  constructor(
    code: CredentialsFileErrorCode,
    message: string,
    options: { path?: string; profile?: string; cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.path = options.path;
    this.profile = options.profile;
  }
}

export interface ManagedProfile {
  name: string;
  credentials: AwsCredentials;
  region?: string;
}

export interface CredentialsEdit {
  write?: readonly ManagedProfile[];
  remove?: readonly string[];
}

export interface CredentialsEditResult {
  text: string;
  written: string[];
  removed: string[];
  /** Profiles asked to be removed that exist but are not Cloudtoken's; they were left alone. */
  notOwned: string[];
}

// Brackets, comment characters at the start and line breaks would make the header mean something else.
const PROFILE_NAME = /^[^\s[\]#;][^[\]\r\n]*$/;
const PLAIN_VALUE = /^[\x21-\x7e]+$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

export function isManagedSection(section: IniSection): boolean {
  return section.values.get(MANAGED_KEY)?.toLowerCase() === 'true';
}

export function managedProfileNames(document: IniDocument): string[] {
  return document.sections.filter(isManagedSection).map((section) => section.name);
}

function validateProfile(profile: ManagedProfile): void {
  const invalid = (why: string) =>
    new CredentialsFileError('CREDENTIALS_PROFILE_INVALID', `Cannot write the profile "${profile.name}": ${why}.`, { profile: profile.name });
  if (!PROFILE_NAME.test(profile.name) || profile.name.trim() !== profile.name) {
    throw invalid('a profile name cannot be empty, start with # or ;, contain brackets or line breaks, or begin or end with a space');
  }
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = profile.credentials;
  for (const [label, value] of [['access key id', accessKeyId], ['secret access key', secretAccessKey], ['session token', sessionToken]] as const) {
    if (!PLAIN_VALUE.test(value)) throw invalid(`the ${label} is empty or contains spaces or control characters`);
  }
  if (!Number.isFinite(expiration)) throw invalid('the expiration time is not a valid date');
  if (profile.region !== undefined && !REGION.test(profile.region)) throw invalid(`"${profile.region}" is not an AWS region name`);
}

function profileBody(profile: ManagedProfile): string[] {
  const { credentials } = profile;
  return [
    '# Written by Cloudtoken, which replaces and removes this profile; edit other profiles freely.',
    `aws_access_key_id = ${credentials.accessKeyId}`,
    `aws_secret_access_key = ${credentials.secretAccessKey}`,
    `aws_session_token = ${credentials.sessionToken}`,
    ...(profile.region ? [`region = ${profile.region}`] : []),
    `x_cloudtoken_expiration = ${awsTimestamp(credentials.expiration)}`,
    `${MANAGED_KEY} = true`,
  ];
}

function notOwned(name: string): CredentialsFileError {
  return new CredentialsFileError(
    'CREDENTIALS_PROFILE_NOT_OWNED',
    `The profile "${name}" in your AWS credentials file was not created by Cloudtoken, so Cloudtoken will not overwrite it. ` +
      'Choose another profile name for Cloudtoken, or rename or delete that profile yourself.',
    { profile: name },
  );
}

const isBlank = (line: IniLine | undefined) => line !== undefined && line.text.trim() === '';

/**
 * Apply the edit to the text of a credentials file. Throws `CREDENTIALS_PROFILE_NOT_OWNED` before changing
 * anything when a profile to write exists without Cloudtoken's mark; an `IniSyntaxError` when the file is not
 * valid INI.
 */
export function editCredentialsText(original: string, edit: CredentialsEdit): CredentialsEditResult {
  const toWrite = edit.write ?? [];
  toWrite.forEach(validateProfile);
  const names = [...toWrite.map((profile) => profile.name), ...(edit.remove ?? [])];
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    throw new CredentialsFileError('CREDENTIALS_PROFILE_INVALID', `The profile "${repeated}" was named twice in one change.`, { profile: repeated });
  }
  const document = parseIni(original);
  for (const profile of toWrite) {
    const existing = findSection(document, profile.name);
    if (existing && !isManagedSection(existing)) throw notOwned(profile.name);
  }

  const lines = [...document.lines];
  const line = (text: string): IniLine => ({ text, eol: document.newline });
  const removed: string[] = [];
  const notOwnedNames: string[] = [];

  // Edit from the bottom of the file up so that earlier sections' line indexes stay valid.
  const replacements = [
    ...toWrite.flatMap((profile) => {
      const section = findSection(document, profile.name);
      return section ? [{ section, body: profileBody(profile) }] : [];
    }),
    ...(edit.remove ?? []).flatMap((name) => {
      const section = findSection(document, name);
      if (!section) return [];
      if (!isManagedSection(section)) {
        notOwnedNames.push(name);
        return [];
      }
      removed.push(name);
      return [{ section, body: undefined }];
    }),
  ].sort((a, b) => b.section.header - a.section.header);

  for (const { section, body } of replacements) {
    if (body) {
      const header = lines[section.header] as IniLine;
      lines.splice(section.header, section.end - section.header, { ...header, eol: header.eol || document.newline }, ...body.map(line));
      continue;
    }
    lines.splice(section.header, section.end - section.header);
    // Drop the blank line that separated the section when it would now leave two in a row (or one at the end).
    if (section.header > 0 && isBlank(lines[section.header - 1]) && (section.header === lines.length || isBlank(lines[section.header]))) {
      lines.splice(section.header - 1, 1);
    }
  }

  for (const profile of toWrite) {
    if (findSection(document, profile.name)) continue;
    const last = lines.at(-1);
    if (last && last.eol === '') lines[lines.length - 1] = { ...last, eol: document.newline };
    if (last && !isBlank(last)) lines.push(line(''));
    lines.push(line(`[${profile.name}]`), ...profileBody(profile).map(line));
  }

  return {
    text: serializeIni({ lines, bom: document.bom }),
    written: toWrite.map((profile) => profile.name),
    removed,
    notOwned: notOwnedNames,
  };
}
