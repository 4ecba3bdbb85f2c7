import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  clockJumped,
  expiryWarningAt,
  nextRefreshAt,
  policyFor,
  retryAfterTransientFailure,
} from '../../../main/session/schedule.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const t0 = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('nextRefreshAt', () => {
  it('refreshes 12-hour credentials every 45 minutes (the seed default)', () => {
    expect(nextRefreshAt(t0, t0 + 12 * HOUR, DEFAULT_POLICY, 0)).toBe(t0 + 45 * MIN);
  });

  it('refreshes 1-hour credentials early enough that more than 25 minutes always remain', () => {
    const at = nextRefreshAt(t0, t0 + HOUR, DEFAULT_POLICY, 0);
    expect(at).toBe(t0 + 33 * MIN);
    expect(t0 + HOUR - (at + DEFAULT_POLICY.refreshAllowanceMs)).toBeGreaterThanOrEqual(25 * MIN);
  });

  it('never refreshes more often than every 5 minutes, even for 15-minute credentials', () => {
    expect(nextRefreshAt(t0, t0 + 15 * MIN, DEFAULT_POLICY, 0.99)).toBe(t0 + 5 * MIN);
  });

  it('honours a configured interval but clamps it to the 5-minute floor', () => {
    expect(nextRefreshAt(t0, t0 + 12 * HOUR, policyFor(20), 0)).toBe(t0 + 20 * MIN);
    expect(nextRefreshAt(t0, t0 + 12 * HOUR, policyFor(1), 0)).toBe(t0 + 5 * MIN);
  });

  it('refreshes 2-minute credentials when half their life remains, not after the 5-minute minimum', () => {
    expect(nextRefreshAt(t0, t0 + 2 * MIN, DEFAULT_POLICY, 0)).toBe(t0 + MIN);
  });

  it('never refreshes sooner than the 30-second floor, however short the credentials', () => {
    expect(nextRefreshAt(t0, t0 + 40_000, DEFAULT_POLICY, 0)).toBe(t0 + 30_000);
    expect(nextRefreshAt(t0, t0 + 5_000, DEFAULT_POLICY, 0.5)).toBe(t0 + 30_000);
  });

  it('for any lifetime above twice the floor: refreshes before expiry with close to the set share left', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.integer({ min: 61, max: 12 * 3600 }), (random, seconds) => {
        const lifetime = seconds * 1000;
        const at = nextRefreshAt(t0, t0 + lifetime, DEFAULT_POLICY, random);
        const left = t0 + lifetime - at;
        expect(at).toBeGreaterThanOrEqual(t0 + DEFAULT_POLICY.refreshFloorMs);
        expect(left).toBeGreaterThanOrEqual(Math.min(lifetime * DEFAULT_POLICY.shortLifetimeShare, DEFAULT_POLICY.minRemainingMs));
      }),
    );
  });

  it('jitter only ever takes time off, by at most a minute', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.integer({ min: 15, max: 720 }), (random, minutes) => {
        const expires = t0 + minutes * MIN;
        const base = nextRefreshAt(t0, expires, DEFAULT_POLICY, 0);
        const jittered = nextRefreshAt(t0, expires, DEFAULT_POLICY, random);
        expect(jittered).toBeLessThanOrEqual(base);
        expect(base - jittered).toBeLessThanOrEqual(MIN);
        expect(jittered).toBeGreaterThanOrEqual(t0 + 5 * MIN);
      }),
    );
  });
});

describe('retryAfterTransientFailure', () => {
  it('backs off exponentially up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => retryAfterTransientFailure(attempt, t0, DEFAULT_POLICY, 0.5) - t0);
    expect(delays).toEqual([15_000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it('spreads retries by ±20 % so machines that lost the same network do not return in step', () => {
    expect(retryAfterTransientFailure(1, t0, DEFAULT_POLICY, 0) - t0).toBe(12_000);
    expect(retryAfterTransientFailure(1, t0, DEFAULT_POLICY, 0.999_999) - t0).toBe(18_000);
  });

  it('keeps retrying at the cap however long the outage lasts, so the session recovers when the network does', () => {
    expect(retryAfterTransientFailure(1000, t0, DEFAULT_POLICY, 0.5) - t0).toBe(DEFAULT_POLICY.retryMaxMs);
  });
});

describe('clock jumps and warnings', () => {
  it('detects a sleep from wall time outrunning monotonic time', () => {
    expect(clockJumped(60 * MIN, 1_000)).toBe(true);
    expect(clockJumped(61_000, 60_000)).toBe(false);
    expect(clockJumped(-HOUR, 1_000)).toBe(true);
  });

  it('warns 10 minutes before expiry', () => {
    expect(expiryWarningAt(t0 + HOUR, DEFAULT_POLICY)).toBe(t0 + 50 * MIN);
  });
});
