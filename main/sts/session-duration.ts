import { LIMITS } from '../settings/schema.js';

/** The session lengths AWS accepts for AssumeRoleWithSAML and for console sign-in tokens, in seconds. */
export const { min: MIN_SESSION_DURATION, max: MAX_SESSION_DURATION } = LIMITS.sessionDurationSeconds;
export const DEFAULT_SESSION_DURATION = 3_600;

/** Clamps a wish to what AWS accepts at all; a non-number means the default. */
export function clampSessionDuration(seconds: number): number {
  if (!Number.isFinite(seconds)) return DEFAULT_SESSION_DURATION;
  return Math.min(MAX_SESSION_DURATION, Math.max(MIN_SESSION_DURATION, Math.round(seconds)));
}
