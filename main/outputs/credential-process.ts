import { awsTimestamp } from '../support/clock.js';
import type { AwsCredentials } from '../sts/types.js';

/**
 * What a `credential_process` command prints on stdout (AWS SDKs' "Version 1" format). AWS tools read it
 * from `credential_process = cloudtoken credential-process …` in `~/.aws/config` and call the command again
 * shortly before `Expiration`.
 */
export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** `YYYY-MM-DDTHH:MM:SSZ` */
  Expiration: string;
}

export function credentialProcessOutput(credentials: AwsCredentials): CredentialProcessOutput {
  return {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: awsTimestamp(credentials.expiration),
  };
}

/** The exact stdout text: one JSON object and a newline. */
export function formatCredentialProcessOutput(credentials: AwsCredentials): string {
  return `${JSON.stringify(credentialProcessOutput(credentials))}\n`;
}
