import { spawn } from 'node:child_process';
import type { CliIo } from './context.js';

/** The desktop's "open this URL" command, or undefined on a machine without a desktop. */
export function openCommand(platform: NodeJS.Platform, env: CliIo['env']): string[] | undefined {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler'];
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return ['xdg-open'];
}

/** Opens an https URL in the user's browser; false when there is no desktop or the opener failed. */
export async function openInBrowser(url: string, io: Pick<CliIo, 'platform' | 'env'>): Promise<boolean> {
  if (!url.startsWith('https://')) return false;
  const command = openCommand(io.platform, io.env);
  if (!command) return false;
  const [program, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(program, [...args, url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
