import { promises as fs } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../support/logger.js';
import type { Logger } from '../support/logger.js';
import { sharedCredentialsFilePath } from './aws-paths.js';
import type { Environment } from './aws-paths.js';
import { CredentialsFileError, editCredentialsText, managedProfileNames } from './credentials-file-edit.js';
import type { CredentialsEdit, ManagedProfile } from './credentials-file-edit.js';
import { withFileLock } from '../support/file-lock.js';
import type { FileLockOptions } from '../support/file-lock.js';
import { IniSyntaxError, parseIni } from './ini.js';
import { writeFileAtomic } from '../support/atomic-file.js';

/** Marks our temporaries in ~/.aws, a folder other programs write to as well. */
const CREDENTIALS_TEMPORARY_TAG = 'cloudtoken-';

export { CredentialsFileError, MANAGED_KEY } from './credentials-file-edit.js';
export type { CredentialsFileErrorCode, ManagedProfile } from './credentials-file-edit.js';

/**
 * Cloudtoken's profiles in the AWS shared credentials file (`AWS_SHARED_CREDENTIALS_FILE` or
 * `~/.aws/credentials`). Every change happens under a lock file, re-reads the current file, and replaces it
 * atomically (temporary file in the same directory, fsync, rename) with mode 0600, so neither a crash nor a
 * second writer can leave a half-written or clobbered file. A symlinked credentials file is written through
 * to its target; the link stays.
 */
export interface CredentialsFile {
  /** The path as configured (it may be a symlink). */
  readonly path: string;
  /** Create or replace Cloudtoken's profiles; refuses (`CREDENTIALS_PROFILE_NOT_OWNED`) any other profile. */
  writeProfiles(profiles: readonly ManagedProfile[]): Promise<void>;
  /** Remove Cloudtoken's profiles by name, or all of them when no names are given; others stay. */
  removeProfiles(names?: readonly string[]): Promise<{ removed: string[]; notOwned: string[] }>;
  /** The names of the profiles Cloudtoken owns in the file now. */
  managedProfiles(): Promise<string[]>;
}

export interface CredentialsFileOptions {
  env: Environment;
  homedir: string;
  lock?: FileLockOptions;
  logger?: Logger;
}

const MAX_SYMLINK_HOPS = 32;

/** Follow symlinks to the file that holds the content, even when that file does not exist yet. */
async function resolveTarget(file: string): Promise<string> {
  let current = file;
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop += 1) {
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw error;
    }
    if (!stat.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await fs.readlink(current));
  }
  throw new CredentialsFileError('CREDENTIALS_FILE_UNREADABLE', `${file} is a chain of more than ${MAX_SYMLINK_HOPS} symbolic links.`, { path: file });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function readText(file: string): Promise<{ text: string; uid?: number; gid?: number }> {
  let bytes: Buffer;
  let stat;
  try {
    stat = await fs.stat(file);
    bytes = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '' };
    throw new CredentialsFileError('CREDENTIALS_FILE_UNREADABLE', `Cloudtoken cannot read your AWS credentials file ${file}: ${(error as Error).message}`, {
      path: file,
      cause: error,
    });
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), uid: stat.uid, gid: stat.gid };
  } catch (error) {
    throw corrupt(file, 'it is not UTF-8 text', error);
  }
}

function corrupt(file: string, why: string, cause: unknown): CredentialsFileError {
  return new CredentialsFileError(
    'CREDENTIALS_FILE_CORRUPT',
    `Your AWS credentials file ${file} could not be read (${why}), so Cloudtoken left it untouched. ` +
      'The AWS CLI cannot read it either; fix or move that file and try again.',
    { path: file, cause },
  );
}

async function replaceAtomically(target: string, text: string, owner: { uid?: number; gid?: number }): Promise<void> {
  try {
    await writeFileAtomic(target, text, { temporaryTag: CREDENTIALS_TEMPORARY_TAG, owner });
  } catch (error) {
    throw new CredentialsFileError('CREDENTIALS_FILE_WRITE_FAILED', `Cloudtoken could not write ${target}: ${(error as Error).message}`, {
      path: target,
      cause: error,
    });
  }
}

function parseOrThrow<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof IniSyntaxError) throw corrupt(file, error.message, error);
    throw error;
  }
}

export function createCredentialsFile(options: CredentialsFileOptions): CredentialsFile {
  const configured = sharedCredentialsFilePath(options.env, options.homedir);
  const logger = options.logger ?? silentLogger;

  async function change(edit: (text: string) => CredentialsEdit) {
    const target = await resolveTarget(configured);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    return withFileLock(
      `${target}.cloudtoken.lock`,
      async () => {
        const current = await readText(target);
        const result = parseOrThrow(target, () => editCredentialsText(current.text, edit(current.text)));
        if (result.text !== current.text) await replaceAtomically(target, result.text, current);
        logger.info('credentials file updated', { path: target, written: result.written, removed: result.removed });
        return result;
      },
      options.lock,
    );
  }

  return {
    path: configured,
    async writeProfiles(profiles) {
      await change(() => ({ write: profiles }));
    },
    async removeProfiles(names) {
      // Nothing to remove from a file that is not there; signing out must not create ~/.aws.
      if (!(await exists(await resolveTarget(configured)))) return { removed: [], notOwned: [] };
      const result = await change((text) => ({ remove: names ?? managedProfileNames(parseIni(text)) }));
      return { removed: result.removed, notOwned: result.notOwned };
    },
    async managedProfiles() {
      const target = await resolveTarget(configured);
      const { text } = await readText(target);
      return parseOrThrow(target, () => managedProfileNames(parseIni(text)));
    },
  };
}
