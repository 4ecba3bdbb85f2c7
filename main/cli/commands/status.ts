import { detectShadowing, loadShadowingInputs } from '../../diagnosis/shadowing.js';
import type { CliIo } from '../context.js';
import type { CliOptions } from '../args.js';
import { readDaemonStatus } from '../daemon-status.js';
import { describeExpiry, writeJson } from '../output.js';
import { resolveStatePaths } from '../../settings/paths.js';
import { loadSettingsFile } from '../../settings/settings-file.js';

/** `cloudtoken status`: the daemon's state (from its status file), settings, and what shadows the service. */
export async function status(options: CliOptions, io: CliIo): Promise<void> {
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  const settings = await loadSettingsFile(paths.settingsFile);
  const daemon = await readDaemonStatus(paths);
  // Judged against where the daemon serves, or where it would serve with the current settings.
  const endpoint =
    daemon?.imdsUrl ?? (settings.imdsMode === 'alias' ? 'http://169.254.169.254/' : `http://127.0.0.1:${settings.imdsPort}/`);
  const warnings = detectShadowing(await loadShadowingInputs(io.env, io.homedir), { serving: { kind: 'metadata', endpoint } });
  if (options.json) {
    writeJson(io.stdout, { home: paths.home, profiles: settings.idpProfiles, daemon: daemon ?? null, warnings });
    return;
  }
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say(`State folder: ${paths.home}`);
  if (settings.idpProfiles.length === 0) say('No IdP profile yet: run `cloudtoken login --idp-url URL`.');
  for (const profile of settings.idpProfiles) {
    say(`IdP profile ${profile.name}${profile.id === settings.activeProfileId ? ' (active)' : ''}: ${profile.signInUrl}`);
  }
  if (!daemon) {
    say('Daemon: not running (start it with `cloudtoken daemon`).');
  } else {
    say(`Daemon: running (pid ${daemon.pid}), ${daemon.phase}, profile ${daemon.profileName}`);
    say(`Metadata service: ${daemon.imdsUrl} (${daemon.mode} mode)${daemon.fallbackReason ? ` — ${daemon.fallbackReason}` : ''}`);
    say(`Container endpoint: ${daemon.containerUrl}`);
    for (const role of daemon.roles) {
      const expiry = role.expiresAt ? describeExpiry(role.expiresAt) : 'no valid credentials';
      say(`${role.metadata ? 'Metadata role' : 'Also active'}: ${role.roleArn} — ${expiry}`);
    }
    if (daemon.nextRefreshAt) say(`Next refresh: ${new Date(daemon.nextRefreshAt).toLocaleTimeString()}`);
    if (daemon.error) say(`Last problem: ${daemon.error}`);
  }
  if (warnings.length === 0) {
    say('Nothing shadows the metadata service.');
  } else {
    say('Warnings:');
    for (const warning of warnings) say(`  - ${warning.message} ${warning.fix}`);
  }
}

/** `cloudtoken refresh`: signal the running daemon (SIGUSR1) to refresh now. */
export async function requestRefresh(io: CliIo): Promise<boolean> {
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  const daemon = await readDaemonStatus(paths);
  if (!daemon || io.platform === 'win32') {
    io.stderr.write(daemon ? 'cloudtoken: refresh requests need a POSIX system.\n' : 'cloudtoken: no daemon is running (start one with `cloudtoken daemon`).\n');
    return false;
  }
  process.kill(daemon.pid, 'SIGUSR1');
  io.stdout.write(`Asked the daemon (pid ${daemon.pid}) to refresh.\n`);
  return true;
}

