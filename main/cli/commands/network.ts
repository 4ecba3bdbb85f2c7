import { createAliasSetup } from '../../network/setup.js';
import { resolveStatePaths } from '../../settings/paths.js';
import { loadSettingsFile } from '../../settings/settings-file.js';
import type { CliOptions } from '../args.js';
import type { CliIo } from '../context.js';
import { writeJson } from '../output.js';
/** `cloudtoken network status|setup|revert`: the one-time admin step, for admins and scripts. */
export async function network(options: CliOptions, io: CliIo): Promise<boolean> {
  const paths = resolveStatePaths({ env: io.env, platform: io.platform, homedir: io.homedir });
  const settings = await loadSettingsFile(paths.settingsFile);
  const { manager } = createAliasSetup({ port: options.port ?? settings.imdsPort, platform: io.platform });
  const action = options.networkAction ?? 'status';
  const result = action === 'setup' ? await manager.ensure() : action === 'revert' ? await manager.revert() : { changed: false, status: await manager.status() };
  if (options.json) {
    writeJson(io.stdout, { action, ...result });
  } else {
    const { status: state } = result;
    io.stdout.write(`169.254.169.254: ${state.state} (address ${state.address ? 'on loopback' : 'missing'}, port 80 ${state.redirect === 'present' ? 'redirected' : 'not redirected'})${result.changed ? ' — changed' : ''}\n`);
    for (const conflict of state.conflicts) io.stdout.write(`  held elsewhere: ${conflict}\n`);
  }
  return action === 'status' || result.status.state === (action === 'setup' ? 'present' : 'absent');
}
