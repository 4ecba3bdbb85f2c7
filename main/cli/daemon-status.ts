import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../support/atomic-file.js';
import type { StatePaths } from '../settings/paths.js';
import { processExists } from '../support/process.js';

/**
 * What a running daemon tells `cloudtoken status` (and the tray app) through a file in the state folder.
 * Nothing secret: no keys, no tokens (the container token stays in the daemon's memory and its own output).
 */
export interface DaemonStatus {
  pid: number;
  profileId: string;
  profileName: string;
  startedAt: number;
  updatedAt: number;
  phase: string;
  mode: 'alias' | 'loopback';
  fallbackReason: string | undefined;
  imdsUrl: string;
  containerUrl: string;
  roles: Array<{ roleArn: string; assumedRoleArn: string | undefined; expiresAt: number | undefined; metadata: boolean }>;
  nextRefreshAt: number | undefined;
  error: string | undefined;
}

export function daemonStatusPath(paths: StatePaths): string {
  return join(paths.home, 'daemon.json');
}

export async function writeDaemonStatus(paths: StatePaths, status: DaemonStatus): Promise<void> {
  await writeFileAtomic(daemonStatusPath(paths), `${JSON.stringify(status, null, 2)}\n`);
}

export async function removeDaemonStatus(paths: StatePaths): Promise<void> {
  await rm(daemonStatusPath(paths), { force: true });
}


/** The running daemon's status, or undefined when none runs (a file left by a crashed daemon is ignored). */
export async function readDaemonStatus(paths: StatePaths): Promise<DaemonStatus | undefined> {
  let parsed: DaemonStatus;
  try {
    parsed = JSON.parse(await readFile(daemonStatusPath(paths), 'utf8')) as DaemonStatus;
  } catch {
    return undefined;
  }
  return typeof parsed.pid === 'number' && processExists(parsed.pid) ? parsed : undefined;
}
