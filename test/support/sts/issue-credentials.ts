import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IssuedCredentials } from './sigv4-check.js';

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** Temporary key ids start ASIA and are 20 characters, like AWS's. */
export const newAccessKeyId = (): string => `ASIA${randomFrom(KEY_ID_ALPHABET, 16)}`;
/** 40 characters of base64 alphabet, like an AWS secret key. */
export const newSecretAccessKey = (): string => randomBytes(30).toString('base64');
/** Session tokens are long opaque base64; a recognisable prefix helps reading test failures. */
export const newSessionToken = (): string => `IQoJb3JpZ2luX2Vj${randomBytes(300).toString('base64')}`;
export const newRequestId = (): string => randomUUID();

/** A role's unique id is stable (AROA + 17 characters); derive it from the ARN so it stays the same per run. */
export function roleUniqueId(roleArn: string): string {
  const digest = createHash('sha256').update(roleArn).digest();
  return `AROA${Array.from(digest.subarray(0, 17), (byte) => KEY_ID_ALPHABET[byte % KEY_ID_ALPHABET.length]).join('')}`;
}

/** NameQualifier as IAM documents it: base64(SHA1(issuer + account id + "/" + provider name)). */
export function nameQualifier(issuer: string, account: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${account}/${providerName}`).digest('base64');
}

/** The role ARN's parts: arn:<partition>:iam::<account>:role/<path/><name>. */
export function parseRoleArn(arn: string): { partition: string; account: string; name: string } | undefined {
  const match = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  return match ? { partition: match[1]!, account: match[2]!, name: match[3]! } : undefined;
}

export function parseProviderArn(arn: string): { partition: string; account: string; name: string } | undefined {
  const match = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):saml-provider\/([\w+=,.@-]{1,128})$/.exec(arn);
  return match ? { partition: match[1]!, account: match[2]!, name: match[3]! } : undefined;
}

export function issueCredentials(roleArn: string, sessionName: string, expiration: number): IssuedCredentials {
  const role = parseRoleArn(roleArn);
  if (!role) throw new Error(`not a role ARN: ${roleArn}`);
  return {
    accessKeyId: newAccessKeyId(),
    secretAccessKey: newSecretAccessKey(),
    sessionToken: newSessionToken(),
    expiration,
    assumedRoleId: `${roleUniqueId(roleArn)}:${sessionName}`,
    assumedRoleArn: `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
    account: role.account,
  };
}
