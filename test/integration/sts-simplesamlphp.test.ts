/**
 * A real IdP's assertion through the STS exchange: sign in at SimpleSAMLphp with the form driver, exchange
 * the captured SAMLResponse for every role alice has at the strict stand-in (which verifies the IdP's real
 * signature), and check each role's credentials with GetCallerIdentity through the AWS SDK.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormAuthenticator } from '../../main/login/form.js';
import { classifyAcsUrl } from '../../main/saml/acs.js';
import { parseSamlResponse } from '../../main/saml/assertion.js';
import { createStsExchange, type StsExchange } from '../../main/sts/assume-role.js';
import { ALICE, startIdp, type RunningIdp } from '../support/idp/index.js';
import { buildSamlResponse, createSigningIdentity } from '../support/saml-fixtures.js';
import { startStsStandIn, type StsStandIn } from '../support/sts/stand-in.js';

let idp: RunningIdp;
let standIn: StsStandIn;
let exchange: StsExchange;

beforeAll(async () => {
  idp = await startIdp();
  const providers = [...new Set(ALICE.roles.map((role) => role.principalArn))].map((arn) => ({
    arn,
    issuer: idp.entityId,
    certificates: [idp.certificatePem],
  }));
  standIn = await startStsStandIn({ providers });
  exchange = createStsExchange({ endpointOverride: standIn.url, sleep: async () => {} });
}, 60_000);

afterAll(async () => {
  exchange?.close();
  await standIn?.close();
  await idp?.stop();
});

describe('SimpleSAMLphp sign-in → STS stand-in → credentials', () => {
  it('exchanges alice’s assertion for each of her roles, and the credentials name the assumed role', async () => {
    const authenticator = createFormAuthenticator({
      signInUrl: idp.signInUrl,
      username: ALICE.username,
      password: async () => ALICE.password,
    });
    const captured = await authenticator.authenticate({ interactive: true });
    const acs = classifyAcsUrl(captured.acsUrl);
    const assertion = parseSamlResponse(captured.samlResponse);
    expect(assertion.roles.map((role) => role.roleArn).sort()).toEqual(ALICE.roles.map((role) => role.roleArn).sort());
    expect(assertion.sessionDuration).toBe(28_800);

    for (const role of assertion.roles) {
      const obtained = await exchange.assumeRole({
        role,
        samlResponse: assertion.samlResponse,
        sessionDuration: assertion.sessionDuration,
        region: acs?.region,
      });
      const expectedArn = `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${ALICE.roleSessionName}`;
      expect(obtained.assumedRoleArn).toBe(expectedArn);
      const client = new STSClient({
        region: acs?.region ?? 'us-east-1',
        endpoint: standIn.url,
        credentials: { ...obtained.credentials, expiration: new Date(obtained.credentials.expiration) },
        maxAttempts: 1,
      });
      expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe(expectedArn);
      client.destroy();
    }
    // alice asks for 8 h; the roles allow 1 h (the stand-in's default, like a new role), so each role
    // refused once, was asked again for 3600 s, and is remembered.
    expect(exchange.durationLimits()).toEqual(Object.fromEntries(ALICE.roles.map((role) => [role.roleArn, 3_600])));
    const issued = standIn.issued.map((record) => record.durationSeconds);
    expect(issued).toEqual(ALICE.roles.map(() => 3_600));

    // The IdP's own assertion with one attribute changed no longer verifies.
    const xml = Buffer.from(assertion.samlResponse, 'base64').toString('utf8');
    const tampered = xml.replace(`>${ALICE.roleSessionName}<`, '>mallory<');
    expect(tampered).not.toBe(xml);
    await expect(
      exchange.assumeRole({ role: assertion.roles[0]!, samlResponse: Buffer.from(tampered, 'utf8').toString('base64') }),
    ).rejects.toMatchObject({ code: 'STS_INVALID_IDENTITY_TOKEN' });
  });

  it('refuses an assertion signed by anyone but this IdP, even with its issuer and roles', async () => {
    const role = ALICE.roles[0]!;
    const forged = buildSamlResponse({
      identity: createSigningIdentity('not-the-idp'),
      issuer: idp.entityId,
      roles: [`${role.roleArn},${role.principalArn}`],
    });
    const parsed = parseSamlResponse(forged);
    await expect(exchange.assumeRole({ role: parsed.roles[0]!, samlResponse: forged })).rejects.toMatchObject({
      code: 'STS_INVALID_IDENTITY_TOKEN',
    });
  });
});
