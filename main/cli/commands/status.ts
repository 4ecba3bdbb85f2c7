import { runningSessions, type SessionConnection } from '../../channel/client.js';
import type { SessionStatus } from '../../channel/protocol.js';
import { detectShadowing, loadShadowingInputs } from '../../diagnosis/shadowing.js';
import { resolveStatePaths, type StatePaths } from '../../settings/paths.js';
import { loadSettingsFile } from '../../settings/settings-file.js';
import type { CliOptions } from '../args.js';
import type { CliIo } from '../context.js';
import { describeExpiry, writeJson } from '../output.js';

/** Every session running on the state folder: alive means its channel answered the handshake just now. */
async function openSessions(options: CliOptions, io: CliIo): Promise<{ paths: StatePaths; sessions: SessionConnection[] }> {
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  const onProblem = (message: string) => {
    if (options.verbose) io.stderr.write(`cloudtoken: ${message}\n`);
  };
  return { paths, sessions: await runningSessions(paths.home, { platform: io.platform, onProblem }) };
}

function describeExtension(extension: SessionStatus['extension']): string | undefined {
  if (!extension) return undefined;
  return extension.connected > 0 ? `connected (${extension.browsers.join(', ')})` : 'not connected (open the browser that has the Cloudtoken extension)';
}

function describeSession(status: SessionStatus, say: (line: string) => void): void {
  const extension = describeExtension(status.extension);
  if (status.host === 'cli') {
    say(`Sign-in waiting (pid ${status.pid}), profile ${status.profileName}; browser extension ${extension ?? 'not used'}`);
    return;
  }
  const who = status.host === 'tray' ? 'Tray app' : 'Daemon';
  say(`${who}: running (pid ${status.pid}), ${status.phase}, profile ${status.profileName}`);
  if (extension) say(`  Browser extension: ${extension}`);
  if (status.service) {
    const { service } = status;
    say(`  Metadata service: ${service.imdsUrl} (${service.mode} mode)${service.fallbackReason ? ` — ${service.fallbackReason}` : ''}`);
    say(`  Container endpoint: ${service.containerUrl}`);
  } else {
    say('  Metadata service: not serving yet');
  }
  for (const role of status.roles) {
    const expiry = role.expiresAt ? describeExpiry(role.expiresAt) : 'no valid credentials';
    say(`  ${role.metadata ? 'Metadata role' : 'Also active'}: ${role.roleArn} — ${expiry}`);
  }
  for (const plugin of status.plugins) {
    const state = plugin.state === 'disabled' ? ` — disabled: ${plugin.problem ?? ''}` : plugin.problem ? ` — last problem: ${plugin.problem}` : '';
    say(`  Plugin ${plugin.name} (${plugin.kind.replaceAll('-', ' ')}, ${plugin.form}): ${plugin.path}${state}`);
  }
  if (status.nextRefreshAt) say(`  Next refresh: ${new Date(status.nextRefreshAt).toLocaleTimeString()}`);
  if (status.error) say(`  Last problem: ${status.error}`);
}

/** `cloudtoken status`: every running session (asked over its channel), the settings, and what shadows the service. */
export async function status(options: CliOptions, io: CliIo): Promise<void> {
  const { paths, sessions } = await openSessions(options, io);
  const running = sessions.map((s) => s.status);
  sessions.forEach((s) => s.close());
  const { home } = paths;
  const settings = await loadSettingsFile(paths.settingsFile);
  // Judged against where a session serves, or where one would serve with the current settings.
  const endpoint =
    running.find((s) => s.service)?.service?.imdsUrl ?? (settings.imdsMode === 'alias' ? 'http://169.254.169.254/' : `http://127.0.0.1:${settings.imdsPort}/`);
  const warnings = detectShadowing(await loadShadowingInputs(io.env, io.homedir), { serving: { kind: 'metadata', endpoint } });
  if (options.json) {
    writeJson(io.stdout, { home, profiles: settings.idpProfiles, sessions: running, warnings });
    return;
  }
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say(`State folder: ${home}`);
  if (settings.idpProfiles.length === 0) say('No IdP profile yet: run `cloudtoken login --idp-url URL`.');
  for (const profile of settings.idpProfiles) {
    say(`IdP profile ${profile.name}${profile.id === settings.activeProfileId ? ' (active)' : ''}: ${profile.signInUrl}`);
  }
  if (!running.some((s) => s.host !== 'cli')) say('Daemon: not running (start it with `cloudtoken daemon`, or the tray app).');
  for (const session of running) describeSession(session, say);
  if (warnings.length === 0) {
    say('Nothing shadows the metadata service.');
  } else {
    say('Warnings:');
    for (const warning of warnings) say(`  - ${warning.message} ${warning.fix}`);
  }
}

/**
 * `cloudtoken refresh`: every running session refreshes now (only those of --profile, and of --port, when
 * given), and says how it went. Asked over the channel: no process is signalled.
 */
export async function requestRefresh(options: CliOptions, io: CliIo): Promise<boolean> {
  const { sessions } = await openSessions(options, io);
  try {
    const wanted = sessions.filter(
      (s) =>
        s.status.host !== 'cli' &&
        (options.profile === undefined || s.status.profileId === options.profile || s.status.profileName.toLowerCase() === options.profile.toLowerCase()) &&
        (options.port === undefined || s.status.imdsPort === options.port),
    );
    if (wanted.length === 0) {
      io.stderr.write(`cloudtoken: no session is running${sessions.length > 0 ? ' for that profile or port' : ''} (start one with \`cloudtoken daemon\`).\n`);
      return false;
    }
    let allFresh = true;
    for (const session of wanted) {
      const { status: after } = await session.request({ type: 'refresh' });
      const metadata = after.roles.find((r) => r.metadata);
      const where = `${after.host === 'tray' ? 'the tray app' : 'the daemon'} (profile ${after.profileName}, port ${after.imdsPort})`;
      if (after.error) {
        allFresh = false;
        io.stderr.write(`cloudtoken: refreshing ${where} failed: ${after.error}\n`);
      } else {
        io.stdout.write(`Refreshed ${where}${metadata?.expiresAt ? `; credentials ${describeExpiry(metadata.expiresAt)}` : ''}.\n`);
      }
    }
    return allFresh;
  } finally {
    sessions.forEach((s) => s.close());
  }
}
