import type { SessionStatus } from '../../channel/protocol.js';
import type { CliContext } from '../context.js';
import { sessionsFor } from './via-session.js';

function describeHost(status: SessionStatus): string {
  return status.host === 'tray' ? 'The tray app' : `The daemon on port ${status.imdsPort} (pid ${status.pid})`;
}

/**
 * `cloudtoken logout`: forget the IdP session of the profile. A session running for it holds credentials
 * already issued, and nothing here can take them back: the user is told which, and until when.
 */
export async function logout(context: CliContext): Promise<void> {
  const { io, options, profile } = context;
  await context.authenticator.signOut();
  io.stdout.write(`Signed out of ${profile.name}: the IdP session is forgotten.\n`);
  const found = await sessionsFor(options, io).catch(() => undefined);
  if (!found) return;
  try {
    for (const { status } of found.matching) {
      io.stdout.write(
        `${describeHost(status)} still runs for ${profile.name}: it keeps serving the credentials it holds until it stops or its own IdP session ends. Stop it to stop serving them.\n`,
      );
    }
  } finally {
    found.close();
  }
}
