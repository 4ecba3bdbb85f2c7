import { fork, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Races real processes for a lock that a dead process left behind, round after round: every contender is
 * a long-lived Node process (startup once, not per round) told over IPC to take the lock at the same moment.
 * Each contender waits at most `timeoutMs`, so a round ends as soon as the break-in race is decided.
 */
export interface LockRace {
  /** A module exporting `withFileLock(lockPath, action, { timeoutMs })`. */
  modulePath: string;
  contenders: number;
  rounds: number;
  timeoutMs?: number;
}

export interface LockRaceResult {
  /** Critical sections run, summed over rounds and contenders. */
  entries: number;
  /** Critical sections that found another one in progress. */
  overlaps: number;
  roundsNobodyEntered: number;
  /** Files left in the lock folder after a round, e.g. a lock file nobody holds or a `.stale-*` file. */
  leftovers: string[];
}

const WORKER = fileURLToPath(new URL('lock-race-worker.ts', import.meta.url));

interface Outcome {
  entered?: boolean;
  overlapped?: boolean;
  error?: string;
}

function nextMessage(child: ChildProcess): Promise<Outcome | 'ready'> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`lock race contender exited (${code}) mid-round`));
    child.once('exit', onExit);
    child.once('message', (message: Outcome | 'ready') => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
}

export async function raceOnDeadPidLock(race: LockRace): Promise<LockRaceResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-lock-race-'));
  const lockPath = path.join(dir, 'state.lock');
  const marker = path.join(os.tmpdir(), `${path.basename(dir)}-inside`);
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
  const workers = Array.from({ length: race.contenders }, () =>
    fork(WORKER, [race.modulePath], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const result: LockRaceResult = { entries: 0, overlaps: 0, roundsNobodyEntered: 0, leftovers: [] };
  try {
    await Promise.all(workers.map(nextMessage));
    for (let round = 0; round < race.rounds; round += 1) {
      await fs.writeFile(lockPath, `${deadPid}\n${os.hostname()}\n`);
      const replies = workers.map(nextMessage);
      for (const worker of workers) worker.send({ lockPath, marker, timeoutMs: race.timeoutMs ?? 0 });
      const outcomes = (await Promise.all(replies)) as Outcome[];
      const failed = outcomes.find((outcome) => outcome.error);
      if (failed) throw new Error(`a contender failed: ${failed.error}`);
      const entered = outcomes.filter((outcome) => outcome.entered).length;
      result.entries += entered;
      result.overlaps += outcomes.filter((outcome) => outcome.overlapped).length;
      if (entered === 0) result.roundsNobodyEntered += 1;
      const left = await fs.readdir(dir);
      result.leftovers.push(...left);
      await Promise.all(left.map((name) => fs.rm(path.join(dir, name), { force: true })));
      await fs.rm(marker, { force: true });
    }
  } finally {
    await Promise.all(
      workers.map(async (worker) => {
        if (worker.exitCode !== null) return;
        const exited = once(worker, 'exit');
        worker.kill();
        await exited;
      }),
    );
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(marker, { force: true });
  }
  return result;
}
