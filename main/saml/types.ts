/** AWS partitions a SAML sign-in can belong to. */
export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

/** One role the IdP offers: a pair from the `https://aws.amazon.com/SAML/Attributes/Role` attribute. */
export interface SamlRole {
  /** arn:<partition>:iam::<account>:role/<path/><name> */
  roleArn: string;
  /** arn:<partition>:iam::<account>:saml-provider/<name> */
  principalArn: string;
  accountId: string;
  /** The role's name without its path. */
  roleName: string;
  partition: Partition;
}

/** What Cloudtoken knows of a SAMLResponse after parsing it (never verified: only STS can verify it). */
export interface ParsedAssertion {
  /** The base64 text exactly as the IdP sent it (whitespace removed), to hand to STS. */
  samlResponse: string;
  roles: SamlRole[];
  /** Role attribute values that are not a usable role/provider pair (skipped; shown so an IdP admin can fix them). */
  invalidRoleValues?: string[];
  roleSessionName: string | undefined;
  /** Seconds, from `https://aws.amazon.com/SAML/Attributes/SessionDuration`, when present and valid. */
  sessionDuration: number | undefined;
  issuer: string | undefined;
  destination: string | undefined;
  recipient: string | undefined;
  audiences: string[];
  /** Epoch ms; the latest NotBefore / earliest NotOnOrAfter of conditions and subject confirmation. */
  notBefore: number | undefined;
  notOnOrAfter: number | undefined;
  nameId: string | undefined;
}
