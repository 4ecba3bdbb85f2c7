import path from 'node:path';

/** The environment an AWS tool reads its file locations from (process.env, or a test's own). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** AWS tools expand a leading `~` in these variables themselves, so a user may well have written one. */
function expandHome(file: string, homedir: string): string {
  if (file === '~') return homedir;
  if (file.startsWith('~/') || file.startsWith('~\\')) return path.join(homedir, file.slice(2));
  return file;
}

function fromEnvironment(env: Environment, variable: string, homedir: string, fallback: string): string {
  const value = env[variable];
  // A relative path is relative to the working directory, as for the AWS CLI.
  return value ? path.resolve(expandHome(value, homedir)) : path.join(homedir, '.aws', fallback);
}

/** `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. */
export function sharedCredentialsFilePath(env: Environment, homedir: string): string {
  return fromEnvironment(env, 'AWS_SHARED_CREDENTIALS_FILE', homedir, 'credentials');
}

/** `AWS_CONFIG_FILE`, else `~/.aws/config`. */
export function sharedConfigFilePath(env: Environment, homedir: string): string {
  return fromEnvironment(env, 'AWS_CONFIG_FILE', homedir, 'config');
}
