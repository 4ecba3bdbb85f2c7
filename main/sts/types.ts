import type { SamlRole } from '../saml/types.js';

/** A set of temporary AWS credentials. `expiration` is epoch ms. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
}

/** Credentials obtained for one role, with what STS said about the session. */
export interface RoleCredentials {
  role: SamlRole;
  credentials: AwsCredentials;
  /** arn:<partition>:sts::<account>:assumed-role/<role>/<session> */
  assumedRoleArn: string;
  /** Epoch ms when these were obtained. */
  obtainedAt: number;
}
