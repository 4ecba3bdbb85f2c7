import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../support/atomic-file.js';
import { CloudtokenError } from '../support/errors.js';
import { registryRemoval, type BrowserName, type HostPlan } from './host-manifests.js';

/**
 * Carrying out a host plan (host-manifests.ts): the launcher (0700, it runs as the user) and the manifests,
 * written atomically, and on Windows the HKCU keys through `reg`. Used by `cloudtoken extension install` and
 * the tray app's offer to install.
 */
export type RunCommand = (argv: readonly string[]) => Promise<void>;

export class HostInstallError extends CloudtokenError {}

export const runWithoutShell: RunCommand = (argv) =>
  new Promise((resolve, reject) => {
    execFile(argv[0] as string, argv.slice(1), { windowsHide: true }, (error, _stdout, stderr) => {
      if (error) reject(new HostInstallError('HOST_REGISTRY_FAILED', `${argv.slice(0, 3).join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });

export async function installHost(plan: HostPlan, run: RunCommand = runWithoutShell): Promise<void> {
  await writeFileAtomic(plan.launcher.path, plan.launcher.content, { mode: 0o700 });
  for (const manifest of plan.manifests) await writeFileAtomic(manifest.manifestPath, manifest.content, { mode: 0o644 });
  for (const command of plan.registry) await run(command);
}

export async function uninstallHost(plan: HostPlan, run: RunCommand = runWithoutShell): Promise<void> {
  for (const command of registryRemoval(plan)) await run(command).catch(() => undefined);
  for (const manifest of plan.manifests) await rm(manifest.manifestPath, { force: true });
  await rm(plan.launcher.path, { force: true });
}

/** The browsers whose manifest is in place and names this launcher (the registry is not read). */
export async function installedFor(plan: HostPlan): Promise<BrowserName[]> {
  const found: BrowserName[] = [];
  for (const manifest of plan.manifests) {
    const text = await readFile(manifest.manifestPath, 'utf8').catch(() => '');
    if (text === manifest.content) found.push(manifest.browser);
  }
  return found;
}
