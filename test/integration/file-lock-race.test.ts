import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { raceOnDeadPidLock } from '../support/lock-race.js';

/**
 * Eight real processes break into a lock left by a dead process at the same moment, a thousand times over.
 * Before issue 16 two contenders that both judged the lock stale could both get in: the second renamed away
 * the lock the first had just taken, and a release deleted whatever lock was there. 8 × 200 such rounds
 * measured 358 overlapping critical sections when losers gave up at once, and 50 rounds in which all eight waited
 * their turn 82 of 400; the last test below replays that implementation.
 */
const CONTENDERS = 8;
const LOCK_MODULE = path.resolve('main/support/file-lock.ts');
const BEFORE_ISSUE_16 = '6ed89cb';

let scratch: string | undefined;

afterAll(async () => {
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

/** The lock as it was before issue 16, from git history, importing today's support modules. */
async function lockBeforeIssue16(): Promise<string | undefined> {
  const shown = spawnSync('git', ['show', `${BEFORE_ISSUE_16}:main/outputs/file-lock.ts`], { encoding: 'utf8' });
  if (shown.status !== 0) return undefined;
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'ct-old-lock-'));
  const file = path.join(scratch, 'file-lock.mts');
  await fs.writeFile(file, shown.stdout.replaceAll("'../support/", `'${pathToFileURL(path.resolve('main/support')).href}/`));
  return file;
}

const oldLock = await lockBeforeIssue16();

describe('withFileLock raced by real processes on a dead-pid lock', () => {
  it('lets exactly one process in at a time over 1,000 rounds of 8 contenders', { timeout: 120_000 }, async () => {
    const result = await raceOnDeadPidLock({ modulePath: LOCK_MODULE, contenders: CONTENDERS, rounds: 1_000 });
    expect(result).toMatchObject({ overlaps: 0, roundsNobodyEntered: 0, leftovers: [] });
    expect(result.entries).toBeGreaterThanOrEqual(1_000);
  });

  it('gives every waiting contender its turn, one at a time', async () => {
    const result = await raceOnDeadPidLock({ modulePath: LOCK_MODULE, contenders: CONTENDERS, rounds: 50, timeoutMs: 10_000 });
    expect(result).toMatchObject({ entries: 50 * CONTENDERS, overlaps: 0, leftovers: [] });
  });

  it.skipIf(oldLock === undefined)('catches the overlaps of the lock before issue 16 (needs that commit in git history)', async () => {
    const result = await raceOnDeadPidLock({ modulePath: oldLock ?? '', contenders: CONTENDERS, rounds: 100 });
    expect(result.overlaps).toBeGreaterThan(0);
  });
});
