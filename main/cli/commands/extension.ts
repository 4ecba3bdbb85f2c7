import { realpathSync } from 'node:fs';
import { installHost, uninstallHost } from '../../extension/host-install.js';
import { BROWSER_LABELS, hostPlan, type HostPlan } from '../../extension/host-manifests.js';
import { STORE_PAGES } from '../../extension/identity.js';
import { resolveStatePaths } from '../../settings/paths.js';
import type { CliOptions } from '../args.js';
import type { CliIo } from '../context.js';

/** The host plan for this CLI: the launcher runs this very node and this very `cloudtoken`, on this state folder. */
export function cliHostPlan(io: CliIo): HostPlan {
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  const script = realpathSync(process.argv[1] ?? '');
  return hostPlan({ platform: io.platform, homedir: io.homedir, env: io.env, stateHome: paths.home, command: [process.execPath, script], environment: { CLOUDTOKEN_HOME: paths.home } });
}

/** `cloudtoken extension install|uninstall`. */
export async function extensionCommand(options: CliOptions, io: CliIo): Promise<boolean> {
  const plan = cliHostPlan(io);
  const say = (line: string) => io.stdout.write(`${line}\n`);
  if (options.extensionAction === 'uninstall') {
    await uninstallHost(plan);
    say('Removed the browser extension’s connection to Cloudtoken from every browser.');
    return true;
  }
  await installHost(plan);
  say('The Cloudtoken extension can now reach Cloudtoken from:');
  for (const manifest of plan.manifests) say(`  ${BROWSER_LABELS[manifest.browser]}: ${manifest.registryKey ?? manifest.manifestPath}`);
  say(`Add the extension: ${STORE_PAGES.chrome} (Chrome, Edge, Brave) or ${STORE_PAGES.firefox} (Firefox).`);
  say('Then sign in with `cloudtoken login --extension`.');
  return true;
}
