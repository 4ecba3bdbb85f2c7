/**
 * Verifies a SigV4-signed STS request the way AWS does: find the key, check the token and its expiry, then
 * recompute the signature over exactly the headers the client says it signed and compare.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import { AWS_FAULTS, fault } from './sts-xml.js';

/** The credentials the stand-in issued, as it remembers them. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiration: number;
  assumedRoleId: string;
  assumedRoleArn: string;
  account: string;
}

/** What arrived: method, path, lower-case headers, query and raw body. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  body: string;
}

const toBuffer = (data: SourceData): Buffer =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data as Uint8Array);

/** node:crypto behind the Checksum interface Smithy's signer takes (plain SHA-256, or HMAC when keyed). */
export class NodeSha256 implements Checksum {
  private hash;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
/** AWS refuses signatures older or newer than this. */
const MAX_REQUEST_AGE_MS = 15 * 60_000;

function parseAmzDate(value: string | undefined): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!match) throw fault(400, 'IncompleteSignature', 'Date must be in ISO-8601 \'basic format\'. Got \'' + (value ?? '') + '\'.');
  const [, y, mo, d, h, mi, s] = match;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** Returns the credentials the request was signed with, or throws the STS error AWS would answer. */
export async function verifySigV4(
  request: ReceivedRequest,
  lookup: (accessKeyId: string) => IssuedCredentials | undefined,
  now: number,
): Promise<IssuedCredentials> {
  const authorization = request.headers.authorization;
  if (!authorization) throw fault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  const match = AUTHORIZATION.exec(authorization);
  if (!match) throw fault(400, 'IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature.');
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[];

  const issued = lookup(accessKeyId!);
  if (!issued) throw AWS_FAULTS.invalidClientTokenId();
  if (request.headers['x-amz-security-token'] !== issued.sessionToken) throw AWS_FAULTS.invalidClientTokenId();
  if (now >= issued.expiration) throw AWS_FAULTS.expiredToken();

  const signedHeaders = signedHeaderList!.split(';');
  if (!signedHeaders.includes('host')) throw AWS_FAULTS.signatureMismatch();
  const signingDate = parseAmzDate(request.headers['x-amz-date']);
  if (Math.abs(now - signingDate.getTime()) > MAX_REQUEST_AGE_MS) {
    throw fault(403, 'SignatureDoesNotMatch', `Signature expired: ${request.headers['x-amz-date']} is now earlier than the allowed window (15 min.)`);
  }
  if (service !== 'sts' || scopeDate !== request.headers['x-amz-date']!.slice(0, 8)) throw AWS_FAULTS.signatureMismatch();

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) throw AWS_FAULTS.signatureMismatch();
    headers[name] = value;
  }
  const tokenSigned = signedHeaders.includes('x-amz-security-token');
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: issued.accessKeyId,
      secretAccessKey: issued.secretAccessKey,
      // The signer adds the token header itself; a client that left it unsigned must not get it added.
      ...(tokenSigned ? { sessionToken: issued.sessionToken } : {}),
    },
    region: region!,
    service: 'sts',
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: request.path,
      query: request.query,
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? '';
  const expectedHeaders = /SignedHeaders=([a-z0-9;-]+)/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1];
  if (
    expectedHeaders !== signedHeaderList ||
    expected.length !== signature!.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
    throw AWS_FAULTS.signatureMismatch();
  }
  return issued;
}
