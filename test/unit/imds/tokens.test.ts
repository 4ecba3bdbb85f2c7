import { describe, expect, it } from 'vitest';
import { createTokenStore } from '../../../main/imds/tokens.js';
import { manualClock } from './harness.js';

describe('createTokenStore', () => {
  it('issues distinct, unguessable, header-safe tokens', () => {
    const store = createTokenStore({ clock: manualClock() });
    const tokens = new Set(Array.from({ length: 200 }, () => store.issue(60)));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('honours the TTL to the millisecond and reports whole seconds left', () => {
    const clock = manualClock();
    const store = createTokenStore({ clock });
    const short = store.issue(1);
    const long = store.issue(21_600);
    expect(store.secondsLeft(short)).toBe(1);
    clock.advance(999);
    expect(store.secondsLeft(short)).toBe(1);
    clock.advance(1);
    expect(store.secondsLeft(short)).toBeUndefined();
    expect(store.secondsLeft(long)).toBe(21_600 - 1);
    clock.advance(21_599_000);
    expect(store.secondsLeft(long)).toBeUndefined();
  });

  it('forgets expired tokens when they are presented', () => {
    const clock = manualClock();
    const store = createTokenStore({ clock });
    const token = store.issue(5);
    clock.advance(5_000);
    expect(store.secondsLeft(token)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('knows nothing of tokens it did not issue', () => {
    const store = createTokenStore({ clock: manualClock() });
    store.issue(60);
    expect(store.secondsLeft('')).toBeUndefined();
    expect(store.secondsLeft('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });

  it('refuses a token that names a real slot with the wrong secret, or a slot the store does not have', () => {
    const store = createTokenStore({ clock: manualClock(), maxTokens: 100 });
    const token = store.issue(60);
    const bytes = Buffer.from(token, 'base64url');
    bytes[bytes.length - 1]! ^= 0x01;
    expect(store.secondsLeft(bytes.toString('base64url'))).toBeUndefined();
    const beyond = Buffer.from(token, 'base64url');
    beyond.writeUInt32BE(100, 0);
    expect(store.secondsLeft(beyond.toString('base64url'))).toBeUndefined();
    expect(store.secondsLeft(`${token}A`)).toBeUndefined();
    expect(store.secondsLeft(token.replace(/^./, '*'))).toBeUndefined();
    expect(store.secondsLeft(token)).toBe(60);
  });

  it('stays bounded under a flood, evicting the oldest', () => {
    const store = createTokenStore({ clock: manualClock(), maxTokens: 100 });
    const issued = Array.from({ length: 1_000 }, () => store.issue(21_600));
    expect(store.size).toBe(100);
    expect(store.secondsLeft(issued[0]!)).toBeUndefined();
    expect(store.secondsLeft(issued[899]!)).toBeUndefined();
    expect(store.secondsLeft(issued[900]!)).toBe(21_600);
    expect(store.secondsLeft(issued[999]!)).toBe(21_600);
  });

  it('evicts in issue order across many laps of the store, also when some tokens already expired', () => {
    let mono = 0;
    const store = createTokenStore({ clock: { now: () => 0, monotonic: () => mono }, maxTokens: 10 });
    const shortLived = Array.from({ length: 5 }, () => store.issue(1));
    mono += 2_000;
    // Asked for after expiry: dropped from the store before their slots come round.
    for (const token of shortLived) expect(store.secondsLeft(token)).toBeUndefined();
    const issued = Array.from({ length: 95 }, () => store.issue(600));
    expect(store.size).toBe(10);
    expect(issued.slice(0, 85).every((token) => store.secondsLeft(token) === undefined)).toBe(true);
    expect(issued.slice(85).every((token) => store.secondsLeft(token) === 600)).toBe(true);
  });

  it('refuses a capacity that could hold no token, or more than it should allocate', () => {
    for (const maxTokens of [0, -1, 1.5, Number.NaN, 1_000_001]) expect(() => createTokenStore({ clock: manualClock(), maxTokens })).toThrow(RangeError);
  });

  it('is not fooled by the wall clock moving', () => {
    let wall = 0;
    let mono = 0;
    const store = createTokenStore({ clock: { now: () => wall, monotonic: () => mono } });
    const token = store.issue(60);
    wall += 10 * 3_600_000;
    expect(store.secondsLeft(token)).toBe(60);
    mono += 60_000;
    wall -= 20 * 3_600_000;
    expect(store.secondsLeft(token)).toBeUndefined();
  });
});
