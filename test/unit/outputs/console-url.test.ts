import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleUrlForRole } from '../../../main/outputs/console-url.js';
import type { RoleCredentials } from '../../../main/sts/types.js';
import { buildSamlResponse, createSigningIdentity, DEFAULT_ISSUER } from '../../support/saml-fixtures.js';
import { assumeRoleParams, postQuery } from '../../support/sts/query-client.js';
import { startStsStandIn, type StsStandIn } from '../../support/sts/stand-in.js';

const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/Test';
const ROLE = 'arn:aws:iam::123456789012:role/Admin';
const identity = createSigningIdentity();
let standIn: StsStandIn;
let role: RoleCredentials;

beforeAll(async () => {
  standIn = await startStsStandIn({ providers: [{ arn: PROVIDER, issuer: DEFAULT_ISSUER, certificates: [identity.certificatePem] }] });
  const answer = await postQuery(standIn.url, assumeRoleParams({ roleArn: ROLE, principalArn: PROVIDER, samlResponse: buildSamlResponse({ identity }) }));
  role = {
    role: { roleArn: ROLE, principalArn: PROVIDER, accountId: '123456789012', roleName: 'Admin', partition: 'aws' },
    credentials: {
      accessKeyId: answer.field('AccessKeyId')!,
      secretAccessKey: answer.field('SecretAccessKey')!,
      sessionToken: answer.field('SessionToken')!,
      expiration: Date.parse(answer.field('Expiration')!),
    },
    assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
    obtainedAt: Date.now(),
  };
});
afterAll(() => standIn.close());

describe('consoleUrlForRole', () => {
  it('gets a console link for the role session from the federation endpoint', async () => {
    const url = new URL(await consoleUrlForRole(role, { region: 'eu-west-2', federationEndpoint: `${standIn.url}/federation` }));
    expect(url.searchParams.get('SigninToken')).toBe(standIn.signinTokens.at(-1)?.token);
    expect(standIn.signinTokens.at(-1)?.accessKeyId).toBe(role.credentials.accessKeyId);
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.headers.get('location')).toBe('https://console.aws.amazon.com/console/home?region=eu-west-2');
  });

  it('asks the federation host of the role’s partition', async () => {
    const asked: string[] = [];
    const recording: typeof fetch = async (input) => {
      asked.push(String(input));
      return new Response(JSON.stringify({ SigninToken: 'token' }), { status: 200 });
    };
    const gov: RoleCredentials = { ...role, role: { ...role.role, partition: 'aws-us-gov' } };
    const url = await consoleUrlForRole(gov, { fetch: recording });
    expect(new URL(asked[0] ?? '').origin).toBe('https://signin.amazonaws-us-gov.com');
    expect(new URL(url).searchParams.get('Destination')).toBe('https://console.amazonaws-us-gov.com/console/home');
  });

  it('refuses credentials that are about to expire, saying when', async () => {
    const clock = { now: () => role.credentials.expiration - 30_000 };
    const error = await consoleUrlForRole(role, { clock, federationEndpoint: `${standIn.url}/federation` }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'STS_FEDERATION' });
    expect((error as Error).message).toContain('Admin');
    const tokens = standIn.signinTokens.length;
    await consoleUrlForRole(role, { clock: { now: () => role.credentials.expiration + 1 }, federationEndpoint: `${standIn.url}/federation` }).catch(() => undefined);
    expect(standIn.signinTokens.length).toBe(tokens);
  });
});
