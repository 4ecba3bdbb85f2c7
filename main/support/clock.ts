/** What a module needs to know about time; tests pass a fake, production passes `systemClock`. */
export interface Clock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds, unaffected by sleep or by the wall clock being set. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** AWS's timestamp format: UTC, whole seconds, `Z` (botocore parses exactly `%Y-%m-%dT%H:%M:%SZ`). */
export function awsTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
