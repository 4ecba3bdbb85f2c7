import { readJsonObject, updateJsonObject } from '../settings/state-file.js';
import type { Logger } from '../support/logger.js';
import { LIMITS, ROLE_ARN_PATTERN } from '../settings/schema.js';

/**
 * What STS taught us about roles' MaxSessionDuration, kept between runs. An IdP that asserts an 8-hour
 * SessionDuration for roles left at the 1-hour default otherwise costs every `credential-process` call and
 * every daemon start a refused AssumeRoleWithSAML first. Nothing in the file is secret; it is a cache.
 */

/** An administrator may raise a role's maximum: after a week, one refused call finds out again. */
export const DURATION_LIMIT_MAX_AGE_MS = 7 * 24 * 3_600_000;

interface StoredLimit {
  seconds: number;
  learnedAt: number;
}

type StoredLimits = Record<string, StoredLimit>;

function isStoredLimit(value: unknown): value is StoredLimit {
  if (typeof value !== 'object' || value === null) return false;
  const { seconds, learnedAt } = value as Partial<StoredLimit>;
  return (
    Number.isInteger(seconds) &&
    seconds! >= LIMITS.sessionDurationSeconds.min &&
    seconds! <= LIMITS.sessionDurationSeconds.max &&
    Number.isFinite(learnedAt)
  );
}

/** The file's entries that are well formed and not too old; a missing or damaged file is an empty cache. */
function freshEntries(data: Record<string, unknown>, now: number): StoredLimits {
  const fresh: StoredLimits = {};
  for (const [roleArn, limit] of Object.entries(data)) {
    if (!ROLE_ARN_PATTERN.test(roleArn) || !isStoredLimit(limit)) continue;
    // Either way: a clock set back must not make an entry immortal.
    if (Math.abs(now - limit.learnedAt) > DURATION_LIMIT_MAX_AGE_MS) continue;
    fresh[roleArn] = { seconds: limit.seconds, learnedAt: limit.learnedAt };
  }
  return fresh;
}

export interface DurationLimitsFile {
  /** Role ARN → seconds, for `createStsExchange({ durationLimits })`. */
  load(): Promise<Record<string, number>>;
  /** Records a limit STS just taught us (re-reading the file first, so another process's entries stay). */
  remember(roleArn: string, seconds: number): Promise<void>;
}

export function durationLimitsFile(path: string, options: { now?: () => number; logger?: Logger } = {}): DurationLimitsFile {
  const now = options.now ?? Date.now;
  return {
    async load() {
      const stored = freshEntries(await readJsonObject(path), now());
      return Object.fromEntries(Object.entries(stored).map(([roleArn, limit]) => [roleArn, limit.seconds]));
    },
    async remember(roleArn, seconds) {
      const at = now();
      await updateJsonObject(path, (data) => {
        const fresh = freshEntries(data, at);
        for (const key of Object.keys(data)) if (!(key in fresh)) delete data[key];
        data[roleArn] = { seconds, learnedAt: at };
      });
      options.logger?.debug('Remembered a role’s session limit', { role: roleArn, seconds });
    },
  };
}
