import type { CredentialsFile } from '../outputs/credentials-file.js';
import type { RoleCredentials } from '../sts/types.js';
import { describeError } from '../support/errors.js';
import { silentLogger, type Logger } from '../support/logger.js';
import type { CredentialSession } from './session.js';
import { oneAtATime } from '../support/one-at-a-time.js';

/** `[<account label or id>-<role name>]`, reduced to what every AWS tool accepts in a profile name. */
export function profileNameFor(held: Pick<RoleCredentials, 'role'>, accountLabels: Readonly<Record<string, string>>): string {
  const account = accountLabels[held.role.accountId] ?? held.role.accountId;
  return `${account}-${held.role.roleName}`
    .replace(/[^A-Za-z0-9_.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

export interface CredentialsFileSyncOptions {
  session: Pick<CredentialSession, 'on' | 'servedCredentials'>;
  file: CredentialsFile;
  accountLabels: () => Readonly<Record<string, string>>;
  region?: () => string | undefined;
  logger?: Logger;
}

/**
 * For tools that only read ~/.aws/credentials: keeps one named profile per served role (the metadata role and
 * every kept-active one) in step with the session — written after each refresh, removed when credentials are
 * withdrawn or the user signs out. Only profiles Cloudtoken created are ever touched.
 */
export function syncCredentialsFile(options: CredentialsFileSyncOptions): () => void {
  const logger = options.logger ?? silentLogger;
  let written = new Set<string>();
  // One update of the file at a time, in the order the session changed.
  const serially = oneAtATime();

  const sync = () => {
    void serially(async () => {
      const labels = options.accountLabels();
      const region = options.region?.();
      const profiles = options.session.servedCredentials().map((held) => ({
        name: profileNameFor(held, labels),
        credentials: held.credentials,
        ...(region ? { region } : {}),
      }));
      const keep = new Set(profiles.map((p) => p.name));
      const stale = [...written].filter((name) => !keep.has(name));
      try {
        if (profiles.length > 0) await options.file.writeProfiles(profiles);
        if (stale.length > 0) await options.file.removeProfiles(stale);
        written = keep;
      } catch (error) {
        logger.warn('Could not update the AWS credentials file', { reason: describeError(error) });
      }
    });
  };

  // Write only when what is served changed (new keys, a role added or withdrawn), not on every state change.
  let lastServed = '';
  const off = options.session.on(() => {
    const served = options.session
      .servedCredentials()
      .map((held) => `${held.role.roleArn}=${held.credentials.accessKeyId}`)
      .join(',');
    if (served === lastServed) return;
    lastServed = served;
    sync();
  });
  return off;
}
