/**
 * The console federation endpoint (`/federation`): trades temporary credentials for a sign-in token, then
 * redirects a login with that token to the console destination. AWS's error pages here are plain HTTP 400s.
 */
import { randomBytes } from 'node:crypto';
import type { IssuedCredentials } from './sigv4-check.js';

export interface SigninTokenRecord {
  token: string;
  accessKeyId: string;
  sessionDuration: number | undefined;
  /** Epoch ms when it was issued; AWS honours a sign-in token for 15 minutes. */
  issuedAt: number;
}

export interface FederationAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const TOKEN_LIFETIME_MS = 15 * 60_000;
const SESSION_KEYS = ['sessionId', 'sessionKey', 'sessionToken'];

const badRequest = (body: string): FederationAnswer => ({ status: 400, headers: { 'content-type': 'text/plain' }, body });

function parseSession(text: string | null): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function handleFederation(
  query: URLSearchParams,
  state: { issued: readonly IssuedCredentials[]; signinTokens: SigninTokenRecord[]; now: number },
): FederationAnswer {
  const action = query.get('Action');
  if (action === 'getSigninToken') {
    const session = parseSession(query.get('Session'));
    const keys = session ? Object.keys(session).sort() : [];
    if (!session || keys.join(',') !== SESSION_KEYS.join(',')) return badRequest('Session must be JSON with sessionId, sessionKey, sessionToken');
    const credentials = state.issued.find((record) => record.accessKeyId === session.sessionId);
    if (!credentials || credentials.secretAccessKey !== session.sessionKey || credentials.sessionToken !== session.sessionToken) {
      return badRequest('Invalid credentials');
    }
    if (state.now >= credentials.expiration) return badRequest('Credentials have expired');
    const durationText = query.get('SessionDuration');
    const sessionDuration = durationText === null ? undefined : Number(durationText);
    if (sessionDuration !== undefined && (!Number.isInteger(sessionDuration) || sessionDuration < 900 || sessionDuration > 43_200)) {
      return badRequest('SessionDuration must be between 900 and 43200 seconds');
    }
    const token = randomBytes(96).toString('base64url');
    state.signinTokens.push({ token, accessKeyId: credentials.accessKeyId, sessionDuration, issuedAt: state.now });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ SigninToken: token }) };
  }
  if (action === 'login') {
    const record = state.signinTokens.find((candidate) => candidate.token === query.get('SigninToken'));
    if (!record || state.now - record.issuedAt > TOKEN_LIFETIME_MS) return badRequest('Invalid or expired SigninToken');
    const destination = query.get('Destination');
    if (!destination || !/^https:\/\//.test(destination)) return badRequest('Destination must be an https URL');
    return { status: 302, headers: { location: destination }, body: '' };
  }
  return badRequest('Unknown Action');
}
