/**
 * When to refresh, retry and give up — pure functions of the clock, so the policy is tested without waiting.
 *
 * Why these numbers: botocore refreshes on every call once credentials have less than 15 minutes left and,
 * for IMDS credentials with ≤ ~15 minutes left, extends them locally by up to 25 minutes past their real expiry.
 * So the metadata service must always serve credentials with more than ~25 minutes of life while a refresh is
 * possible (botocore's refresh thresholds and its extension of IMDS credentials past expiry).
 */
export interface SchedulePolicy {
  /** Regular refresh period (the original Cloudtoken's 45 minutes). */
  refreshIntervalMs: number;
  /** Never refresh more often than this — unless the credentials live shorter (see `shortLifetimeShare`). */
  minIntervalMs: number;
  /**
   * Credentials too short-lived for the regular rules (an IdP's SessionNotOnOrAfter can cut them to minutes)
   * are refreshed once at most this share of their lifetime remains.
   */
  shortLifetimeShare: number;
  /** However short the credentials, never refresh sooner than this after obtaining them: a broken IdP is not hammered. */
  refreshFloorMs: number;
  /** Served credentials keep at least this much life whenever a refresh can succeed. */
  minRemainingMs: number;
  /** Time a refresh itself may take (IdP round trip + STS). */
  refreshAllowanceMs: number;
  /** Upper bound of the random amount taken off each refresh time so many machines do not refresh in step. */
  maxJitterMs: number;
  /** First retry delay after a transient failure; doubles per attempt. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Warn the user this long before credentials that cannot be refreshed silently expire. */
  expiryWarningMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_POLICY: SchedulePolicy = {
  refreshIntervalMs: 45 * MINUTE,
  minIntervalMs: 5 * MINUTE,
  shortLifetimeShare: 0.5,
  refreshFloorMs: 30_000,
  minRemainingMs: 25 * MINUTE,
  refreshAllowanceMs: 2 * MINUTE,
  maxJitterMs: MINUTE,
  retryBaseMs: 15_000,
  retryMaxMs: 5 * MINUTE,
  expiryWarningMs: 10 * MINUTE,
};

export function policyFor(refreshIntervalMinutes: number | undefined, base: SchedulePolicy = DEFAULT_POLICY): SchedulePolicy {
  if (refreshIntervalMinutes === undefined) return base;
  return { ...base, refreshIntervalMs: Math.max(base.minIntervalMs, refreshIntervalMinutes * MINUTE) };
}

/**
 * The instant to refresh credentials obtained at `obtainedAt` that expire at `expiresAt`.
 * `random` is in [0, 1) and takes a little off, never adds.
 */
export function nextRefreshAt(obtainedAt: number, expiresAt: number, policy: SchedulePolicy, random: number): number {
  const regular = obtainedAt + policy.refreshIntervalMs;
  const lastUseful = expiresAt - policy.minRemainingMs - policy.refreshAllowanceMs;
  const jitter = Math.floor(random * Math.min(policy.maxJitterMs, policy.refreshIntervalMs / 20));
  const target = Math.min(regular, lastUseful) - jitter;
  const earliest = obtainedAt + policy.minIntervalMs;
  if (target >= earliest) return target;
  // Too short-lived for the regular margins: the minimum interval still wins while it leaves the share of the
  // lifetime; otherwise refresh at that share, never sooner than the floor.
  const lifetime = expiresAt - obtainedAt;
  const shortJitter = Math.floor(random * Math.min(policy.maxJitterMs, lifetime / 20));
  const byShare = expiresAt - lifetime * policy.shortLifetimeShare - shortJitter;
  return Math.max(Math.min(earliest, byShare), obtainedAt + policy.refreshFloorMs);
}

/**
 * After a retryable failure (network, throttling, 5xx): the next attempt, backing off exponentially up to a cap,
 * with ±20 % jitter so machines that lost the same network do not come back in step. Retries never stop on
 * their own: an outage may outlast the credentials, and the session must recover when the network returns.
 */
export function retryAfterTransientFailure(attempt: number, now: number, policy: SchedulePolicy, random: number): number {
  const exponential = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return now + Math.round(exponential * (0.8 + 0.4 * random));
}

/** Whether the expiry warning is due: credentials that cannot be refreshed silently run out soon. */
export function expiryWarningAt(expiresAt: number, policy: SchedulePolicy): number {
  return expiresAt - policy.expiryWarningMs;
}

/**
 * A sleeping machine stops monotonic time but not the wall clock. If the wall clock moved further than the
 * monotonic clock since the last look, the machine slept (or the clock was set): timers are stale.
 */
export function clockJumped(wallDelta: number, monotonicDelta: number, toleranceMs = 30_000): boolean {
  return Math.abs(wallDelta - monotonicDelta) > toleranceMs;
}
