import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildSamlResponse,
  buildSamlResponseXml,
  createSigningIdentity,
  DEFAULT_ISSUER,
} from '../../support/saml-fixtures.js';
import { assumeRoleParams, postQuery } from '../../support/sts/query-client.js';
import { startStsStandIn, type IssuedRecord, type StsStandIn } from '../../support/sts/stand-in.js';
import { NodeSha256 } from '../../support/sts/sigv4-check.js';
import { STS_NAMESPACE } from '../../support/sts/sts-xml.js';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/path/ReadOnly`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/Test`;
const identity = createSigningIdentity();
const stranger = createSigningIdentity('someone-else');

let now = Date.now();
let standIn: StsStandIn;

beforeAll(async () => {
  standIn = await startStsStandIn({
    providers: [{ arn: PROVIDER, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }],
    clock: { now: () => now },
  });
});
afterAll(() => standIn.close());
beforeEach(() => {
  now = Date.now();
  standIn.setFault(undefined);
});

const saml = (options: Parameters<typeof buildSamlResponse>[0] = {}) =>
  buildSamlResponse({ identity, roles: [`${ROLE},${PROVIDER}`, `${PROVIDER},${OTHER_ROLE}`], ...options });
const assume = (samlResponse: string, extra: { roleArn?: string; principalArn?: string; durationSeconds?: number } = {}) =>
  postQuery(standIn.url, assumeRoleParams({ roleArn: ROLE, principalArn: PROVIDER, samlResponse, ...extra }));
const toBase64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

async function expectFault(answer: Promise<Awaited<ReturnType<typeof postQuery>>>, status: number, code: string, message?: string | RegExp) {
  const result = await answer;
  expect(result.root).toEqual({ name: 'ErrorResponse', namespace: STS_NAMESPACE });
  expect({ status: result.status, code: result.field('Code') }).toEqual({ status, code });
  expect(result.field('Type')).toBe(status >= 500 ? 'Receiver' : 'Sender');
  expect(result.field('RequestId')).toMatch(/^[0-9a-f-]{36}$/);
  if (message !== undefined) expect(result.field('Message')).toMatch(message);
}

