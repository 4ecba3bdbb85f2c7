import { randomBytes } from 'node:crypto';
import type { Clock } from '../support/clock.js';

/** EC2's bounds for `X-aws-ec2-metadata-token-ttl-seconds`. */
export const MIN_TOKEN_TTL_SECONDS = 1;
export const MAX_TOKEN_TTL_SECONDS = 21_600;

/** Enough for every AWS process on a workstation many times over; a flood evicts, it never grows memory. */
export const DEFAULT_MAX_TOKENS = 10_000;
const MAX_CAPACITY = 1_000_000;
// A token is a slot number and that slot's secret: 4 + 28 bytes, 43 base64url characters (224 random bits).
const SLOT_BYTES = 4;
const SECRET_BYTES = 28;
const TOKEN_BYTES = SLOT_BYTES + SECRET_BYTES;
const TOKEN_CHARS = 43;
const EMPTY = Number.NEGATIVE_INFINITY;
const SECRETS_PER_DRAW = 64;

export interface TokenStore {
  /** Issues a fresh random token valid for `ttlSeconds` (caller has checked the bounds). */
  issue(ttlSeconds: number): string;
  /** Whole seconds the token has left (at least 1), or undefined when it is unknown or expired. */
  secondsLeft(token: string): number | undefined;
  /** Tokens held: issued, not evicted, and not yet seen expired. */
  readonly size: number;
}

/**
 * Tokens live in a fixed ring of slots allocated up front, overwritten oldest first: the store's memory is
 * the same after a million tokens as before the first, and it holds no string or object per token. A token
 * names its slot, so checking one is a bounds check and a constant-time compare of 28 bytes: no hashing, and
 * no allocation.
 */
export function createTokenStore(options: { clock: Clock; maxTokens?: number }): TokenStore {
  const { clock } = options;
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_CAPACITY) {
    throw new RangeError(`maxTokens must be an integer from 1 to ${MAX_CAPACITY}, not ${maxTokens}`);
  }
  const secrets = Buffer.alloc(maxTokens * SECRET_BYTES);
  // Monotonic expiry (ms) per slot, so a wall-clock jump cannot revive or kill tokens.
  const expiries = new Float64Array(maxTokens).fill(EMPTY);
  const scratch = Buffer.alloc(TOKEN_BYTES);
  // A presented token is decoded here, not into a new Buffer per request. 43 characters decode to 32 bytes at
  // most; a character outside the alphabet makes fewer, which the length check refuses.
  const presented = Buffer.alloc(TOKEN_BYTES);
  let nextSlot = 0;
  let held = 0;
  // Random bytes drawn in batches: one call into the CSPRNG per 64 tokens instead of one per token.
  let pool = Buffer.alloc(0);
  let used = 0;

  return {
    issue(ttlSeconds) {
      const slot = nextSlot;
      nextSlot = (nextSlot + 1) % maxTokens;
      if (expiries[slot] === EMPTY) held += 1;
      if (used + SECRET_BYTES > pool.length) {
        pool = randomBytes(SECRET_BYTES * SECRETS_PER_DRAW);
        used = 0;
      }
      pool.copy(secrets, slot * SECRET_BYTES, used, used + SECRET_BYTES);
      used += SECRET_BYTES;
      expiries[slot] = clock.monotonic() + ttlSeconds * 1000;
      scratch.writeUInt32BE(slot, 0);
      secrets.copy(scratch, SLOT_BYTES, slot * SECRET_BYTES, (slot + 1) * SECRET_BYTES);
      // base64url: safe in an HTTP header as is.
      return scratch.toString('base64url');
    },
    secondsLeft(token) {
      if (token.length !== TOKEN_CHARS || presented.write(token, 'base64url') !== TOKEN_BYTES) return undefined;
      const slot = presented.readUInt32BE(0);
      if (slot >= maxTokens) return undefined;
      const expiry = expiries[slot]!;
      if (expiry === EMPTY) return undefined;
      // Every byte compared whatever the first difference, so timing says nothing of how much of a guess was right.
      let difference = 0;
      const start = slot * SECRET_BYTES;
      for (let i = 0; i < SECRET_BYTES; i += 1) difference |= presented[SLOT_BYTES + i]! ^ secrets[start + i]!;
      if (difference !== 0) return undefined;
      const left = expiry - clock.monotonic();
      if (left <= 0) {
        expiries[slot] = EMPTY;
        held -= 1;
        return undefined;
      }
      return Math.ceil(left / 1000);
    },
    get size() {
      return held;
    },
  };
}
