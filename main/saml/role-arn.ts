import { SamlError, quoteForMessage } from './saml-error.js';
import type { Partition, SamlRole } from './types.js';

/** An IAM ARN of the two kinds a SAML Role value pairs: the role to assume and the IdP registered in IAM. */
export interface IamArn {
  kind: 'role' | 'saml-provider';
  arn: string;
  partition: Partition;
  accountId: string;
  /** Role name without its path, or the SAML provider's name. */
  name: string;
}

// IAM's own limits: role names [\w+=,.@-]{1,64} under an optional path of printable-ASCII segments;
// SAML provider names [\w.-]{1,128}. Only the three partitions that have a SAML sign-in endpoint.
const ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/(?:[\x21-\x2e\x30-\x7e]+\/)*([\w+=,.@-]{1,64})$/;
const PROVIDER_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):saml-provider\/([\w.-]{1,128})$/;

export function parseIamArn(text: string): IamArn | undefined {
  const arn = text.trim();
  const role = ROLE_ARN.exec(arn);
  if (role) return { kind: 'role', arn, partition: role[1] as Partition, accountId: role[2]!, name: role[3]! };
  const provider = PROVIDER_ARN.exec(arn);
  if (provider) return { kind: 'saml-provider', arn, partition: provider[1] as Partition, accountId: provider[2]!, name: provider[3]! };
  return undefined;
}

/** A role ARN the user typed (e.g. when the assertion is encrypted); undefined when it is not one. */
export function parseRoleArn(text: string): IamArn | undefined {
  const parsed = parseIamArn(text);
  return parsed?.kind === 'role' ? parsed : undefined;
}

/** Why a Role attribute value is unusable, in words an IdP admin can act on; undefined when it is fine. */
function pairProblem(parts: string[], arns: (IamArn | undefined)[]): string | undefined {
  if (parts.length !== 2) return 'it must be exactly two ARNs separated by a comma';
  const role = arns.find((arn) => arn?.kind === 'role');
  const provider = arns.find((arn) => arn?.kind === 'saml-provider');
  if (!role || !provider) return 'it must pair one IAM role ARN with one SAML provider ARN';
  if (role.partition !== provider.partition) return 'the role and the SAML provider are in different AWS partitions';
  if (role.accountId !== provider.accountId) return 'the role and the SAML provider are in different AWS accounts';
  return undefined;
}

/**
 * One value of the Role attribute: `role-arn,provider-arn` as AWS documents it, or the reverse order that
 * IdPs also send and AWS accepts; spaces around the comma are tolerated.
 */
export function parseRolePair(value: string): SamlRole {
  const parts = value.split(',').map((part) => part.trim());
  const arns = parts.map(parseIamArn);
  const problem = pairProblem(parts, arns);
  if (problem !== undefined) {
    throw new SamlError('SAML_BAD_ARN', `The AWS role value ${quoteForMessage(value)} is not usable: ${problem}.`);
  }
  const role = arns.find((arn) => arn?.kind === 'role')!;
  const provider = arns.find((arn) => arn?.kind === 'saml-provider')!;
  return { roleArn: role.arn, principalArn: provider.arn, accountId: role.accountId, roleName: role.name, partition: role.partition };
}
