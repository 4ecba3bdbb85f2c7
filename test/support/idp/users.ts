/** The people the test IdP knows and the AWS roles it grants them. */

export const AWS_ATTRIBUTE = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
} as const;

export interface IdpRole {
  roleArn: string;
  principalArn: string;
  /** The order of the pair in the attribute value: AWS documents role first, IdPs send both. */
  order: 'role-first' | 'provider-first';
}

export interface IdpUser {
  username: string;
  password: string;
  /** Becomes the persistent NameID. */
  uid: string;
  roles: IdpRole[];
  roleSessionName?: string;
  /** Seconds, sent as the SessionDuration attribute when set. */
  sessionDuration?: number;
  /** Any further attributes, by name (e.g. session tags). */
  extraAttributes?: Record<string, string[]>;
}

export function roleAttributeValue(role: IdpRole): string {
  return role.order === 'role-first' ? `${role.roleArn},${role.principalArn}` : `${role.principalArn},${role.roleArn}`;
}

/** Every attribute the IdP releases for the user, as SimpleSAMLphp's exampleauth expects them. */
export function userAttributes(user: IdpUser): Record<string, string[]> {
  const attributes: Record<string, string[]> = {
    uid: [user.uid],
    [AWS_ATTRIBUTE.role]: user.roles.map(roleAttributeValue),
    ...user.extraAttributes,
  };
  if (user.roleSessionName !== undefined) attributes[AWS_ATTRIBUTE.roleSessionName] = [user.roleSessionName];
  if (user.sessionDuration !== undefined) attributes[AWS_ATTRIBUTE.sessionDuration] = [String(user.sessionDuration)];
  return attributes;
}

const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';
const providerOf = (account: string) => `arn:aws:iam::${account}:saml-provider/CloudtokenTestIdP`;

/** alice: four roles in two accounts, both pair orders, one role with a path; an 8-hour SessionDuration. */
export const ALICE: IdpUser = {
  username: 'alice',
  password: 'alice-Pa55 word!',
  uid: 'alice',
  roleSessionName: 'alice@example.org',
  sessionDuration: 28800,
  roles: [
    { roleArn: `arn:aws:iam::${ACCOUNT_A}:role/Developer`, principalArn: providerOf(ACCOUNT_A), order: 'role-first' },
    { roleArn: `arn:aws:iam::${ACCOUNT_A}:role/team/Deploy`, principalArn: providerOf(ACCOUNT_A), order: 'provider-first' },
    { roleArn: `arn:aws:iam::${ACCOUNT_B}:role/ReadOnly`, principalArn: providerOf(ACCOUNT_B), order: 'provider-first' },
    { roleArn: `arn:aws:iam::${ACCOUNT_B}:role/Admin`, principalArn: providerOf(ACCOUNT_B), order: 'role-first' },
  ],
};

/** bob: a single role and no SessionDuration, so callers fall back to their own default. */
export const BOB: IdpUser = {
  username: 'bob',
  password: 'bob-secret',
  uid: 'bob',
  roleSessionName: 'bob',
  roles: [{ roleArn: `arn:aws:iam::${ACCOUNT_A}:role/Viewer`, principalArn: providerOf(ACCOUNT_A), order: 'role-first' }],
};

export const DEFAULT_USERS: readonly IdpUser[] = [ALICE, BOB];
