import type { Partition } from '../saml/types.js';
import { CloudtokenError } from '../support/errors.js';

/**
 * The session channel's wire format: one JSON object per line each way, answers in the order of the requests.
 * Every request names the protocol version it speaks (`v`), so a client and a session of different releases
 * find out at the first request. Nothing here touches a socket: runtime/session-channel.ts and client.ts do.
 */
export const CHANNEL_VERSION = 1;
/** A request line longer than this is refused and the connection closed: no request needs more. */
export const MAX_REQUEST_BYTES = 16 * 1024;
const MAX_ROLE_TEXT = 2048;

/** The session key's length in bytes; it travels as hex. */
export const SESSION_KEY_BYTES = 32;

export type ChannelRequest =
  /**
   * The handshake, every connection's first request: a session is alive when this answers. `key` is the
   * session's key file's content, which only the state folder's owner can read; without it nothing is answered.
   */
  | { v: typeof CHANNEL_VERSION; type: 'hello'; key: string }
  | { v: typeof CHANNEL_VERSION; type: 'status' }
  /**
   * Credentials for `role` (ARN, name, account/name or list number, as `--role` takes), else the metadata
   * role. `assume: false` answers ROLE_NOT_ACTIVE for a role the session does not keep yet, instead of
   * assuming it (a client with several sessions asks each before one assumes it).
   */
  | { v: typeof CHANNEL_VERSION; type: 'credentials'; role?: string; assume?: boolean }
  | { v: typeof CHANNEL_VERSION; type: 'refresh' }
  | { v: typeof CHANNEL_VERSION; type: 'switch-role'; role: string };

/** A plugin a session runs (the settings name it): what `cloudtoken status` and the tray's Settings window list. */
export interface PluginStatus {
  name: string;
  kind: 'sign-in-source' | 'credential-handler';
  form: 'module' | 'command';
  /** The module's path, or the command line. */
  path: string;
  /** `disabled` after a crash, a hang or untrusted files, until the session restarts. */
  state: 'active' | 'disabled';
  /** The last failure, if any. */
  problem: string | undefined;
}

/** What a session says about itself: never a secret (no keys, tokens or the container token). */
export interface SessionStatus {
  host: 'daemon' | 'tray';
  /** For people reading `cloudtoken status`; nothing ever signals it. */
  pid: number;
  profileId: string;
  profileName: string;
  startedAt: number;
  phase: string;
  imdsPort: number;
  service: { mode: 'alias' | 'loopback'; fallbackReason: string | undefined; imdsUrl: string; containerUrl: string } | undefined;
  roles: Array<{ roleArn: string; assumedRoleArn: string | undefined; expiresAt: number | undefined; metadata: boolean }>;
  nextRefreshAt: number | undefined;
  error: string | undefined;
  /** Its plugins: the profile's sign-in source and its credential handlers. */
  plugins: PluginStatus[];
}

export interface ChannelCredentials {
  roleArn: string;
  partition: Partition;
  assumedRoleArn: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number };
}

export interface ChannelAnswers {
  hello: { status: SessionStatus };
  status: { status: SessionStatus };
  credentials: ChannelCredentials;
  refresh: { status: SessionStatus };
  'switch-role': { status: SessionStatus };
}

export type ChannelErrorResponse = { v: typeof CHANNEL_VERSION; ok: false; error: { code: string; message: string } };

/** A refused request: its code and message go back to the client as they are. */
const TYPES = new Set<string>(['hello', 'status', 'credentials', 'refresh', 'switch-role']);

function roleText(value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_ROLE_TEXT) {
    throw new CloudtokenError('MALFORMED_REQUEST', `"role" must be a non-empty string of at most ${MAX_ROLE_TEXT} characters.`);
  }
  return value;
}

/** One request line, checked field by field; throws CloudtokenError with what is wrong. */
export function parseRequest(line: string): ChannelRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new CloudtokenError('MALFORMED_REQUEST', 'A request must be one JSON object on one line.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CloudtokenError('MALFORMED_REQUEST', 'A request must be a JSON object.');
  const { v, type, role, assume, key } = parsed as Record<string, unknown>;
  if (v !== CHANNEL_VERSION) {
    throw new CloudtokenError('UNSUPPORTED_VERSION', `This session speaks version ${CHANNEL_VERSION} of the channel protocol; the request asked for ${JSON.stringify(v ?? null)}.`);
  }
  if (typeof type !== 'string' || !TYPES.has(type)) throw new CloudtokenError('UNKNOWN_REQUEST', `Unknown request type ${JSON.stringify(type ?? null)}; known: ${[...TYPES].join(', ')}.`);
  if (type === 'credentials') {
    if (assume !== undefined && typeof assume !== 'boolean') throw new CloudtokenError('MALFORMED_REQUEST', '"assume" must be true or false.');
    const text = roleText(role, false);
    return { v, type, ...(text !== undefined ? { role: text } : {}), ...(assume !== undefined ? { assume } : {}) };
  }
  if (type === 'switch-role') return { v, type, role: roleText(role, true) as string };
  if (type === 'hello') {
    if (typeof key !== 'string' || !new RegExp(`^[0-9a-f]{${SESSION_KEY_BYTES * 2}}$`).test(key)) {
      throw new CloudtokenError('MALFORMED_REQUEST', `"key" must be the session key: ${SESSION_KEY_BYTES * 2} hex digits read from the session's key file.`);
    }
    return { v, type, key };
  }
  return { v, type } as ChannelRequest;
}

export function errorResponse(error: { code: string; message: string }): ChannelErrorResponse {
  return { v: CHANNEL_VERSION, ok: false, error: { code: error.code, message: error.message } };
}
