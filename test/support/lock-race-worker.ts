/**
 * One contender in the lock race (test/support/lock-race.ts): `node --import tsx lock-race-worker.ts <module>`,
 * where <module> exports `withFileLock`. For each round it is sent over IPC it takes the lock once and proves
 * the critical section was its own by creating the round's marker file with O_EXCL: finding it already there
 * means another process is inside at the same moment.
 */
import { promises as fs } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface Round {
  lockPath: string;
  marker: string;
  timeoutMs: number;
}

type WithFileLock = (lockPath: string, action: () => Promise<void>, options: { timeoutMs: number }) => Promise<void>;

const { withFileLock } = (await import(pathToFileURL(process.argv[2] ?? '').href)) as { withFileLock: WithFileLock };

async function contend(round: Round): Promise<{ entered: boolean; overlapped: boolean }> {
  let overlapped = false;
  const entered = await withFileLock(
    round.lockPath,
    async () => {
      const marker = await fs.open(round.marker, 'wx').catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        overlapped = true;
      });
      // Stay inside long enough for a contender that wrongly got in too to arrive.
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (marker) {
        await marker.close();
        await fs.rm(round.marker);
      }
    },
    { timeoutMs: round.timeoutMs },
  ).then(
    () => true,
    (error: { code?: string }) => {
      if (error.code !== 'FILE_LOCKED') throw error;
      return false;
    },
  );
  return { entered, overlapped };
}

process.on('message', (round: Round) => {
  contend(round).then(
    (outcome) => process.send?.(outcome),
    (error: unknown) => process.send?.({ error: String(error) }),
  );
});
process.send?.('ready');
