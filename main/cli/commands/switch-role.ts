import type { SessionStatus } from '../../channel/protocol.js';
import { EXIT, UsageError, type CliOptions } from '../args.js';
import type { CliIo } from '../context.js';
import { describeExpiry, writeJson } from '../output.js';
import { sessionsFor } from './via-session.js';

function describeHost(status: SessionStatus): string {
  return status.host === 'tray' ? 'the tray app' : `the daemon on port ${status.imdsPort}`;
}

/**
 * `cloudtoken switch-role --role R`: the running session of the profile serves R at the metadata address from
 * now on. Asked over the session's channel; with no session running there is nothing to switch, and the
 * command says how to choose the role for later sign-ins instead.
 */
export async function switchRole(options: CliOptions, io: CliIo): Promise<number> {
  const found = await sessionsFor(options, io);
  try {
    const { matching } = found;
    const [session] = matching;
    if (!session) {
      const where = options.port !== undefined ? ` on port ${options.port}` : '';
      io.stderr.write(
        `cloudtoken: no session of this profile is running${where}, so there is nothing to switch. Start one with \`cloudtoken daemon --role ${options.role}\`, or choose the role for later sign-ins with \`cloudtoken login --role ${options.role}\`.\n`,
      );
      return EXIT.failure;
    }
    if (matching.length > 1 && options.port === undefined) {
      const ports = matching.map((s) => s.status.imdsPort).join(', ');
      throw new UsageError(`Several sessions of this profile are running (ports ${ports}); choose one with --port N.`);
    }
    const { status } = await session.request({ type: 'switch-role', role: options.role as string });
    const metadata = status.roles.find((role) => role.metadata);
    if (options.json) {
      writeJson(io.stdout, status);
      return EXIT.ok;
    }
    const expiry = metadata?.expiresAt ? `; credentials ${describeExpiry(metadata.expiresAt)}` : '';
    const where = status.service ? ` at ${status.service.imdsUrl}` : '';
    io.stdout.write(`Switched ${describeHost(status)} (profile ${status.profileName}) to ${metadata?.roleArn ?? options.role}${where}${expiry}.\n`);
    return EXIT.ok;
  } finally {
    found.close();
  }
}
