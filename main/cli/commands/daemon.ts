import { offerSessionChannel } from '../../runtime/session-channel.js';
import type { RuntimeEvent } from '../../runtime/profile-runtime.js';
import { describeError } from '../../support/errors.js';
import { pickRole } from '../choose-role.js';
import { effectiveSettings, type CliContext } from '../context.js';
import { describeExpiry } from '../output.js';

function clockTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * `cloudtoken daemon` (`-d`): sign in, pick a role, serve it like an EC2 instance profile and keep it fresh
 * until Ctrl-C. Resolves with the exit code once stopped.
 */
export async function daemon(context: CliContext, stopSignal: Promise<string>): Promise<number> {
  const { session, io, settings, options, paths, logger, runtime } = context;
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say('Launching in daemon mode...');

  const signedIn = await session.signIn({ interactive: true });
  const role = await pickRole(context, signedIn);
  await session.chooseRole(role.roleArn);
  say(`Using role ${role.roleArn}`);

  const mode = settings.imdsMode;
  if (mode === 'alias') io.stdout.write('Configuring link-local address 169.254.169.254...');
  const service = await runtime.serve();
  if (mode === 'alias') say(service.mode === 'alias' ? 'done.' : `not possible: ${service.fallbackReason}`);
  say(`Metadata proxy now available on ${service.imdsUrl}`);
  if (service.fallbackAdvice) {
    say(service.fallbackAdvice);
  } else if (service.imdsEnvironment) {
    say('Point your AWS tools at it with:');
    for (const [name, value] of Object.entries(service.imdsEnvironment)) say(`    export ${name}=${value}`);
  }
  say('Container credentials (needs no admin rights; for tools and containers that prefer it):');
  for (const [name, value] of Object.entries(service.containerEnvironment)) say(`    export ${name}=${value}`);
  const first = session.metadataCredentials();
  if (first) say(`Credentials for ${first.assumedRoleArn} ${describeExpiry(first.credentials.expiration)}.`);

  // `cloudtoken credential-process`, `env`, `console`, `status` and `refresh` reach this session here.
  const channel = context.channel ?? (await offerSessionChannel({ runtime, home: paths.home, host: 'daemon', logger }));
  if (channel) say(`Your CLI commands (credential-process, env, console) are served by this session through ${channel.address}`);

  // What others save (a role chosen by `cloudtoken login --role …` or the tray app, labels, the credentials
  // file option) reaches the daemon through the shared settings file; this command's flags stay on top.
  const stopWatching = context.store.watch((saved) => {
    const profile = saved.idpProfiles.find((p) => p.id === context.profile.id) ?? context.profile;
    const next = effectiveSettings(saved, profile, options, io.env);
    const wanted = next.lastRoleArnByProfile[profile.id];
    if (wanted && wanted !== runtime.settings().lastRoleArnByProfile[profile.id] && wanted !== session.snapshot().metadataRoleArn) {
      say(`[${clockTime(Date.now())}] Switching to role ${wanted}`);
    }
    runtime.applySettings(next).catch((error: unknown) => say(`[${clockTime(Date.now())}] Could not follow the settings: ${describeError(error)}`));
  });

  // `kill -USR1 <pid>` asks for a refresh now, for whoever started the daemon (`cloudtoken refresh` uses the channel).
  const refreshRequested = () => {
    say(`[${clockTime(Date.now())}] Refresh requested.`);
    session.refreshNow().catch(() => undefined);
  };
  if (process.platform !== 'win32') process.on('SIGUSR1', refreshRequested);

  const off = runtime.on((event: RuntimeEvent) => {
    const now = clockTime(Date.now());
    switch (event.type) {
      case 'refreshed': {
        const held = session.metadataCredentials();
        if (held) say(`[${now}] Credentials refreshed; ${describeExpiry(held.credentials.expiration)}.`);
        break;
      }
      case 'refresh-failed':
        say(`[${now}] Refresh failed: ${event.error.message}${event.retryAt ? ` Retrying at ${clockTime(event.retryAt)}.` : ''}`);
        break;
      case 'needs-sign-in':
        say(`[${now}] Your identity provider wants you to sign in again: ${context.extension ? 'sign in in the tab your browser brought to the front' : 'run `cloudtoken login` in another terminal'}. The current credentials stay available until they expire.`);
        break;
      case 'expiring':
        say(`[${now}] Credentials for ${event.roleArn} expire at ${clockTime(event.expiresAt)} and cannot be renewed without you.`);
        break;
      case 'expired':
        say(`[${now}] Credentials for ${event.roleArn} expired and are no longer served.`);
        break;
      case 'service-started':
        say(`[${now}] Metadata proxy now available on ${event.service.imdsUrl}`);
        break;
      case 'service-failed':
        say(`[${now}] The metadata service did not restart: ${describeError(event.error)}`);
        break;
      case 'settings-need-restart':
        say(`[${now}] The settings of this profile changed; restart the daemon to use them.`);
        break;
      default:
        break;
    }
  });

  const signal = await stopSignal;
  say(`\nStopping (${signal})...`);
  off();
  stopWatching();
  process.off('SIGUSR1', refreshRequested);
  try {
    await channel?.close();
    await runtime.close();
  } catch (error) {
    say(`Stopping the metadata service failed: ${describeError(error)}`);
  }
  say('Stopped.');
  return 0;
}
