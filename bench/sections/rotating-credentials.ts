import { createHash } from 'node:crypto';
import type { ServedCredentials } from '../../main/imds/app.js';

/**
 * Credential sets a checker can recognise without being told: set n's AccessKeyId carries n, and its
 * secret and token are derived from n. A document whose parts come from two sets cannot pass.
 */
const KEY_PREFIX = 'ASIAROTATE';
const LIFETIME_MS = 3_600_000;

const derive = (label: string, index: number, length: number) =>
  createHash('sha256').update(`${label}:${index}`).digest('base64').slice(0, length);

export function credentialSet(index: number): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  return {
    accessKeyId: `${KEY_PREFIX}${String(index).padStart(10, '0')}`,
    secretAccessKey: derive('secret', index, 40),
    sessionToken: derive('token', index, 40).repeat(8),
  };
}

export function setIndexOf(accessKeyId: string): number | undefined {
  if (!accessKeyId.startsWith(KEY_PREFIX)) return undefined;
  const index = Number(accessKeyId.slice(KEY_PREFIX.length));
  return Number.isInteger(index) ? index : undefined;
}

export function servedSet(index: number, roleName: string, now = Date.now()): ServedCredentials {
  return {
    roleName,
    accountId: '123456789012',
    lastUpdated: now,
    credentials: { ...credentialSet(index), expiration: now + LIFETIME_MS },
  };
}
