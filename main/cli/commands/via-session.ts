import { ChannelRequestError, runningSessions, type SessionConnection } from '../../channel/client.js';
import type { ChannelCredentials } from '../../channel/protocol.js';
import { InteractionRequiredError } from '../../login/capture.js';
import { resolveStatePaths } from '../../settings/paths.js';
import { loadSettingsFile } from '../../settings/settings-file.js';
import { EXIT, type CliOptions } from '../args.js';
import type { CliIo } from '../context.js';
import { selectProfile } from '../profile-selection.js';
import { checkCredentialCommand, writeCredentials, type CredentialCommand } from './credential-outputs.js';

/**
 * `env`, `credential-process` and `console` served by a running session of the profile (`cloudtoken daemon`
 * or the tray app) over its channel: no sign-in, no STS call once the role is active there. Loads no SDK, no
 * express, no browser: this runs before every AWS CLI call that uses credential_process.
 */

/** Answers after which the command signs in on its own instead: the session has nothing to give yet. */
const SIGN_IN_YOURSELF = new Set(['SESSION_SIGNED_OUT', 'NO_ROLE_CHOSEN', 'UNSUPPORTED_VERSION']);

/** The sessions a command may use: of its profile, and on its --port when one is given. */
export async function sessionsFor(options: CliOptions, io: CliIo): Promise<{ matching: SessionConnection[]; close(): void }> {
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  const settings = await loadSettingsFile(paths.settingsFile);
  const { profile } = selectProfile(settings, options);
  const onProblem = (message: string) => {
    if (options.verbose) io.stderr.write(`cloudtoken: ${message}\n`);
  };
  const all = await runningSessions(paths.home, { platform: io.platform, onProblem });
  // A one-off command waiting for the browser extension serves nobody.
  const matching = all.filter((s) => s.status.host !== 'cli' && s.status.profileId === profile.id && (options.port === undefined || s.status.imdsPort === options.port));
  return { matching, close: () => all.forEach((s) => s.close()) };
}

/** A session already keeping the role fresh is asked first; otherwise the oldest assumes it, and keeps it. */
async function credentialsFrom(sessions: SessionConnection[], role: string | undefined): Promise<ChannelCredentials> {
  if (sessions.length > 1) {
    for (const session of sessions) {
      try {
        return await session.request({ type: 'credentials', ...(role !== undefined ? { role } : {}), assume: false });
      } catch (error) {
        if (!(error instanceof ChannelRequestError && error.code === 'ROLE_NOT_ACTIVE')) throw error;
      }
    }
  }
  return sessions[0]!.request({ type: 'credentials', ...(role !== undefined ? { role } : {}) });
}

/**
 * A session holds credentials from its own STS endpoint, for its own session duration: a command asking for
 * others gets its own instead of being handed the session's as if they were what it asked for.
 */
function asksForOwnIssue(options: CliOptions): string | undefined {
  if (options.stsEndpoint !== undefined) return '--sts-endpoint';
  if (options.duration !== undefined) return '--duration';
  return undefined;
}

/** The command's exit code, or undefined when no running session can serve it (the caller then signs in). */
export async function credentialCommandViaSession(command: CredentialCommand, options: CliOptions, io: CliIo): Promise<number | undefined> {
  checkCredentialCommand(options);
  const own = asksForOwnIssue(options);
  if (own !== undefined) {
    if (options.verbose) io.stderr.write(`cloudtoken: not asking a running session: ${own} asks for credentials of this command's own.\n`);
    return undefined;
  }
  let found: Awaited<ReturnType<typeof sessionsFor>>;
  try {
    found = await sessionsFor(options, io);
  } catch (error) {
    // No settings or no profile yet: the command's own path says so, as it does without a session.
    if (options.verbose) io.stderr.write(`cloudtoken: not asking a running session: ${(error as Error).message}\n`);
    return undefined;
  }
  try {
    if (found.matching.length === 0) return undefined;
    let held: ChannelCredentials;
    try {
      held = await credentialsFrom(found.matching, options.role);
    } catch (error) {
      if (error instanceof ChannelRequestError && SIGN_IN_YOURSELF.has(error.code)) return undefined;
      if (error instanceof ChannelRequestError && error.code === 'NEEDS_SIGN_IN') throw new InteractionRequiredError(error.message);
      throw error;
    }
    await writeCredentials(command, held, options.region ?? held.region, options, io);
    return EXIT.ok;
  } finally {
    found.close();
  }
}
