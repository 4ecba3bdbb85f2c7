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
/**
 * On a connection that introduced itself as the browser extension's host (`extension-hello`), a line may
 * carry an assertion: a SAMLResponse is at most 2 MiB (main/saml/acs.ts reads no larger form).
 */
export const MAX_EXTENSION_REQUEST_BYTES = 3 * 1024 * 1024;
const MAX_ROLE_TEXT = 2048;
const MAX_SAML_RESPONSE = 2 * 1024 * 1024;

/** A sign-in a session asks the browser extension for: the IdP's URL, in a tab in front or in the background. */
export interface SignInTask {
  taskId: string;
  url: string;
  interactive: boolean;
}

/** `pending`: only a sign-in waiting now may take the assertion; `due`: also a session waiting for its user. */
export type AssertionClaim = 'pending' | 'due';

export interface OfferedAssertion {
  samlResponse: string;
  relayState: string | undefined;
  acsUrl: string;
  /** The task whose tab the IdP posted from, when it was one. */
  taskId: string | undefined;
}

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
  | { v: typeof CHANNEL_VERSION; type: 'switch-role'; role: string }
  /** The browser extension's native messaging host introduces itself; only then may it send the requests below. */
  | { v: typeof CHANNEL_VERSION; type: 'extension-hello'; browser: string }
  /** The next sign-in the session wants from the browser; answered with `task: null` after a while with none. */
  | { v: typeof CHANNEL_VERSION; type: 'extension-wait' }
  | ({ v: typeof CHANNEL_VERSION; type: 'assertion'; claim: AssertionClaim } & OfferedAssertion)
  | { v: typeof CHANNEL_VERSION; type: 'task-update'; taskId: string; state: 'needs-user' | 'closed' };

export const EXTENSION_REQUESTS: ReadonlySet<string> = new Set(['extension-wait', 'assertion', 'task-update']);

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
  /** `cli`: a one-off command (`login`, `roles`…) waiting for a sign-in through the browser extension. */
  host: 'daemon' | 'tray' | 'cli';
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
  /** Set when the session signs in through the browser extension: how many of its hosts are connected now. */
  extension?: { connected: number; browsers: string[] } | undefined;
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
  'extension-hello': { status: SessionStatus; idpOrigin: string };
  'extension-wait': { task: SignInTask | null };
  assertion: { accepted: true };
  'task-update': Record<string, never>;
}

export type ChannelErrorResponse = { v: typeof CHANNEL_VERSION; ok: false; error: { code: string; message: string } };

const TYPES = new Set<string>(['hello', 'status', 'credentials', 'refresh', 'switch-role', 'extension-hello', ...EXTENSION_REQUESTS]);

function text(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new CloudtokenError('MALFORMED_REQUEST', `"${name}" must be a non-empty string of at most ${max} characters.`);
  }
  return value;
}

function optionalText(value: unknown, name: string, max: number): string | undefined {
  return value === undefined ? undefined : text(value, name, max);
}

/** The extension host's requests, field by field. */
function parseExtensionRequest(type: string, fields: Record<string, unknown>): ChannelRequest {
  const v = CHANNEL_VERSION;
  switch (type) {
    case 'extension-hello':
      return { v, type, browser: text(fields.browser, 'browser', 512) };
    case 'assertion':
      if (fields.claim !== 'pending' && fields.claim !== 'due') throw new CloudtokenError('MALFORMED_REQUEST', '"claim" must be pending or due.');
      return {
        v,
        type,
        claim: fields.claim,
        samlResponse: text(fields.samlResponse, 'samlResponse', MAX_SAML_RESPONSE),
        relayState: optionalText(fields.relayState, 'relayState', 4096),
        acsUrl: text(fields.acsUrl, 'acsUrl', 2048),
        taskId: optionalText(fields.taskId, 'taskId', 128),
      };
    case 'task-update':
      if (fields.state !== 'needs-user' && fields.state !== 'closed') throw new CloudtokenError('MALFORMED_REQUEST', '"state" must be needs-user or closed.');
      return { v, type, taskId: text(fields.taskId, 'taskId', 128), state: fields.state };
    default:
      return { v, type: 'extension-wait' };
  }
}

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
  const fields = parsed as Record<string, unknown>;
  const { v, type, role, assume, key } = fields;
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
  if (type === 'extension-hello' || EXTENSION_REQUESTS.has(type)) return parseExtensionRequest(type, fields);
  return { v, type } as ChannelRequest;
}

export function errorResponse(error: { code: string; message: string }): ChannelErrorResponse {
  return { v: CHANNEL_VERSION, ok: false, error: { code: error.code, message: error.message } };
}
