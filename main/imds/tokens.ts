import { randomBytes } from 'node:crypto';
import type { Clock } from '../support/clock.js';

/** EC2's bounds for `X-aws-ec2-metadata-token-ttl-seconds`. */
export const MIN_TOKEN_TTL_SECONDS = 1;
export const MAX_TOKEN_TTL_SECONDS = 21_600;

/** Enough for every AWS process on a workstation many times over; a flood evicts, it never grows memory. */
export const DEFAULT_MAX_TOKENS = 10_000;
const TOKEN_BYTES = 32;

export interface TokenStore {
  /** Issues a fresh random token valid for `ttlSeconds` (caller has checked the bounds). */
  issue(ttlSeconds: number): string;
  /** Whole seconds the token has left (at least 1), or undefined when it is unknown or expired. */
  secondsLeft(token: string): number | undefined;
  readonly size: number;
}

export function createTokenStore(options: { clock: Clock; maxTokens?: number }): TokenStore {
  const { clock } = options;
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  // token → monotonic expiry (ms). Monotonic so a wall-clock jump cannot revive or kill tokens.
  // A Map iterates in insertion order, so its first key is always the oldest token: O(1) eviction.
  const expiries = new Map<string, number>();
  // Random bytes drawn in batches: one call into the CSPRNG per 64 tokens instead of one per token.
  let pool = Buffer.alloc(0);
  let used = 0;
  const randomToken = (): string => {
    if (used + TOKEN_BYTES > pool.length) {
      pool = randomBytes(TOKEN_BYTES * 64);
      used = 0;
    }
    used += TOKEN_BYTES;
    // 32 random bytes, base64url: unguessable and safe in an HTTP header as is.
    return pool.toString('base64url', used - TOKEN_BYTES, used);
  };

  return {
    issue(ttlSeconds) {
      if (expiries.size >= maxTokens) {
        const oldest = expiries.keys().next().value;
        if (oldest !== undefined) expiries.delete(oldest);
      }
      const token = randomToken();
      expiries.set(token, clock.monotonic() + ttlSeconds * 1000);
      return token;
    },
    secondsLeft(token) {
      const expiry = expiries.get(token);
      if (expiry === undefined) return undefined;
      const left = expiry - clock.monotonic();
      if (left <= 0) {
        expiries.delete(token);
        return undefined;
      }
      return Math.ceil(left / 1000);
    },
    get size() {
      return expiries.size;
    },
  };
}