describe('AssumeRoleWithSAML: a valid assertion', () => {
  it.each([
    ['assertion and response signed', { signAssertion: true, signResponse: true }],
    ['only the assertion signed', { signAssertion: true, signResponse: false }],
    ['only the response signed', { signAssertion: false, signResponse: true }],
  ])('issues fresh credentials when %s', async (_label, signing) => {
    const answer = await assume(saml({ ...signing, sessionName: 'alice@example.com' }), { durationSeconds: 1800 });
    expect(answer.status).toBe(200);
    expect(answer.root).toEqual({ name: 'AssumeRoleWithSAMLResponse', namespace: STS_NAMESPACE });
    expect(answer.field('AccessKeyId')).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(answer.field('SecretAccessKey')).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(answer.field('SessionToken')!.length).toBeGreaterThan(100);
    expect(answer.field('Expiration')).toBe(new Date(now + 1800_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(answer.field('AssumedRoleId')).toMatch(/^AROA[A-Z2-7]{17}:alice@example\.com$/);
    expect(answer.field('Arn')).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice@example.com`);
    expect(answer.field('Subject')).toBe('_b6a3f0c1d2e4');
    expect(answer.field('SubjectType')).toBe('transient');
    expect(answer.field('Issuer')).toBe(DEFAULT_ISSUER);
    expect(answer.field('Audience')).toBe('https://signin.aws.amazon.com/saml');
    const qualifier = createHash('sha1').update(`${DEFAULT_ISSUER}${ACCOUNT}/Test`).digest('base64');
    expect(answer.field('NameQualifier')).toBe(qualifier);
  });

  it('accepts the pair in either order and names the role without its path', async () => {
    const answer = await assume(saml(), { roleArn: OTHER_ROLE });
    expect(answer.status).toBe(200);
    expect(answer.field('Arn')).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ReadOnly/alice`);
  });

  it('issues different keys every time', async () => {
    const first = await assume(saml());
    const second = await assume(saml());
    expect(first.field('AccessKeyId')).not.toBe(second.field('AccessKeyId'));
    expect(first.field('SecretAccessKey')).not.toBe(second.field('SecretAccessKey'));
  });

  it('defaults to one hour and caps the lifetime at the IdP session end', async () => {
    expect((await assume(saml())).field('Expiration')).toBe(new Date(now + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    standIn.setMaxSessionDuration(ROLE, 43_200);
    // The fixture's AuthnStatement ends its session 8 h after issue (5 s ago).
    const capped = await assume(saml({ now }), { durationSeconds: 43_200 });
    expect(Date.parse(capped.field('Expiration')!)).toBe(Math.floor((now - 5_000 + 8 * 3600_000) / 1000) * 1000);
    standIn.setMaxSessionDuration(ROLE, 3_600);
  });
});

describe('AssumeRoleWithSAML: what AWS refuses', () => {
  it('refuses a tampered assertion', async () => {
    const xml = buildSamlResponseXml({ identity, roles: [`${OTHER_ROLE},${PROVIDER}`] });
    const tampered = xml.replace(`${OTHER_ROLE},${PROVIDER}`, `${ROLE},${PROVIDER}`);
    expect(tampered).not.toBe(xml);
    await expectFault(assume(toBase64(tampered)), 400, 'InvalidIdentityToken', /^Response signature invalid$/);
  });

  it('refuses an assertion signed by another key, whatever certificate it carries', async () => {
    await expectFault(assume(buildSamlResponse({ identity: stranger, roles: [`${ROLE},${PROVIDER}`] })), 400, 'InvalidIdentityToken', /^Response signature invalid$/);
  });

  it('refuses an unsigned response', async () => {
    await expectFault(assume(saml({ signAssertion: false, signResponse: false })), 400, 'InvalidIdentityToken', /signature invalid/);
  });

  it('refuses a wrapped signature: a forged assertion beside the signed one', async () => {
    const xml = buildSamlResponseXml({ identity, roles: [`${OTHER_ROLE},${PROVIDER}`], signResponse: false });
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
    const forged = signed
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
      .replace(/ID="[^"]+"/, 'ID="_forged"')
      .replace(`${OTHER_ROLE},${PROVIDER}`, `${ROLE},${PROVIDER}`);
    const wrappedInExtensions = xml.replace(signed, `<samlp:Extensions>${signed}</samlp:Extensions>${forged}`);
    await expectFault(assume(toBase64(wrappedInExtensions)), 400, 'InvalidIdentityToken', /^Invalid SAML response$/);
    const forgedFirst = xml.replace(signed, `${forged}${signed}`);
    await expectFault(assume(toBase64(forgedFirst)), 400, 'InvalidIdentityToken', /^Invalid SAML response$/);
    const sameId = xml.replace(signed, `${forged.replace('ID="_forged"', `ID="${/ID="([^"]+)"/.exec(signed)![1]}"`)}`);
    await expectFault(assume(toBase64(`${sameId}`)), 400, 'InvalidIdentityToken', /signature invalid/);
    expect(standIn.issued.some((record: IssuedRecord) => record.roleArn === ROLE && record.roleSessionName === 'forged')).toBe(false);
  });

  it('refuses a signature whose reference points elsewhere than its parent', async () => {
    // The response is signed, but its signature is moved under the (unsigned) assertion.
    const xml = buildSamlResponseXml({ identity, signAssertion: false, signResponse: true });
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)![0];
    const moved = xml.replace(signature, '').replace(/(<saml:Assertion[^>]*>\s*<saml:Issuer>[^<]*<\/saml:Issuer>)/, `$1${signature}`);
    await expectFault(assume(toBase64(moved)), 400, 'InvalidIdentityToken', /signature invalid/);
  });

  it('refuses a wrong audience, recipient, destination or issuer', async () => {
    await expectFault(assume(saml({ audience: 'urn:example:other' })), 400, 'InvalidIdentityToken', /^Response does not contain the required audience$/);
    await expectFault(assume(saml({ recipient: 'https://signin.aws.amazon.com.evil.example/saml' })), 400, 'InvalidIdentityToken');
    await expectFault(assume(saml({ destination: 'https://evil.example/saml' })), 400, 'InvalidIdentityToken');
    await expectFault(assume(saml({ issuer: 'https://other-idp.example/' })), 400, 'InvalidIdentityToken');
  });

  it('accepts every AWS SAML endpoint as recipient', async () => {
    for (const recipient of [
      'https://eu-west-1.signin.aws.amazon.com/saml',
      'https://signin.aws.amazon.com/static/saml',
      'https://signin.amazonaws-us-gov.com/saml',
      'https://signin.amazonaws.cn/saml',
    ]) {
      expect((await assume(saml({ recipient }))).status, recipient).toBe(200);
    }
  });

  it('refuses an expired assertion and one not valid yet', async () => {
    const response = saml({ now });
    now += 5 * 60_000;
    await expectFault(assume(response), 400, 'ExpiredTokenException', /^Response has expired$/);
    now -= 10 * 60_000;
    await expectFault(assume(response), 400, 'InvalidIdentityToken', /not yet valid/);
  });

  it('refuses a pair the assertion does not offer, an unknown provider and swapped ARNs', async () => {
    await expectFault(assume(saml({ roles: [`${OTHER_ROLE},${PROVIDER}`] })), 403, 'AccessDenied', /^Not authorized to perform sts:AssumeRoleWithSAML$/);
    await expectFault(
      assume(saml(), { principalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/Unknown` }),
      400,
      'InvalidIdentityToken',
      /^Specified provider doesn't exist$/,
    );
    await expectFault(assume(saml(), { roleArn: PROVIDER, principalArn: ROLE }), 400, 'ValidationError', /^Request ARN is invalid$/);
  });

  it('checks RoleSessionName and NameID', async () => {
    await expectFault(assume(saml({ sessionName: null })), 400, 'InvalidIdentityToken', /^RoleSessionName is required in AuthnResponse$/);
    await expectFault(assume(saml({ sessionName: 'a b' })), 400, 'InvalidIdentityToken', 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');
    await expectFault(assume(saml({ sessionName: 'x'.repeat(65) })), 400, 'InvalidIdentityToken', /must match/);
    await expectFault(assume(saml({ nameId: '' })), 403, 'AccessDenied');
  });

  it('enforces DurationSeconds bounds and the role MaxSessionDuration with AWS wording', async () => {
    await expectFault(
      assume(saml(), { durationSeconds: 600 }),
      400,
      'ValidationError',
      "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    await expectFault(assume(saml(), { durationSeconds: 43_201 }), 400, 'ValidationError', /less than or equal to 43200/);
    await expectFault(assume(saml(), { durationSeconds: 7_200 }), 400, 'ValidationError', /^The requested DurationSeconds exceeds the MaxSessionDuration set for this role\.$/);
    standIn.setMaxSessionDuration(ROLE, 7_200);
    expect((await assume(saml(), { durationSeconds: 7_200 })).status).toBe(200);
    standIn.setMaxSessionDuration(ROLE, 3_600);
  });

  it('checks parameter presence and SAMLAssertion length', async () => {
    await expectFault(postQuery(standIn.url, { Action: 'AssumeRoleWithSAML', Version: '2011-06-15', PrincipalArn: PROVIDER, SAMLAssertion: saml() }), 400, 'ValidationError', /Value null at 'roleArn'.*must not be null/);
    await expectFault(assume('abc'), 400, 'ValidationError', /greater than or equal to 4/);
    await expectFault(assume('A'.repeat(100_001)), 400, 'ValidationError', /less than or equal to 100000/);
    await expectFault(assume('not base64 at all!'), 400, 'InvalidIdentityToken');
    await expectFault(postQuery(standIn.url, { Action: 'AssumeRoleWithSAML', Version: '2010-01-01' }), 400, 'InvalidAction');
  });
});

describe('faults on demand', () => {
  it('throttles, fails and denies as AWS does, then recovers after N times', async () => {
    standIn.setFault({ kind: 'throttling', times: 2 });
    await expectFault(assume(saml()), 400, 'Throttling', /^Rate exceeded$/);
    await expectFault(assume(saml()), 400, 'Throttling');
    expect((await assume(saml())).status).toBe(200);
    standIn.setFault({ kind: 'internal' });
    await expectFault(assume(saml()), 500, 'InternalFailure');
    standIn.setFault({ kind: 'regionDisabled' });
    await expectFault(assume(saml()), 403, 'RegionDisabledException', new RegExp(`account:${ACCOUNT}`));
    standIn.setFault({ kind: 'accessDenied' });
    await expectFault(assume(saml()), 403, 'AccessDenied');
  });

  it('delays answers', async () => {
    standIn.setFault({ kind: 'delay', ms: 300, times: 1 });
    const started = performance.now();
    expect((await assume(saml())).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('GetCallerIdentity verifies SigV4 with the secret it issued', () => {
  async function issue() {
    const answer = await assume(saml());
    return {
      accessKeyId: answer.field('AccessKeyId')!,
      secretAccessKey: answer.field('SecretAccessKey')!,
      sessionToken: answer.field('SessionToken')!,
    };
  }
  const call = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new STSClient({ region: 'us-east-1', endpoint: standIn.url, credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));

  it('answers the assumed-role identity for a correct signature', async () => {
    const identityAnswer = await call(await issue());
    expect(identityAnswer).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice` });
    expect(identityAnswer.UserId).toMatch(/^AROA[A-Z2-7]{17}:alice$/);
  });

  it('refuses a wrong secret, an unknown key, a wrong token and expired credentials', async () => {
    const credentials = await issue();
    await expect(call({ ...credentials, secretAccessKey: `${credentials.secretAccessKey.slice(0, -1)}x` })).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(call({ ...credentials, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' })).rejects.toMatchObject({ name: 'InvalidClientTokenId', $metadata: { httpStatusCode: 403 } });
    await expect(call({ ...credentials, sessionToken: 'IQoJwrong' })).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(call({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey })).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    now += 3601_000;
    await expect(call(credentials)).rejects.toMatchObject({
      name: 'ExpiredToken',
      message: 'The security token included in the request is expired',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('verifies a GET request signed over its query string, and refuses an altered one', async () => {
    const credentials = await issue();
    const host = new URL(standIn.url).host;
    const signer = new SignatureV4({
      credentials,
      region: 'eu-west-1',
      service: 'sts',
      sha256: NodeSha256,
    });
    const query = { Action: 'GetCallerIdentity', Version: '2011-06-15' };
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: host.split(':')[0]!, port: Number(host.split(':')[1]), path: '/', query, headers: { host } });
    const get = (q: string) => fetch(`${standIn.url}/?${q}`, { headers: signed.headers as Record<string, string> });
    const ok = await get(new URLSearchParams(query).toString());
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(`<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice</Arn>`);
    const altered = await get(new URLSearchParams({ ...query, Extra: '1' }).toString());
    expect(altered.status).toBe(403);
    expect(await altered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('federation endpoint', () => {
  it('trades issued credentials for a sign-in token and redirects a login', async () => {
    const answer = await assume(saml());
    const session = JSON.stringify({
      sessionId: answer.field('AccessKeyId'),
      sessionKey: answer.field('SecretAccessKey'),
      sessionToken: answer.field('SessionToken'),
    });
    const tokenResponse = await fetch(`${standIn.url}/federation?${new URLSearchParams({ Action: 'getSigninToken', SessionDuration: '3600', Session: session })}`);
    expect(tokenResponse.status).toBe(200);
    const { SigninToken } = (await tokenResponse.json()) as { SigninToken: string };
    expect(SigninToken.length).toBeGreaterThan(50);
    const login = await fetch(
      `${standIn.url}/federation?${new URLSearchParams({ Action: 'login', Issuer: 'cloudtoken', Destination: 'https://console.aws.amazon.com/', SigninToken })}`,
      { redirect: 'manual' },
    );
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('https://console.aws.amazon.com/');

    const wrongKey = JSON.stringify({ ...JSON.parse(session), sessionKey: 'x'.repeat(40) });
    expect((await fetch(`${standIn.url}/federation?${new URLSearchParams({ Action: 'getSigninToken', Session: wrongKey })}`)).status).toBe(400);
    expect((await fetch(`${standIn.url}/federation?${new URLSearchParams({ Action: 'getSigninToken', SessionDuration: '60', Session: session })}`)).status).toBe(400);
    expect((await fetch(`${standIn.url}/federation?${new URLSearchParams({ Action: 'login', SigninToken: 'forged', Destination: 'https://console.aws.amazon.com/' })}`, { redirect: 'manual' })).status).toBe(400);
  });
});
