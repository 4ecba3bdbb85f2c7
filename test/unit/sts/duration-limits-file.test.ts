import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DURATION_LIMIT_MAX_AGE_MS, durationLimitsFile } from '../../../main/sts/duration-limits-file.js';

const ADMIN = 'arn:aws:iam::111111111111:role/Admin';
const READ_ONLY = 'arn:aws:iam::222222222222:role/ReadOnly';
const NOW = Date.parse('2026-11-26T12:00:00Z');

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudtoken-limits-'));
  path = join(dir, 'state', 'sts-duration-limits.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('durationLimitsFile', () => {
  it('starts empty without a file, and keeps what it is told in a private file', async () => {
    const file = durationLimitsFile(path, { now: () => NOW });
    expect(await file.load()).toEqual({});
    await file.remember(ADMIN, 3_600);
    expect(await file.load()).toEqual({ [ADMIN]: 3_600 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps entries another process wrote in the meantime', async () => {
    const first = durationLimitsFile(path, { now: () => NOW });
    const second = durationLimitsFile(path, { now: () => NOW + 1_000 });
    await first.remember(ADMIN, 3_600);
    await second.remember(READ_ONLY, 7_200);
    expect(await first.load()).toEqual({ [ADMIN]: 3_600, [READ_ONLY]: 7_200 });
  });

  it('keeps every limit learned at once by roles refreshed together', async () => {
    const file = durationLimitsFile(path, { now: () => NOW });
    const roles = Array.from({ length: 5 }, (_, i) => `arn:aws:iam::111111111111:role/Role${i}`);
    await Promise.all(roles.map((roleArn) => file.remember(roleArn, 3_600)));
    expect(Object.keys(await file.load()).sort()).toEqual(roles);
  });

  it('forgets a limit after a week, so a role whose maximum was raised is asked again', async () => {
    let now = NOW;
    const file = durationLimitsFile(path, { now: () => now });
    await file.remember(ADMIN, 3_600);
    now += DURATION_LIMIT_MAX_AGE_MS;
    expect(await file.load()).toEqual({ [ADMIN]: 3_600 });
    now += 1;
    expect(await file.load()).toEqual({});
  });

  it('treats a damaged file as empty and replaces it on the next lesson', async () => {
    await durationLimitsFile(path).remember(ADMIN, 3_600);
    await writeFile(path, '{"arn:aws:iam::111111111111:role/Admin": {"seconds": 36');
    const file = durationLimitsFile(path, { now: () => NOW });
    expect(await file.load()).toEqual({});
    await file.remember(READ_ONLY, 3_600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ [READ_ONLY]: { seconds: 3_600, learnedAt: NOW } });
  });

  it('drops entries that are not a role ARN with a duration STS could grant', async () => {
    const fine = { seconds: 3_600, learnedAt: NOW };
    await writeFile(
      join(dir, 'limits.json'),
      JSON.stringify({
        [ADMIN]: fine,
        'arn:aws:iam::111111111111:user/alice': fine,
        'not an arn': fine,
        [`${READ_ONLY}1`]: { seconds: 60, learnedAt: NOW },
        [`${READ_ONLY}2`]: { seconds: 50_000, learnedAt: NOW },
        [`${READ_ONLY}3`]: { seconds: 3_600.5, learnedAt: NOW },
        [`${READ_ONLY}4`]: { seconds: '3600', learnedAt: NOW },
        [`${READ_ONLY}5`]: { seconds: 3_600, learnedAt: NOW + DURATION_LIMIT_MAX_AGE_MS + 1 },
        [`${READ_ONLY}6`]: 3_600,
      }),
    );
    expect(await durationLimitsFile(join(dir, 'limits.json'), { now: () => NOW }).load()).toEqual({ [ADMIN]: 3_600 });
    await writeFile(join(dir, 'array.json'), '[1, 2]');
    expect(await durationLimitsFile(join(dir, 'array.json'), { now: () => NOW }).load()).toEqual({});
  });
});
